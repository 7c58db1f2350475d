// Over 400 lines: the recreate plan and its run, each rollback step next to the step it undoes.
// Updating a running container: pull its image again (with the stored credential) and recreate it with the same
// configuration, as `docker run` made it. The plan is pure (inspect JSON in, create body and a list of steps out);
// the run keeps the old container until the new one runs:
//   pull -> rename the old one aside -> create the new one under the old name (networks with their aliases,
//   volumes and mounts, ports, env, labels) -> stop the old one (its stop signal and timeout) -> start the new
//   one -> it still runs after a moment -> remove the old one (never its volumes).
// Any failure after the rename restores the old container (its name, and running again) and says what happened.
// Values the container only had because its old image set them (env, cmd, entrypoint, labels, ports, volumes,
// working dir, user, healthcheck) are left out, so the new image's own take effect, as `docker run` would give.
import type { Credential } from '../credentials';
import { tryParseReference } from '../reference';
import { sleep } from '../util/abort';
import { hasName } from '../util/errorName';
import { composeProjectOf, type ComposeProject } from './compose';
import type { Engine, PullResult } from './engine';
import { isAbortError, isPullError } from './errors';
import type {
  ContainerConfig,
  ContainerCreateBody,
  ContainerInspect,
  EndpointSettings,
  HostConfigLike,
  ImageInspect,
} from './inspect';

/** The default stop timeout of the engine when a container sets none (seconds). */
export const DEFAULT_STOP_TIMEOUT = 10;

export interface RecreatePlan {
  id: string;
  /** Without the leading `/`. */
  name: string;
  /** The image reference that is pulled and that the new container is created from. */
  ref: string;
  /** The image the old container runs (`sha256:…`). */
  imageId: string;
  running: boolean;
  /** Compose labels, when compose made the container. */
  compose: ComposeProject | null;
  stopSignal: string;
  stopTimeout: number;
  /** The name the old container has while the new one is created and started. */
  asideName: string;
  /** The create request for the new container: its first network in the body, the others connected before start. */
  create: ContainerCreateBody;
  extraNetworks: Array<{ name: string; endpoint: EndpointSettings }>;
  /** What is carried over, in words, for the confirmation: `ports 8080->80/tcp`, `network app (aliases web)`. */
  keeps: string[];
  /** Why it cannot be done this way (empty: it can). */
  blockers: string[];
  warnings: string[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const nonEmpty = <T>(a: T[] | null | undefined): a is T[] => Array.isArray(a) && a.length > 0;

/** The destination of a `-v` bind (`src:/dst[:opts]`, `/dst` for an anonymous one). */
export function bindTarget(bind: string): string {
  const parts = bind.split(':');
  return parts.length >= 2 ? (parts[1] ?? '') : (parts[0] ?? '');
}

/** `/db:/web/db` (as inspect shows a legacy link) -> `db:db` (as create takes it). */
function linkForCreate(link: string): string {
  const [source = '', alias = ''] = link.split(':');
  return `${source.replace(/^\//, '')}:${alias.split('/').pop() ?? ''}`;
}

/** The endpoint settings to carry over: static addresses, links, aliases (not the old container's own short id). */
function endpointFor(ep: EndpointSettings, oldId: string): EndpointSettings {
  const out: EndpointSettings = {};
  const ipam = ep.IPAMConfig;
  if (ipam && (ipam.IPv4Address || ipam.IPv6Address || nonEmpty(ipam.LinkLocalIPs))) out.IPAMConfig = ipam;
  if (nonEmpty(ep.Links)) out.Links = ep.Links.map(linkForCreate);
  const aliases = (ep.Aliases ?? []).filter((a) => a !== oldId.slice(0, 12) && !oldId.startsWith(a));
  if (aliases.length) out.Aliases = aliases;
  if (ep.DriverOpts && Object.keys(ep.DriverOpts).length) out.DriverOpts = ep.DriverOpts;
  return out;
}

/** The container's `Config` without what it only had from its old image, as a create body. */
function configFor(c: ContainerConfig, img: ContainerConfig, id: string, ref: string): ContainerCreateBody {
  const body: ContainerCreateBody = { ...c, Image: ref };
  // The engine names a container's host after its short id unless told otherwise.
  if (c.Hostname === id.slice(0, 12)) delete body.Hostname;
  const imageEnv = new Set(img.Env ?? []);
  body.Env = (c.Env ?? []).filter((e) => !imageEnv.has(e));
  if (same(c.Cmd, img.Cmd)) delete body.Cmd;
  if (same(c.Entrypoint, img.Entrypoint)) delete body.Entrypoint;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.Labels ?? {})) if (img.Labels?.[k] !== v) labels[k] = v;
  body.Labels = labels;
  const minus = (a: Record<string, object> | null | undefined, b: Record<string, object> | null | undefined) => {
    const out: Record<string, object> = {};
    for (const k of Object.keys(a ?? {})) if (!(b && k in b)) out[k] = {};
    return out;
  };
  body.ExposedPorts = minus(c.ExposedPorts, img.ExposedPorts);
  body.Volumes = minus(c.Volumes, img.Volumes);
  for (const k of ['WorkingDir', 'User', 'StopSignal', 'Healthcheck', 'Shell', 'OnBuild', 'ArgsEscaped'] as const)
    if (same(c[k], img[k])) delete body[k];
  return body;
}

