import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { nextLink, parseLinkHeader, parseRateLimit, parseRetryAfter } from '../../src/core/registry/headers';
import { endpointHost, isLoopbackHostname, isPrivateHostname } from '../../src/core/registry/hosts';

void describe('response headers', () => {
  void it('rate limits with ;w= (Docker Hub) and without', () => {
    assert.deepEqual(
      parseRateLimit({
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '76;w=21600',
        'docker-ratelimit-source': '192.0.2.1',
      }),
      {
        limit: 100,
        remaining: 76,
        windowSeconds: 21600,
        source: '192.0.2.1',
      },
    );
    assert.deepEqual(
      parseRateLimit({ 'RateLimit-Limit': '5000', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '30' }),
      { limit: 5000, remaining: 0, resetSeconds: 30 },
    );
    assert.equal(parseRateLimit({ 'content-type': 'x' }), undefined);
  });

  void it('Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  void it('Link rel="next", several links and quoted params', () => {
    assert.equal(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"'), '/v2/a/tags/list?n=2&last=b');
    assert.equal(
      nextLink(['<https://x/prev>; rel=prev, <https://x/next?a=1,2>; type="a;b"; rel="next last"']),
      'https://x/next?a=1,2',
    );
    assert.equal(nextLink('<https://x/p>; rel="prev"'), undefined);
    assert.equal(nextLink(undefined), undefined);
    assert.deepEqual(parseLinkHeader('<u>; rel="next"; title="a \\"b\\""')[0]?.params, { rel: 'next', title: 'a "b"' });
  });

  void it('hosts: Hub endpoint, loopback and private ranges', () => {
    assert.equal(endpointHost('docker.io'), 'registry-1.docker.io');
    assert.equal(endpointHost('ghcr.io'), 'ghcr.io');
    for (const h of ['localhost', 'a.localhost', '127.0.0.1', '127.1.2.3', '[::1]'])
      assert.ok(isLoopbackHostname(h), h);
    for (const h of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '[fd00::1]', 'localhost'])
      assert.ok(isPrivateHostname(h), h);
    for (const h of ['ghcr.io', '8.8.8.8', '172.32.0.1', '[2001:db8::1]']) assert.ok(!isPrivateHostname(h), h);
  });
});
