// The registry client against the REAL registries of the test environment (distribution registry:2 with no auth,
// htpasswd over HTTP, htpasswd over TLS with a per-run CA, token auth with the token server).
//   REGISTRY_LENS_OUT=out-h4 node esbuild.mjs --tests && node --test out-h4/test/integration/registry.client.test.js
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { Agent } from 'undici';
import {
  type Credential,
  isAuthError,
  isNotFoundError,
  isTlsError,
  type Keychain,
  RegistryClient,
  type RegistryClientOptions,
  TEST_SEED_TAGS,
} from '../support/registryKit';
import {
  configureTokenServer,
  READER_USER,
  readTokenLog,
  registryInfo,
  seededImage,
  TEST_USER,
  type TestEnv,
  useTestEnv,
} from '../services';

const getEnv = useTestEnv({ seed: 'test' });

function keychainOf(cred: Omit<Credential, 'source'> | undefined): Keychain {
  return { resolve: () => Promise.resolve(cred ? { ...cred, source: 'test keychain' } : undefined) };
}

const agents: Agent[] = [];
// Every client of this file sends this OAuth2 client_id, so token-log counts ignore other users of a shared env.
const CLIENT_ID = `rl-client-test-${process.pid}`;
const mine = async (env: TestEnv, clientId: string) => (await readTokenLog(env)).filter((l) => l.clientId === clientId);
/** The token server's host:port: its own insecure mark lets credentials reach it over plain HTTP. */
const realmHost = (env: TestEnv): string => new URL(env.tokenServer.realm).host;

function client(
  env: TestEnv,
  opts: Partial<RegistryClientOptions> & { cred?: Omit<Credential, 'source'>; ca?: boolean } = {},
): RegistryClient {
  const tls = env.registries.tls;
  const agent = new Agent({ connect: opts.ca && tls?.caFile ? { ca: fs.readFileSync(tls.caFile) } : {} });
  agents.push(agent);
  return new RegistryClient({
    dispatcher: agent,
    keychain: keychainOf(opts.cred),
    retry: { retries: 1, baseDelayMs: 50 },
    clientId: CLIENT_ID,
    ...opts,
  });
}

