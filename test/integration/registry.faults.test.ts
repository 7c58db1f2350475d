// The registry client against a scripted fault server (test/support/faultServer.ts) on 127.0.0.1: the failures
// real registries do not produce on demand.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import {
  type Credential,
  isAuthError,
  isNetworkError,
  isProtocolError,
  isRateLimitError,
  isRegistryError,
  type Keychain,
  RegistryClient,
  type RegistryClientOptions,
} from '../support/registryKit';
import { type FaultServer, type RecordedRequest, sendJson, startFaultServer } from '../support/faultServer';

let a: FaultServer;
let b: FaultServer;
const agent = new Agent({ connect: { timeout: 2000 } });

before(async () => {
  [a, b] = await Promise.all([startFaultServer(), startFaultServer()]);
});
after(async () => {
  await Promise.all([a.close(), b.close(), agent.close()]);
});

const USER = { username: 'alice', password: 's3cr3t:with:colons' };
const keychain = (cred?: Omit<Credential, 'source'>): Keychain => ({
  resolve: () => Promise.resolve(cred ? { ...cred, source: 'test' } : undefined),
});

function client(opts: Partial<RegistryClientOptions> & { cred?: Omit<Credential, 'source'> } = {}): RegistryClient {
  return new RegistryClient({
    dispatcher: agent,
    keychain: keychain(opts.cred),
    retry: { retries: 2, baseDelayMs: 20, maxDelayMs: 2000 },
    ...opts,
    hosts: opts.hosts ?? { [a.host]: { scheme: 'http' }, [b.host]: { scheme: 'http' } },
  });
}

const v2ok = (url: URL, res: ServerResponse): boolean => {
  if (url.pathname === '/v2/') {
    sendJson(res, 200, {});
    return true;
  }
  return false;
};

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: {},
  layers: [],
});
const MANIFEST_DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;

