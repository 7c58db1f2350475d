import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  authConfigKey,
  convertToHostname,
  type Credential,
  CredentialHelperError,
  defaultKeychain,
  DOCKER_HUB_AUTH_KEY,
  dockerConfigDir,
  DockerConfigKeychain,
  EnvKeychain,
  type Keychain,
  MultiKeychain,
  runCredentialHelper,
  StaticKeychain,
} from '../../src/core/credentials';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
let tmp: string;
let binDir: string;
let callLog: string;

// A fake docker-credential-test: behaviour chosen by the server URL it reads on stdin; every call is logged.
const HELPER = `#!/bin/sh
[ "$1" = "get" ] || { echo "unsupported $1" >&2; exit 2; }
url=$(cat)
echo "$url" >> "$HELPER_LOG"
case "$url" in
  *notfound*) echo "credentials not found in native keychain"; exit 1 ;;
  *token.example*) printf '{"ServerURL":"%s","Username":"<token>","Secret":"identity-tok"}' "$url" ;;
  *slow*) sleep 5 ;;
  *broken*) echo "keychain locked" >&2; exit 3 ;;
  *leaky*) printf '{"Secret":"leaked-secret"'; exit 4 ;;
  *garbage*) echo "not json" ;;
  *) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper:secret:%s"}' "$url" "$url" ;;
esac
`;

function writeConfig(dir: string, config: unknown): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
}