void describe('registry client against real registries', () => {
  void it('anonymous: ping, tags, HEAD digests equal the seeded ones for all four manifest kinds', async () => {
    const env = await getEnv();
    const reg = registryInfo(env, 'anon').host;
    const c = client(env);
    const ping = await c.ping(reg);
    assert.equal(ping.auth, 'none');
    assert.equal(ping.scheme, 'http');
    assert.equal(ping.status, 200);
    const tags = await c.listTags(reg, 'test/app');
    assert.deepEqual([...tags.tags].sort(), [...(TEST_SEED_TAGS['test/app'] ?? [])].sort());
    for (const [repo, tag, mt] of [
      ['test/app', '1.0.0', 'application/vnd.docker.distribution.manifest.v2+json'],
      ['test/oci', '1.0.0', 'application/vnd.oci.image.manifest.v1+json'],
      ['test/multi', '2.0.0', 'application/vnd.docker.distribution.manifest.list.v2+json'],
      ['test/multi', '2.0.0-oci', 'application/vnd.oci.image.index.v1+json'],
    ] as const) {
      const seeded = seededImage(env, 'anon', repo, tag);
      const d = await c.headManifest(reg, repo, tag);
      assert.equal(d.digest, seeded.digest, `${repo}:${tag}`);
      assert.equal(d.mediaType, mt);
      assert.equal(d.via, 'head');
      const g = await c.getManifest(reg, repo, tag);
      assert.equal(g.digest, seeded.digest);
    }
    assert.equal(c.stats.get, 4);
  });

  void it('index: platforms and child digests of a manifest list and an OCI index', async () => {
    const env = await getEnv();
    const reg = registryInfo(env, 'anon').host;
    const c = client(env);
    for (const tag of ['2.0.0', '2.0.0-oci']) {
      const seeded = seededImage(env, 'anon', 'test/multi', tag);
      const idx = await c.getIndex(reg, 'test/multi', tag);
      assert.equal(idx.isIndex, true);
      assert.deepEqual(
        idx.platforms.map((p) => [p.platform, p.digest]),
        (seeded.children ?? []).map((ch) => [ch.platform, ch.digest]),
      );
      // a child by digest is a plain manifest
      const child = idx.platforms[0];
      assert.ok(child);
      const d = await c.headManifest(reg, 'test/multi', child.digest);
      assert.equal(d.digest, child.digest);
    }
    const single = await c.getIndex(reg, 'test/app', '1.0.0');
    assert.equal(single.isIndex, false);
  });

  void it('not found: unknown tag and repository', async () => {
    const env = await getEnv();
    const reg = registryInfo(env, 'anon').host;
    const c = client(env);
    await assert.rejects(
      c.headManifest(reg, 'test/app', 'nope'),
      (e) => isNotFoundError(e) && e.status === 404 && e.repository === 'test/app',
    );
    await assert.rejects(
      c.listTags(reg, 'test/none'),
      (e) => isNotFoundError(e) && e.errors[0]?.code === 'NAME_UNKNOWN',
    );
  });

  void it('htpasswd over HTTP: Basic only when the host is marked insecure; refused otherwise', async () => {
    const env = await getEnv();
    const reg = registryInfo(env, 'basic').host;
    const lines: string[] = [];
    const refused = client(env, { cred: TEST_USER, log: (l) => lines.push(l) });
    await assert.rejects(
      refused.headManifest(reg, 'test/app', '1.0.0'),
      (e) => isAuthError(e) && /plain HTTP/.test(e.message) && !e.message.includes(TEST_USER.password),
    );
    assert.ok(lines.some((l) => /not sent to .* over plain HTTP/.test(l)));
    const ok = client(env, { cred: TEST_USER, hosts: { [reg]: { insecure: true } } });
    const ping = await ok.ping(reg);
    assert.equal(ping.auth, 'basic');
    assert.equal(ping.authenticated, true);
    assert.equal(ping.credentialSource, 'test keychain');
    assert.equal(
      (await ok.headManifest(reg, 'test/app', '1.0.0')).digest,
      seededImage(env, 'basic', 'test/app', '1.0.0').digest,
    );
    const bad = client(env, {
      cred: { username: TEST_USER.username, password: 'wrong' },
      hosts: { [reg]: { insecure: true } },
    });
    await assert.rejects(
      bad.headManifest(reg, 'test/app', '1.0.0'),
      (e) => isAuthError(e) && e.status === 401 && /rejected/.test(e.message) && !e.message.includes('wrong'),
    );
    const anon = client(env);
    await assert.rejects(
      anon.listTags(reg, 'test/app'),
      (e) => isAuthError(e) && /requires authentication/.test(e.message),
    );
  });

  void it('TLS with the per-run CA: a TLS error without it, works with it', async () => {
    const env = await getEnv();
    const info = registryInfo(env, 'tls');
    const reg = new URL(info.url).host; // localhost:PORT, the certificate's name
    const without = client(env, { cred: TEST_USER });
    await assert.rejects(
      without.ping(reg),
      (e) => isTlsError(e) && /unknown authority|self-signed/.test(e.message) && /CA/.test(e.message),
    );
    const withCa = client(env, { cred: TEST_USER, ca: true });
    const ping = await withCa.ping(reg);
    assert.equal(ping.scheme, 'https');
    assert.equal(ping.auth, 'basic');
    assert.equal(ping.authenticated, true);
    assert.equal(
      (await withCa.headManifest(reg, 'test/oci', '1.0.0')).digest,
      seededImage(env, 'tls', 'test/oci', '1.0.0').digest,
    );
  });

  void it('token auth: one token request per realm/service/scope/credential while valid; re-auth after expiry', async () => {
    const env = await getEnv();
    const reg = registryInfo(env, 'token').host;
    let now = Date.now();
    const id = `${CLIENT_ID}-cache`;
    const c = client(env, {
      cred: TEST_USER,
      hosts: { [reg]: { insecure: true }, [realmHost(env)]: { insecure: true } },
      now: () => now,
      clientId: id,
    });
    const ping = await c.ping(reg);
    assert.equal(ping.auth, 'bearer');
    assert.equal(ping.service, env.tokenServer.service);
    assert.equal(ping.authenticated, true);
    const skip = (await mine(env, id)).length; // the scope-less token that proved the credential
    assert.equal(skip, 1);
    // 20 concurrent HEADs on two repositories: two token requests (single flight per scope)
    const refs = Array.from({ length: 20 }, (_, i): [string, string] =>
      i % 2 === 0 ? ['test/app', '1.0.0'] : ['test/oci', '1.0.0'],
    );
    const digests = await Promise.all(refs.map(([r, t]) => c.headManifest(reg, r, t)));
    assert.equal(digests[0]?.digest, seededImage(env, 'token', 'test/app', '1.0.0').digest);
    assert.equal(digests[1]?.digest, seededImage(env, 'token', 'test/oci', '1.0.0').digest);
    let log = (await mine(env, id)).slice(skip);
    assert.equal(log.length, 2, JSON.stringify(log));
    assert.deepEqual(log.map((l) => l.scopes.join(' ')).sort(), [
      'repository:test/app:pull',
      'repository:test/oci:pull',
    ]);
    assert.ok(
      log.every(
        (l) => l.method === 'GET' && l.grantType === 'basic' && l.user === TEST_USER.username && l.status === 200,
      ),
    );
    // warm: more requests, no new token
    await c.listTags(reg, 'test/app');
    await c.headManifest(reg, 'test/app', '1.1.0');
    assert.equal((await mine(env, id)).slice(skip).length, 2);
    // after expires_in (the server's default 300 s) the token is fetched again, once
    now += 301_000;
    await Promise.all([c.headManifest(reg, 'test/app', '1.0.0'), c.headManifest(reg, 'test/app', '1.2.0')]);
    log = (await mine(env, id)).slice(skip);
    assert.equal(log.length, 3);
    // another credential is another cache entry
    const reader = client(env, {
      cred: READER_USER,
      hosts: { [reg]: { insecure: true }, [realmHost(env)]: { insecure: true } },
      clientId: id,
    });
    await reader.headManifest(reg, 'test/app', '1.0.0');
    assert.equal((await mine(env, id)).filter((l) => l.user === READER_USER.username).length, 1);
  });

  void it('token auth: a plain-HTTP realm gets no credentials unless the registry is insecure; anonymous pull is refused by the registry', async () => {
    const env = await getEnv();
    const reg = registryInfo(env, 'token').host;
    const id = `${CLIENT_ID}-plain-realm`;
    const c = client(env, { cred: TEST_USER, clientId: id });
    await assert.rejects(c.headManifest(reg, 'test/app', '1.0.0'), (e) => isAuthError(e));
    const log = await mine(env, id);
    assert.ok(log.length >= 1);
    assert.ok(
      log.every((l) => l.user === '' && l.grantType === 'anonymous'),
      JSON.stringify(log),
    );
  });

  void it('token auth: the registry marked insecure is not enough for a plain-HTTP realm on another host:port', async () => {
    const env = await getEnv();
    const reg = registryInfo(env, 'token').host;
    const id = `${CLIENT_ID}-realm-origin`;
    const c = client(env, { cred: TEST_USER, hosts: { [reg]: { insecure: true } }, clientId: id });
    await assert.rejects(
      c.headManifest(reg, 'test/app', '1.0.0'),
      (e) =>
        isAuthError(e) &&
        e.message.includes(`mark ${realmHost(env)} insecure`) &&
        !e.message.includes(TEST_USER.password),
    );
    assert.deepEqual(await mine(env, id), [], 'nothing reached the realm');
    const ok = client(env, {
      cred: TEST_USER,
      hosts: { [reg]: { insecure: true }, [realmHost(env)]: { insecure: true } },
      clientId: `${id}-ok`,
    });
    assert.equal(
      (await ok.headManifest(reg, 'test/app', '1.0.0')).digest,
      seededImage(env, 'token', 'test/app', '1.0.0').digest,
    );
    assert.ok((await mine(env, `${id}-ok`)).some((l) => l.user === TEST_USER.username));
  });

  void it('token auth: OAuth2 password grant POST, refresh_token kept, then GET fallback when POST answers 404', async () => {
    const env = await getEnv();
    const reg = registryInfo(env, 'token').host;
    let now = Date.now();
    try {
      await configureTokenServer(env, { oauth: true });
      const id = `${CLIENT_ID}-oauth`;
      const c = client(env, {
        cred: TEST_USER,
        hosts: { [reg]: { insecure: true, oauth2: true }, [realmHost(env)]: { insecure: true } },
        now: () => now,
        clientId: id,
      });
      await c.headManifest(reg, 'test/app', '1.0.0');
      now += 400_000;
      await c.headManifest(reg, 'test/app', '1.0.0');
      let log = await mine(env, id);
      assert.deepEqual(
        log.map((l) => [l.method, l.grantType, l.status]),
        [
          ['POST', 'password', 200],
          ['POST', 'refresh_token', 200],
        ],
      );
      assert.equal(log[0]?.clientId, id);
      // identity token (docker config identitytoken): POST refresh_token grant; GET fallback on 404
      await configureTokenServer(env, { oauth: false });
      const id2 = `${CLIENT_ID}-fallback`;
      const g = client(env, {
        cred: TEST_USER,
        hosts: { [reg]: { insecure: true, oauth2: true }, [realmHost(env)]: { insecure: true } },
        clientId: id2,
      });
      assert.equal(
        (await g.headManifest(reg, 'test/app', '1.0.0')).digest,
        seededImage(env, 'token', 'test/app', '1.0.0').digest,
      );
      log = await mine(env, id2);
      assert.deepEqual(
        log.map((l) => [l.method, l.grantType, l.status]),
        [
          ['POST', 'password', 404],
          ['GET', 'basic', 200],
        ],
      );
    } finally {
      await configureTokenServer(env, { oauth: true });
    }
  });

  void it('token auth: an identity token alone is exchanged with the refresh_token grant', async () => {
    const env = await getEnv();
    const reg = registryInfo(env, 'token').host;
    // get a refresh token the way `docker login` does (OAuth2 password grant, offline)
    const form = new URLSearchParams({
      grant_type: 'password',
      username: TEST_USER.username,
      password: TEST_USER.password,
      client_id: 'docker',
      service: env.tokenServer.service,
      access_type: 'offline',
    });
    const agent = new Agent();
    agents.push(agent);
    const r = await agent.request({
      origin: new URL(env.tokenServer.realm).origin,
      path: '/token',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const { refresh_token } = (await r.body.json()) as { refresh_token: string };
    const id = `${CLIENT_ID}-identity`;
    const c = client(env, {
      cred: { identityToken: refresh_token },
      hosts: { [reg]: { insecure: true }, [realmHost(env)]: { insecure: true } },
      clientId: id,
    });
    assert.equal((await c.listTags(reg, 'test/oci')).tags.join(), '1.0.0');
    const log = await mine(env, id);
    assert.deepEqual(
      log.map((l) => [l.method, l.grantType, l.user, l.status]),
      [['POST', 'refresh_token', TEST_USER.username, 200]],
    );
  });

  void it('closes its agents', async () => {
    await Promise.all(agents.map((a) => a.close()));
  });
});
