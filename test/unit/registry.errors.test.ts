import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  AuthError,
  classifyTransportError,
  describeErrors,
  isAuthError,
  isNetworkError,
  isNotFoundError,
  isProtocolError,
  isRateLimitError,
  isRegistryError,
  isTlsError,
  NetworkError,
  NotFoundError,
  parseErrorBody,
  ProtocolError,
  RateLimitError,
  redactUrl,
  type RegistryError,
  TlsError,
} from '../../src/core/registry/errors';
import { challengeScopes, findChallenge, parseWwwAuthenticate } from '../../src/core/registry/challenge';

void describe('registry errors', () => {
  void it('registry error codes in user-facing text are words ("UNAUTHORIZED: authentication required" -> "not authorised (authentication required)")', () => {
    assert.equal(
      describeErrors([{ code: 'UNAUTHORIZED', message: 'authentication required' }]),
      ': the registry said not authorised (authentication required)',
    );
    assert.equal(
      describeErrors([{ code: 'DENIED', message: 'requested access to the resource is denied' }]),
      ': the registry said access denied (requested access to the resource is denied)',
    );
    assert.equal(
      describeErrors([
        { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' },
        { code: 'NAME_UNKNOWN', message: 'name unknown' },
      ]),
      ': the registry said tag or manifest not known (manifest unknown); repository not known (name unknown)',
    );
    // The same words twice are said once; unknown codes are shown as sent.
    assert.equal(describeErrors([{ code: 'DENIED', message: 'access denied' }]), ': the registry said access denied');
    assert.equal(describeErrors([{ code: 'VENDOR_THING', message: 'odd' }]), ': the registry said VENDOR_THING: odd');
    assert.equal(describeErrors([]), '');
    assert.ok(!/UNAUTHORIZED:/.test(describeErrors([{ code: 'UNAUTHORIZED', message: '' }])));
  });

  void it('an AuthError for a credential withheld over plain HTTP says so (credentialNotSent), a rejection does not', () => {
    assert.equal(new AuthError('not sent', { registry: 'r:5000', plainHttpHost: 'r:5000' }).credentialNotSent, true);
    assert.equal(new AuthError('rejected', { registry: 'r:5000' }).credentialNotSent, false);
  });

  void it('each kind has its name, kind, fields and a guard that compares names', () => {
    const init = {
      registry: 'ghcr.io',
      repository: 'o/r',
      status: 401,
      errors: [{ code: 'UNAUTHORIZED', message: 'nope' }],
    };
    const cases: [RegistryError, (e: unknown) => boolean, string, string][] = [
      [new AuthError('a', init), isAuthError, 'AuthError', 'auth'],
      [new NotFoundError('a', init), isNotFoundError, 'NotFoundError', 'not-found'],
      [new RateLimitError('a', { ...init, retryAfter: 30 }), isRateLimitError, 'RateLimitError', 'rate-limited'],
      [new TlsError('a', init), isTlsError, 'TlsError', 'tls'],
      [new NetworkError('a', init), isNetworkError, 'NetworkError', 'network'],
      [new ProtocolError('a', init), isProtocolError, 'ProtocolError', 'protocol'],
    ];
    for (const [e, guard, name, kind] of cases) {
      assert.equal(e.name, name);
      assert.equal(e.kind, kind);
      assert.equal(e.code, kind);
      assert.ok(guard(e));
      assert.ok(isRegistryError(e));
      assert.ok(e instanceof Error);
      assert.equal(e.registry, 'ghcr.io');
      assert.equal(e.repository, 'o/r');
      assert.equal(e.status, 401);
      assert.deepEqual(e.errors, [{ code: 'UNAUTHORIZED', message: 'nope' }]);
      // a plain object with the right name passes the guard too (bundles may duplicate classes)
      assert.ok(guard({ name }));
    }
    assert.equal(isAuthError(new NotFoundError('x')), false);
    assert.equal(isRegistryError(new Error('x')), false);
    assert.equal(isRegistryError(undefined), false);
  });

  void it('rate limit errors are temporary and carry retryAfter', () => {
    const e = new RateLimitError('slow down', { retryAfter: 12 });
    assert.equal(e.retryAfter, 12);
    assert.equal(e.temporary, true);
    assert.ok(e.retryAt !== undefined && e.retryAt > Date.now() + 11_000);
  });

  void it('redacts URLs: user info and secret-looking query values', () => {
    assert.equal(
      redactUrl('https://user:pw@h.example/v2/?a=1&access_token=SECRET&X-Amz-Signature=abc'),
      'https://h.example/v2/?a=1&access_token=REDACTED&X-Amz-Signature=REDACTED',
    );
    const e = new AuthError('x', { url: 'https://u:p@h/token?scope=a&password=hunter2' });
    assert.ok(!e.url?.includes('hunter2'));
    assert.ok(!e.url?.includes('u:p'));
  });

  void it('parses distribution and OAuth2 error bodies, tolerating junk', () => {
    assert.deepEqual(
      parseErrorBody('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}'),
      [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }],
    );
    assert.deepEqual(parseErrorBody('{"error":"invalid_grant","error_description":"bad"}'), [
      { code: 'invalid_grant', message: 'bad' },
    ]);
    assert.deepEqual(parseErrorBody('<html>'), []);
    assert.deepEqual(parseErrorBody('null'), []);
    assert.deepEqual(parseErrorBody('{"errors":[1,{"message":"m"}]}'), [{ code: 'UNKNOWN', message: 'm' }]);
  });

  void it('classifies transport failures into TLS and network errors with tips', () => {
    const tls = classifyTransportError(
      Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      { registry: 'r.example' },
    );
    assert.ok(isTlsError(tls));
    assert.match(tls.message, /unknown authority/);
    assert.match(tls.message, /CA/);
    const refused = classifyTransportError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), {
      registry: 'r.example',
    });
    assert.ok(isNetworkError(refused));
    assert.equal(refused.temporary, true);
    assert.match(refused.message, /refused/);
    const wrapped = classifyTransportError(
      new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }) }),
      { registry: 'r' },
    );
    assert.equal((wrapped as NetworkError).networkCode, 'UND_ERR_HEADERS_TIMEOUT');
    const same = new AuthError('keep');
    assert.equal(classifyTransportError(same, {}), same);
  });
});

