// The registry client against each vendor emulator (test/services/vendors), reached on loopback under the
// vendor's own host names: every documented rule, and which origin saw which credential.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createRegistryClient,
  type Credential,
  isAuthError,
  isRateLimitError,
  type RegistryClient,
  StaticKeychain,
} from '../support/registryKit';
import {
  ACR_USER,
  CREDENTIAL_ORIGINS,
  dockerHub,
  ECR_HOST,
  GCP_JSON_KEY,
  manifestFor,
  startVendors,
  type VendorName,
  type Vendors,
} from '../services/vendors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-vendors-'));
let v: Vendors;
const hub = dockerHub({ remaining: 100 });
const clients: { close: () => Promise<void> }[] = [];

before(async () => {
  v = await startVendors(tmp, { dockerHub: hub });
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await v.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function client(creds: Record<string, Omit<Credential, 'source'>> = {}): RegistryClient {
  const hosts = Object.fromEntries(
    v
      .all()
      .flatMap((r) => [r.spec.registry, ...r.spec.httpsHosts])
      .map((h) => [h, { ca: v.certs.caPem }]),
  );
  const keychain = new StaticKeychain(
    Object.fromEntries(Object.entries(creds).map(([k, c]) => [k, { ...c, source: `test credential for ${k}` }])),
  );
  const c = createRegistryClient({
    keychain,
    hosts,
    resolve: v.resolve,
    env: {},
    retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 200 },
  });
  clients.push(c);
  return c.client;
}

/** Every request that carried an Authorization header, by the origin (scheme://host) that received it. */
function authorizedOrigins(name: VendorName): Set<string> {
  return new Set(
    v
      .get(name)
      .seen.filter((r) => r.authorization !== undefined)
      .map((r) => `${r.scheme}://${r.host}`),
  );
}

function secretSeenAt(name: VendorName, secret: string): Set<string> {
  return new Set(
    v
      .get(name)
      .seen.filter((r) => {
        const basic = /^Basic (.+)$/.exec(r.authorization ?? '')?.[1];
        const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
        return decoded.includes(secret) || r.body.includes(secret) || r.path.includes(encodeURIComponent(secret));
      })
      .map((r) => `${r.scheme}://${r.host}`),
  );
}

void describe('vendor emulators through the registry client', () => {
  void it('Docker Hub: docker.io answers at registry-1.docker.io, anonymous tokens from auth.docker.io; HEAD is not a pull', async () => {
    const c = client();
    const before = hub.state.remaining;
    const tags = await c.listTags('docker.io', 'library/alpine');
    assert.deepEqual(tags.tags, ['3.19.0', '3.19.1', '3.20.0', 'latest']);
    const d = await c.headManifest('docker.io', 'library/alpine', '3.20.0');
    assert.equal(d.via, 'head');
    assert.equal(d.digest, manifestFor('library/alpine', '3.20.0').digest);
    assert.equal(hub.state.remaining, before, 'a HEAD counted as a pull');
    assert.equal(d.rateLimit?.limit, 100);
    assert.equal(d.rateLimit?.remaining, before);
    assert.equal(d.rateLimit?.windowSeconds, 21600);
    const hosts = new Set(v.get('dockerHub').seen.map((r) => r.host));
    assert.deepEqual([...hosts].sort(), ['auth.docker.io', 'registry-1.docker.io']);
  });

  void it('Docker Hub: the credential goes to auth.docker.io only; the registry sees Bearer tokens', async () => {
    const cred = hub.credential!;
    const c = client({ 'docker.io': { username: cred.username, password: cred.password } });
    const tags = await c.listTags('docker.io', 'acme/private');
    assert.deepEqual(tags.tags, ['1.0.0', '1.1.0']);
    assert.deepEqual([...secretSeenAt('dockerHub', cred.password)], ['https://auth.docker.io']);
    for (const r of v.get('dockerHub').seen.filter((x) => x.host === 'registry-1.docker.io'))
      assert.ok(!/^Basic/.test(r.authorization ?? ''), 'Basic sent to the registry');
  });

  void it('Docker Hub: a plain-text 429 with Retry-After is a rate-limit error saying when to retry', async () => {
    const c = client();
    hub.state.remaining = 0;
    try {
      await assert.rejects(c.getManifest('docker.io', 'library/alpine', '3.19.0'), (e: unknown) => {
        assert.ok(isRateLimitError(e), String(e));
        assert.equal(e.retryAfter, 3600);
        assert.match(e.message, /rate limit reached \(100 requests per 21600 s\); retry after 3600 s/);
        return true;
      });
    } finally {
      hub.state.remaining = 100;
    }
  });

  void it('GHCR: anonymous Bearer for a public package; a private package needs credentials (not "not found")', async () => {
    const c = client();
    assert.deepEqual((await c.listTags('ghcr.io', 'acme/public-app')).tags, ['1.0.0', '1.2.0']);
    await assert.rejects(c.listTags('ghcr.io', 'acme/private-app'), (e: unknown) => {
      assert.ok(isAuthError(e), String(e));
      assert.match(e.message, /sign in|add credentials/);
      return true;
    });
    const cred = v.get('ghcr').spec.credential!;
    const signed = client({ 'ghcr.io': { username: cred.username, password: cred.password } });
    assert.deepEqual((await signed.listTags('ghcr.io', 'acme/private-app')).tags, ['2.0.0', '2.1.0']);
  });

  void it('ECR: Basic AWS:<token>, Link pages of at most 1,000, no Docker-Content-Digest (GET and sha256 of the bytes)', async () => {
    const c = client({ [ECR_HOST]: { username: 'AWS', password: 'ecr-token-valid' } });
    const tags = await c.listTags(ECR_HOST, 'team/big');
    assert.equal(tags.tags.length, 1501);
    assert.equal(tags.pages, 2);
    const d = await c.headManifest(ECR_HOST, 'team/app', '1.1.0');
    assert.equal(d.via, 'get');
    assert.equal(d.digest, manifestFor('team/app', '1.1.0').digest);
  });

  void it('ECR: an expired token says how to refresh it', async () => {
    const c = client({ [ECR_HOST]: { username: 'AWS', password: 'ecr-token-expired' } });
    await assert.rejects(c.listTags(ECR_HOST, 'team/app'), (e: unknown) => {
      assert.ok(isAuthError(e), String(e));
      assert.match(e.message, /token has expired/);
      assert.match(
        e.message,
        /aws ecr get-login-password --region us-east-1 \| docker login --username AWS --password-stdin 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com/,
      );
      assert.equal(e.code, 'auth-expired');
      return true;
    });
  });

  void it('Red Hat: gzip unless asked for identity; no Docker-Content-Digest', async () => {
    const c = client();
    assert.deepEqual((await c.listTags('registry.access.redhat.com', 'ubi9/ubi-minimal')).tags, ['9.3', '9.4', '9.5']);
    const d = await c.headManifest('registry.access.redhat.com', 'ubi9/ubi-minimal', '9.5');
    assert.equal(d.digest, manifestFor('ubi9/ubi-minimal', '9.5').digest);
    for (const r of v.get('redHat').seen.filter((x) => x.path !== '/v2/'))
      assert.equal(r.acceptEncoding, 'identity', `${r.method} ${r.path}`);
  });

  void it('Quay: n over 100 refused, tags in random order, robot credentials', async () => {
    const cred = v.get('quay').spec.credential!;
    const c = client({ 'quay.io': { username: cred.username, password: cred.password } });
    const tags = await c.listTags('quay.io', 'acme/app');
    assert.equal(tags.tags.length, 130);
    assert.equal(new Set(tags.tags).size, 130);
    assert.deepEqual([...secretSeenAt('quay', cred.password)], ['https://quay.io']);
  });

  void it('Harbor: robot user with $ and +; an http:// realm that redirects to https: token obtained, nothing over http', async () => {
    const cred = v.get('harbor').spec.credential!;
    const c = client({ 'harbor.example': { username: cred.username, password: cred.password } });
    assert.deepEqual((await c.listTags('harbor.example', 'acme/app')).tags, ['2.0.0', '2.1.0']);
    const overHttp = v.get('harbor').seen.filter((r) => r.scheme === 'http');
    for (const r of overHttp) assert.equal(r.authorization, undefined, `credential sent over http to ${r.path}`);
    assert.deepEqual([...secretSeenAt('harbor', cred.password)], ['https://harbor.example']);
  });

  void it('GitLab: the realm on another host gets the registry host credential; nothing else does', async () => {
    const cred = v.get('gitlab').spec.credential!;
    const c = client({ 'registry.gitlab.example': { username: cred.username, password: cred.password } });
    assert.deepEqual((await c.listTags('registry.gitlab.example', 'group/project/app')).tags, ['1.4.0', '1.5.0']);
    assert.deepEqual([...secretSeenAt('gitlab', cred.password)], ['https://gitlab.example']);
    assert.deepEqual([...authorizedOrigins('gitlab')].sort(), [
      'https://gitlab.example',
      'https://registry.gitlab.example',
    ]);
  });

  void it('Artifactory: a Link next URL that drops the repository key: paged from the original URL with last=', async () => {
    const c = client();
    const tags = await c.listTags('acme.jfrog.io', 'docker-local/app');
    assert.equal(tags.tags.length, 12);
    assert.equal(tags.truncated, false);
  });

  void it('Nexus: a Link to /repository/<name>/ that answers 400, and no Link at all: paged with last=', async () => {
    const c = client();
    const a = await c.listTags('nexus.example', 'acme/app');
    assert.equal(a.tags.length, 9);
    const b = await c.listTags('nexus.example', 'acme/nolink');
    assert.equal(b.tags.length, 1200);
    assert.equal(b.truncated, false);
  });

  void it('Artifact Registry: _json_key and oauth2accesstoken users', async () => {
    const c = client({ 'europe-docker.pkg.dev': { username: '_json_key', password: GCP_JSON_KEY } });
    assert.deepEqual((await c.listTags('europe-docker.pkg.dev', 'acme/images/app')).tags, ['0.9.0', '1.0.0']);
    const o = client({ 'europe-docker.pkg.dev': { username: 'oauth2accesstoken', password: 'ya29.access' } });
    assert.deepEqual((await o.listTags('europe-docker.pkg.dev', 'acme/images/app')).tags, ['0.9.0', '1.0.0']);
    await assert.rejects(client().listTags('europe-docker.pkg.dev', 'acme/images/app'), (e: unknown) => isAuthError(e));
  });

  void it('ACR: the az acr login config (all-zero user, empty password, identitytoken) -> refresh-token exchange', async () => {
    const c = client({ 'acme.azurecr.io': { username: ACR_USER, identityToken: 'acr-refresh-token' } });
    assert.deepEqual((await c.listTags('acme.azurecr.io', 'team/app')).tags, ['5.0.0', '5.1.0']);
    assert.deepEqual([...secretSeenAt('acr', 'acr-refresh-token')], ['https://acme.azurecr.io']);
  });

  void it('no credential reached an origin it does not belong to, across every vendor', () => {
    const allowed = CREDENTIAL_ORIGINS;
    for (const [name, origins] of Object.entries(allowed) as [VendorName, readonly string[]][]) {
      for (const o of authorizedOrigins(name)) assert.ok(origins.includes(o), `${name}: Authorization reached ${o}`);
    }
  });
});
