import {
  defaultKeychain,
  Engine,
  isEngineRequestError,
  isRecreateError,
  normalizeRegistry,
  prepareUpdate,
  recreateContainer,
  resolveEngine,
  runCompose,
  tryParseReference,
  updateWithCompose,
  type ContainerUpdate,
  type Credential,
} from '../core';
import type { CliIo } from './io';

export const UPDATE_USAGE = `Usage: registry-lens update CONTAINER... [--yes] [--docker-host H]

Updates running containers (by name or id) to the newest image of the tag they were created from: pulls it with the
credential from the docker config (or REGISTRY_LENS_USERNAME / REGISTRY_LENS_PASSWORD), then
  - compose-managed containers: \`docker compose\` (or \`docker-compose\`) \`up -d --no-deps SERVICE\` with the
    project's files and directory, output shown;
  - others: a new container with the same configuration (ports, environment, volumes and mounts, networks and
    aliases, labels, name); the old one is stopped with its stop signal and timeout and removed only once the new
    one runs. If anything fails the old container gets its name back and runs again.
Only the containers named are touched. Without --yes nothing is changed: it prints what it would do.

  --yes                  do it
  --docker-host H        the engine: unix:///path/to/docker.sock or tcp://HOST:PORT (default: DOCKER_HOST, then
                         the current docker context, then /var/run/docker.sock)

Exit codes: 0 updated (or already up to date), 2 refused, failed (each failure says whether the old container was
restored) or bad usage.
`;

export async function updateCommand(args: string[], io: CliIo): Promise<number> {
  const names: string[] = [];
  let yes = false;
  let host: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--help' || a === '-h') {
      io.stdout(UPDATE_USAGE);
      return 0;
    } else if (a === '--yes' || a === '-y') yes = true;
    else if (a === '--docker-host' || a.startsWith('--docker-host=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (!v) {
        io.stderr('registry-lens update: --docker-host needs a value (unix:///path or tcp://HOST:PORT).\n');
        return 2;
      }
      host = v;
    } else if (a.startsWith('-')) {
      io.stderr(`registry-lens update: unknown option ${a}.\n${UPDATE_USAGE}`);
      return 2;
    } else names.push(a);
  }
  if (!names.length) {
    io.stderr(`registry-lens update: name the containers to update.\n${UPDATE_USAGE}`);
    return 2;
  }
  const engine = new Engine(resolveEngine({ ...(host ? { host, hostLabel: '--docker-host' } : {}), env: io.env }));
  const ping = await engine.ping();
  if (ping.state !== 'ok') {
    io.stderr(`registry-lens update: ${ping.message}\n`);
    return 2;
  }
  const keychain = defaultKeychain({ env: io.env, onWarning: (m) => io.stderr(`registry-lens: ${m}\n`) });
  const credentialOf = async (ref: string): Promise<Credential | undefined> => {
    const parsed = tryParseReference(ref);
    return parsed instanceof Error ? undefined : keychain.resolve(normalizeRegistry(parsed.registry));
  };

  const updates: Array<{ name: string; u: ContainerUpdate; auth: Credential | undefined }> = [];
  let failed = 0;
  for (const name of names) {
    try {
      const first = await prepareUpdate(engine, name);
      const auth = await credentialOf(first.plan.ref);
      const u = await prepareUpdate(engine, name, { credentialSource: auth?.source ?? null });
      updates.push({ name, u, auth });
    } catch (e) {
      failed++;
      io.stderr(
        isEngineRequestError(e) && e.status === 404
          ? `registry-lens update: No container named or with the id "${name}" in ${engine.describe()}.\n`
          : `registry-lens update: ${name}: ${e instanceof Error ? e.message : String(e)}\n`,
      );
    }
  }
  for (const { u } of updates) {
    const p = u.plan;
    io.stdout(
      `${p.name} (${p.id.slice(0, 12)}, ${u.path === 'compose' ? `compose project ${p.compose?.project}, service ${p.compose?.service}` : 'engine API'}):\n`,
    );
    if (u.blockers.length) io.stdout(`  cannot be updated: ${u.blockers.join('; ')}\n`);
    else for (const s of u.steps) io.stdout(`  ${p.name}: ${s}\n`);
    for (const w of u.warnings) io.stdout(`  warning: ${w}\n`);
  }
  if (!yes) {
    io.stderr('registry-lens update: nothing was changed without --yes; run again with --yes to do the above.\n');
    return 2;
  }
  for (const { u, auth } of updates) {
    const p = u.plan;
    if (u.blockers.length) {
      failed++;
      continue;
    }
    const onStep = (s: string) => io.stderr(`${p.name}: ${s}\n`);
    try {
      const r =
        u.path === 'compose'
          ? await updateWithCompose(engine, u, {
              ...(auth ? { auth } : {}),
              onStep,
              run: (c) => runCompose(c.command, c.args, { cwd: c.cwd, env: { ...io.env, ...c.env } }),
            })
          : await recreateContainer(engine, p.id, { ...(auth ? { auth } : {}), onStep });
      io.stdout(
        r.outcome === 'up-to-date'
          ? `${p.name}: already runs the newest ${p.ref}\n`
          : `${p.name}: updated to ${p.ref} (${r.newImageId.slice(7, 19)})\n`,
      );
      for (const w of r.warnings) io.stdout(`${p.name}: warning: ${w}\n`);
    } catch (e) {
      failed++;
      io.stderr(
        `registry-lens update: ${isRecreateError(e) ? e.message : e instanceof Error ? e.message : String(e)}\n`,
      );
    }
  }
  return failed ? 2 : 0;
}
