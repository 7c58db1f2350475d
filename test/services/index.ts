// The real test environment: distribution registries (anonymous, htpasswd, htpasswd+TLS, token), a token server,
// optionally dockerd, seeded with deterministic runnable images — started and stopped by the tests themselves.
//
//   const env = await startTestEnv({ engine: true });     // everything under env.stateDir
//   ...                                                    // env.registries.token.host, env.seeded, env.docker
//   await env.stop();                                      // by PID; idempotent
//
// In node:test files use `const getEnv = useTestEnv({...})` and `await getEnv()` inside tests: it reuses an env
// named by REGISTRY_LENS_TEST_ENV (an env JSON file written by a running env, e.g. `cli.js up --env-file F`),
// otherwise starts one in before() and stops it in after().
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after as nodeTestAfter, before as nodeTestBefore } from 'node:test';
import { makeCa, makeTokenSigner } from './certs';
import { startDockerd } from './dockerd';
import { basicAuth, httpRequest, RegistryClient } from './http';
import {
  isAlive,
  killPids,
  processesOf,
  ProcessGroup,
  removeDirAsync,
  run,
  STATE_PREFIX,
  sweepStale,
  teardownSync,
  unmountUnder,
  writeOwner,
} from './procs';
import { type RegistrySpec, startRegistry } from './registry';
import { seedRegistry } from './seed';
import { SEED_SETS, TEST_USER, TEST_USERS, TOKEN_ISSUER, TOKEN_SERVICE } from './seeds';
import { type RunningTokenServer, startTokenServer } from './tokenServer';
import {
  ALL_REGISTRIES,
  type DockerInfo,
  type RegistryInfo,
  type RegistryName,
  type SeededImage,
  type SeedSetName,
  type TestEnv,
  type TestEnvData,
  type TokenLogEntry,
  type TokenServerConfig,
  type TokenServerInfo,
} from './types';

export * from './types';
export { MANIFEST_ACCEPT, MT } from './image';
export { basicAuth, httpRequest, parseChallenge, RegistryClient, type HttpResponse } from './http';
export { dockerRequest, registryAuthHeader } from './dockerd';
export { sweepStale, STATE_PREFIX } from './procs';
export {
  DEMO_SEED,
  MULTI_PLATFORMS,
  READER_USER,
  SEED_SETS,
  seedTags,
  TEST_SEED,
  TEST_USER,
  TEST_USERS,
  TOKEN_ISSUER,
  TOKEN_SERVICE,
} from './seeds';

/** Environment variable naming an env JSON file of an already running environment. */
export const ENV_FILE_VARIABLE = 'REGISTRY_LENS_TEST_ENV';

