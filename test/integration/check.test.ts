// `registry-lens check` against the REAL registries of the test environment (anonymous, htpasswd over HTTP,
// htpasswd over TLS with a per-run CA, token auth), plus a stopped registry (a closed port):
// - the built CLI (dist/cli.js) on a fixture workspace: --json with the exact shape and findings, exit codes,
//   the table, SARIF, wrong credentials, TLS without the CA, a tag moved after a cached check;
// - the engine in-process with a counting dispatcher: a warm re-check inside the TTL sends zero requests.
//   REGISTRY_LENS_OUT=out-h5 node esbuild.mjs --tests && node --test out-h5/test/integration/check.test.js
// Child processes run asynchronously: the token server lives in this process and must keep answering.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  checkImages,
  defaultKeychain,
  MemoryCacheStore,
  RegistryClient,
  RegistryTransport,
  scanWorkspace,
  type DispatcherSource,
} from '../../src/core';
import type { CheckJsonItem } from '../../src/cli/check';
import {
  readTokenLog,
  RegistryClient as PushClient,
  registryInfo,
  seededImage,
  TEST_SEED,
  TEST_USER,
  type TestEnv,
  useTestEnv,
} from '../services';
import { buildImage, type BuiltImage } from '../services/image';
import type { SeedTag } from '../services/seeds';
import { buildRepo, Pusher } from '../services/seed';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const getEnv = useTestEnv({ seed: 'test' });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-check-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MOVING = `check/moving-${process.pid}`;
const b64 = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');

interface Hosts {
  A: string;
  B: string;
  T: string;
  K: string;
  /** The token registry's realm (the token server): marked insecure on its own for credentials over HTTP. */
  R: string;
  DOWN: string;
  caFile: string;
}
let hosts: Hosts;
let movingFirst = '';
let movingSecond = '';
const ws = path.join(tmp, 'ws');

/** A port nothing listens on: a registry that is stopped. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Pushes test/app:<contentTag>'s image to the anonymous registry as MOVING:latest; returns its digest. */
async function pushMoving(env: TestEnv, contentTag: string): Promise<string> {
  const img = buildRepo(TEST_SEED, 'test/app').find((i) => i.tag === contentTag);
  assert.ok(img);
  const client = new PushClient({ url: registryInfo(env, 'anon').url });
  try {
    const pusher = new Pusher(client);
    for (const b of img.blobs) await pusher.pushBlob(MOVING, b);
    await pusher.pushManifest(MOVING, 'latest', img.manifest.mediaType, img.manifest.data, img.manifest.digest);
  } finally {
    client.close();
  }
  return img.manifest.digest;
}

