import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Agent, ProxyAgent } from 'undici';
import { isRegistryError } from '../../src/core/registry/errors';
import { matchesNoProxy, RegistryTransport } from '../../src/core/registry/transport';

const u = (s: string) => new URL(s);

void describe('transport selection', () => {
  void it('NO_PROXY matching: *, hosts, domains, ports, IPs', () => {
    assert.ok(matchesNoProxy(u('https://ghcr.io/v2/'), '*'));
    assert.ok(matchesNoProxy(u('https://ghcr.io/v2/'), 'example.com, ghcr.io'));
    assert.ok(matchesNoProxy(u('https://a.corp.example/v2/'), '.corp.example'));
    assert.ok(matchesNoProxy(u('https://a.corp.example/v2/'), 'corp.example'));
    assert.ok(matchesNoProxy(u('https://corp.example/v2/'), '.corp.example'));
    assert.ok(matchesNoProxy(u('https://a.corp.example/v2/'), '*.corp.example'));
    assert.ok(!matchesNoProxy(u('https://notcorp.example/v2/'), 'corp.example'));
    assert.ok(matchesNoProxy(u('https://reg:5000/v2/'), 'reg:5000'));
    assert.ok(!matchesNoProxy(u('https://reg:5001/v2/'), 'reg:5000'));
    assert.ok(matchesNoProxy(u('https://reg/v2/'), 'reg:443'));
    assert.ok(matchesNoProxy(u('http://10.0.0.5:5000/v2/'), '10.0.0.5'));
    assert.ok(matchesNoProxy(u('http://[::1]:5000/v2/'), '::1'));
    assert.ok(!matchesNoProxy(u('https://ghcr.io/v2/'), undefined));
  });

  void it('proxy choice: per-host > NO_PROXY > explicit setting > environment by scheme; loopback direct unless explicit', () => {
    const env = {
      HTTPS_PROXY: 'http://secure-proxy:3128',
      http_proxy: 'http://plain-proxy:3128',
      NO_PROXY: 'internal.example',
    };
    const t = new RegistryTransport({
      env,
      hosts: { 'special.example': { proxy: 'http://special:8080' }, 'direct.example': { proxy: false } },
    });
    assert.equal(t.proxyFor(u('https://ghcr.io/v2/')), 'http://secure-proxy:3128');
    assert.equal(t.proxyFor(u('http://ghcr.io/v2/')), 'http://plain-proxy:3128');
    assert.equal(t.proxyFor(u('https://registry.internal.example/v2/')), undefined);
    assert.equal(t.proxyFor(u('https://special.example/v2/')), 'http://special:8080');
    assert.equal(t.proxyFor(u('https://direct.example/v2/')), undefined);
    assert.equal(t.proxyFor(u('https://127.0.0.1:5000/v2/')), undefined);
    assert.equal(t.proxyFor(u('https://localhost:5000/v2/')), undefined);
    const explicit = new RegistryTransport({ env, proxy: 'http://setting:1', noProxy: 'skip.example' });
    assert.equal(explicit.proxyFor(u('https://ghcr.io/v2/')), 'http://setting:1');
    assert.equal(explicit.proxyFor(u('https://127.0.0.1:5000/v2/')), 'http://setting:1');
    assert.equal(explicit.proxyFor(u('https://skip.example/v2/')), undefined);
    assert.equal(explicit.proxyFor(u('https://x.internal.example/v2/')), undefined);
    const none = new RegistryTransport({ env: {} });
    assert.equal(none.proxyFor(u('https://ghcr.io/v2/')), undefined);
  });

  void it('dispatchers: ProxyAgent when proxied, Agent otherwise, one per combination; Hub settings apply to its API host', async () => {
    const t = new RegistryTransport({
      env: { HTTPS_PROXY: 'http://user:pw@proxy:3128' },
      hosts: { 'docker.io': { insecure: true } },
    });
    try {
      const d1 = t.dispatcherFor(u('https://ghcr.io/v2/'));
      assert.ok(d1 instanceof ProxyAgent);
      assert.equal(t.dispatcherFor(u('https://quay.io/v2/')), d1);
      assert.ok(t.dispatcherFor(u('http://127.0.0.1:5000/v2/')) instanceof Agent);
      assert.equal(t.describe(u('https://ghcr.io/v2/')).route, 'http://***@proxy:3128');
      assert.equal(t.describe(u('https://registry-1.docker.io/v2/')).verify, false);
    } finally {
      await t.close();
    }
  });

  void it('CA files: read once, merged; unreadable or non-PEM files are clear errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-ca-'));
    try {
      fs.writeFileSync(path.join(dir, 'bad.pem'), 'not a certificate');
      const t = new RegistryTransport({
        env: {},
        hosts: {
          'a.example': { caFile: path.join(dir, 'missing.pem') },
          'b.example': { caFile: path.join(dir, 'bad.pem') },
        },
      });
      assert.throws(
        () => t.dispatcherFor(u('https://a.example/v2/')),
        (e) => isRegistryError(e) && /cannot read the CA file .*missing\.pem: ENOENT/.test(e.message),
      );
      assert.throws(
        () => t.dispatcherFor(u('https://b.example/v2/')),
        (e) => isRegistryError(e) && /no PEM certificate/.test(e.message),
      );
      assert.equal(t.describe(u('https://a.example/v2/')).ca, 'system+extra');
      await t.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