export interface StartOptions {
  /** Which registries; default all four. */
  registries?: RegistryName[];
  /** Start dockerd on a private socket; default false. */
  engine?: boolean;
  /** Seed sets; default 'test'. 'test' goes to every started registry, 'demo' to anon (see seedRegistries). */
  seed?: 'test' | 'demo' | 'none' | SeedSetName[];
  /** Override where a seed set goes, e.g. { demo: ['anon', 'token'] }. */
  seedRegistries?: Partial<Record<SeedSetName, RegistryName[]>>;
  /** Fixed ports; default: picked at run time. */
  ports?: Partial<Record<RegistryName | 'token-server', number>>;
  /** Progress lines (timings, sweeps); default: silent. */
  log?: (line: string) => void;
  /** expires_in of the token server's tokens, seconds (default 300; changeable later via its /_config). */
  tokenExpiresIn?: number;
  /** Also write the env JSON here (removed again by stop()). */
  envFile?: string;
  /** Install SIGINT/SIGTERM handlers that stop the env and exit (default true). 'exit' cleanup is always on. */
  handleSignals?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Envs alive in this process, torn down on exit / signals even if a test forgot.

interface Active {
  stateDir: string;
  group: ProcessGroup;
  stop(): Promise<void>;
  handleSignals: boolean;
}
const active = new Set<Active>();
let hooksInstalled = false;

function onExit(): void {
  for (const a of active) {
    try {
      teardownSync(a.stateDir, a.group.pids());
    } catch {
      /* best effort while exiting */
    }
  }
  active.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  const mine = [...active].filter((a) => a.handleSignals);
  if (mine.length === 0) return;
  const code = 128 + (os.constants.signals[sig] ?? 15);
  void Promise.allSettled(mine.map((a) => a.stop())).then(() => process.exit(code));
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}

function removeHooks(): void {
  if (!hooksInstalled || active.size > 0) return;
  hooksInstalled = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
}

// ---------------------------------------------------------------------------------------------------------

function seedPlan(options: StartOptions, started: RegistryName[]): { set: SeedSetName; registry: RegistryName }[] {
  const seed = options.seed ?? 'test';
  const sets: SeedSetName[] = seed === 'none' ? [] : Array.isArray(seed) ? seed : [seed];
  const plan: { set: SeedSetName; registry: RegistryName }[] = [];
  for (const set of [...new Set(sets)]) {
    const targets = options.seedRegistries?.[set] ?? SEED_SETS[set].registries;
    const names = targets === 'all' ? started : targets.filter((r) => started.includes(r));
    if (names.length === 0)
      options.log?.(`seed set ${set}: none of its registries (${String(targets)}) is started; not seeded`);
    for (const registry of names) plan.push({ set, registry });
  }
  return plan;
}

const since = (t: number) => Date.now() - t;

export async function startTestEnv(options: StartOptions = {}): Promise<TestEnv> {
  const t0 = Date.now();
  const log = options.log ?? (() => undefined);
  const names = ALL_REGISTRIES.filter((r) => (options.registries ?? ALL_REGISTRIES).includes(r));
  sweepStale(log);

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), STATE_PREFIX));
  writeOwner(stateDir);
  const group = new ProcessGroup(stateDir);
  let tokenServer: RunningTokenServer | undefined;
  let stopping: Promise<void> | undefined;
  const extraEnvFile = options.envFile ? path.resolve(options.envFile) : undefined;

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const t = Date.now();
      await tokenServer?.close().catch(() => undefined);
      // Registries die in ~30 ms, dockerd takes ~1-3 s: remove the registries' data while dockerd shuts down.
      const isEngine = (c: { name: string }) => c.name === 'dockerd';
      await Promise.all([
        killPids(
          group.children.filter(isEngine).map((c) => c.pid),
          stateDir,
          15_000,
        ),
        (async () => {
          await killPids(
            group.children.filter((c) => !isEngine(c)).map((c) => c.pid),
            stateDir,
            10_000,
          );
          const data = fs.readdirSync(stateDir).filter((n) => n.startsWith('data-'));
          await Promise.all(
            data.map((n) =>
              fs.promises.rm(path.join(stateDir, n), { recursive: true, force: true }).catch(() => undefined),
            ),
          );
        })(),
      ]);
      await killPids(processesOf(stateDir), stateDir, 5_000);
      const killedMs = since(t);
      const unmounted = unmountUnder(stateDir);
      await removeDirAsync(stateDir);
      if (extraEnvFile) fs.rmSync(extraEnvFile, { force: true });
      active.delete(me);
      removeHooks();
      log(`[${since(t)} ms] stopped ${stateDir} (processes ${killedMs} ms, ${unmounted.length} unmounted)`);
    })());
  const me: Active = { stateDir, group, stop, handleSignals: options.handleSignals ?? true };
  active.add(me);
  installHooks();

  try {
    // 1. credentials and certificates
    let t = Date.now();
    const htpasswd = path.join(stateDir, 'htpasswd');
    const needHtpasswd = names.includes('basic') || names.includes('tls');
    const [tls, signer] = await Promise.all([
      names.includes('tls') ? makeCa(stateDir) : Promise.resolve(undefined),
      makeTokenSigner(stateDir),
      needHtpasswd
        ? (async () => {
            let create = true;
            for (const u of TEST_USERS) {
              await run('htpasswd', [create ? '-Bbc' : '-Bb', htpasswd, u.username, u.password], stateDir);
              create = false;
            }
          })()
        : Promise.resolve(),
    ]);
    const certsMs = since(t);
    log(`[${certsMs} ms] certificates and htpasswd in ${stateDir}`);

    // 2. token server, then registries (the token registry's config names the realm)
    t = Date.now();
    tokenServer = await startTokenServer({
      keyFile: signer.key,
      certFile: signer.cert,
      issuer: TOKEN_ISSUER,
      service: TOKEN_SERVICE,
      users: TEST_USERS,
      ...(options.tokenExpiresIn !== undefined ? { expiresIn: options.tokenExpiresIn } : {}),
      ...(options.ports?.['token-server'] !== undefined ? { port: options.ports['token-server'] } : {}),
    });
    const realm = `${tokenServer.url}/token`;
    const tokenInfo: TokenServerInfo = {
      url: tokenServer.url,
      realm,
      logUrl: `${tokenServer.url}/_log`,
      configUrl: `${tokenServer.url}/_config`,
      service: TOKEN_SERVICE,
      issuer: TOKEN_ISSUER,
      pid: process.pid,
      certFile: signer.cert,
      kid: tokenServer.kid,
    };
    const specFor = (name: RegistryName): RegistrySpec => {
      const port = options.ports?.[name];
      const base = { name, ...(port !== undefined ? { port } : {}) };
      switch (name) {
        case 'anon':
          return { ...base, auth: { kind: 'none' } };
        case 'basic':
          return { ...base, auth: { kind: 'htpasswd', file: htpasswd, realm: 'registry-lens-test-basic' } };
        case 'tls':
          if (!tls) throw new Error('no TLS files');
          return {
            ...base,
            auth: { kind: 'htpasswd', file: htpasswd, realm: 'registry-lens-test-tls' },
            tls: { certificate: tls.serverCert, key: tls.serverKey, caFile: tls.caCert },
          };
        case 'token':
          return {
            ...base,
            auth: { kind: 'token', realm, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER, rootCertBundle: signer.cert },
          };
      }
    };
    const started = await Promise.all(names.map((n) => startRegistry(group, specFor(n))));
    const registries: Partial<Record<RegistryName, RegistryInfo>> = {};
    for (const s of started) {
      const info: RegistryInfo = {
        name: s.name,
        host: `127.0.0.1:${s.port}`,
        url: s.name === 'tls' ? `https://localhost:${s.port}` : `http://127.0.0.1:${s.port}`,
        port: s.port,
        pid: s.pid,
        configFile: s.configFile,
        logFile: s.logFile,
        ...(s.name !== 'anon' ? { username: TEST_USER.username, password: TEST_USER.password } : {}),
        ...(s.name === 'tls' && tls ? { caFile: tls.caCert } : {}),
        ...(s.name === 'token' ? { tokenRealm: realm, service: TOKEN_SERVICE } : {}),
      };
      registries[s.name] = info;
    }
    const servicesMs = since(t);
    log(`[${servicesMs} ms] token server and ${started.length} registries up`);

    // 3. seed and engine, concurrently
    t = Date.now();
    let seedMs = 0;
    let engineMs = 0;
    const plan = seedPlan(options, names);
    const seedAll = async (): Promise<SeededImage[]> => {
      const byRegistry = new Map<RegistryName, SeedSetName[]>();
      for (const p of plan) byRegistry.set(p.registry, [...(byRegistry.get(p.registry) ?? []), p.set]);
      const results = await Promise.all(
        [...byRegistry].map(async ([name, sets]) => {
          const info = registries[name];
          if (!info) return [];
          const client = new RegistryClient({
            url: info.url,
            ...(info.username !== undefined ? { username: info.username, password: info.password ?? '' } : {}),
            ...(info.caFile ? { ca: fs.readFileSync(info.caFile) } : {}),
          });
          try {
            const out: SeededImage[] = [];
            for (const set of sets) out.push(...(await seedRegistry({ info, client }, set)));
            return out;
          } finally {
            client.close();
          }
        }),
      );
      seedMs = since(t);
      return results.flat();
    };
    const startEngine = async (): Promise<DockerInfo | undefined> => {
      if (!options.engine) return undefined;
      const d = await startDockerd(group, log);
      engineMs = since(t);
      log(`[${engineMs} ms] dockerd up (${d.storageDriver}) on ${d.socketPath}`);
      return d;
    };
    const [seeded, docker] = await Promise.all([seedAll(), startEngine()]);
    if (plan.length > 0)
      log(
        `[${seedMs} ms] seeded ${seeded.length} tags (${[...new Set(plan.map((p) => `${p.set}→${p.registry}`))].join(', ')})`,
      );

    const envFile = path.join(stateDir, 'env.json');
    const data: TestEnvData = {
      stateDir,
      registries,
      tokenServer: tokenInfo,
      ...(docker ? { docker } : {}),
      seeded,
      envFile,
      ownerPid: process.pid,
      users: TEST_USERS.map((u) => ({ ...u })),
      timings: { certsMs, servicesMs, seedMs, engineMs, totalMs: since(t0) },
    };
    const json = JSON.stringify(data, null, 2) + '\n';
    fs.writeFileSync(envFile, json);
    if (extraEnvFile) {
      fs.mkdirSync(path.dirname(extraEnvFile), { recursive: true });
      fs.writeFileSync(extraEnvFile, json);
    }
    log(`[${data.timings.totalMs} ms] environment ready: ${envFile}`);
    return { ...data, registries: registries as Record<RegistryName, RegistryInfo>, stop };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reusing a running env

export interface EnvRequirements {
  registries?: RegistryName[];
  engine?: boolean;
}

/** Reads an env JSON file of a running environment (another process owns it: stop() here does nothing). */
export function loadTestEnv(file: string, requirements: EnvRequirements = {}): TestEnv {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as TestEnvData;
  if (!isAlive(data.ownerPid))
    throw new Error(`${file}: the process that started this environment (${data.ownerPid}) is gone`);
  const missing = (requirements.registries ?? []).filter((r) => !data.registries[r]);
  if (missing.length > 0) throw new Error(`${file}: the running environment has no ${missing.join(', ')} registry`);
  if (requirements.engine && !data.docker)
    throw new Error(`${file}: the running environment has no engine (start it with --engine)`);
  return { ...data, registries: data.registries as Record<RegistryName, RegistryInfo>, stop: () => Promise.resolve() };
}

export interface Hooks {
  before(fn: () => Promise<void>): unknown;
  after(fn: () => Promise<void>): unknown;
}

const nodeTestHooks: Hooks = {
  before: (fn) => nodeTestBefore(fn),
  after: (fn) => nodeTestAfter(fn),
};

/**
 * For test files: returns `getEnv`, a function resolving to the environment (always the same one).
 * - REGISTRY_LENS_TEST_ENV set: loads that env file (checks it has what `options` asks for), never stops it.
 * - otherwise: starts an env with `options` in a before() hook and stops it in an after() hook.
 * Call it at the top level of a test file, or inside describe() to scope the env to that suite. `hooks`
 * defaults to node:test's before/after; pass mocha's (`{ before, after }`) in mocha suites (mind their timeout).
 */
export function useTestEnv(options: StartOptions = {}, hooks: Hooks = nodeTestHooks): () => Promise<TestEnv> {
  const file = process.env[ENV_FILE_VARIABLE];
  let promise: Promise<TestEnv> | undefined;
  const get = (): Promise<TestEnv> =>
    (promise ??= file
      ? Promise.resolve().then(() =>
          loadTestEnv(file, { registries: options.registries ?? [], engine: options.engine ?? false }),
        )
      : startTestEnv(options));
  hooks.before(async () => {
    await get();
  });
  hooks.after(async () => {
    if (!promise) return;
    const env = await promise.catch(() => undefined);
    await env?.stop();
  });
  return get;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers for tests (work from any process: they use HTTP / files only)

type EnvLike = Pick<TestEnvData, 'registries' | 'tokenServer' | 'seeded'>;

export function registryInfo(env: EnvLike, name: RegistryName): RegistryInfo {
  const info = env.registries[name];
  if (!info) throw new Error(`registry ${name} is not running in this environment`);
  return info;
}

/** A RegistryClient for one registry, with the test user's credentials (or `user`) and the CA. */
export function registryClient(
  env: EnvLike,
  name: RegistryName,
  user: { username: string; password: string } | null = TEST_USER,
): RegistryClient {
  const info = registryInfo(env, name);
  return new RegistryClient({
    url: info.url,
    ...(user && name !== 'anon' ? { username: user.username, password: user.password } : {}),
    ...(info.caFile ? { ca: fs.readFileSync(info.caFile) } : {}),
  });
}

/** The seeded image for registry/repository:tag, or throws. */
export function seededImage(env: EnvLike, registry: RegistryName, repository: string, tag: string): SeededImage {
  const s = env.seeded.find((i) => i.registry === registry && i.repository === repository && i.tag === tag);
  if (!s) throw new Error(`${registry}/${repository}:${tag} was not seeded`);
  return s;
}

export async function readTokenLog(env: EnvLike): Promise<TokenLogEntry[]> {
  const res = await httpRequest(env.tokenServer.logUrl);
  return res.json<TokenLogEntry[]>();
}

export async function clearTokenLog(env: EnvLike): Promise<void> {
  await httpRequest(env.tokenServer.logUrl, { method: 'DELETE' });
}

export async function configureTokenServer(
  env: EnvLike,
  patch: Partial<TokenServerConfig>,
): Promise<TokenServerConfig> {
  const res = await httpRequest(env.tokenServer.configUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(patch),
  });
  return res.json<TokenServerConfig>();
}

/** Fetches a token the way `docker login` would (GET realm with Basic). */
export async function fetchToken(
  env: EnvLike,
  scopes: string[],
  user: { username: string; password: string } | null = TEST_USER,
): Promise<{ status: number; token?: string; body: unknown }> {
  const u = new URL(env.tokenServer.realm);
  u.searchParams.set('service', env.tokenServer.service);
  for (const s of scopes) u.searchParams.append('scope', s);
  const res = await httpRequest(u.toString(), {
    headers: user ? { Authorization: basicAuth(user.username, user.password) } : {},
  });
  const body = res.json<{ token?: string }>();
  return { status: res.status, body, ...(body.token ? { token: body.token } : {}) };
}

/** One line per registry, for humans (the CLI prints these). */
export function describeEnv(env: EnvLike & { docker?: DockerInfo }): string[] {
  const lines: string[] = [];
  for (const name of ALL_REGISTRIES) {
    const r = env.registries[name];
    if (!r) continue;
    const tags = env.seeded.filter((s) => s.registry === name).length;
    const auth =
      name === 'anon'
        ? 'anonymous'
        : name === 'token'
          ? `token (realm ${r.tokenRealm}, service ${r.service})`
          : name === 'tls'
            ? `htpasswd + TLS (CA ${r.caFile})`
            : 'htpasswd';
    const creds = r.username ? ` user ${r.username}/${r.password}` : '';
    lines.push(
      `${name.padEnd(5)} ${r.host.padEnd(16)} ${r.url.padEnd(24)} ${auth}${creds}, ${tags} tags, pid ${r.pid}`,
    );
  }
  lines.push(`token server ${env.tokenServer.url} (log ${env.tokenServer.logUrl})`);
  if (env.docker) lines.push(`dockerd ${env.docker.dockerHost} (${env.docker.storageDriver}), pid ${env.docker.pid}`);
  return lines;
}
