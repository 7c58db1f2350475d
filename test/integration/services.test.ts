// Proves the test environment is real: four distribution registries (anonymous, htpasswd, htpasswd+TLS, token),
// the token server (GET + OAuth2 POST), seeded manifests/digests, dockerd pulling and running a seeded image, and
// process hygiene (stop by PID, sweep after a crash).
//   node esbuild.mjs --tests && node --test out/test/integration/services.test.js
// With REGISTRY_LENS_TEST_ENV=<env.json of a running `cli.js up --engine`> it uses that env instead of starting one.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  basicAuth,
  clearTokenLog,
  configureTokenServer,
  dockerRequest,
  fetchToken,
  httpRequest,
  MANIFEST_ACCEPT,
  MT,
  parseChallenge,
  READER_USER,
  readTokenLog,
  registryAuthHeader,
  type RegistryName,
  seededImage,
  seedTags,
  startTestEnv,
  sweepStale,
  TEST_USER,
  type TestEnv,
  useTestEnv,
} from '../services';

const getEnv = useTestEnv({ engine: hasDockerd(), seed: 'test' });
const ALL: RegistryName[] = ['anon', 'basic', 'tls', 'token'];

function hasDockerd(): boolean {
  return ['/usr/sbin/dockerd', '/usr/bin/dockerd', '/usr/local/bin/dockerd'].some((p) => fs.existsSync(p));
}

/** GET/HEAD on a registry with the env's CA (for tls) and optional Authorization. */
async function reg(
  env: TestEnv,
  name: RegistryName,
  method: string,
  p: string,
  auth?: string,
  headers: Record<string, string> = {},
) {
  const r = env.registries[name];
  return httpRequest(r.url + p, {
    method,
    headers: { ...headers, ...(auth ? { Authorization: auth } : {}) },
    ...(r.caFile ? { ca: fs.readFileSync(r.caFile) } : {}),
  });
}

/** Authorization for the registry as the test user: Basic, or a Bearer token for `scope`. */
async function authFor(env: TestEnv, name: RegistryName, scope: string): Promise<string | undefined> {
  if (name === 'anon') return undefined;
  if (name !== 'token') return basicAuth(TEST_USER.username, TEST_USER.password);
  const t = await fetchToken(env, [scope]);
  assert.equal(t.status, 200);
  return `Bearer ${t.token}`;
}

