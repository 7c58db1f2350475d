// The client over undici's MockAgent (no sockets at all): Docker Hub's endpoint and token service, the realm
// SSRF guard, Content-Type checks. Real-wire behaviour is in test/integration/registry.*.test.ts.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MockAgent } from 'undici';
import { isAuthError, isProtocolError, RegistryClient } from '../../src/core/registry';
import { StaticKeychain } from '../../src/core/credentials';

const DIGEST = `sha256:${'b'.repeat(64)}`;

function mock(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

void describe('registry client (mocked dispatcher)', () => {
  void it('Docker Hub: docker.io goes to registry-1.docker.io, tokens from auth.docker.io, rate limits read from HEAD', async () => {
    const agent = mock();
    const hub = agent.get('https://registry-1.docker.io');
    hub.intercept({ path: '/v2/', method: 'GET' }).reply(401, '{}', {
      headers: { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"' },
    });
    const auth = agent.get('https://auth.docker.io');
    auth
      .intercept({
        path: (p) =>
          p.startsWith('/token?') &&
          p.includes('scope=repository%3Alibrary%2Falpine%3Apull') &&
          p.includes('service=registry.docker.io'),
        method: 'GET',
      })
      .reply(200, { token: 'hub-token', expires_in: 300 });
    hub
      .intercept({
        path: '/v2/library/alpine/manifests/3.20',
        method: 'HEAD',
        headers: { authorization: 'Bearer hub-token' },
      })
      .reply(200, '', {
        headers: {
          'docker-content-digest': DIGEST,
          'content-type': 'application/vnd.oci.image.index.v1+json',
          'ratelimit-limit': '100;w=21600',
          'ratelimit-remaining': '99;w=21600',
          'docker-ratelimit-source': '192.0.2.7',
        },
      });
    const c = new RegistryClient({ dispatcher: agent });
    const d = await c.headManifest('docker.io', 'library/alpine', '3.20');
    assert.equal(d.digest, DIGEST);
    assert.equal(d.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(d.rateLimit, { limit: 100, remaining: 99, windowSeconds: 21600, source: '192.0.2.7' });
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  void it('a public registry naming a private or link-local realm is refused before any token request', async () => {
    const agent = mock();
    const reg = agent.get('https://public.example');
    reg.intercept({ path: '/v2/', method: 'GET' }).reply(401, '{}', {
      headers: { 'www-authenticate': 'Bearer realm="http://169.254.169.254/latest/meta-data",service="x"' },
    });
    const c = new RegistryClient({
      dispatcher: agent,
      keychain: new StaticKeychain({ 'public.example': { username: 'u', password: 'p', source: 'test' } }),
    });
    await assert.rejects(
      c.listTags('public.example', 'a/b'),
      (e) => isAuthError(e) && /private address/.test(e.message),
    );
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  void it('credentials are not sent to an http realm of an https registry unless it is marked insecure', async () => {
    const agent = mock();
    agent
      .get('https://reg.example')
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '{}', { headers: { 'www-authenticate': 'Bearer realm="http://auth.example/token",service="x"' } });
    const c = new RegistryClient({
      dispatcher: agent,
      keychain: new StaticKeychain({ 'reg.example': { username: 'u', password: 'p', source: 'test' } }),
    });
    await assert.rejects(
      c.listTags('reg.example', 'a/b'),
      (e) => isAuthError(e) && /over plain HTTP/.test(e.message) && !e.message.includes(':p'),
    );
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  void it('a manifest whose mediaType contradicts its Content-Type is a protocol error', async () => {
    const agent = mock();
    const reg = agent.get('https://reg.example');
    reg.intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}');
    reg
      .intercept({ path: '/v2/a/manifests/1', method: 'GET' })
      .reply(
        200,
        JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }),
        {
          headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
        },
      );
    const c = new RegistryClient({ dispatcher: agent });
    await assert.rejects(
      c.getManifest('reg.example', 'a', '1'),
      (e) => isProtocolError(e) && /Content-Type/.test(e.message),
    );
    await agent.close();
  });

  void it('a registry token (docker config registrytoken) is used as-is, with no token request', async () => {
    const agent = mock();
    const reg = agent.get('https://reg.example');
    reg
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '{}', { headers: { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="x"' } });
    reg
      .intercept({ path: '/v2/a/tags/list?n=1000', method: 'GET', headers: { authorization: 'Bearer as-is' } })
      .reply(200, { name: 'a', tags: ['1'] });
    const c = new RegistryClient({
      dispatcher: agent,
      keychain: new StaticKeychain({ 'reg.example': { registryToken: 'as-is', source: 'test' } }),
    });
    assert.deepEqual((await c.listTags('reg.example', 'a')).tags, ['1']);
    assert.equal(c.stats.token, 0);
    agent.assertNoPendingInterceptors();
    await agent.close();
  });
});
