import {
  checkLocal,
  defaultCacheDir,
  Engine,
  resolveEngine,
  type LocalCheckResult,
  type LocalFinding,
  type RegistrySettings,
} from '../core';
import { openCheckSession, prepareCheck } from './checkSetup';
import type { CliIo } from './io';
import { parseConcurrency, REGISTRY_FLAGS_USAGE, takeRegistryFlag, type RegistryFlags } from './registryFlags';
import { formatTable } from './table';

export const CHECK_LOCAL_USAGE = `Usage: registry-lens check --local [options]

Compares the local Docker engine's images (every tag) and running containers with their registries: a tag whose
registry digest moved on (pull it again), newer tags by the versioning rules, containers running an image older
than the one their tag now points at locally (recreate them). Images never pulled from a registry are "local-only".
Nothing is pulled, restarted or removed.

  --docker-host H        the engine: unix:///path/to/docker.sock or tcp://HOST:PORT (default: DOCKER_HOST, then
                         the current docker context, then /var/run/docker.sock; DOCKER_TLS_VERIFY and
                         DOCKER_CERT_PATH apply to tcp://)
  --json                 print a JSON array, one item per image tag and running container:
                         kind (image|container), ref, status (current | update | digest-changed |
                         container-outdated | local-only | skipped | error), code, message, outdated, digestChanged,
                         localDigest, registryDigest, updates [{kind, tag, digest}], actions (pull|recreate|edit),
                         image {id, repoTags, repoDigests, platform, created, size}, container {id, name, image,
                         imageId, status} | null, newerLocalImageId, notes, error {code, message} | null, stale
  --all                  the table lists everything, not only what is out of date or failed
  --fail-on-update       exit 1 when something is out of date
  --policy FILE          update policy rules (as for "check")
  --concurrency N        requests at a time per registry (default 6)
  --cache-dir DIR        where registry answers are cached (default ${defaultCacheDir().replace(/\\/g, '/')})
  --no-cache             ask the registries for everything, store nothing
  --offline              use cached registry answers only
${REGISTRY_FLAGS_USAGE}
Exit codes: 0 nothing out of date, 1 out of date (with --fail-on-update), 2 errors (no engine, a registry failed,
bad usage).
`;

interface Options {
  dockerHost?: string;
  json: boolean;
  all: boolean;
  failOnUpdate: boolean;
  policy?: string;
  concurrency: number;
  cacheDir?: string;
  noCache: boolean;
  offline: boolean;
  hosts: Record<string, RegistrySettings>;
  proxy?: string;
}

const VALUE_FLAGS = new Set(['--docker-host', '--policy', '--concurrency', '--cache-dir', '--format']);

function parseArgs(args: string[]): Options | { help: true } | { error: string } {
  const o: Options = {
    json: false,
    all: false,
    failOnUpdate: false,
    concurrency: 6,
    noCache: false,
    offline: false,
    hosts: {},
  };
  const flags: RegistryFlags = { hosts: o.hosts };
  for (let i = 0; i < args.length; i++) {
    const at = { value: i };
    const flag = takeRegistryFlag(args, at, flags, VALUE_FLAGS);
    i = at.value;
    if (flag.kind === 'error') return { error: flag.message };
    if (flag.kind === 'taken') continue;
    if (flag.kind === 'value') {
      const { name, value } = flag;
      if (name === '--docker-host') o.dockerHost = value;
      else if (name === '--policy') o.policy = value;
      else if (name === '--cache-dir') o.cacheDir = value;
      else if (name === '--format') {
        if (value !== 'table' && value !== 'json')
          return { error: `--format with --local takes table or json, not "${value}"` };
        o.json = value === 'json';
      } else {
        const n = parseConcurrency(value);
        if (typeof n !== 'number') return n;
        o.concurrency = n;
      }
      continue;
    }
    const arg = args[i] ?? '';
    if (arg === '--json') o.json = true;
    else if (arg === '--all') o.all = true;
    else if (arg === '--fail-on-update') o.failOnUpdate = true;
    else if (arg === '--no-cache') o.noCache = true;
    else if (arg === '--offline') o.offline = true;
    else if (arg === '--help' || arg === '-h') return { help: true };
    else if (arg.startsWith('-') && arg !== '-')
      return { error: `unknown option "${arg}". Run "registry-lens check --local --help".` };
    else return { error: `check --local takes no paths (it looks at the Docker engine, not files): "${arg}"` };
  }
  if (flags.proxy) o.proxy = flags.proxy;
  if (o.offline && o.noCache) return { error: '--offline needs the cache: drop --no-cache' };
  return o;
}

