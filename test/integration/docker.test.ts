// The docker layer against the test environment's REAL dockerd and registries (anonymous, htpasswd over HTTP,
// htpasswd over TLS, token auth):
// - Engine.pull with a stored credential (docker config keychain for htpasswd, a SecretStorage-like keychain for the
//   token registry), progress per layer, wrong/missing credentials and missing tags reported from the engine;
// - a newer digest pushed to the same tag: checkLocal flags the image and a running container; pulling again clears
//   the image and leaves the container `container-outdated` (the tag now points at a newer local image);
// - multi-arch: an image pulled from a manifest list is compared by the list's digest;
// - no engine / an engine lost mid-session: states, not exceptions, and recovery; no unhandled rejections;
// - `registry-lens check --local --json`, in-process and through the built bundle (which loads dist/docker.js).
// dockerd (test/services/dockerd.ts) treats 127.0.0.0/8 as insecure registries, so it pulls from the TLS registry
// without its CA; the registry client checks the TLS registry with the CA (`caFile`).
//   REGISTRY_LENS_OUT=out-docker node esbuild.mjs --tests && node --test out-docker/test/integration/docker.test.js
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  checkLocal,
  createRegistryClient,
  DockerConfigKeychain,
  Engine,
  isEngineUnavailableError,
  isPullError,
  MemoryCacheStore,
  MultiKeychain,
  resolveEngine,
  StaticKeychain,
  type Keychain,
  type LocalCheckResult,
  type LocalFinding,
  type PullProgress,
} from '../../src/core';
import { main } from '../../src/cli/main';
import {
  dockerRequest,
  RegistryClient as PushClient,
  registryInfo,
  TEST_SEED,
  TEST_USER,
  type RegistryName,
  type TestEnv,
  useTestEnv,
} from '../services';
import type { BuiltImage } from '../services/image';
import { buildRepo, Pusher } from '../services/seed';
import { REPO_ROOT } from '../support/paths';

const HAS_DOCKERD = ['/usr/sbin/dockerd', '/usr/bin/dockerd', '/usr/local/bin/dockerd'].some((p) => fs.existsSync(p));
const getEnv = useTestEnv({ engine: HAS_DOCKERD, seed: 'test' });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-docker-it-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
process.on('unhandledRejection', onUnhandled);
after(() => process.off('unhandledRejection', onUnhandled));

const REPO = `dockertest/app-${process.pid}`;
const MULTI = `dockertest/multi-${process.pid}`;
const containers: string[] = [];
/** Timings for the report (printed at the end). */
const timings: string[] = [];

let env: TestEnv;
let sock = '';
let keychain: Keychain;
const hostOf = (name: RegistryName) => registryInfo(env, name).host;

function image(repo: string, contentTag: string, as: string): BuiltImage {
  const source = buildRepo(TEST_SEED, repo).find((i) => i.tag === contentTag);
  assert.ok(source, `${repo}:${contentTag} is a seed tag`);
  return { ...source, tag: as };
}

/** Pushes test seed content under `repository:tag` (blobs are already there or mounted; children by digest). */
async function push(name: RegistryName, repository: string, img: BuiltImage): Promise<string> {
  const info = registryInfo(env, name);
  const client = new PushClient({
    url: info.url,
    ...(info.username !== undefined ? { username: info.username, password: info.password ?? '' } : {}),
    ...(info.caFile ? { ca: fs.readFileSync(info.caFile) } : {}),
  });
  try {
    await new Pusher(client).pushImage(repository, img);
  } finally {
    client.close();
  }
  return img.manifest.digest;
}

function registryClientFor() {
  const tls = registryInfo(env, 'tls');
  return createRegistryClient({
    keychain,
    env: {},
    hosts: {
      [hostOf('basic')]: { insecure: true },
      [hostOf('token')]: { insecure: true },
      [new URL(env.tokenServer.realm).host]: { insecure: true },
      [tls.host]: { caFile: tls.caFile ?? '' },
    },
  });
}