function keychainIn(dir: string, warnings: string[] = [], extraEnv: Record<string, string> = {}): DockerConfigKeychain {
  return new DockerConfigKeychain({
    env: { PATH: `${binDir}:${process.env.PATH ?? ''}`, HELPER_LOG: callLog, DOCKER_CONFIG: dir, ...extraEnv },
    helperTimeoutMs: 1000,
    onWarning: (m) => warnings.push(m),
  });
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-creds-'));
  binDir = path.join(tmp, 'bin');
  fs.mkdirSync(binDir);
  fs.writeFileSync(path.join(binDir, 'docker-credential-test'), HELPER, { mode: 0o755 });
  callLog = path.join(tmp, 'helper.log');
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const calls = () => (fs.existsSync(callLog) ? fs.readFileSync(callLog, 'utf8').split('\n').filter(Boolean) : []);

void describe('docker config rules', () => {
  void it('location: DOCKER_CONFIG, else ~/.docker', () => {
    assert.equal(dockerConfigDir({ DOCKER_CONFIG: '/x/cfg' }, '/home/u'), '/x/cfg');
    assert.equal(dockerConfigDir({}, '/home/u'), path.join('/home/u', '.docker'));
    assert.equal(
      new DockerConfigKeychain({ env: { DOCKER_CONFIG: '/x/cfg' } }).file,
      path.join('/x/cfg', 'config.json'),
    );
  });

  void it('keys: Docker Hub under https://index.docker.io/v1/, others as host[:port]; scheme and path stripping', () => {
    assert.equal(authConfigKey('docker.io'), DOCKER_HUB_AUTH_KEY);
    assert.equal(authConfigKey('index.docker.io'), DOCKER_HUB_AUTH_KEY);
    assert.equal(authConfigKey('ghcr.io'), 'ghcr.io');
    assert.equal(authConfigKey('localhost:5000'), 'localhost:5000');
    assert.equal(convertToHostname('https://reg.example:5000/v1/'), 'reg.example:5000');
    assert.equal(convertToHostname('http://reg.example'), 'reg.example');
    assert.equal(convertToHostname('reg.example/path'), 'reg.example');
  });

  void it('auths: base64 user:pass split at the first colon, NULs trimmed, identitytoken, registrytoken, tolerant keys', async () => {
    const dir = path.join(tmp, 'auths');
    writeConfig(dir, {
      auths: {
        [DOCKER_HUB_AUTH_KEY]: { auth: b64('hubuser:pa:ss:word') },
        'https://legacy.example:5000/v1/': { auth: b64('legacy:pw\u0000\u0000') },
        'idtok.example': { auth: b64('someone:'), identitytoken: 'refresh-me' },
        'regtok.example': { registrytoken: 'bearer-as-is' },
        'https://registry-1.docker.io': { auth: b64('ignored:because-hub-key-wins') },
        'empty.example': {},
      },
    });
    const warnings: string[] = [];
    const k = keychainIn(dir, warnings);
    const hub = await k.resolve('docker.io');
    assert.equal(hub?.username, 'hubuser');
    assert.equal(hub?.password, 'pa:ss:word');
    assert.match(hub?.source ?? '', /docker config .*config\.json \(auths "https:\/\/index\.docker\.io\/v1\/"\)/);
    assert.equal((await k.resolve('legacy.example:5000'))?.password, 'pw');
    const id = await k.resolve('idtok.example');
    assert.equal(id?.identityToken, 'refresh-me');
    assert.equal(id?.username, 'someone');
    assert.equal(id?.password, undefined);
    assert.equal((await k.resolve('regtok.example'))?.registryToken, 'bearer-as-is');
    assert.equal(await k.resolve('empty.example'), undefined);
    assert.equal(await k.resolve('unknown.example'), undefined);
    assert.equal(warnings.length, 0);
    // docker/cli refuses a file with an `auth` of an empty user name (decodeAuth): every lookup is then a warning.
    writeConfig(dir, { auths: { 'nouser.example': { auth: b64(':pw') }, 'fine.example': { auth: b64('u:p') } } });
    assert.equal(await k.resolve('nouser.example'), undefined);
    assert.equal(await k.resolve('fine.example'), undefined);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0] ?? '', /empty user name/);
    assert.ok(!warnings[0]?.includes('pw'));
  });

  void it('credHelpers before credsStore before auths; the helper protocol with <token>', async () => {
    const dir = path.join(tmp, 'stores');
    writeConfig(dir, {
      auths: { 'helped.example': { auth: b64('file:file') }, 'stored.example': { auth: b64('file:file') } },
      credsStore: 'test',
      credHelpers: { 'helped.example': 'test', [DOCKER_HUB_AUTH_KEY]: 'test', 'token.example': 'test' },
    });
    fs.rmSync(callLog, { force: true });
    const k = keychainIn(dir);
    const helped = await k.resolve('helped.example');
    assert.deepEqual(helped, {
      username: 'helper-user',
      password: 'helper:secret:helped.example',
      source: `credential helper docker-credential-test (credHelpers in ${k.file})`,
    });
    const stored = await k.resolve('stored.example');
    assert.equal(stored?.username, 'helper-user');
    assert.match(stored?.source ?? '', /\(credsStore in/);
    const hub = await k.resolve('docker.io');
    assert.equal(hub?.password, `helper:secret:${DOCKER_HUB_AUTH_KEY}`);
    const tok = await k.resolve('token.example');
    assert.deepEqual([tok?.identityToken, tok?.username, tok?.password], ['identity-tok', undefined, undefined]);
    assert.deepEqual(calls(), ['helped.example', 'stored.example', DOCKER_HUB_AUTH_KEY, 'token.example']);
    // cached briefly: no second call
    await k.resolve('helped.example');
    assert.equal(calls().length, 4);
  });

  void it('helper failures: not found → none; missing, slow, broken, garbage → warnings naming the helper, never a secret', async () => {
    const dir = path.join(tmp, 'failing');
    writeConfig(dir, { credsStore: 'test', credHelpers: { 'missing.example': 'nosuchhelper' } });
    const warnings: string[] = [];
    const k = keychainIn(dir, warnings);
    assert.equal(await k.resolve('notfound.example'), undefined);
    assert.equal(warnings.length, 0);
    for (const host of ['missing.example', 'slow.example', 'broken.example', 'garbage.example', 'leaky.example'])
      assert.equal(await k.resolve(host), undefined, host);
    assert.equal(warnings.length, 5);
    assert.match(warnings[0] ?? '', /docker-credential-nosuchhelper not found on PATH/);
    assert.match(warnings[1] ?? '', /docker-credential-test did not answer within 1000 ms/);
    assert.match(warnings[2] ?? '', /docker-credential-test get exited with code 3: keychain locked/);
    assert.match(warnings[3] ?? '', /not JSON/);
    assert.match(warnings[4] ?? '', /exited with code 4$/);
    assert.ok(warnings.every((w) => !w.includes('leaked-secret')));
    await assert.rejects(
      runCredentialHelper('../evil', 'x', { timeoutMs: 100, env: {} }),
      (e) => e instanceof CredentialHelperError && /invalid credential helper name/.test(e.message),
    );
  });

  void it('re-reads config.json when it changes; DOCKER_AUTH_CONFIG is layered on top', async () => {
    const dir = path.join(tmp, 'changing');
    writeConfig(dir, { auths: { 'r.example': { auth: b64('one:1') } } });
    const k = keychainIn(dir);
    assert.equal((await k.resolve('r.example'))?.username, 'one');
    writeConfig(dir, { auths: { 'r.example': { auth: b64('second:22') } } });
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'config.json'), t, t);
    assert.equal((await k.resolve('r.example'))?.username, 'second');
    const layered = keychainIn(dir, [], {
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'r.example': { auth: b64('env:3') } } }),
    });
    const c = await layered.resolve('r.example');
    assert.equal(c?.username, 'env');
    assert.equal(c?.source, 'DOCKER_AUTH_CONFIG (auths "r.example")');
    // broken JSON: a warning, not a crash
    fs.writeFileSync(path.join(dir, 'config.json'), '{nope');
    const warnings: string[] = [];
    assert.equal(await keychainIn(dir, warnings).resolve('r.example'), undefined);
    assert.match(warnings[0] ?? '', /not valid JSON/);
  });
});

