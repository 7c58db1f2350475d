// "Update a running container", for the CLI and the extension alike: which way (compose for a compose-managed
// container when compose and the project's files are here, else the engine API), what will happen in words (the
// confirmation lists it), and the compose way's run (pull with the stored credential, then compose in the
// caller's terminal, then a look at what runs).
import type { Credential } from '../credentials';
import {
  composeCommandLine,
  composeProblems,
  composeUpArgs,
  engineEnv,
  findCompose as findComposeOnPath,
  COMPOSE_LABELS,
  type ComposeCommand,
} from './compose';
import type { Engine } from './engine';
import { isAbortError, isPullError } from './errors';
import { describePlan, planRecreate, RecreateError, type RecreatePlan, type RecreateResult } from './recreate';

export interface ContainerUpdate {
  plan: RecreatePlan;
  path: 'compose' | 'api';
  /** The compose run, on the compose path. */
  compose: { command: ComposeCommand; args: string[]; cwd: string; env: Record<string, string>; line: string } | null;
  /** What will happen, step by step. */
  steps: string[];
  /** Why it cannot be updated (empty: it can). */
  blockers: string[];
  /** Said with the confirmation (why compose is not used, what compose also recreates, ...). */
  warnings: string[];
}

export interface PrepareOptions {
  /** Update to this reference (a newer tag) instead of the one the container was created from: the API path only. */
  ref?: string;
  /** Where the pull's credential comes from (`SecretStorage`, `docker config`), null for anonymous; for the steps. */
  credentialSource?: string | null;
  /** Finds compose (default: `docker compose`, else `docker-compose`, on PATH). */
  findCompose?: () => Promise<ComposeCommand | null>;
  exists?: (file: string) => boolean;
}

/** Inspects a container and says how it would be updated. Throws the engine's errors (no such container, ...). */
export async function prepareUpdate(
  engine: Engine,
  idOrName: string,
  opts: PrepareOptions = {},
): Promise<ContainerUpdate> {
  const info = await engine.inspectContainer(idOrName);
  const oldImage = await engine.inspectImage(info.Image);
  const plan = planRecreate(info, oldImage, opts.ref ? { ref: opts.ref } : {});
  const warnings = [...plan.warnings];
  const retagged = plan.ref !== (info.Config.Image ?? '');
  const cred =
    opts.credentialSource === undefined
      ? ''
      : opts.credentialSource
        ? ` with the credential from ${opts.credentialSource}`
        : ' anonymously';
  if (plan.compose) {
    const problems = composeProblems(plan.compose, opts.exists);
    if (retagged)
      problems.unshift(
        `its compose file names ${info.Config.Image ?? 'another tag'}, not ${plan.ref} (edit the file to move it for good)`,
      );
    const command = problems.length ? null : await (opts.findCompose ?? (() => findComposeOnPath()))();
    if (command && plan.compose.workingDir) {
      const args = composeUpArgs(plan.compose);
      const line = composeCommandLine(command, args);
      const replicas =
        Number(info.Config.Labels?.['com.docker.compose.container-number'] ?? '1') > 1
          ? ` (compose recreates every container of the service ${plan.compose.service})`
          : '';
      return {
        plan,
        path: 'compose',
        compose: { command, args, cwd: plan.compose.workingDir, env: engineEnv(engine.endpoint), line },
        steps: [
          `pull ${plan.ref}${cred}`,
          `run \`${line}\` in ${plan.compose.workingDir}${replicas}: compose recreates ${plan.name} from its compose file with the pulled image`,
        ],
        blockers: plan.running ? [] : [`${plan.name} is not running`],
        warnings,
      };
    }
    warnings.push(
      `${plan.name} belongs to the compose project ${plan.compose.project} (service ${plan.compose.service}), but ${problems.length ? problems.join('; ') : 'neither `docker compose` nor `docker-compose` is installed'}: it is recreated through the engine API from its current configuration instead, and a later \`compose up\` may recreate it again`,
    );
  }
  return {
    plan,
    path: 'api',
    compose: null,
    blockers: plan.blockers,
    steps: describePlan(plan, opts.credentialSource === undefined ? {} : { credentialSource: opts.credentialSource }),
    warnings,
  };
}