void describe('registry client against the fault server', () => {
  void it('plain HTTP on loopback: https is tried first, then http; anonymous works', async () => {
    a.handle((_req, res, { url }) => {
      if (v2ok(url, res)) return;
      sendJson(res, 200, { name: 'x', tags: ['1'] });
    });
    const c = client({ hosts: {} });
    const ping = await c.ping(a.host);
    assert.equal(ping.scheme, 'http');
    assert.deepEqual((await c.listTags(a.host, 'x')).tags, ['1']);
  });

  void it('429 with Retry-After: waits and retries; too long a wait fails at once with retryAfter', async () => {
    a.handle((_req, res, { url, count }) => {
      if (v2ok(url, res)) return;
      if (url.searchParams.get('case') === 'long' || count === 2) {
        sendJson(
          res,
          429,
          { errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit' }] },
          {
            'retry-after': url.searchParams.get('case') === 'long' ? '3600' : '1',
            'ratelimit-limit': '100;w=21600',
            'ratelimit-remaining': '0;w=21600',
          },
        );
        return;
      }
      sendJson(
        res,
        200,
        { name: 'x', tags: ['a'] },
        { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '42;w=21600' },
      );
    });
    const c = client();
    const t0 = Date.now();
    assert.deepEqual((await c.listTags(a.host, 'x')).tags, ['a']);
    assert.ok(Date.now() - t0 >= 950, 'honoured Retry-After: 1');
    assert.equal(c.stats.retries, 1);
    assert.deepEqual(c.rateLimit(a.host), { limit: 100, remaining: 42, windowSeconds: 21600 });
    const t1 = Date.now();
    a.handle((_req, res, { url }) => {
      if (v2ok(url, res)) return;
      sendJson(
        res,
        429,
        { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] },
        { 'retry-after': '3600', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' },
      );
    });
    const err = await c.headManifest(a.host, 'x', 'latest').catch((e: unknown) => e);
    assert.ok(isRateLimitError(err));
    assert.equal(err.retryAfter, 3600);
    assert.match(err.message, /retry after 3600 s/);
    assert.ok(Date.now() - t1 < 3000);
  });

  void it('5xx then success; persistent 5xx is a temporary error after bounded retries', async () => {
    a.handle((_req, res, { url, count }) => {
      if (v2ok(url, res)) return;
      if (url.pathname.includes('always') || count <= 3)
        sendJson(res, count % 2 ? 503 : 500, { errors: [{ code: 'UNAVAILABLE', message: 'try later' }] });
      else
        res
          .writeHead(200, {
            'docker-content-digest': MANIFEST_DIGEST,
            'content-type': 'application/vnd.oci.image.manifest.v1+json',
          })
          .end();
    });
    const c = client();
    assert.equal((await c.headManifest(a.host, 'x', '1')).digest, MANIFEST_DIGEST);
    assert.equal(c.stats.retries, 2);
    const err = await c.headManifest(a.host, 'always', '1').catch((e: unknown) => e);
    assert.ok(isRegistryError(err) && err.temporary && err.status !== undefined && err.status >= 500, String(err));
  });

  void it('slow headers and slow bodies time out as network errors', async () => {
    a.handle((_req, res, { url }) => {
      if (v2ok(url, res)) return;
      if (url.pathname.includes('slowhead')) {
        setTimeout(() => sendJson(res, 200, { tags: [] }), 1500).unref();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"name":"x","tags":[');
      setTimeout(() => res.end('"a"]}'), 1500).unref();
    });
    const c = client({ headersTimeoutMs: 200, bodyTimeoutMs: 200, retry: { retries: 0 } });
    await assert.rejects(
      c.listTags(a.host, 'slowhead'),
      (e) =>
        isNetworkError(e) && e.networkCode === 'UND_ERR_HEADERS_TIMEOUT' && /did not answer in time/.test(e.message),
    );
    await assert.rejects(
      c.listTags(a.host, 'slowbody'),
      (e) => isNetworkError(e) && e.networkCode === 'UND_ERR_BODY_TIMEOUT',
    );
  });

  void it('a request waiting for a busy host slot can be cancelled, and the slot passes on', async () => {
    a.handle((_req, res, { url }) => {
      if (v2ok(url, res)) return;
      setTimeout(() => sendJson(res, 200, { name: 'x', tags: ['1'] }), 400).unref();
    });
    const c = client({ maxConcurrentPerHost: 1, retry: { retries: 0 } });
    await c.ping(a.host);
    const first = c.listTags(a.host, 'busy');
    const controller = new AbortController();
    const waiting = c.listTags(a.host, 'queued', { signal: controller.signal });
    const third = c.listTags(a.host, 'after');
    setTimeout(() => controller.abort(new Error('user cancelled')), 50).unref();
    const started = Date.now();
    await assert.rejects(waiting, /user cancelled/);
    assert.ok(Date.now() - started < 300, 'the cancelled request waited for the slot anyway');
    assert.deepEqual((await first).tags, ['1']);
    assert.deepEqual((await third).tags, ['1']);
    assert.ok(!a.requests.some((r) => r.path.includes('queued')), 'the cancelled request reached the registry');
  });

  void it('malformed and truncated JSON are protocol errors', async () => {
    a.handle((_req, res, { url }) => {
      if (v2ok(url, res)) return;
      if (url.pathname.includes('trunc')) sendJson(res, 200, '{"name":"x","tags":["a",');
      else if (url.pathname.includes('notags')) sendJson(res, 200, { name: 'x' });
      else sendJson(res, 200, '<html>oops</html>');
    });
    const c = client();
    await assert.rejects(c.listTags(a.host, 'bad'), (e) => isProtocolError(e) && /invalid JSON/.test(e.message));
    await assert.rejects(c.listTags(a.host, 'trunc'), (e) => isProtocolError(e));
    await assert.rejects(c.listTags(a.host, 'notags'), (e) => isProtocolError(e) && /no "tags"/.test(e.message));
  });

  void it('oversized bodies are refused (declared and streamed)', async () => {
    const big = JSON.stringify({ name: 'x', tags: Array.from({ length: 20_000 }, (_, i) => `tag-${i}`) });
    a.handle((_req, res, { url }) => {
      if (v2ok(url, res)) return;
      if (url.pathname.includes('declared')) sendJson(res, 200, big);
      else {
        res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no length
        res.end(big);
      }
    });
    const c = client({ maxBodyBytes: 64 * 1024 });
    await assert.rejects(
      c.listTags(a.host, 'declared'),
      (e) => isProtocolError(e) && /larger than the 65536 byte limit/.test(e.message),
    );
    await assert.rejects(c.listTags(a.host, 'streamed'), (e) => isProtocolError(e) && /larger than/.test(e.message));
  });

  void it('Link pagination: follows same-origin pages, caps pages, refuses cross-origin, copes with registries that ignore n/last', async () => {
    const all = ['a', 'b', 'c', 'd', 'e'];
    a.handle((_req, res, { url }) => {
      if (v2ok(url, res)) return;
      const repo = url.pathname.split('/')[2] ?? '';
      const n = Number(url.searchParams.get('n') ?? 2);
      if (repo === 'ignores') {
        sendJson(res, 200, { name: repo, tags: all }); // ignores n, no Link
        return;
      }
      if (repo === 'endless') {
        sendJson(
          res,
          200,
          { name: repo, tags: ['a', 'b'] },
          { link: `</v2/${repo}/tags/list?n=${n}&last=b>; rel="next"` },
        );
        return;
      }
      if (repo === 'cross') {
        sendJson(res, 200, { name: repo, tags: ['a'] }, { link: `<${b.url}/v2/${repo}/tags/list?last=a>; rel="next"` });
        return;
      }
      const last = url.searchParams.get('last');
      const start = last ? all.indexOf(last) + 1 : 0;
      const page = all.slice(start, start + 2);
      const more = start + 2 < all.length;
      sendJson(
        res,
        200,
        { name: repo, tags: page },
        more ? { link: `</v2/${repo}/tags/list?n=2&last=${page[page.length - 1] ?? ''}>; rel="next"` } : {},
      );
    });
    b.handle((_req, res) => sendJson(res, 200, { tags: ['evil'] }));
    const c = client({
      cred: USER,
      hosts: { [a.host]: { scheme: 'http', insecure: true }, [b.host]: { scheme: 'http' } },
    });
    const paged = await c.listTags(a.host, 'paged', { pageSize: 2 });
    assert.deepEqual(paged.tags, all);
    assert.equal(paged.pages, 3);
    assert.equal(paged.truncated, false);
    const capped = await c.listTags(a.host, 'paged', { pageSize: 2, maxPages: 2 });
    assert.deepEqual(capped.tags, ['a', 'b', 'c', 'd']);
    assert.equal(capped.truncated, true);
    assert.match(capped.stoppedBecause ?? '', /page cap/);
    assert.deepEqual((await c.listTags(a.host, 'ignores', { pageSize: 2 })).tags, all);
    const endless = await c.listTags(a.host, 'endless', { pageSize: 2 });
    assert.deepEqual(endless.tags, ['a', 'b']);
    assert.equal(endless.pages, 2);
    const cross = await c.listTags(a.host, 'cross');
    assert.deepEqual(cross.tags, ['a']);
    assert.equal(cross.truncated, true);
    assert.match(cross.stoppedBecause ?? '', /another origin/);
    assert.equal(b.requests.length, 0, 'the other origin was never asked');
  });

  void it('redirects: Authorization kept on the same origin, dropped for another host (blob storage)', async () => {
    a.handle((req, res, { url }) => {
      if (url.pathname === '/v2/') {
        if (!req.headers.authorization) sendJson(res, 401, {}, { 'www-authenticate': 'Basic realm="fault"' });
        else sendJson(res, 200, {});
        return;
      }
      if (url.pathname.endsWith('/manifests/same')) res.writeHead(307, { location: '/v2/x/manifests/target' }).end();
      else if (url.pathname.endsWith('/manifests/other'))
        res.writeHead(302, { location: `${b.url}/storage/blob?X-Amz-Signature=abc` }).end();
      else
        sendJson(res, 200, MANIFEST, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'docker-content-digest': MANIFEST_DIGEST,
        });
    });
    b.handle((_req, res) =>
      sendJson(res, 200, MANIFEST, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }),
    );
    const c = client({
      cred: USER,
      hosts: { [a.host]: { scheme: 'http', insecure: true }, [b.host]: { scheme: 'http' } },
    });
    const same = await c.getManifest(a.host, 'x', 'same');
    assert.equal(same.digest, MANIFEST_DIGEST);
    const target = a.requests.find((r) => r.path === '/v2/x/manifests/target');
    assert.ok(target?.headers.authorization?.startsWith('Basic '));
    const other = await c.getManifest(a.host, 'x', 'other');
    assert.equal(other.digest, MANIFEST_DIGEST, 'sha256 of the body');
    assert.equal(b.requests.length, 1);
    assert.equal(b.requests[0]?.headers.authorization, undefined);
    assert.equal(c.stats.redirects, 2);
  });

  void it('plain HTTP: credentials never sent unless the host is marked insecure', async () => {
    a.handle((req, res, { url }) => {
      if (!req.headers.authorization) {
        sendJson(
          res,
          401,
          { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
          { 'www-authenticate': 'Basic realm="fault"' },
        );
        return;
      }
      if (v2ok(url, res)) return;
      sendJson(res, 200, { name: 'x', tags: ['a'] });
    });
    const lines: string[] = [];
    const refused = client({ cred: USER, log: (l) => lines.push(l) });
    const err = await refused.listTags(a.host, 'x').catch((e: unknown) => e);
    assert.ok(isAuthError(err) && /insecure/.test(err.message), String(err));
    assert.ok(!String((err as Error).message).includes(USER.password));
    assert.ok(a.requests.every((r) => r.headers.authorization === undefined));
    assert.ok(lines.every((l) => !l.includes(USER.password)));
    const ok = client({ cred: USER, hosts: { [a.host]: { scheme: 'http', insecure: true } } });
    assert.deepEqual((await ok.listTags(a.host, 'x')).tags, ['a']);
    const sent = a.requests.find((r) => r.headers.authorization)?.headers.authorization ?? '';
    assert.equal(Buffer.from(sent.replace('Basic ', ''), 'base64').toString(), `${USER.username}:${USER.password}`);
  });

  void it("a plain-HTTP realm on another host:port: the registry marked insecure is not enough; the realm's own mark is", async () => {
    b.handle((req, res) => sendJson(res, req.headers.authorization ? 200 : 401, { token: 'tok', expires_in: 300 }));
    a.handle((req, res, { url }) => {
      if (req.headers.authorization === 'Bearer tok') {
        if (v2ok(url, res)) return;
        sendJson(res, 200, { name: 'x', tags: ['a'] });
        return;
      }
      sendJson(res, 401, {}, { 'www-authenticate': `Bearer realm="${b.url}/token",service="fault"` });
    });
    const registryOnly = client({
      cred: USER,
      hosts: { [a.host]: { scheme: 'http', insecure: true }, [b.host]: { scheme: 'http' } },
    });
    const err = await registryOnly.listTags(a.host, 'x').catch((e: unknown) => e);
    assert.ok(isAuthError(err) && err.message.includes(`mark ${b.host} insecure`), String(err));
    // "Not sent", naming the realm's host:port as the one to allow (what the quick-fix and the CLI hint use).
    assert.equal(err.credentialNotSent, true);
    assert.equal(err.plainHttpHost, b.host);
    assert.match(err.message, new RegExp(`^not sent: ${b.host.replace(/\./g, '\\.')} is plain HTTP`));
    assert.ok(!String((err as Error).message).includes(USER.password));
    assert.deepEqual(b.requests, [], 'nothing reached the realm');
    assert.ok(a.requests.every((r) => r.headers.authorization === undefined));
    const both = client({
      cred: USER,
      hosts: { [a.host]: { scheme: 'http', insecure: true }, [b.host]: { scheme: 'http', insecure: true } },
    });
    assert.deepEqual((await both.listTags(a.host, 'x')).tags, ['a']);
    const realmAuth: string[] = b.requests
      .map((r: RecordedRequest) => r.headers.authorization ?? '')
      .filter((h) => h !== '');
    assert.deepEqual(
      realmAuth.map((h) => Buffer.from(h.replace('Basic ', ''), 'base64').toString()),
      [`${USER.username}:${USER.password}`],
    );
    assert.ok(
      a.requests.every((r: RecordedRequest) => !(r.headers.authorization ?? '').startsWith('Basic')),
      'the registry got the token, never the password',
    );
  });

  void it('a token form (OAuth2 POST) redirected 307 to another origin is not resent there', async () => {
    b.handle((_req, res, { url }) => {
      if (url.pathname === '/token') res.writeHead(307, { location: `${a.url}/stolen` }).end();
      else sendJson(res, 404, {});
    });
    a.handle((req, res, { url }) => {
      if (url.pathname === '/stolen') {
        sendJson(res, 200, { token: 'tok', expires_in: 300 });
        return;
      }
      if (req.headers.authorization === 'Bearer tok') {
        if (v2ok(url, res)) return;
        sendJson(res, 200, { name: 'x', tags: ['a'] });
        return;
      }
      sendJson(res, 401, {}, { 'www-authenticate': `Bearer realm="${b.url}/token",service="fault"` });
    });
    const c = client({
      cred: USER,
      hosts: {
        [a.host]: { scheme: 'http', insecure: true, oauth2: true },
        [b.host]: { scheme: 'http', insecure: true },
      },
    });
    const err = await c.listTags(a.host, 'x').catch((e: unknown) => e);
    assert.ok(isProtocolError(err) && /refusing to resend a request body/.test(err.message), String(err));
    assert.ok(
      b.requests.some((r) => r.method === 'POST' && r.body.includes('password')),
      'the form went to the realm',
    );
    assert.ok(
      a.requests.every((r) => r.path !== '/stolen' && !r.body.includes(USER.password)),
      'and nowhere else',
    );
  });

  void it('HEAD without a digest falls back to GET + sha256; a GET digest that does not match the body is refused', async () => {
    a.handle((req, res, { url }) => {
      if (v2ok(url, res)) return;
      if (req.method === 'HEAD') {
        res
          .writeHead(200, {
            'content-type': 'application/vnd.oci.image.manifest.v1+json',
            'content-length': Buffer.byteLength(MANIFEST),
          })
          .end();
        return;
      }
      const lie = url.pathname.endsWith('/lie');
      sendJson(res, 200, MANIFEST, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        ...(lie ? { 'docker-content-digest': `sha256:${'0'.repeat(64)}` } : {}),
      });
    });
    const c = client();
    const d = await c.headManifest(a.host, 'x', 'nodigest');
    assert.equal(d.via, 'get');
    assert.equal(d.digest, MANIFEST_DIGEST);
    assert.equal(a.requests.filter((r) => r.method === 'HEAD').length, 1);
    assert.equal(a.requests.filter((r) => r.method === 'GET' && r.path.includes('manifests')).length, 1);
    await assert.rejects(c.headManifest(a.host, 'x', 'lie'), (e) => isProtocolError(e) && /hashes to/.test(e.message));
  });

  void it('Bearer on the fault server: merged scopes on re-auth, one retry on a 401 loop, failing and expired-token endpoints', async () => {
    const tokenLog: URL[] = [];
    let tokenMode: 'ok' | 'fail' | 'expired' = 'ok';
    b.handle((_req, res, { url }) => {
      tokenLog.push(url);
      if (tokenMode === 'fail') sendJson(res, 500, { errors: [{ code: 'BROKEN', message: 'token service down' }] });
      else if (tokenMode === 'expired')
        sendJson(res, 200, { token: `t${tokenLog.length}`, expires_in: 1, issued_at: '2001-01-01T00:00:00Z' });
      else sendJson(res, 200, { access_token: `t${tokenLog.length}`, expires_in: 300 });
    });
    const challenge = (scope?: string) =>
      `Bearer realm="${b.url}/token",service="fault",${scope ? `scope="${scope}",` : ''}error="insufficient_scope"`;
    a.handle((req, res, { url }) => {
      const auth = req.headers.authorization;
      if (url.pathname === '/v2/') {
        sendJson(res, auth ? 200 : 401, {}, auth ? {} : { 'www-authenticate': challenge() });
        return;
      }
      if (url.pathname.startsWith('/v2/loop/')) {
        sendJson(
          res,
          401,
          { errors: [{ code: 'UNAUTHORIZED', message: 'never' }] },
          { 'www-authenticate': challenge('repository:loop:pull') },
        );
        return;
      }
      if (url.pathname.startsWith('/v2/merge/')) {
        // wants a second scope before it answers
        const last = tokenLog[tokenLog.length - 1];
        const scopes = last?.searchParams.getAll('scope') ?? [];
        if (!scopes.includes('repository:other:pull')) {
          sendJson(res, 401, {}, { 'www-authenticate': challenge('repository:merge:pull repository:other:pull') });
          return;
        }
      }
      sendJson(res, 200, { name: 'x', tags: ['ok'] });
    });
    const c = client();
    assert.deepEqual((await c.listTags(a.host, 'merge')).tags, ['ok']);
    const merged = tokenLog[tokenLog.length - 1]?.searchParams.getAll('scope') ?? [];
    assert.deepEqual(merged, ['repository:other:pull', 'repository:merge:pull']);
    tokenLog.length = 0;
    await assert.rejects(c.listTags(a.host, 'loop'), (e) => isAuthError(e) && e.status === 401);
    assert.equal(tokenLog.length, 2, 'one token, one re-auth, then give up');
    tokenMode = 'fail';
    tokenLog.length = 0;
    const failing = client({ retry: { retries: 0 } });
    await assert.rejects(
      failing.listTags(a.host, 'x'),
      (e) => isRegistryError(e) && e.status === 500 && /token service/.test(e.message),
    );
    tokenMode = 'expired';
    tokenLog.length = 0;
    const expired = client();
    await expired.listTags(a.host, 'x');
    await expired.listTags(a.host, 'x');
    assert.equal(tokenLog.length, 1, 'an ancient issued_at counts from the receive time, expires_in raised to 60');
  });

  void it('an open /v2/ with a repository that wants a Bearer token: the challenge is learnt from the 401', async () => {
    const tokens: URL[] = [];
    b.handle((_req, res, { url }) => {
      tokens.push(url);
      sendJson(res, 200, { token: 'tok', expires_in: 300 });
    });
    a.handle((req, res, { url }) => {
      if (v2ok(url, res)) return;
      if (req.headers.authorization !== 'Bearer tok') {
        sendJson(
          res,
          401,
          {},
          { 'www-authenticate': `Bearer realm="${b.url}/token",service="svc",scope="repository:private/app:pull"` },
        );
        return;
      }
      sendJson(res, 200, { name: 'private/app', tags: ['1'] });
    });
    const c = client();
    assert.deepEqual((await c.listTags(a.host, 'private/app')).tags, ['1']);
    assert.deepEqual((await c.listTags(a.host, 'private/app')).tags, ['1']);
    assert.equal(tokens.length, 1);
    assert.equal(tokens[0]?.searchParams.get('service'), 'svc');
    assert.deepEqual(tokens[0]?.searchParams.getAll('scope'), ['repository:private/app:pull']);
  });

  void it('a realm with a non-http scheme is refused; aborting cancels', async () => {
    a.handle((_req, res, { url }) => {
      if (url.pathname === '/v2/')
        sendJson(res, 401, {}, { 'www-authenticate': 'Bearer realm="file:///etc/passwd",service="x"' });
      else sendJson(res, 401, {}, { 'www-authenticate': 'Bearer realm="file:///etc/passwd",service="x"' });
    });
    await assert.rejects(client().listTags(a.host, 'x'), (e) => isProtocolError(e) && /http\(s\)/.test(e.message));
    a.handle((_req, res, { url }) => {
      if (v2ok(url, res)) return;
      setTimeout(() => sendJson(res, 200, { tags: [] }), 2000).unref();
    });
    const ac = new AbortController();
    const p = client().listTags(a.host, 'x', { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(p, (e) => isNetworkError(e) && e.networkCode === 'ABORTED' && !e.temporary);
  });
});