void describe('WWW-Authenticate', () => {
  void it('parses a distribution Bearer challenge with a quoted comma in scope', () => {
    const [c, ...rest] = parseWwwAuthenticate(
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:samalba/my-app:pull,push"',
    );
    assert.equal(rest.length, 0);
    assert.deepEqual(c, {
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry.example',
        scope: 'repository:samalba/my-app:pull,push',
      },
    });
  });

  void it('parses several challenges in one header, with token68 and unquoted values', () => {
    const cs = parseWwwAuthenticate(
      'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple", Negotiate abc+/==, Bearer realm="https://a/t",error="invalid_token"',
    );
    assert.deepEqual(
      cs.map((c) => c.scheme),
      ['newauth', 'basic', 'negotiate', 'bearer'],
    );
    assert.deepEqual(cs[0]?.params, { realm: 'apps', type: '1', title: 'Login to "apps"' });
    assert.equal(cs[2]?.token68, 'abc+/==');
    assert.equal(findChallenge(cs, 'BEARER')?.params.error, 'invalid_token');
  });

  void it('keeps value case, lower-cases scheme and parameter names', () => {
    const [c] = parseWwwAuthenticate(
      'BEARER Realm="https://Auth.Example/Token", Service="Registry.Docker.IO", Scope="repository:Org/App:pull"',
    );
    assert.equal(c?.scheme, 'bearer');
    assert.equal(c?.params.realm, 'https://Auth.Example/Token');
    assert.equal(c?.params.service, 'Registry.Docker.IO');
    assert.deepEqual(challengeScopes(c), ['repository:Org/App:pull']);
  });

  void it('handles several header values, empty items and whitespace', () => {
    const cs = parseWwwAuthenticate(['Basic realm="a"', ' ,  Bearer  realm = "b" ,, scope="x y" ']);
    assert.equal(cs.length, 2);
    assert.deepEqual(cs[1]?.params, { realm: 'b', scope: 'x y' });
    assert.deepEqual(challengeScopes(cs[1]), ['x', 'y']);
    assert.deepEqual(parseWwwAuthenticate(''), []);
    assert.deepEqual(parseWwwAuthenticate(undefined), []);
    assert.deepEqual(parseWwwAuthenticate('Basic'), [{ scheme: 'basic', params: {} }]);
  });

  void it('survives malformed input', () => {
    assert.doesNotThrow(() => parseWwwAuthenticate('Bearer realm="unterminated'));
    assert.equal(parseWwwAuthenticate('Bearer realm="unterminated')[0]?.params.realm, 'unterminated');
    assert.doesNotThrow(() => parseWwwAuthenticate('=,=,"",Bearer realm=x'));
    assert.equal(findChallenge(parseWwwAuthenticate('=,=,"",Bearer realm=x'), 'bearer')?.params.realm, 'x');
  });
});
