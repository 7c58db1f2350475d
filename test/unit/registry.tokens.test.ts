import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  credentialIdentity,
  MIN_TOKEN_SECONDS,
  parseTokenResponse,
  TokenCache,
  tokenKey,
} from '../../src/core/registry/tokens';

const NOW = Date.parse('2026-01-01T12:00:00Z');

void describe('token responses', () => {
  void it('takes token or access_token, keeps refresh_token', () => {
    assert.equal(parseTokenResponse({ token: 'a' }, { now: NOW }).token, 'a');
    assert.equal(parseTokenResponse({ access_token: 'b' }, { now: NOW }).token, 'b');
    assert.equal(parseTokenResponse({ token: '', access_token: 'c' }, { now: NOW }).token, 'c');
    assert.equal(parseTokenResponse({ token: 'a', refresh_token: 'r' }, { now: NOW }).refreshToken, 'r');
    assert.throws(() => parseTokenResponse({ nothing: 1 }, { now: NOW }), /neither/);
    assert.throws(() => parseTokenResponse('x', { now: NOW }), /object/);
  });

  void it('expires_in defaults to 60 s and is never less; margin taken off', () => {
    const at = (o: object, marginMs = 5000) =>
      parseTokenResponse({ token: 't', ...o }, { now: NOW, marginMs }).expiresAt - NOW;
    assert.equal(at({}), MIN_TOKEN_SECONDS * 1000 - 5000);
    assert.equal(at({ expires_in: 10 }), 55_000);
    assert.equal(at({ expires_in: 300 }), 295_000);
    assert.equal(at({ expires_in: 300 }, 0), 300_000);
    assert.equal(at({ expires_in: 300, issued_at: new Date(NOW - 100_000).toISOString() }), 195_000);
  });

  void it('skewed clocks: issued_at in the future or long expired counts from the receive time', () => {
    const at = (issued: number) =>
      parseTokenResponse({ token: 't', expires_in: 300, issued_at: new Date(issued).toISOString() }, { now: NOW })
        .expiresAt - NOW;
    assert.equal(at(NOW + 3_600_000), 295_000);
    assert.equal(at(NOW - 3_600_000), 295_000);
    assert.equal(parseTokenResponse({ token: 't', issued_at: 'garbage' }, { now: NOW }).expiresAt - NOW, 55_000);
  });
});

void describe('token cache', () => {
  void it('keys by realm, service, sorted scopes and a hash of the credential (never the secret)', () => {
    const a = tokenKey({ realm: 'r', service: 's', scopes: ['b', 'a'], credential: 'x' });
    assert.equal(a, tokenKey({ realm: 'r', service: 's', scopes: ['a', 'b', 'a'], credential: 'x' }));
    assert.notEqual(a, tokenKey({ realm: 'r', service: 's', scopes: ['a'], credential: 'x' }));
    const id = credentialIdentity({ username: 'u', password: 'hunter2', source: 's' });
    assert.ok(!id.includes('hunter2'));
    assert.notEqual(id, credentialIdentity({ username: 'u', password: 'other', source: 's' }));
    assert.equal(id, credentialIdentity({ username: 'u', password: 'hunter2', source: 'elsewhere' }));
    assert.equal(credentialIdentity(undefined), 'anonymous');
  });

  void it('single flight: concurrent gets share one fetch; valid until expiry; failures not cached', async () => {
    let now = NOW;
    const cache = new TokenCache(() => now);
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 10));
      return { token: `t${fetches}`, expiresAt: now + 60_000 };
    };
    const got = await Promise.all(Array.from({ length: 10 }, () => cache.get('k', fetch)));
    assert.equal(fetches, 1);
    assert.ok(got.every((t) => t.token === 't1'));
    now += 59_000;
    assert.equal((await cache.get('k', fetch)).token, 't1');
    now += 2000;
    assert.equal((await cache.get('k', fetch)).token, 't2');
    cache.invalidate('k');
    assert.equal((await cache.get('k', fetch)).token, 't3');
    await assert.rejects(cache.get('bad', () => Promise.reject(new Error('boom'))));
    assert.equal((await cache.get('bad', fetch)).token, 't4');
  });
});
