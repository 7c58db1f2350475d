// resolveEngine: docker's precedence (explicit host > DOCKER_HOST > DOCKER_CONTEXT / currentContext > default),
// context files as docker/cli writes them, TLS files, unsupported and malformed hosts as states (never throws).
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  contextDirName,
  DEFAULT_DOCKER_SOCKET,
  describeEndpoint,
  resolveEngine,
  type EngineEndpoint,
} from '../../src/core';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-docker-endpoint-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** A docker config dir with config.json and contexts. */
function configDir(
  config: object | null,
  contexts: { name: string; host: string; skipTls?: boolean; tls?: Record<string, string> }[] = [],
): string {
  const dir = path.join(tmp, `cfg${n++}`);
  fs.mkdirSync(dir, { recursive: true });
  if (config) fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  for (const c of contexts) {
    const hash = createHash('sha256').update(c.name).digest('hex');
    const meta = path.join(dir, 'contexts', 'meta', hash);
    fs.mkdirSync(meta, { recursive: true });
    fs.writeFileSync(
      path.join(meta, 'meta.json'),
      JSON.stringify({
        Name: c.name,
        Metadata: { Description: '' },
        Endpoints: { docker: { Host: c.host, SkipTLSVerify: c.skipTls ?? false } },
      }),
    );
    if (c.tls) {
      const tls = path.join(dir, 'contexts', 'tls', hash, 'docker');
      fs.mkdirSync(tls, { recursive: true });
      for (const [f, text] of Object.entries(c.tls)) fs.writeFileSync(path.join(tls, f), text);
    }
  }
  return dir;
}

function expectKind<K extends EngineEndpoint['kind']>(
  e: EngineEndpoint,
  kind: K,
): Extract<EngineEndpoint, { kind: K }> {
  assert.equal(e.kind, kind, JSON.stringify(e));
  return e as Extract<EngineEndpoint, { kind: K }>;
}