/** `registry-lens check --local`: `args` without the `--local` flag. */
export async function checkLocalCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args);
  if ('help' in parsed) {
    io.stdout(CHECK_LOCAL_USAGE);
    return 0;
  }
  const fail = (m: string): number => {
    io.stderr(`registry-lens check --local: ${m}\n`);
    return 2;
  };
  if ('error' in parsed) return fail(parsed.error);
  const o = parsed;
  const prepared = await prepareCheck(o, io);
  if ('error' in prepared) return fail(prepared.error);
  const { rules } = prepared;

  const engine = new Engine(resolveEngine({ host: o.dockerHost ?? '', hostLabel: '--docker-host', env: io.env }));
  const state = await engine.ping();
  if (state.state !== 'ok') return fail(`no Docker engine: ${state.message}`);

  const session = openCheckSession(o, io);
  let result: LocalCheckResult;
  let requests: number;
  const started = Date.now();
  try {
    const inventory = await engine.listLocal({ signal: session.signal });
    result = await checkLocal(inventory, {
      client: session.client,
      cache: session.cache,
      rules,
      concurrency: o.concurrency,
      offline: o.offline,
      signal: session.signal,
    });
    requests = session.requests();
  } catch (e) {
    if (session.signal.aborted) return fail('cancelled');
    return fail(e instanceof Error ? e.message : String(e));
  } finally {
    await session.close();
  }

  const all = [...result.images, ...result.containers];
  for (const f of all) if (f.status === 'error') io.stderr(`registry-lens: ${f.message}\n`);
  if (o.json) io.stdout(`${JSON.stringify(all.map(toLocalJson), null, 2)}\n`);
  else
    io.stdout(
      table(o.all ? all : all.filter((f) => f.outdated || f.status === 'error')) +
        summary(
          result,
          state.endpoint,
          `${state.platform ?? 'Docker'} ${state.version}`,
          requests,
          Date.now() - started,
        ),
    );

  if (all.some((f) => f.status === 'error')) return 2;
  if (o.failOnUpdate && all.some((f) => f.outdated)) return 1;
  return 0;
}

/** One item of `check --local --json`. */
export function toLocalJson(f: LocalFinding): Record<string, unknown> {
  return {
    kind: f.kind,
    ref: f.ref,
    status: f.status,
    code: f.code,
    message: f.message,
    outdated: f.outdated,
    digestChanged: f.digestChanged,
    localDigest: f.localDigest,
    registryDigest: f.registryDigest,
    updates: f.updates.map((u) => ({ kind: u.kind, tag: u.tag, digest: u.digest })),
    actions: f.actions,
    image: f.image
      ? {
          id: f.image.id,
          repoTags: f.image.repoTags,
          repoDigests: f.image.repoDigests,
          platform: f.image.platform,
          created: f.image.created,
          size: f.image.size,
        }
      : null,
    container: f.container
      ? {
          id: f.container.id,
          name: f.container.name,
          image: f.container.image,
          imageId: f.container.imageId,
          status: f.container.status,
        }
      : null,
    newerLocalImageId: f.newerLocalImageId,
    notes: f.notes,
    error: f.error ? { code: f.error.code, message: f.error.message } : null,
    stale: f.stale,
  };
}

const short = (d: string | null | undefined) => (d ? d.replace(/^sha256:/, '').slice(0, 12) : '');

function table(findings: LocalFinding[]): string {
  if (findings.length === 0) return '';
  const rows = findings.map((f) => {
    const newest = (kind: string) => f.updates.find((u) => u.kind === kind)?.tag ?? '';
    const status =
      f.status === 'error'
        ? `error: ${f.code}`
        : f.status === 'container-outdated'
          ? `container-outdated → recreate${f.digestChanged ? ', pull' : ''}`
          : f.status === 'digest-changed'
            ? `digest-changed → pull${f.kind === 'container' ? ', recreate' : ''}`
            : f.status === 'update' && f.digestChanged
              ? 'update, digest-changed → pull'
              : f.status;
    return [
      f.kind === 'container' ? `container ${f.container?.name ?? ''}` : 'image',
      f.ref,
      f.kind === 'container' ? short(f.container?.imageId) : short(f.image?.id),
      short(f.localDigest),
      short(f.registryDigest),
      newest('patch'),
      newest('minor'),
      newest('major'),
      `${status}${f.stale ? ' (stale)' : ''}`,
    ];
  });
  return formatTable(
    ['WHAT', 'REFERENCE', 'IMAGE ID', 'LOCAL DIGEST', 'REGISTRY', 'PATCH', 'MINOR', 'MAJOR', 'STATUS'],
    rows,
  );
}

function summary(r: LocalCheckResult, endpoint: string, engine: string, requests: number, ms: number): string {
  const all = [...r.images, ...r.containers];
  const count = (p: (f: LocalFinding) => boolean) => all.filter(p).length;
  const parts = [
    `${count((f) => f.outdated)} out of date`,
    `${count((f) => f.status === 'current')} up to date`,
    `${count((f) => f.status === 'local-only')} local only`,
    `${count((f) => f.status === 'skipped')} skipped`,
    `${count((f) => f.status === 'error')} error${count((f) => f.status === 'error') === 1 ? '' : 's'}`,
  ];
  return `${all.length > 0 && count((f) => f.outdated || f.status === 'error') > 0 ? '\n' : ''}${r.images.length} image tag${r.images.length === 1 ? '' : 's'} and ${r.containers.length} running container${r.containers.length === 1 ? '' : 's'}: ${parts.join(', ')}. Engine ${engine} at ${endpoint}; ${requests} registry request${requests === 1 ? '' : 's'} in ${(ms / 1000).toFixed(1)} s.\n`;
}