void describe('keychain chain', () => {
  void it('env keychain: only for the registry REGISTRY_LENS_REGISTRY names', async () => {
    const k = new EnvKeychain({
      REGISTRY_LENS_USERNAME: 'ci',
      REGISTRY_LENS_PASSWORD: 'p',
      REGISTRY_LENS_REGISTRY: 'https://Reg.Example:5000/v2/',
    });
    assert.equal(k.registry, 'reg.example:5000');
    assert.equal((await k.resolve('reg.example:5000'))?.username, 'ci');
    assert.equal(await k.resolve('docker.io'), undefined);
    assert.match(
      (await k.resolve('reg.example:5000'))?.source ?? '',
      /environment REGISTRY_LENS_USERNAME\/REGISTRY_LENS_PASSWORD/,
    );
    const unscoped = new EnvKeychain({ REGISTRY_LENS_USERNAME: 'ci', REGISTRY_LENS_PASSWORD: 'p' });
    assert.equal(await unscoped.resolve('reg.example:5000'), undefined);
    assert.match(unscoped.problem ?? '', /ignored without REGISTRY_LENS_REGISTRY/);
    assert.match(
      new EnvKeychain({ REGISTRY_LENS_USERNAME: 'ci', REGISTRY_LENS_REGISTRY: 'r' }).problem ?? '',
      /set both/,
    );
    assert.equal(new EnvKeychain({}).problem, undefined);
    const hub = new EnvKeychain({
      REGISTRY_LENS_USERNAME: 'u',
      REGISTRY_LENS_PASSWORD: 'p',
      REGISTRY_LENS_REGISTRY: 'index.docker.io',
    });
    assert.equal((await hub.resolve('docker.io'))?.username, 'u');
  });

  void it('MultiKeychain: first answer wins, a throwing keychain is skipped and reported', async () => {
    const errors: unknown[] = [];
    const boom: Keychain = { resolve: () => Promise.reject(new Error('boom')) };
    const first = new StaticKeychain({ 'a.example': { username: 'first', password: 'x', source: 'first' } });
    const second = new StaticKeychain({
      'a.example': { username: 'second', password: 'x', source: 'second' },
      'b.example': { username: 'b', password: 'x', source: 'second' },
    });
    const chain = new MultiKeychain([boom, first, undefined, second], { onError: (e) => errors.push(e) });
    assert.equal((await chain.resolve('a.example'))?.source, 'first');
    assert.equal((await chain.resolve('b.example'))?.source, 'second');
    assert.equal(await chain.resolve('c.example'), undefined);
    assert.equal(errors.length, 3);
  });

  void it('defaultKeychain: first (SecretStorage slot), then environment, then docker config', async () => {
    const dir = path.join(tmp, 'default');
    writeConfig(dir, {
      auths: {
        'r.example': { auth: b64('docker:d') },
        's.example': { auth: b64('docker:d') },
        't.example': { auth: b64('docker:d') },
      },
    });
    const slot: Keychain = {
      resolve: (r) =>
        Promise.resolve<Credential | undefined>(
          r === 'r.example' ? { username: 'secret-storage', password: 'x', source: 'SecretStorage' } : undefined,
        ),
    };
    const k = defaultKeychain({
      first: slot,
      env: {
        DOCKER_CONFIG: dir,
        REGISTRY_LENS_USERNAME: 'env',
        REGISTRY_LENS_PASSWORD: 'e',
        REGISTRY_LENS_REGISTRY: 's.example',
      },
    });
    assert.equal((await k.resolve('r.example'))?.username, 'secret-storage');
    assert.equal((await k.resolve('s.example'))?.username, 'env');
    assert.equal((await k.resolve('t.example'))?.username, 'docker');
    assert.equal(await k.resolve('u.example'), undefined);
  });
});