export interface ComposeRunOptions {
  auth?: Credential;
  signal?: AbortSignal;
  onStep?: (step: string) => void;
  /** Runs the compose command where a person sees it (a terminal) and resolves with its exit code. */
  run: (u: NonNullable<ContainerUpdate['compose']>) => Promise<number>;
}

/** The compose path: pull with the credential, run compose, then check that the service runs the pulled image. */
export async function updateWithCompose(
  engine: Engine,
  u: ContainerUpdate,
  opts: ComposeRunOptions,
): Promise<RecreateResult> {
  const { plan } = u;
  const c = u.compose;
  if (!c || !plan.compose) throw new Error(`${plan.name} is not updated through compose`);
  if (u.blockers.length)
    throw new RecreateError(
      `Cannot update ${plan.name}: ${u.blockers.join('; ')}.`,
      'plan',
      plan.name,
      true,
      u.blockers.join('; '),
    );
  opts.onStep?.(`pulling ${plan.ref}`);
  let pull;
  try {
    pull = await engine.pull(plan.ref, {
      ...(opts.auth ? { auth: opts.auth } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if (isAbortError(e))
      throw new RecreateError(
        `Updating ${plan.name} cancelled while pulling ${plan.ref}; nothing was changed.`,
        'cancelled',
        plan.name,
        true,
        'cancelled',
      );
    const detail = isPullError(e) ? e.engineMessage : e instanceof Error ? e.message : String(e);
    throw new RecreateError(
      `Pulling ${plan.ref} for ${plan.name} failed: ${detail}. Nothing was changed: ${plan.name} still runs.`,
      'pull',
      plan.name,
      true,
      detail,
    );
  }
  const image = await engine.inspectImage(plan.ref);
  const newImageId = image?.Id ?? '';
  if (newImageId === plan.imageId) {
    opts.onStep?.(`${plan.name} already runs the newest ${plan.ref}`);
    return {
      name: plan.name,
      outcome: 'up-to-date',
      oldId: plan.id,
      newId: null,
      oldImageId: plan.imageId,
      newImageId,
      pull,
      warnings: [],
    };
  }
  opts.onStep?.(`running ${c.line}`);
  const code = await opts.run(c);
  const running = await engine.listContainersRaw({
    labels: [`${COMPOSE_LABELS.project}=${plan.compose.project}`, `${COMPOSE_LABELS.service}=${plan.compose.service}`],
  });
  const mine = running.filter((r) => r.State === 'running');
  if (code !== 0) {
    const now = mine.length
      ? `${mine.map((r) => (r.Names?.[0] ?? r.Id).replace(/^\//, '')).join(', ')} running`
      : `no container of the service running`;
    throw new RecreateError(
      `Updating ${plan.name} failed: \`${c.line}\` exited with code ${code} (its output is in the terminal). Compose recreates by itself, so Registry Lens cannot restore the old container; now: ${now}.`,
      'start',
      plan.name,
      false,
      `exit code ${code}`,
    );
  }
  const fresh = mine.find((r) => r.ImageID === newImageId);
  const warnings = fresh
    ? []
    : [
        `compose finished, but no running container of ${plan.compose.service} runs the pulled image (${newImageId.slice(7, 19)}): does the compose file name another tag than ${plan.ref}?`,
      ];
  opts.onStep?.(fresh ? `${plan.name} runs ${plan.ref} (${newImageId.slice(7, 19)})` : (warnings[0] ?? ''));
  return {
    name: plan.name,
    outcome: 'recreated',
    oldId: plan.id,
    newId: fresh?.Id ?? null,
    oldImageId: plan.imageId,
    newImageId,
    pull,
    warnings,
  };
}