void describe('registries', () => {
  void it('anonymous: /v2/ is 200 with the distribution API header', async () => {
    const env = await getEnv();
    const res = await reg(env, 'anon', 'GET', '/v2/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
    assert.match(env.registries.anon.host, /^127\.0\.0\.1:\d+$/);
  });

  void it('htpasswd: 401 with a Basic challenge, 200 with credentials, 401 with a wrong password', async () => {
    const env = await getEnv();
    const res = await reg(env, 'basic', 'GET', '/v2/');
    assert.equal(res.status, 401);
    assert.equal(parseChallenge(res.headers['www-authenticate'])?.scheme, 'basic');
    assert.equal(
      (await reg(env, 'basic', 'GET', '/v2/', basicAuth(TEST_USER.username, TEST_USER.password))).status,
      200,
    );
    assert.equal((await reg(env, 'basic', 'GET', '/v2/', basicAuth(TEST_USER.username, 'nope'))).status, 401);
  });

  void it('TLS: fails without the run CA, works with it (localhost and 127.0.0.1)', async () => {
    const env = await getEnv();
    const r = env.registries.tls;
    assert.match(r.url, /^https:\/\/localhost:\d+$/);
    await assert.rejects(httpRequest(`${r.url}/v2/`), (e: NodeJS.ErrnoException) =>
      /UNABLE_TO_VERIFY|SELF_SIGNED|unable to verify/i.test(`${e.code} ${e.message}`),
    );
    const ca = fs.readFileSync(r.caFile ?? '');
    const auth = basicAuth(TEST_USER.username, TEST_USER.password);
    assert.equal((await httpRequest(`${r.url}/v2/`, { ca })).status, 401);
    assert.equal((await httpRequest(`${r.url}/v2/`, { ca, headers: { Authorization: auth } })).status, 200);
    assert.equal((await httpRequest(`https://${r.host}/v2/`, { ca, headers: { Authorization: auth } })).status, 200);
  });

  void it('token: Bearer challenge names realm and service; token with credentials lists tags; bad password is 401', async () => {
    const env = await getEnv();
    const r = env.registries.token;
    const ping = await reg(env, 'token', 'GET', '/v2/');
    assert.equal(ping.status, 401);
    const ch = parseChallenge(ping.headers['www-authenticate']);
    assert.equal(ch?.scheme, 'bearer');
    assert.equal(ch?.params.realm, r.tokenRealm);
    assert.equal(ch?.params.service, r.service);
    const list = await reg(env, 'token', 'GET', '/v2/test/app/tags/list');
    assert.equal(list.status, 401);
    assert.equal(parseChallenge(list.headers['www-authenticate'])?.params.scope, 'repository:test/app:pull');

    const t = await fetchToken(env, ['repository:test/app:pull']);
    assert.equal(t.status, 200);
    assert.deepEqual(Object.keys(t.body as object).sort(), ['access_token', 'expires_in', 'issued_at', 'token']);
    const ok = await reg(env, 'token', 'GET', '/v2/test/app/tags/list', `Bearer ${t.token}`);
    assert.equal(ok.status, 200);
    // the same token is not good for another repository
    assert.equal((await reg(env, 'token', 'GET', '/v2/test/oci/tags/list', `Bearer ${t.token}`)).status, 401);

    const bad = await fetchToken(env, ['repository:test/app:pull'], {
      username: TEST_USER.username,
      password: 'wrong',
    });
    assert.equal(bad.status, 401);
    assert.equal((bad.body as { errors: { code: string }[] }).errors[0]?.code, 'UNAUTHORIZED');

    const anon = await fetchToken(env, ['repository:test/app:pull'], null);
    assert.equal(anon.status, 200);
    assert.equal((await reg(env, 'token', 'GET', '/v2/', `Bearer ${anon.token}`)).status, 200);
    assert.equal((await reg(env, 'token', 'GET', '/v2/test/app/tags/list', `Bearer ${anon.token}`)).status, 401);
  });

  void it('token server: OAuth2 POST (password, refresh_token), POST disabled → 404, reader gets pull only, log', async () => {
    const env = await getEnv();
    await clearTokenLog(env);
    const post = (form: Record<string, string>) =>
      httpRequest(env.tokenServer.realm, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    const first = await post({
      grant_type: 'password',
      username: TEST_USER.username,
      password: TEST_USER.password,
      service: env.tokenServer.service,
      scope: 'repository:test/app:pull',
      client_id: 'registry-lens',
      access_type: 'offline',
    });
    assert.equal(first.status, 200);
    const body = first.json<{ access_token: string; refresh_token?: string; expires_in: number }>();
    assert.ok(body.refresh_token);
    assert.equal((await reg(env, 'token', 'GET', '/v2/test/app/tags/list', `Bearer ${body.access_token}`)).status, 200);
    const refreshed = await post({
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      service: env.tokenServer.service,
      scope: 'repository:test/oci:pull',
      client_id: 'registry-lens',
    });
    assert.equal(refreshed.status, 200);
    assert.equal(
      (
        await reg(
          env,
          'token',
          'GET',
          '/v2/test/oci/tags/list',
          `Bearer ${refreshed.json<{ access_token: string }>().access_token}`,
        )
      ).status,
      200,
    );
    assert.equal(
      (await post({ grant_type: 'password', username: TEST_USER.username, password: 'x', service: 's' })).status,
      401,
    );

    await configureTokenServer(env, { oauth: false, expiresIn: 42 });
    try {
      assert.equal(
        (
          await post({
            grant_type: 'password',
            username: TEST_USER.username,
            password: TEST_USER.password,
            service: 's',
          })
        ).status,
        404,
      );
      assert.equal(((await fetchToken(env, [])).body as { expires_in: number }).expires_in, 42);
    } finally {
      await configureTokenServer(env, { oauth: true, expiresIn: 300 });
    }

    const reader = await fetchToken(env, ['repository:test/app:pull,push'], READER_USER);
    assert.equal(reader.status, 200);
    const upload = await reg(env, 'token', 'POST', '/v2/test/app/blobs/uploads/', `Bearer ${reader.token}`);
    assert.equal(upload.status, 401);
    assert.match(String(upload.headers['www-authenticate']), /insufficient_scope/);

    const log = await readTokenLog(env);
    assert.deepEqual(
      log.map((e) => [e.method, e.grantType, e.user, e.status]),
      [
        ['POST', 'password', 'testuser', 200],
        ['POST', 'refresh_token', 'testuser', 200],
        ['POST', 'password', 'testuser', 401],
        ['POST', 'password', '', 404],
        ['GET', 'basic', 'testuser', 200],
        ['GET', 'basic', 'reader', 200],
      ],
    );
    assert.deepEqual(log[0]?.scopes, ['repository:test/app:pull']);
    assert.deepEqual(log.at(-1)?.granted, ['repository:test/app:pull']);
  });
});

void describe('seeded images', () => {
  void it('every registry lists the seeded tags', async () => {
    const env = await getEnv();
    for (const name of ALL) {
      for (const repo of ['test/app', 'test/multi', 'test/oci']) {
        const res = await reg(
          env,
          name,
          'GET',
          `/v2/${repo}/tags/list`,
          await authFor(env, name, `repository:${repo}:pull`),
        );
        assert.equal(res.status, 200, `${name} ${repo}`);
        assert.deepEqual(res.json<{ tags: string[] }>().tags.sort(), seedTags('test', repo).sort(), `${name} ${repo}`);
      }
    }
  });

  void it('HEAD manifest with the four Accept types gives the seeded digest and media type', async () => {
    const env = await getEnv();
    const cases: [string, string, string][] = [
      ['test/app', '1.0.0', MT.dockerManifest],
      ['test/app', 'latest', MT.dockerManifest],
      ['test/multi', '2.0.0', MT.dockerList],
      ['test/multi', '2.0.0-oci', MT.ociIndex],
      ['test/multi', '2.1.0', MT.dockerList],
      ['test/oci', '1.0.0', MT.ociManifest],
    ];
    for (const name of ALL) {
      for (const [repo, tag, mediaType] of cases) {
        const seeded = seededImage(env, name, repo, tag);
        const res = await reg(
          env,
          name,
          'HEAD',
          `/v2/${repo}/manifests/${tag}`,
          await authFor(env, name, `repository:${repo}:pull`),
          { Accept: MANIFEST_ACCEPT },
        );
        assert.equal(res.status, 200, `${name} ${repo}:${tag}`);
        assert.equal(res.headers['docker-content-digest'], seeded.digest, `${name} ${repo}:${tag}`);
        assert.equal(res.headers['content-type'], mediaType, `${name} ${repo}:${tag}`);
        assert.equal(seeded.mediaType, mediaType);
      }
    }
    const app = (tag: string) => seededImage(env, 'anon', 'test/app', tag).digest;
    assert.equal(app('latest'), app('2.0.0'));
    assert.equal(new Set(seedTags('test', 'test/app').map(app)).size, seedTags('test', 'test/app').length - 1);
    // same content on every registry → same digests everywhere
    for (const name of ALL)
      assert.equal(
        seededImage(env, name, 'test/multi', '2.0.0').digest,
        seededImage(env, 'anon', 'test/multi', '2.0.0').digest,
      );
    const multi = seededImage(env, 'anon', 'test/multi', '2.0.0');
    assert.deepEqual(multi.platforms, ['linux/amd64', 'linux/arm64/v8']);
    // deterministic: a fresh process builds the same digests (no timestamps, fixed tar metadata, gzip mtime 0)
    const imageJs = path.join(__dirname, '..', 'services', 'image.js');
    const seedsJs = path.join(__dirname, '..', 'services', 'seeds.js');
    const script = `const { buildImage } = require(${JSON.stringify(imageJs)}); const { TEST_SEED } = require(${JSON.stringify(seedsJs)});
      const out = {}; for (const r of TEST_SEED.repos) for (const t of r.tags) out[r.repository + ':' + t.tag] = buildImage(r.repository, t, r.tags).manifest.digest;
      console.log(JSON.stringify(out));`;
    const fresh = JSON.parse(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout) as Record<
      string,
      string
    >;
    for (const [ref, digest] of Object.entries(fresh)) {
      const [repo = '', tag = ''] = ref.split(':');
      assert.equal(seededImage(env, 'token', repo, tag).digest, digest, ref);
    }
    const index = (
      await reg(env, 'anon', 'GET', '/v2/test/multi/manifests/2.0.0', undefined, { Accept: MANIFEST_ACCEPT })
    ).json<{ manifests: { digest: string; platform: { architecture: string; variant?: string } }[] }>();
    assert.deepEqual(
      index.manifests.map((m) => m.digest),
      multi.children?.map((c) => c.digest),
    );
    assert.equal(index.manifests[1]?.platform.variant, 'v8');
  });
});

/** Docker's multiplexed log stream → text. */
function demux(buf: Buffer): string {
  let out = '';
  for (let i = 0; i + 8 <= buf.length;) {
    const size = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return out;
}

void describe('engine (dockerd)', { skip: hasDockerd() ? false : 'dockerd is not installed' }, () => {
  void it('answers /_ping, pulls from the token registry with X-Registry-Auth, runs the image', async () => {
    const env = await getEnv();
    const d = env.docker;
    assert.ok(d, 'engine started');
    const sock = d.socketPath;
    assert.equal((await dockerRequest(sock, 'GET', '/_ping')).text(), 'OK');

    const r = env.registries.token;
    const tag = '1.2.0-alpine';
    const image = `${r.host}/test/app`;
    const auth = registryAuthHeader({
      username: TEST_USER.username,
      password: TEST_USER.password,
      serveraddress: r.host,
    });
    const pull = await dockerRequest(sock, 'POST', `/images/create?fromImage=${encodeURIComponent(image)}&tag=${tag}`, {
      headers: { 'X-Registry-Auth': auth },
    });
    assert.equal(pull.status, 200, pull.text());
    const events = pull
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { status?: string; error?: string });
    assert.ok(!events.some((e) => e.error), JSON.stringify(events));

    const inspect = (await dockerRequest(sock, 'GET', `/images/${encodeURIComponent(`${image}:${tag}`)}/json`)).json<{
      RepoDigests: string[];
      Architecture: string;
    }>();
    assert.deepEqual(inspect.RepoDigests, [`${image}@${seededImage(env, 'token', 'test/app', tag).digest}`]);

    const created = await dockerRequest(sock, 'POST', '/containers/create', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        Image: `${image}:${tag}`,
        Cmd: ['cat', '/etc/version'],
        HostConfig: { NetworkMode: 'none' },
      }),
    });
    assert.equal(created.status, 201, created.text());
    const id = created.json<{ Id: string }>().Id;
    try {
      assert.equal((await dockerRequest(sock, 'POST', `/containers/${id}/start`)).status, 204);
      const waited = (await dockerRequest(sock, 'POST', `/containers/${id}/wait`)).json<{ StatusCode: number }>();
      assert.equal(waited.StatusCode, 0);
      const logs = await dockerRequest(sock, 'GET', `/containers/${id}/logs?stdout=1&stderr=1`);
      assert.equal(demux(logs.body).trim(), tag);
    } finally {
      await dockerRequest(sock, 'DELETE', `/containers/${id}?force=1`);
    }
  });

  void it('a wrong password fails the pull; a manifest list pull records the list digest', async () => {
    const env = await getEnv();
    const sock = env.docker?.socketPath ?? '';
    const r = env.registries.token;
    const bad = registryAuthHeader({ username: TEST_USER.username, password: 'wrong', serveraddress: r.host });
    const res = await dockerRequest(
      sock,
      'POST',
      `/images/create?fromImage=${encodeURIComponent(`${r.host}/test/app`)}&tag=1.0.0`,
      { headers: { 'X-Registry-Auth': bad } },
    );
    assert.equal(res.status, 500);
    assert.match(res.text(), /unauthorized: authentication failed: bad credentials/);

    const anon = env.registries.anon;
    const ok = await dockerRequest(
      sock,
      'POST',
      `/images/create?fromImage=${encodeURIComponent(`${anon.host}/test/multi`)}&tag=2.0.0`,
    );
    assert.equal(ok.status, 200, ok.text());
    const inspect = (
      await dockerRequest(sock, 'GET', `/images/${encodeURIComponent(`${anon.host}/test/multi:2.0.0`)}/json`)
    ).json<{ RepoDigests: string[] }>();
    assert.deepEqual(inspect.RepoDigests, [
      `${anon.host}/test/multi@${seededImage(env, 'anon', 'test/multi', '2.0.0').digest}`,
    ]);
  });
});