void describe('resolveEngine', () => {
  void it('the default socket when nothing is set', () => {
    const e = expectKind(resolveEngine({ env: {}, dockerConfigDir: configDir(null) }), 'unix');
    assert.equal(e.socketPath, DEFAULT_DOCKER_SOCKET);
    assert.deepEqual(e.source, { kind: 'default', detail: 'default' });
    assert.equal(describeEndpoint(e), 'unix:///var/run/docker.sock (default)');
  });

  void it('contextDirName is the hex sha256 of the name (docker/cli context store)', () => {
    assert.equal(contextDirName('default'), createHash('sha256').update('default').digest('hex'));
    assert.match(contextDirName('remote'), /^[a-f0-9]{64}$/);
  });

  void it('DOCKER_HOST unix:// and a bare path', () => {
    assert.equal(
      expectKind(
        resolveEngine({ env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, dockerConfigDir: configDir(null) }),
        'unix',
      ).socketPath,
      '/run/user/1000/docker.sock',
    );
    const bare = expectKind(resolveEngine({ host: '/tmp/d.sock', env: {}, dockerConfigDir: configDir(null) }), 'unix');
    assert.equal(bare.socketPath, '/tmp/d.sock');
    assert.equal(bare.source.kind, 'setting');
  });

  void it('precedence: explicit host > DOCKER_HOST > DOCKER_CONTEXT > currentContext', () => {
    const dir = configDir({ currentContext: 'cur' }, [
      { name: 'cur', host: 'unix:///cur.sock' },
      { name: 'envctx', host: 'unix:///envctx.sock' },
    ]);
    const sock = (e: EngineEndpoint) => (e.kind === 'unix' ? e.socketPath : e.kind);
    assert.equal(
      sock(
        resolveEngine({
          host: 'unix:///setting.sock',
          env: { DOCKER_HOST: 'unix:///env.sock', DOCKER_CONTEXT: 'envctx' },
          dockerConfigDir: dir,
        }),
      ),
      '/setting.sock',
    );
    assert.equal(
      sock(
        resolveEngine({
          host: '  ',
          env: { DOCKER_HOST: 'unix:///env.sock', DOCKER_CONTEXT: 'envctx' },
          dockerConfigDir: dir,
        }),
      ),
      '/env.sock',
    );
    assert.equal(sock(resolveEngine({ env: { DOCKER_CONTEXT: 'envctx' }, dockerConfigDir: dir })), '/envctx.sock');
    const cur = resolveEngine({ env: {}, dockerConfigDir: dir });
    assert.equal(sock(cur), '/cur.sock');
    assert.deepEqual(cur.source, { kind: 'context', detail: 'cur' });
    // DOCKER_CONTEXT=default and currentContext "default" mean the default socket
    assert.equal(
      sock(resolveEngine({ env: { DOCKER_CONTEXT: 'default' }, dockerConfigDir: dir })),
      DEFAULT_DOCKER_SOCKET,
    );
    assert.equal(
      sock(resolveEngine({ env: {}, dockerConfigDir: configDir({ currentContext: 'default' }) })),
      DEFAULT_DOCKER_SOCKET,
    );
  });

  void it('DOCKER_CONFIG names the config dir when none is given', () => {
    const dir = configDir({ currentContext: 'x' }, [{ name: 'x', host: 'unix:///x.sock' }]);
    const e = expectKind(resolveEngine({ env: { DOCKER_CONFIG: dir } }), 'unix');
    assert.equal(e.socketPath, '/x.sock');
  });

  void it('tcp:// without TLS: port default 2375; with DOCKER_TLS_VERIFY: https, 2376, PEMs from DOCKER_CERT_PATH', () => {
    const plain = expectKind(
      resolveEngine({ env: { DOCKER_HOST: 'tcp://10.0.0.5' }, dockerConfigDir: configDir(null) }),
      'tcp',
    );
    assert.deepEqual([plain.hostname, plain.port, plain.protocol, plain.tls], ['10.0.0.5', 2375, 'http', null]);
    const certs = path.join(tmp, 'certs');
    fs.mkdirSync(certs, { recursive: true });
    fs.writeFileSync(path.join(certs, 'ca.pem'), 'CA');
    fs.writeFileSync(path.join(certs, 'cert.pem'), 'CERT');
    fs.writeFileSync(path.join(certs, 'key.pem'), 'KEY');
    const tls = expectKind(
      resolveEngine({
        env: { DOCKER_HOST: 'tcp://engine.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs },
        dockerConfigDir: configDir(null),
      }),
      'tcp',
    );
    assert.equal(tls.protocol, 'https');
    assert.equal(tls.port, 2376);
    assert.deepEqual(tls.tls, { verify: true, certPath: certs, ca: 'CA', cert: 'CERT', key: 'KEY' });
    assert.equal(describeEndpoint(tls), 'https://engine.example:2376 (DOCKER_HOST, TLS with client certificate)');
    assert.ok(!describeEndpoint(tls).includes('KEY'));
    // DOCKER_TLS without verify; port default 2376; certs from the config dir
    const cfg = configDir(null);
    fs.writeFileSync(path.join(cfg, 'ca.pem'), 'CA2');
    const noVerify = expectKind(
      resolveEngine({ env: { DOCKER_HOST: 'tcp://[::1]', DOCKER_TLS: '1' }, dockerConfigDir: cfg }),
      'tcp',
    );
    assert.deepEqual(
      [noVerify.hostname, noVerify.port, noVerify.tls?.verify, noVerify.tls?.ca, noVerify.tls?.cert],
      ['::1', 2376, false, 'CA2', undefined],
    );
    assert.equal(describeEndpoint(noVerify), 'https://[::1]:2376 (DOCKER_HOST, TLS unverified)');
  });

  void it('a cert.pem without key.pem is a clear invalid state', () => {
    const certs = path.join(tmp, 'half');
    fs.mkdirSync(certs, { recursive: true });
    fs.writeFileSync(path.join(certs, 'cert.pem'), 'CERT');
    const e = expectKind(
      resolveEngine({
        env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs },
        dockerConfigDir: configDir(null),
      }),
      'none',
    );
    assert.equal(e.reason, 'invalid');
    assert.match(e.message, /cert\.pem without key\.pem/);
  });

  void it('a context with TLS files: https with its PEMs; SkipTLSVerify: no verification', () => {
    const dir = configDir({ currentContext: 'remote' }, [
      {
        name: 'remote',
        host: 'tcp://remote.example:2376',
        skipTls: true,
        tls: { 'ca.pem': 'RCA', 'cert.pem': 'RC', 'key.pem': 'RK' },
      },
    ]);
    const e = expectKind(resolveEngine({ env: {}, dockerConfigDir: dir }), 'tcp');
    assert.equal(e.protocol, 'https');
    assert.deepEqual([e.tls?.verify, e.tls?.ca, e.tls?.cert, e.tls?.key], [false, 'RCA', 'RC', 'RK']);
    assert.equal(e.source.detail, 'remote');
  });

  void it('ssh://, npipe:// and unknown schemes are states with a message, never throws', () => {
    const ssh = expectKind(
      resolveEngine({ env: { DOCKER_HOST: 'ssh://me@box' }, dockerConfigDir: configDir(null) }),
      'none',
    );
    assert.equal(ssh.reason, 'unsupported');
    assert.match(ssh.message, /DOCKER_HOST is "ssh:\/\/me@box".*unix sockets and tcp:\/\/ only.*ssh -L/);
    const ctx = expectKind(
      resolveEngine({
        env: {},
        dockerConfigDir: configDir({ currentContext: 'far' }, [{ name: 'far', host: 'ssh://far' }]),
      }),
      'none',
    );
    assert.equal(ctx.reason, 'unsupported');
    assert.match(ctx.message, /docker context "far"/);
    assert.equal(
      expectKind(resolveEngine({ host: 'npipe:////./pipe/docker_engine', env: {} }), 'none').reason,
      'unsupported',
    );
    assert.equal(expectKind(resolveEngine({ host: 'ftp://x', env: {} }), 'none').reason, 'invalid');
    assert.equal(expectKind(resolveEngine({ host: 'docker.sock', env: {} }), 'none').reason, 'invalid');
    assert.equal(expectKind(resolveEngine({ host: 'tcp://h:1/path', env: {} }), 'none').reason, 'invalid');
    assert.equal(expectKind(resolveEngine({ host: 'unix://relative.sock', env: {} }), 'none').reason, 'invalid');
  });

  void it('a current context that does not exist, or a broken config.json', () => {
    const missing = expectKind(
      resolveEngine({ env: {}, dockerConfigDir: configDir({ currentContext: 'gone' }) }),
      'none',
    );
    assert.match(missing.message, /docker context "gone" \(config\.json currentContext\) does not exist/);
    const broken = configDir(null);
    fs.writeFileSync(path.join(broken, 'config.json'), '{ not json');
    assert.equal(
      expectKind(resolveEngine({ env: {}, dockerConfigDir: broken }), 'unix').socketPath,
      DEFAULT_DOCKER_SOCKET,
    );
  });
});