function writeDockerConfig(dir: string, password: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const auth = { auth: b64(TEST_USER.username, password) };
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({ auths: { [hosts.B]: auth, [hosts.T]: auth, [hosts.K]: auth } }),
  );
  return dir;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function cli(args: string[], opts: { dockerConfig?: string; cwd?: string } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_CONFIG: opts.dockerConfig ?? path.join(tmp, 'cfg-good'),
    HOME: tmp,
    CI: '1',
  };
  for (const k of [
    'REGISTRY_LENS_USERNAME',
    'REGISTRY_LENS_PASSWORD',
    'REGISTRY_LENS_REGISTRY',
    'HTTPS_PROXY',
    'HTTP_PROXY',
    'https_proxy',
    'http_proxy',
  ])
    delete env[k];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, 'check', ...args],
      { cwd: opts.cwd ?? ws, env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code =
          err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : err ? -1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
const flags = () => [
  '--insecure',
  hosts.B,
  '--insecure',
  hosts.K,
  '--insecure',
  hosts.R,
  '--ca-file',
  `${hosts.T}=${hosts.caFile}`,
];

before(async () => {
  const env = await getEnv();
  const tls = registryInfo(env, 'tls');
  hosts = {
    A: registryInfo(env, 'anon').host,
    B: registryInfo(env, 'basic').host,
    T: tls.host,
    K: registryInfo(env, 'token').host,
    R: new URL(env.tokenServer.realm).host,
    DOWN: `127.0.0.1:${await closedPort()}`,
    caFile: tls.caFile ?? '',
  };
  movingFirst = await pushMoving(env, '1.0.0');
  const d = (repo: string, tag: string) => seededImage(env, 'anon', repo, tag);
  const armOf = (tag: string) =>
    d('test/multi', tag).children?.find((c) => c.platform.startsWith('linux/arm64'))?.digest ?? '';
  const { A, B, T, K, DOWN } = hosts;
  const files: Record<string, string> = {
    'ok/Dockerfile': [
      `FROM ${A}/test/app:1.1.0 AS base`,
      `FROM ${A}/test/app:1.2.0-alpine`,
      `FROM ${A}/test/app:latest@${d('test/app', '1.0.0').digest}`,
      `FROM ${A}/test/app:latest`,
      `FROM ${A}/test/multi:2.0.0@${d('test/multi', '2.0.0').digest}`,
      `FROM --platform=linux/arm64 ${A}/test/multi:2.0.0@${armOf('2.1.0')}`,
      `FROM ${A}/${MOVING}:latest@${movingFirst}`,
      'FROM base',
      '',
    ].join('\n'),
    'ok/compose.yaml': [
      'services:',
      '  basic:',
      `    image: ${B}/test/app:1.1.0`,
      '  tls:',
      `    image: ${T}/test/app:1.2.0`,
      '  token:',
      `    image: ${K}/test/oci:1.0.0`,
      '  multi:',
      `    image: ${K}/test/multi:2.0.0`,
      '',
    ].join('\n'),
    'errors/Dockerfile': [
      `FROM ${A}/test/nope:1.0.0`,
      `FROM ${DOWN}/test/app:1.0.0`,
      `FROM ${A}/test/app:1.0.0`,
      '',
    ].join('\n'),
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
    fs.writeFileSync(path.join(ws, rel), text);
  }
  writeDockerConfig(path.join(tmp, 'cfg-good'), TEST_USER.password);
  writeDockerConfig(path.join(tmp, 'cfg-bad'), 'wrong-password-xyz');
});

const SCAN_KEYS = [
  'file',
  'range',
  'source',
  'kind',
  'text',
  'reference',
  'skip',
  'value',
  'platform',
  'stage',
  'services',
  'tagLocation',
  'digestLocation',
];
const CHECK_KEYS = [
  ...SCAN_KEYS,
  'status',
  'updates',
  'error',
  'code',
  'message',
  'notes',
  'currentDigest',
  'stale',
  'notChecked',
];

void describe('registry-lens check against real registries', () => {
  let cold: CheckJsonItem[] = [];

  void it('--json: the DESIGN.md shape and the exact findings for every registry kind; exit 2 for the errors', async () => {
    const env = await getEnv();
    const t0 = Date.now();
    const r = await cli(['--json', '--cache-dir', path.join(tmp, 'cache'), ...flags()]);
    const ms = Date.now() - t0;
    assert.equal(r.code, 2, r.stderr);
    cold = JSON.parse(r.stdout) as CheckJsonItem[];
    for (const item of cold) {
      assert.deepEqual(Object.keys(item), CHECK_KEYS);
      for (const u of item.updates) assert.deepEqual(Object.keys(u), ['kind', 'tag', 'digest']);
      if (item.error) assert.deepEqual(Object.keys(item.error), ['code', 'message']);
    }
    const d = (reg: 'anon' | 'basic' | 'tls' | 'token', repo: string, tag: string) =>
      seededImage(env, reg, repo, tag).digest;
    const armOf = (tag: string) =>
      seededImage(env, 'anon', 'test/multi', tag).children?.find((c) => c.platform.startsWith('linux/arm64'))?.digest ??
      '';
    const { A, B, T, K, DOWN } = hosts;
    const got = Object.fromEntries(
      cold.map((i) => [
        `${i.file} ${i.text}`,
        [i.status, i.updates.map((u) => `${u.kind} ${u.tag} ${u.digest ?? '-'}`), i.error?.code ?? null],
      ]),
    );
    const app3 = ['major 2.0.0 -', 'minor 1.2.0 -', 'patch 1.1.1 -'];
    assert.deepEqual(got, {
      [`ok/Dockerfile ${A}/test/app:1.1.0`]: ['update', app3, null],
      [`ok/Dockerfile ${A}/test/app:1.2.0-alpine`]: ['current', [], null],
      [`ok/Dockerfile ${A}/test/app:latest@${d('anon', 'test/app', '1.0.0')}`]: [
        'digest-changed',
        [`digest latest ${d('anon', 'test/app', 'latest')}`],
        null,
      ],
      [`ok/Dockerfile ${A}/test/app:latest`]: ['unpinned', [`pin latest ${d('anon', 'test/app', 'latest')}`], null],
      [`ok/Dockerfile ${A}/test/multi:2.0.0@${d('anon', 'test/multi', '2.0.0')}`]: [
        'update',
        [`minor 2.1.0 ${d('anon', 'test/multi', '2.1.0')}`],
        null,
      ],
      [`ok/Dockerfile ${A}/test/multi:2.0.0@${armOf('2.1.0')}`]: [
        'update',
        [`minor 2.1.0 ${armOf('2.1.0')}`, `digest 2.0.0 ${armOf('2.0.0')}`],
        null,
      ],
      [`ok/Dockerfile ${A}/${MOVING}:latest@${movingFirst}`]: ['current', [], null],
      ['ok/Dockerfile base']: ['skipped', [], null],
      [`ok/compose.yaml ${B}/test/app:1.1.0`]: ['update', app3, null],
      [`ok/compose.yaml ${T}/test/app:1.2.0`]: ['update', ['major 2.0.0 -'], null],
      [`ok/compose.yaml ${K}/test/oci:1.0.0`]: ['current', [], null],
      [`ok/compose.yaml ${K}/test/multi:2.0.0`]: ['update', ['minor 2.1.0 -'], null],
      [`errors/Dockerfile ${A}/test/nope:1.0.0`]: ['error', [], 'not-found'],
      [`errors/Dockerfile ${DOWN}/test/app:1.0.0`]: ['error', [], 'network'],
      [`errors/Dockerfile ${A}/test/app:1.0.0`]: ['update', ['major 2.0.0 -', 'minor 1.2.0 -'], null],
    });
    const byText = (t: string) => cold.find((i) => i.text === t);
    assert.equal(byText(`${A}/test/nope:1.0.0`)?.code, 'not-found');
    assert.equal(byText(`${DOWN}/test/app:1.0.0`)?.code, 'registry-unreachable');
    assert.equal(byText(`${A}/test/app:1.1.0`)?.code, 'update-available');
    assert.equal(byText(`${A}/test/multi:2.0.0@${armOf('2.1.0')}`)?.currentDigest, d('anon', 'test/multi', '2.0.0'));
    // errors on stderr: file:line:col, the registry, what to do
    assert.match(
      r.stderr,
      new RegExp(
        `errors/Dockerfile:2:6: .*${DOWN.replace(/\./g, '\\.')}.*connection refused[^\\n]*\\n  → check that ${DOWN.replace(/\./g, '\\.')} is up`,
      ),
    );
    assert.match(r.stderr, /errors\/Dockerfile:1:6: .*test\/nope.*not found/);
    assert.ok(!r.stderr.includes(TEST_USER.password));
    // one token request per scope for the token registry (default client id; this env is ours unless shared)
    if (!process.env.REGISTRY_LENS_TEST_ENV) {
      const tokens = (await readTokenLog(env)).filter((l) => l.clientId === 'registry-lens' && l.status === 200);
      const scopes = tokens.map((l) => l.scopes.join(' ')).sort();
      assert.deepEqual(scopes, [...new Set(scopes)], JSON.stringify(tokens));
    }
    console.log(`# cold CLI check of ${cold.length} occurrences: ${ms} ms`);
  });

  void it('exit codes: 0 without --fail-on-update, 1 with it, 2 with errors; the table; a warm re-check sends no request', async () => {
    const table = await cli(['ok', '--cache-dir', path.join(tmp, 'cache'), ...flags()]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.split('\n');
    assert.match(lines[0] ?? '', /^FILE:LINE\s+IMAGE\s+CURRENT\s+PATCH\s+MINOR\s+MAJOR\s+STATUS$/);
    assert.ok(
      lines.some((l) =>
        new RegExp(
          `^ok/Dockerfile:1\\s+${hosts.A.replace(/\./g, '\\.')}/test/app\\s+1\\.1\\.0\\s+1\\.1\\.1\\s+1\\.2\\.0\\s+2\\.0\\.0\\s+update$`,
        ).test(l),
      ),
      table.stdout,
    );
    assert.ok(
      lines.some((l) => /^ok\/Dockerfile:3\s.*latest@[0-9a-f]{12}\s+digest-changed → [0-9a-f]{12}$/.test(l)),
      table.stdout,
    );
    assert.match(
      table.stdout,
      /12 image references: 3 up to date, 6 with updates, 1 digest changed, 1 unpinned, 1 skipped, 0 errors\. 0 registry requests\./,
    );
    const fail = await cli(['ok', '--fail-on-update', '--cache-dir', path.join(tmp, 'cache'), ...flags()]);
    assert.equal(fail.code, 1, fail.stderr);
    const errs = await cli(['errors', '--fail-on-update', '--cache-dir', path.join(tmp, 'cache'), ...flags()]);
    assert.equal(errs.code, 2);
    const usage = await cli(['--concurrency', 'many']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--concurrency takes a whole number/);
  });

  void it('--format sarif: SARIF 2.1.0 with a rule per finding code and one-based regions', async () => {
    const r = await cli(['--format', 'sarif', '--cache-dir', path.join(tmp, 'cache'), ...flags()]);
    assert.equal(r.code, 2);
    interface Result {
      ruleId: string;
      ruleIndex: number;
      level: string;
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string };
          region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
        };
      }[];
    }
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: Result[] }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.ok(run);
    assert.equal(run.tool.driver.name, 'Registry Lens');
    assert.deepEqual(
      run.tool.driver.rules.map((x) => x.id),
      ['digest-changed', 'not-found', 'not-pinned', 'registry-unreachable', 'update-available'],
    );
    const reported = cold.filter((i) => !['current', 'skipped'].includes(i.status));
    assert.equal(run.results.length, reported.length);
    for (const res of run.results) {
      assert.equal(run.tool.driver.rules[res.ruleIndex]?.id, res.ruleId);
      const loc = res.locations[0]?.physicalLocation;
      assert.ok(loc);
      const item = reported.find(
        (i) =>
          i.file === loc.artifactLocation.uri &&
          i.range.start.line + 1 === loc.region.startLine &&
          i.code === res.ruleId,
      );
      assert.ok(item, JSON.stringify(loc));
      assert.deepEqual(loc.region, {
        startLine: item.range.start.line + 1,
        startColumn: item.range.start.character + 1,
        endLine: item.range.end.line + 1,
        endColumn: item.range.end.character + 1,
      });
      assert.equal(res.level, item.status === 'error' ? 'error' : item.status === 'unpinned' ? 'note' : 'warning');
    }
  });

  void it('a tag moved after a cached check: the cache answers inside its TTL, --no-cache sees the move', async () => {
    const env = await getEnv();
    movingSecond = await pushMoving(env, '1.1.0');
    const text = `${hosts.A}/${MOVING}:latest@${movingFirst}`;
    const cached = JSON.parse(
      (await cli(['ok', '--json', '--cache-dir', path.join(tmp, 'cache'), ...flags()])).stdout,
    ) as CheckJsonItem[];
    assert.equal(cached.find((i) => i.text === text)?.status, 'current');
    const fresh = JSON.parse((await cli(['ok', '--json', '--no-cache', ...flags()])).stdout) as CheckJsonItem[];
    const f = fresh.find((i) => i.text === text);
    assert.equal(f?.status, 'digest-changed');
    assert.deepEqual(f.updates, [{ kind: 'digest', tag: 'latest', digest: movingSecond }]);
    assert.equal(
      JSON.stringify(fresh.map((i) => i.status)),
      JSON.stringify(cached.map((i) => (i.text === text ? 'digest-changed' : i.status))),
    );
  });

  void it('wrong credentials: an auth error naming the registry and what to do; the other registries are fine', async () => {
    const r = await cli(['ok', '--json', '--no-cache', ...flags()], { dockerConfig: path.join(tmp, 'cfg-bad') });
    assert.equal(r.code, 2);
    const items = JSON.parse(r.stdout) as CheckJsonItem[];
    for (const host of [hosts.B, hosts.T, hosts.K]) {
      for (const i of items.filter((x) => x.reference?.registry === host)) {
        assert.equal(i.status, 'error', i.text);
        assert.equal(i.code, 'auth-failed');
        assert.equal(i.error?.code, 'auth');
        assert.match(i.error.message, /rejected/);
      }
    }
    assert.ok(
      items
        .filter((x) => x.reference?.registry === hosts.A && x.status !== 'skipped')
        .every((x) => x.status !== 'error'),
    );
    assert.match(
      r.stderr,
      new RegExp(
        `ok/compose\\.yaml:3:12: .*credentials for ${hosts.B.replace(/\./g, '\\.')} .*rejected.*\\n  → log in with "docker login ${hosts.B.replace(/\./g, '\\.')}"`,
      ),
    );
    assert.ok(!r.stderr.includes('wrong-password-xyz') && !r.stdout.includes('wrong-password-xyz'));
  });

  void it('TLS without --ca-file, HTTP registries without --insecure: errors that say which flag to pass', async () => {
    const r = await cli(['ok/compose.yaml', '--json', '--no-cache']);
    assert.equal(r.code, 2);
    const items = JSON.parse(r.stdout) as CheckJsonItem[];
    const tls = items.find((i) => i.reference?.registry === hosts.T);
    assert.equal(tls?.code, 'tls-error');
    assert.equal(tls.error?.code, 'tls');
    assert.match(r.stderr, new RegExp(`→ pass --ca-file ${hosts.T.replace(/\./g, '\\.')}=CA\\.pem`));
    // The credential was never sent (plain HTTP, not --insecure): its own code, never "rejected".
    const basic = items.find((i) => i.reference?.registry === hosts.B);
    assert.equal(basic?.code, 'credential-not-sent');
    assert.match(basic.error?.message ?? '', /^not sent: .* is plain HTTP/);
    assert.match(
      r.stderr,
      new RegExp(
        `→ ${hosts.B.replace(/\./g, '\\.')} speaks plain HTTP: pass --insecure ${hosts.B.replace(/\./g, '\\.')}`,
      ),
    );
  });

  void it('engine in-process: cold vs warm request counts (a counting dispatcher and the client stats); warm = zero', async () => {
    const env = await getEnv();
    const transport = new RegistryTransport({ env: {}, hosts: { [hosts.T]: { caFile: hosts.caFile } } });
    const requests = new Map<string, number>();
    const counting: DispatcherSource = {
      dispatcherFor: (url) => {
        requests.set(url.host, (requests.get(url.host) ?? 0) + 1);
        return transport.dispatcherFor(url);
      },
    };
    const clientId = `rl-check-test-${process.pid}`;
    const newClient = () =>
      new RegistryClient({
        dispatcher: counting,
        keychain: defaultKeychain({ env: { DOCKER_CONFIG: path.join(tmp, 'cfg-good') } }),
        hosts: { [hosts.B]: { insecure: true }, [hosts.K]: { insecure: true }, [hosts.R]: { insecure: true } },
        clientId,
        retry: { retries: 0 },
      });
    const cache = new MemoryCacheStore();
    const { occurrences } = await scanWorkspace([path.join(ws, 'ok'), path.join(ws, 'errors')]);
    try {
      const t0 = Date.now();
      const c1 = newClient();
      const first = await checkImages(occurrences, { client: c1, cache });
      const coldMs = Date.now() - t0;
      const coldRequests = [...requests.values()].reduce((a, b) => a + b, 0);
      const tokenRequests = (await readTokenLog(env)).filter((l) => l.clientId === clientId).length;
      requests.clear();
      const t1 = Date.now();
      const c2 = newClient();
      const second = await checkImages(occurrences, { client: c2, cache });
      const warmMs = Date.now() - t1;
      // Only the stopped registry is tried again (failures are not cached); no live registry gets a request.
      assert.deepEqual(
        [...requests.keys()].filter((h) => h !== hosts.DOWN),
        [],
      );
      assert.deepEqual(
        { ...c2.stats, ping: 0 },
        { ping: 0, token: 0, head: 0, get: 0, tags: 0, retries: 0, redirects: 0 },
      );
      assert.deepEqual(
        second.findings.map((f) => [f.status, f.updates]),
        first.findings.map((f) => [f.status, f.updates]),
      );
      assert.equal(second.stats.cache.fetched, 0);
      // cold: one tag listing per repository, one HEAD per unique reference
      assert.equal(c1.stats.tags, first.stats.lookups.tags - 1); // the stopped registry's listing never got a request
      assert.equal(tokenRequests, 2, 'token registry: one token per scope (test/oci, test/multi)');
      console.log(
        `# engine: cold ${coldRequests} requests (${JSON.stringify(c1.stats)}, ${tokenRequests} tokens) in ${coldMs} ms; warm ${[...requests.values()].reduce((a, b) => a + b, 0)} requests (only the stopped registry's connect attempt) in ${warmMs} ms; lookups ${JSON.stringify(first.stats.lookups)}`,
      );
    } finally {
      await transport.close();
    }
  });
});