void describe('process hygiene', () => {
  void it('stop() kills by PID, removes the state dir, and is idempotent', async () => {
    const env = await startTestEnv({ registries: ['anon'], seed: 'none' });
    const pid = env.registries.anon.pid;
    assert.ok(fs.existsSync(`/proc/${pid}`));
    await Promise.all([env.stop(), env.stop()]);
    await env.stop();
    assert.ok(!fs.existsSync(env.stateDir));
    assert.ok(!fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'));
  });

  void it('sweepStale() cleans up after an owner that was SIGKILLed', async () => {
    const index = path.join(__dirname, '..', 'services', 'index.js');
    const code = `require(${JSON.stringify(index)}).startTestEnv({ registries: ['anon'], seed: 'none' }).then((e) => { console.log(JSON.stringify({ dir: e.stateDir, pid: e.registries.anon.pid })); setInterval(() => {}, 1e6); })`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.on('exit', (c) => reject(new Error(`child exited ${c}`)));
    });
    const { dir, pid } = JSON.parse(line) as { dir: string; pid: number };
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(fs.existsSync(`/proc/${pid}`), 'the registry outlived its SIGKILLed owner');
    const swept = sweepStale();
    assert.ok(swept.includes(dir), `swept ${swept.join(', ')}`);
    assert.ok(!fs.existsSync(dir));
    assert.ok(!fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'));
    const left = spawnSync('pgrep', ['-f', dir], { encoding: 'utf8' }).stdout.trim();
    assert.equal(left, '');
  });
});