async function check(engine: Engine): Promise<LocalCheckResult> {
  const { client, close } = registryClientFor();
  const t0 = Date.now();
  try {
    const inventory = await engine.listLocal();
    const res = await checkLocal(inventory, { client, cache: new MemoryCacheStore() });
    timings.push(
      `listLocal + checkLocal of ${inventory.images.length} images / ${inventory.containers.length} containers: ${Date.now() - t0} ms`,
    );
    return res;
  } finally {
    await close();
  }
}

const imageFinding = (r: LocalCheckResult, ref: string): LocalFinding | undefined =>
  r.images.find((f) => f.ref === ref);
const containerFinding = (r: LocalCheckResult, name: string): LocalFinding | undefined =>
  r.containers.find((f) => f.container?.name === name);

async function runContainer(ref: string, name: string): Promise<string> {
  const created = await dockerRequest(sock, 'POST', `/containers/create?name=${name}`, {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ Image: ref, Cmd: ['sleep', '600'], HostConfig: { NetworkMode: 'none' } }),
  });
  assert.equal(created.status, 201, created.text());
  const id = created.json<{ Id: string }>().Id;
  containers.push(id);
  assert.equal((await dockerRequest(sock, 'POST', `/containers/${id}/start`)).status, 204);
  return id;
}