/**
 * Plans recreating `c` from `ref` (default: the reference it was created with), given the image it runs now
 * (`oldImage`, for the values that came from it; null when the engine no longer has it). Pure.
 */
export function planRecreate(
  c: ContainerInspect,
  oldImage: ImageInspect | null,
  opts: { ref?: string } = {},
): RecreatePlan {
  const name = c.Name.replace(/^\//, '');
  const configured = c.Config.Image ?? '';
  const ref = opts.ref ?? configured;
  const blockers: string[] = [];
  const warnings: string[] = [];
  const parsed = tryParseReference(ref);
  if (/^(sha256:)?[0-9a-f]{12,64}$/.test(ref))
    blockers.push(
      `${name} was created from the image id ${ref.slice(0, 19)}, not from a tag: there is nothing to pull`,
    );
  else if (parsed instanceof Error)
    blockers.push(`${name}'s image "${ref}" is not a reference Registry Lens can pull: ${parsed.message}`);
  else if (parsed.digest)
    blockers.push(
      `${name} is pinned to a digest (${ref}): pulling it again gives the same image. Change the digest where the container is defined`,
    );
  const host: HostConfigLike = { ...c.HostConfig };
  if (host.AutoRemove)
    blockers.push(
      `${name} was started with --rm: stopping it removes it, so it could not be restored if the new container failed`,
    );
  if (!c.State.Running) blockers.push(`${name} is not running (${c.State.Status ?? 'unknown state'})`);
  if (!oldImage)
    warnings.push(
      `the image ${name} runs (${c.Image.slice(0, 19)}) is no longer in the engine: values it set (environment, command, labels) are kept as the container has them`,
    );

  const create = configFor(c.Config, oldImage?.Config ?? {}, c.Id, ref);
  // Anonymous volumes (an image's VOLUME, `-v /data`) hold the container's data: the new one mounts the same ones.
  const targets = new Set([...(host.Binds ?? []).map(bindTarget), ...(host.Mounts ?? []).map((m) => m.Target ?? '')]);
  const anonymous = (c.Mounts ?? []).filter(
    (m) => m.Type === 'volume' && m.Name && m.Destination && !targets.has(m.Destination),
  );
  if (anonymous.length)
    host.Mounts = [
      ...(host.Mounts ?? []),
      ...anonymous.map((m) => ({ Type: 'volume', Source: m.Name, Target: m.Destination, ReadOnly: m.RW === false })),
    ];
  // A path mounted explicitly is not also an anonymous volume of the new container.
  for (const m of anonymous) if (m.Destination && create.Volumes) delete create.Volumes[m.Destination];
  // A published port stays exposed even when the new image no longer exposes it.
  for (const port of Object.keys(host.PortBindings ?? {})) (create.ExposedPorts ??= {})[port] = {};
  if (nonEmpty(host.Links)) host.Links = host.Links.map(linkForCreate);
  create.HostConfig = host;

  const mode = host.NetworkMode ?? 'default';
  const networks = Object.entries(c.NetworkSettings?.Networks ?? {});
  const extraNetworks: RecreatePlan['extraNetworks'] = [];
  if (!/^(host|none|container:.*|service:.*)$/.test(mode) && networks.length) {
    const primaryName = mode === 'default' ? 'bridge' : mode;
    const primary = networks.find(([n]) => n === primaryName) ?? networks[0];
    if (primary) {
      create.NetworkingConfig = { EndpointsConfig: { [primary[0]]: endpointFor(primary[1], c.Id) } };
      for (const [n, ep] of networks)
        if (n !== primary[0]) extraNetworks.push({ name: n, endpoint: endpointFor(ep, c.Id) });
    }
  }
  delete create.NetworkingConfig?.EndpointsConfig?.['']; // never an unnamed network

  const keeps: string[] = [];
  const ports = Object.entries(host.PortBindings ?? {}).flatMap(([port, binds]) =>
    (binds ?? []).map((b) => `${b.HostIp ? `${b.HostIp}:` : ''}${b.HostPort || '(any)'}->${port}`),
  );
  if (ports.length) keeps.push(`ports ${ports.join(', ')}`);
  if (create.Env?.length)
    keeps.push(
      `${create.Env.length} environment ${create.Env.length === 1 ? 'variable' : 'variables'} (${create.Env.map((e) => e.split('=')[0]).join(', ')})`,
    );
  const mounts = [
    ...(host.Binds ?? []),
    ...(host.Mounts ?? []).map(
      (m) => `${m.Source || '(anonymous)'}:${m.Target ?? ''}${m.Type && m.Type !== 'volume' ? ` (${m.Type})` : ''}`,
    ),
  ];
  if (mounts.length) keeps.push(`volumes and mounts ${mounts.join(', ')}`);
  const nets = [
    ...Object.entries(create.NetworkingConfig?.EndpointsConfig ?? {}),
    ...extraNetworks.map((n) => [n.name, n.endpoint] as const),
  ];
  if (nets.length)
    keeps.push(
      `${nets.length === 1 ? 'network' : 'networks'} ${nets.map(([n, ep]) => `${n}${ep.Aliases?.length ? ` (aliases ${ep.Aliases.join(', ')})` : ''}${ep.IPAMConfig?.IPv4Address ? ` (address ${ep.IPAMConfig.IPv4Address})` : ''}`).join(', ')}`,
    );
  else if (/^(host|none|container:.*)$/.test(mode)) keeps.push(`network mode ${mode}`);
  const labelCount = Object.keys(create.Labels ?? {}).length;
  if (labelCount) keeps.push(`${labelCount} ${labelCount === 1 ? 'label' : 'labels'}`);
  if (host.RestartPolicy?.Name && host.RestartPolicy.Name !== 'no')
    keeps.push(`restart policy ${host.RestartPolicy.Name}`);

  return {
    id: c.Id,
    name,
    ref,
    imageId: c.Image,
    running: c.State.Running === true,
    compose: composeProjectOf(c.Config.Labels ?? {}),
    stopSignal: c.Config.StopSignal || 'SIGTERM',
    stopTimeout: typeof c.Config.StopTimeout === 'number' ? c.Config.StopTimeout : DEFAULT_STOP_TIMEOUT,
    asideName: `${name}-registry-lens-old`,
    create,
    extraNetworks,
    keeps,
    blockers,
    warnings,
  };
}

/** The steps of the API path in words, for the confirmation and the CLI's refusal without `--yes`. */
export function describePlan(plan: RecreatePlan, opts: { credentialSource?: string | null } = {}): string[] {
  const cred =
    opts.credentialSource === undefined
      ? ''
      : opts.credentialSource
        ? ` with the credential from ${opts.credentialSource}`
        : ' anonymously';
  return [
    `pull ${plan.ref}${cred}`,
    `rename ${plan.name} to ${plan.asideName} and create a new ${plan.name} from the pulled image, keeping ${plan.keeps.length ? plan.keeps.join('; ') : 'its configuration'}`,
    `stop the old container (${plan.stopSignal}, then SIGKILL after ${plan.stopTimeout} s) and start the new one`,
    `remove the old container once the new one runs (its volumes stay); if anything fails, the old one gets its name back and runs again`,
  ];
}

export type RecreateStage =
  'plan' | 'pull' | 'rename' | 'create' | 'connect' | 'stop' | 'start' | 'verify' | 'cancelled';

/** Recreating failed. `restored` says whether the old container is back as it was (its name, running). */
export class RecreateError extends Error {
  override name = 'RecreateError';
  readonly code = 'recreate-failed';
  constructor(
    message: string,
    readonly stage: RecreateStage,
    readonly container: string,
    readonly restored: boolean,
    /** The cause in the engine's words (a pull error, the start error, the new container's last log lines). */
    readonly detail: string,
  ) {
    super(message);
  }
}
export const isRecreateError = (e: unknown): e is RecreateError => hasName(e, ['RecreateError']);

export interface RecreateOptions {
  /** The credential for the image's registry (from the caller's keychain); anonymous when absent. */
  auth?: Credential;
  /** Recreate from this reference instead of the one the container was created with (a newer tag). */
  ref?: string;
  /** Cancels up to the moment the old container is stopped; after that the run finishes (or rolls back). */
  signal?: AbortSignal;
  /** What is happening, in a few words, as it happens. */
  onStep?: (step: string) => void;
  /** How long the new container must keep running after its start to count as started (default 1500 ms). */
  settleMs?: number;
  /** Recreate even when the pulled image is the one the container runs. */
  force?: boolean;
}

export interface RecreateResult {
  name: string;
  outcome: 'recreated' | 'up-to-date';
  oldId: string;
  newId: string | null;
  oldImageId: string;
  newImageId: string;
  pull: PullResult | null;
  /** Said after the fact (the old container could not be removed, ...). */
  warnings: string[];
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Pulls and recreates one running container (see the file's header). Rejects with a {@link RecreateError} saying
 * which step failed, the engine's words, and whether the old container was restored.
 */
export async function recreateContainer(
  engine: Engine,
  idOrName: string,
  opts: RecreateOptions = {},
): Promise<RecreateResult> {
  const step = (s: string) => opts.onStep?.(s);
  const info = await engine.inspectContainer(idOrName, opts.signal ? { signal: opts.signal } : {});
  const oldImage = await engine.inspectImage(info.Image);
  const plan = planRecreate(info, oldImage, opts.ref ? { ref: opts.ref } : {});
  const name = plan.name;
  if (plan.blockers.length)
    throw new RecreateError(
      `Cannot update ${name}: ${plan.blockers.join('; ')}.`,
      'plan',
      name,
      true,
      plan.blockers.join('; '),
    );

  step(`pulling ${plan.ref}`);
  let pull: PullResult;
  try {
    pull = await engine.pull(plan.ref, {
      ...(opts.auth ? { auth: opts.auth } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if (isAbortError(e))
      throw new RecreateError(
        `Updating ${name} cancelled while pulling ${plan.ref}; nothing was changed.`,
        'cancelled',
        name,
        true,
        'cancelled',
      );
    const detail = isPullError(e) ? e.engineMessage : errText(e);
    throw new RecreateError(
      `Pulling ${plan.ref} for ${name} failed: ${detail}. Nothing was changed: ${name} still runs.`,
      'pull',
      name,
      true,
      detail,
    );
  }
  const newImage = await engine.inspectImage(plan.ref);
  if (!newImage)
    throw new RecreateError(
      `The engine has no image ${plan.ref} after pulling it; nothing was changed.`,
      'pull',
      name,
      true,
      'image missing after pull',
    );
  if (newImage.Id === info.Image && !opts.force) {
    step(`${name} already runs the newest ${plan.ref}`);
    return {
      name,
      outcome: 'up-to-date',
      oldId: info.Id,
      newId: null,
      oldImageId: info.Image,
      newImageId: newImage.Id,
      pull,
      warnings: [],
    };
  }
  if (opts.signal?.aborted)
    throw new RecreateError(
      `Updating ${name} cancelled after the pull; the container was not changed.`,
      'cancelled',
      name,
      true,
      'cancelled',
    );

  // From here on the old container is changed: every failure restores it.
  let newId: string | null = null;
  let stopped = false;
  let renamed = false;
  const restore = async (stage: RecreateStage, what: string, detail: string): Promise<never> => {
    const undone: string[] = [];
    const failed: string[] = [];
    const wasRenamed = renamed;
    if (newId) {
      try {
        await engine.removeContainer(newId, { force: true });
        undone.push('the new container was removed');
      } catch (e) {
        failed.push(`removing the new container ${newId.slice(0, 12)}: ${errText(e)}`);
      }
    }
    if (renamed) {
      try {
        await engine.renameContainer(info.Id, name);
        renamed = false;
      } catch (e) {
        failed.push(`renaming ${plan.asideName} back to ${name}: ${errText(e)}`);
      }
    }
    if (wasRenamed && !renamed) undone.push(`the old container has its name ${name} back`);
    if (stopped) {
      try {
        await engine.startContainer(info.Id);
        undone.push('it runs again');
      } catch (e) {
        failed.push(`starting the old container again: ${errText(e)}`);
      }
    } else undone.push('it was never stopped');
    const restored = failed.length === 0;
    const state = restored
      ? `Restored: ${undone.join(', ')}.`
      : `Restoring failed (${failed.join('; ')}). The old container is ${renamed ? plan.asideName : name} (${info.Id.slice(0, 12)}): \`docker rename ${renamed ? plan.asideName : name} ${name}\` and \`docker start ${name}\` bring it back.`;
    step(restored ? `restored ${name}` : `restoring ${name} failed`);
    throw new RecreateError(`Updating ${name} failed: ${what}: ${detail}. ${state}`, stage, name, restored, detail);
  };
  const cancelled = async () => {
    if (opts.signal?.aborted) await restore('cancelled', 'cancelled', 'the update was cancelled');
  };

  step(`renaming ${name} to ${plan.asideName}`);
  try {
    await engine.renameContainer(info.Id, plan.asideName);
    renamed = true;
  } catch (e) {
    throw new RecreateError(
      `Updating ${name} failed: renaming it to ${plan.asideName}: ${errText(e)}. Nothing was changed: ${name} still runs.`,
      'rename',
      name,
      true,
      errText(e),
    );
  }
  await cancelled();
  step(`creating the new ${name}`);
  try {
    newId = await engine.createContainer(name, plan.create);
  } catch (e) {
    await restore('create', `creating the new container from ${plan.ref}`, errText(e));
  }
  for (const n of plan.extraNetworks) {
    try {
      await engine.connectNetwork(n.name, newId as string, n.endpoint);
    } catch (e) {
      await restore('connect', `connecting the new container to network ${n.name}`, errText(e));
    }
  }
  await cancelled();
  step(`stopping the old ${name} (${plan.stopSignal}, up to ${plan.stopTimeout} s)`);
  try {
    await engine.stopContainer(info.Id, plan.stopTimeout);
    stopped = true;
  } catch (e) {
    stopped = true; // it may have stopped anyway: starting it again is harmless
    await restore('stop', `stopping the old container`, errText(e));
  }
  step(`starting the new ${name}`);
  try {
    await engine.startContainer(newId as string);
  } catch (e) {
    await restore('start', `starting the new container from ${plan.ref}`, errText(e));
  }
  await sleep(opts.settleMs ?? 1500);
  let after: ContainerInspect | undefined;
  try {
    after = await engine.inspectContainer(newId as string);
  } catch (e) {
    await restore('verify', 'checking the new container', errText(e));
  }
  if (!after?.State.Running || after.State.Restarting || (after.RestartCount ?? 0) > 0) {
    const logs = await engine.containerLogs(newId as string, 10).catch(() => '');
    const how =
      after?.State.Restarting || (after?.RestartCount ?? 0) > 0
        ? 'keeps restarting'
        : `exited with code ${after?.State.ExitCode ?? '?'}`;
    await restore(
      'verify',
      `the new container ${how} right after its start`,
      `${after?.State.Error ? `${after.State.Error}; ` : ''}${logs ? `last output: ${logs.split('\n').slice(-5).join(' | ')}` : 'no output'}`,
    );
  }
  step(`removing the old container`);
  const warnings: string[] = [];
  try {
    await engine.removeContainer(info.Id);
  } catch (e) {
    warnings.push(
      `the old container ${plan.asideName} (${info.Id.slice(0, 12)}) could not be removed: ${errText(e)}; it is stopped, remove it with \`docker rm ${plan.asideName}\``,
    );
  }
  step(`${name} runs ${plan.ref} (${newImage.Id.slice(7, 19)})`);
  return {
    name,
    outcome: 'recreated',
    oldId: info.Id,
    newId,
    oldImageId: info.Image,
    newImageId: newImage.Id,
    pull,
    warnings,
  };
}