// Issue: the update engine tells the truth. Each case is written as a new user met it against these registries;
// the repositories are pushed here (per process) so no other test's tags change.
void describe('registry-lens check tells the truth (real registries)', () => {
  const VERSIONS = `check/versions-${process.pid}`; // 1.0.0 and 1.1.0, no latest
  const ARCH = `check/arch-${process.pid}`; // old = test/multi 2.0.0; stable = 2.1.0 (moved); slim = an amd64-only index
  const truth = path.join(tmp, 'truth');
  let app100 = '';
  let oldArm = '';
  let stableArm = '';
  let stableAmd = '';

  async function push(env: TestEnv, repository: string, tag: string, img: BuiltImage): Promise<void> {
    const client = new PushClient({ url: registryInfo(env, 'anon').url });
    try {
      const pusher = new Pusher(client);
      for (const b of img.blobs) await pusher.pushBlob(repository, b);
      for (const c of img.children) await pusher.pushManifest(repository, c.digest, c.mediaType, c.data, c.digest);
      await pusher.pushManifest(repository, tag, img.manifest.mediaType, img.manifest.data, img.manifest.digest);
    } finally {
      client.close();
    }
  }
  const seed = (repo: string, tag: string) => {
    const img = buildRepo(TEST_SEED, repo).find((i) => i.tag === tag);
    assert.ok(img, `${repo}:${tag}`);
    return img;
  };
  const arm = (img: BuiltImage) => img.children.find((c) => c.platform?.startsWith('linux/arm64'))?.digest ?? '';

  before(async () => {
    const env = await getEnv();
    const v100 = seed('test/app', '1.0.0');
    app100 = v100.manifest.digest;
    await push(env, VERSIONS, '1.0.0', v100);
    await push(env, VERSIONS, '1.1.0', seed('test/app', '1.1.0'));
    const old = seed('test/multi', '2.0.0');
    const stable = seed('test/multi', '2.1.0');
    oldArm = arm(old);
    stableArm = arm(stable);
    stableAmd = stable.children.find((c) => c.platform === 'linux/amd64')?.digest ?? '';
    await push(env, ARCH, 'old', old);
    await push(env, ARCH, 'stable', stable);
    const amdOnly: SeedTag = { tag: 'slim', kind: 'docker-list', platforms: ['linux/amd64'] };
    await push(env, ARCH, 'slim', buildImage('test/multi', amdOnly, [amdOnly]));
    const { A, DOWN } = hosts;
    const files: Record<string, string> = {
      'tag/Dockerfile': `FROM ${A}/${VERSIONS}:0.9.9\n`,
      'digest/Dockerfile': `FROM ${A}/${VERSIONS}@${app100}\nFROM ${A}/${VERSIONS}@sha256:${'0'.repeat(64)}\n`,
      'arch/Dockerfile': `FROM ${A}/${ARCH}:stable@${oldArm}\nFROM ${A}/${ARCH}:slim@${oldArm}\n`,
      'down/Dockerfile': `FROM ${DOWN}/test/app:1.0.0\nFROM ${A}/${VERSIONS}:1.1.0\n`,
    };
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(truth, rel)), { recursive: true });
      fs.writeFileSync(path.join(truth, rel), text);
    }
  });

  const json = async (
    dir: string,
    extra: string[] = [],
  ): Promise<{ code: number; items: CheckJsonItem[]; stderr: string }> => {
    const r = await cli([dir, '--json', '--no-cache', ...extra], { cwd: truth });
    return { code: r.code, items: JSON.parse(r.stdout || '[]') as CheckJsonItem[], stderr: r.stderr };
  };

  void it('app:0.9.9 where the registry has 1.0.0 and 1.1.0: tag-not-found with 1.1.0 offered, exit 2', async () => {
    const r = await json('tag');
    assert.equal(r.code, 2, r.stderr);
    const [item] = r.items;
    assert.equal(item?.status, 'error');
    assert.equal(item.code, 'tag-not-found');
    assert.deepEqual(item.updates, [{ kind: 'major', tag: '1.1.0', digest: null }]);
    assert.match(item.message, /has no tag 0\.9\.9; newer tags: 1\.1\.0 \(major\)/);
    assert.match(r.stderr, /tag\/Dockerfile:1:6: .*has no tag 0\.9\.9/);
  });

  void it('image@sha256 in a repository without latest: the digest is checked by HEAD, never "not found" for latest', async () => {
    const r = await json('digest');
    const [exists, missing] = r.items;
    assert.equal(exists?.status, 'current', exists?.message);
    assert.equal(exists.error, null);
    assert.equal(missing?.status, 'error');
    assert.equal(missing.code, 'not-found');
    assert.match(missing.message, /has no manifest sha256:0000/);
  });

  void it("an arm64 pin whose tag moved refreshes to the arm64 manifest (the pin's own platform); a vanished arm64 is a finding", async () => {
    const r = await json('arch');
    const [stable, slim] = r.items;
    assert.equal(stable?.status, 'digest-changed', stable?.message);
    assert.deepEqual(stable.updates, [{ kind: 'digest', tag: 'stable', digest: stableArm }]);
    assert.notEqual(stableArm, stableAmd);
    assert.equal(slim?.status, 'error', slim?.message);
    assert.equal(slim.code, 'platform-missing');
    assert.match(slim.message, /no linux\/arm64\/v8 manifest/);
    assert.equal(r.code, 2);
  });

  void it('an unreachable registry and an offline check without a cache: marked notChecked, never up to date', async () => {
    const down = await json('down');
    const [unreachable, fine] = down.items;
    assert.equal(unreachable?.status, 'error');
    assert.deepEqual(unreachable.notChecked, { code: 'registry-unreachable', message: unreachable.error?.message });
    assert.equal(fine?.status, 'current');
    assert.equal(fine.notChecked, null);
    const r = await cli(['down', '--json', '--offline', '--cache-dir', path.join(tmp, 'empty-cache')], { cwd: truth });
    const offline = JSON.parse(r.stdout) as CheckJsonItem[];
    assert.deepEqual(
      offline.map((i) => [i.status, i.notChecked?.code]),
      [
        ['error', 'not-cached'],
        ['error', 'not-cached'],
      ],
    );
    const table = await cli(['down', '--offline', '--cache-dir', path.join(tmp, 'empty-cache')], { cwd: truth });
    assert.match(table.stdout, /2 image references: 0 up to date, .*2 errors, 2 not checked\./);
  });
});