void describe('docker engine (real dockerd)', { skip: HAS_DOCKERD ? false : 'dockerd is not installed' }, () => {
  before(async () => {
    env = await getEnv();
    assert.ok(env.docker, 'engine started');
    sock = env.docker.socketPath;
    // The stored credentials: htpasswd registries in a docker config file, the token registry in a
    // SecretStorage-like keychain first in the chain (as the extension's).
    const cfg = path.join(tmp, 'docker-config');
    fs.mkdirSync(cfg, { recursive: true });
    const auth = { auth: Buffer.from(`${TEST_USER.username}:${TEST_USER.password}`).toString('base64') };
    fs.writeFileSync(
      path.join(cfg, 'config.json'),
      JSON.stringify({ auths: { [hostOf('basic')]: auth, [hostOf('tls')]: auth } }),
    );
    keychain = new MultiKeychain([
      new StaticKeychain({ [hostOf('token')]: { ...TEST_USER, source: 'SecretStorage (test)' } }),
      new DockerConfigKeychain({ env: { DOCKER_CONFIG: cfg } }),
    ]);
    for (const name of ['basic', 'token', 'anon', 'tls'] as const) {
      await push(name, REPO, image('test/app', '1.0.0', '1.0.0'));
      await push(name, REPO, image('test/app', '1.1.0', '1.1.0'));
    }
    await push('anon', MULTI, image('test/multi', '2.0.0', '2.0.0'));
  });

  after(async () => {
    for (const id of containers)
      await dockerRequest(sock, 'DELETE', `/containers/${id}?force=1`).catch(() => undefined);
    if (timings.length) console.log(`[docker timings]\n  ${timings.join('\n  ')}`);
  });

  void it('ping: the engine, its version and where it is', async () => {
    const state = await new Engine(resolveEngine({ env: { DOCKER_HOST: `unix://${sock}` } })).ping();
    assert.equal(state.state, 'ok');
    assert.ok(state.state === 'ok' && /^\d+\.\d+/.test(state.version), JSON.stringify(state));
    assert.equal(state.endpoint, `unix://${sock} (DOCKER_HOST)`);
  });

  void it('pull with a stored credential from the htpasswd and token registries; progress per layer; wrong, missing credentials and missing tags fail', async () => {
    const engine = new Engine(resolveEngine({ host: sock, env: {} }));
    for (const name of ['basic', 'token'] as const) {
      const ref = `${hostOf(name)}/${REPO}:1.1.0`;
      const auth = await keychain.resolve(hostOf(name));
      assert.ok(auth, `a stored credential for ${name}`);
      const seen: PullProgress[] = [];
      const res = await engine.pull(ref, { auth, onProgress: (p) => seen.push(p), progressIntervalMs: 0 });
      timings.push(
        `pull ${name} ${ref}: ${res.durationMs} ms, ${res.progress.layers.total} layers (${res.progress.layers.cached} cached), ${res.progress.bytes.total} bytes`,
      );
      assert.equal(res.outcome, 'downloaded');
      assert.equal(res.digest, image('test/app', '1.1.0', '1.1.0').manifest.digest);
      // The first registry brings both layers; the same content from the next one has nothing left to fetch
      // (dockerd already has the image config and layers: no layer lines at all).
      assert.equal(res.progress.layers.total, name === 'basic' ? 2 : 0);
      assert.equal(res.progress.layers.done, res.progress.layers.total);
      if (name === 'basic')
        assert.ok(
          res.progress.bytes.total > 1_000_000 && res.progress.bytes.current === res.progress.bytes.total,
          JSON.stringify(res.progress.bytes),
        );
      assert.ok(seen.length >= 2);
      assert.equal(seen.at(-1)?.phase, 'done');
      // again: up to date
      assert.equal((await engine.pull(ref, { auth })).outcome, 'up-to-date');
      // anonymous and wrong passwords: the engine's refusal, typed
      await assert.rejects(engine.pull(`${hostOf(name)}/${REPO}:1.0.0`), (e: unknown) => {
        assert.ok(isPullError(e), String(e));
        assert.equal(e.kind, 'auth', e.message);
        return true;
      });
      await assert.rejects(
        engine.pull(`${hostOf(name)}/${REPO}:1.0.0`, {
          auth: { ...TEST_USER, password: 'wrong-password', source: 'test' },
        }),
        (e: unknown) => {
          assert.ok(isPullError(e) && e.kind === 'auth', String(e));
          assert.ok(!e.message.includes('wrong-password'));
          return true;
        },
      );
    }
    // a tag that does not exist: the engine's error (HTTP status or an error event in the stream), typed not-found
    await assert.rejects(engine.pull(`${hostOf('anon')}/${REPO}:9.9.9`), (e: unknown) => {
      assert.ok(isPullError(e), String(e));
      assert.equal(e.kind, 'not-found', e.message);
      assert.match(e.message, /9\.9\.9/);
      return true;
    });
  });

  void it('a newer digest pushed to the same tag flags the image and a running container; pulling again clears the image, the container is then container-outdated', async () => {
    const engine = new Engine(resolveEngine({ host: `unix://${sock}`, env: {} }));
    for (const name of ['basic', 'token', 'tls'] as const) {
      const repo = `${REPO}-${name}`;
      await push(name, repo, image('test/app', '1.0.0', '1.0.0'));
      await push(name, repo, image('test/app', '1.1.0', '1.1.0'));
      const ref = `${hostOf(name)}/${repo}:1.0.0`;
      const auth = await keychain.resolve(hostOf(name));
      const first = await engine.pull(ref, { ...(auth ? { auth } : {}) });
      timings.push(`pull ${name} ${ref}: ${first.durationMs} ms`);
      const cname = `rl-${name}-${process.pid}`;
      await runContainer(ref, cname);

      let r = await check(engine);
      let img = imageFinding(r, ref);
      assert.equal(img?.status, 'update', JSON.stringify(img));
      assert.deepEqual(
        img?.updates.map((u) => `${u.kind}:${u.tag}`),
        ['minor:1.1.0'],
      );
      assert.equal(img?.digestChanged, false);
      assert.equal(img?.localDigest, first.digest);
      assert.equal(containerFinding(r, cname)?.status, 'update');

      // the registry's 1.0.0 moves on
      const moved = await push(name, repo, image('test/app', '1.1.1', '1.0.0'));
      r = await check(engine);
      img = imageFinding(r, ref);
      assert.equal(img?.status, 'digest-changed', JSON.stringify(img));
      assert.equal(img?.digestChanged, true);
      assert.equal(img?.registryDigest, moved);
      assert.equal(img?.localDigest, first.digest);
      assert.deepEqual(img?.actions, ['pull', 'edit']);
      let ctr = containerFinding(r, cname);
      assert.equal(ctr?.status, 'digest-changed', JSON.stringify(ctr));
      assert.deepEqual(ctr?.actions, ['pull', 'recreate', 'edit']);

      // pull again: the image is current on digest (1.1.0 remains a newer tag); the container still runs the old one
      const second = await engine.pull(ref, { ...(auth ? { auth } : {}) });
      assert.equal(second.outcome, 'downloaded');
      assert.equal(second.digest, moved);
      r = await check(engine);
      img = imageFinding(r, ref);
      assert.equal(img?.status, 'update', JSON.stringify(img));
      assert.equal(img?.digestChanged, false);
      assert.equal(img?.localDigest, moved);
      ctr = containerFinding(r, cname);
      assert.equal(ctr?.status, 'container-outdated', JSON.stringify(ctr));
      assert.equal(ctr?.newerLocalImageId, img?.image?.id);
      assert.deepEqual(ctr?.actions, ['recreate', 'edit']);
      // never restarted or removed by us: still running
      const state = (await dockerRequest(sock, 'GET', `/containers/${cname}/json`)).json<{
        State: { Running: boolean };
      }>();
      assert.equal(state.State.Running, true);
    }
  });

  void it('multi-arch: an image pulled from a manifest list is compared by the list digest; a new list for the tag is digest-changed', async () => {
    const engine = new Engine(resolveEngine({ host: sock, env: {} }));
    const ref = `${hostOf('anon')}/${MULTI}:2.0.0`;
    const first = await engine.pull(ref);
    assert.equal(first.digest, image('test/multi', '2.0.0', '2.0.0').manifest.digest);
    let r = await check(engine);
    let img = imageFinding(r, ref);
    assert.equal(img?.status, 'current', JSON.stringify(img));
    assert.equal(img?.localDigest, first.digest);
    assert.equal(img?.image?.platform, 'linux/amd64');
    const moved = await push('anon', MULTI, image('test/multi', '2.1.0', '2.0.0'));
    r = await check(engine);
    img = imageFinding(r, ref);
    assert.equal(img?.status, 'digest-changed', JSON.stringify(img));
    assert.equal(img?.registryDigest, moved);
    assert.equal(img?.updates.find((u) => u.kind === 'digest')?.digest, moved);
  });

  void it('images that exist only locally are local-only', async () => {
    const engine = new Engine(resolveEngine({ host: sock, env: {} }));
    const src = `${hostOf('anon')}/${REPO}:1.1.0`;
    await engine.pull(src);
    const local = `localbuild/app-${process.pid}:dev`;
    const [repo, tag] = local.split(':');
    assert.equal(
      (
        await dockerRequest(
          sock,
          'POST',
          `/images/${encodeURIComponent(src)}/tag?repo=${encodeURIComponent(repo ?? '')}&tag=${tag}`,
        )
      ).status,
      201,
    );
    const r = await check(engine);
    const f = r.images.find((i) => i.ref === `${local}`);
    assert.equal(f?.status, 'local-only', JSON.stringify(f));
    // a RepoDigest from another repository does not count for this one
    assert.ok(f?.image?.repoDigests.some((d) => d.startsWith(`${hostOf('anon')}/${REPO}@`)));
  });

  void it('cancel: aborting a pull (through a slow link to the registry) rejects at once with an AbortError; the engine stays usable', async () => {
    // A throttling TCP proxy in front of the anonymous registry: every chunk from the registry waits 150 ms.
    const upstreamPort = registryInfo(env, 'anon').port;
    const open = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const up = net.connect(upstreamPort, '127.0.0.1');
      open.add(client).add(up);
      client.pipe(up);
      up.on('data', (chunk: Buffer) => {
        up.pause();
        setTimeout(() => {
          if (!client.destroyed) client.write(chunk);
          up.resume();
        }, 150);
      });
      up.on('end', () => setTimeout(() => client.end(), 200));
      client.on('error', () => up.destroy());
      up.on('error', () => client.destroy());
      client.on('close', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as net.AddressInfo).port;
    try {
      const engine = new Engine(resolveEngine({ host: sock, env: {} }));
      const ref = `127.0.0.1:${port}/${REPO}:1.1.0`.replace(REPO, `${REPO}-slow`);
      await push('anon', `${REPO}-slow`, image('test/app', '1.2.0', '1.1.0'));
      const c = new AbortController();
      const t0 = Date.now();
      let abortedAt = 0;
      const pulling = engine.pull(ref, {
        signal: c.signal,
        progressIntervalMs: 0,
        onProgress: () => {
          if (!abortedAt) {
            abortedAt = Date.now();
            c.abort();
          }
        },
      });
      await assert.rejects(pulling, (e: unknown) => (e as Error).name === 'AbortError');
      const settled = Date.now();
      assert.ok(abortedAt > 0, 'a progress event came before the abort');
      assert.ok(settled - abortedAt < 100, `rejected ${settled - abortedAt} ms after the abort`);
      timings.push(`cancel: first progress after ${abortedAt - t0} ms, rejected ${settled - abortedAt} ms after abort`);
      await new Promise((r) => setTimeout(r, 1500));
      const present = (await dockerRequest(sock, 'GET', `/images/${encodeURIComponent(ref)}/json`)).status === 200;
      timings.push(
        `cancel: image present 1.5 s after the cancelled pull: ${present} (dockerd stops a pull whose client went away)`,
      );
      assert.equal((await engine.ping()).state, 'ok');
      const again = await engine.pull(ref);
      assert.ok(again.outcome === 'downloaded' || again.outcome === 'up-to-date');
      // this test's own image, from a registry address that goes away with the proxy
      assert.equal((await dockerRequest(sock, 'DELETE', `/images/${encodeURIComponent(ref)}`)).status, 200);
    } finally {
      proxy.close();
      for (const s2 of open) s2.destroy();
    }
  });

  void it('no engine: an unavailable state with what to do; listLocal and pull reject with typed errors; no unhandled rejections', async () => {
    const missing = new Engine(resolveEngine({ host: path.join(tmp, 'no-such.sock'), env: {} }));
    const state = await missing.ping();
    assert.equal(state.state, 'unavailable');
    assert.ok(state.state === 'unavailable' && state.reason === 'socket-missing');
    await assert.rejects(
      missing.listLocal(),
      (e: unknown) => isEngineUnavailableError(e) && e.reason === 'socket-missing',
    );
    await assert.rejects(missing.pull(`${hostOf('anon')}/${REPO}:1.0.0`), (e: unknown) => isEngineUnavailableError(e));
    const ssh = new Engine(resolveEngine({ host: 'ssh://user@host', env: {} }));
    assert.equal((await ssh.ping()).state, 'unavailable');
    await assert.rejects(ssh.listLocal(), (e: unknown) => isEngineUnavailableError(e) && e.reason === 'unsupported');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled, []);
  });

  void it('an engine lost mid-session: unavailable while gone, found again when back (through a socket proxy)', async () => {
    const proxyPath = path.join(tmp, 'proxy.sock');
    const open = new Set<net.Socket>();
    const start = () =>
      new Promise<net.Server>((resolve) => {
        fs.rmSync(proxyPath, { force: true });
        const server = net.createServer((client) => {
          const upstream = net.connect(sock);
          open.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          client.on('error', () => upstream.destroy());
          upstream.on('error', () => client.destroy());
        });
        server.listen(proxyPath, () => resolve(server));
      });
    /** The engine goes away: no listener, no socket file, its connections closed. */
    const stop = (server: net.Server) => {
      server.close();
      for (const s of open) s.destroy();
      open.clear();
    };
    let proxy = await start();
    try {
      const engine = new Engine(resolveEngine({ host: `unix://${proxyPath}`, env: {} }));
      assert.equal((await engine.ping()).state, 'ok');
      assert.ok(Array.isArray((await engine.listLocal()).images));
      stop(proxy);
      fs.rmSync(proxyPath, { force: true });
      const gone = await engine.ping();
      assert.equal(gone.state, 'unavailable');
      assert.ok(gone.state === 'unavailable' && gone.reason === 'socket-missing', JSON.stringify(gone));
      await assert.rejects(engine.listLocal(), (e: unknown) => isEngineUnavailableError(e));
      proxy = await start();
      const back = await engine.ping();
      assert.equal(back.state, 'ok', JSON.stringify(back));
      assert.ok(Array.isArray((await engine.listLocal()).images));
    } finally {
      stop(proxy);
    }
    assert.deepEqual(unhandled, []);
  });

  void it('registry-lens check --local --json: in-process and through the built bundle; no engine: exit 2', async () => {
    const cfg = path.join(tmp, 'cli-config');
    fs.mkdirSync(cfg, { recursive: true });
    const auth = { auth: Buffer.from(`${TEST_USER.username}:${TEST_USER.password}`).toString('base64') };
    fs.writeFileSync(
      path.join(cfg, 'config.json'),
      JSON.stringify({ auths: { [hostOf('basic')]: auth, [hostOf('token')]: auth, [hostOf('tls')]: auth } }),
    );
    const tls = registryInfo(env, 'tls');
    const args = [
      'check',
      '--local',
      '--json',
      '--docker-host',
      `unix://${sock}`,
      '--insecure',
      hostOf('basic'),
      '--insecure',
      hostOf('token'),
      '--insecure',
      new URL(env.tokenServer.realm).host,
      '--ca-file',
      `${tls.host}=${tls.caFile}`,
      '--no-cache',
    ];
    const cliEnv = { DOCKER_CONFIG: cfg, HOME: tmp, CI: '1', PATH: process.env.PATH ?? '' };
    let out = '';
    let err = '';
    const t0 = Date.now();
    const code = await main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: tmp, env: cliEnv });
    timings.push(`check --local --json in-process: ${Date.now() - t0} ms`);
    assert.equal(code, 0, err);
    const items = JSON.parse(out) as {
      kind: string;
      ref: string;
      status: string;
      outdated: boolean;
      container: { name: string } | null;
      updates: { kind: string }[];
    }[];
    const basicRef = `${hostOf('basic')}/${REPO}-basic:1.0.0`;
    assert.equal(items.find((i) => i.kind === 'image' && i.ref === basicRef)?.status, 'update');
    assert.equal(items.find((i) => i.container?.name === `rl-basic-${process.pid}`)?.status, 'container-outdated');
    assert.ok(items.some((i) => i.status === 'local-only'));
    assert.ok(!items.some((i) => i.status === 'error'), JSON.stringify(items.filter((i) => i.status === 'error')));

    // --fail-on-update: 1; the table lists what is out of date
    let table = '';
    const failCode = await main([...args.filter((a) => a !== '--json'), '--fail-on-update'], {
      stdout: (t) => (table += t),
      stderr: () => undefined,
      cwd: tmp,
      env: cliEnv,
    });
    assert.equal(failCode, 1);
    assert.match(table, /WHAT +REFERENCE +IMAGE ID +LOCAL DIGEST +REGISTRY/);
    assert.match(
      table,
      new RegExp(
        `container rl-basic-${process.pid} +${basicRef.replace(/[.]/g, '\\.')} .*container-outdated → recreate`,
      ),
    );
    assert.match(table, /image tags? and \d+ running containers?: \d+ out of date/);

    // the built bundle (loads dist/docker.js on first use)
    const bundle = path.join(REPO_ROOT, process.env.REGISTRY_LENS_DIST ?? 'dist', 'cli.js');
    const run = (extra: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [bundle, ...extra],
          { env: cliEnv, cwd: tmp, maxBuffer: 16 * 1024 * 1024 },
          (e, stdout, stderr) => {
            resolve({
              code: e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : -1) : 0,
              stdout,
              stderr,
            });
          },
        );
      });
    if (fs.existsSync(bundle)) {
      const t1 = Date.now();
      const viaBundle = await run(args);
      timings.push(`check --local --json via ${path.relative(REPO_ROOT, bundle)}: ${Date.now() - t1} ms`);
      assert.equal(viaBundle.code, 0, viaBundle.stderr);
      const bundled = JSON.parse(viaBundle.stdout) as { ref: string; status: string }[];
      assert.deepEqual(
        bundled.map((i) => `${i.ref} ${i.status}`).sort(),
        items.map((i) => `${i.ref} ${i.status}`).sort(),
      );
      const none = await run(['check', '--local', '--docker-host', path.join(tmp, 'nope.sock')]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /registry-lens check --local: no Docker engine: No Docker engine at .*nope\.sock/);
    }
    let noneErr = '';
    assert.equal(
      await main(['check', '--local', '--docker-host', path.join(tmp, 'nope.sock')], {
        stdout: () => undefined,
        stderr: (t) => (noneErr += t),
        cwd: tmp,
        env: cliEnv,
      }),
      2,
    );
    assert.match(noneErr, /the socket does not exist/);
    assert.deepEqual(unhandled, []);
  });
});
