// Credential files beyond docker's basics, with real files in temp dirs: containers' auth.json and where it lives,
// repository-scoped keys, strict parsing, IPv6 URL keys.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  containersAuthFiles,
  ContainersAuthKeychain,
  convertToHostname,
  defaultKeychain,
  DockerConfigKeychain,
  parseAuthKey,
} from '../../src/core/credentials';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
let tmp: string;

function write(file: string, data: unknown): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-credfiles-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

void describe('containers auth.json', () => {
  void it('locations: REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json; then the config home', () => {
    const home = '/home/u';
    assert.deepEqual(containersAuthFiles({}, home), ['/home/u/.config/containers/auth.json']);
    assert.deepEqual(containersAuthFiles({ XDG_RUNTIME_DIR: '/run/user/1000' }, home), [
      '/run/user/1000/containers/auth.json',
      '/home/u/.config/containers/auth.json',
    ]);
    assert.deepEqual(
      containersAuthFiles({ XDG_RUNTIME_DIR: '/run/user/1000', REGISTRY_AUTH_FILE: '/etc/ci/auth.json' }, home),
      ['/etc/ci/auth.json', '/home/u/.config/containers/auth.json'],
    );
    assert.deepEqual(containersAuthFiles({ XDG_CONFIG_HOME: '/cfg' }, home), ['/cfg/containers/auth.json']);
  });

  void it('podman login files: the runtime file before the config-home file; the source names the file and key', async () => {
    const runtime = path.join(tmp, 'run');
    const configHome = path.join(tmp, 'cfg');
    write(path.join(runtime, 'containers', 'auth.json'), {
      auths: { 'quay.io': { auth: b64('runtime-user:rt-pass') } },
    });
    const cfgFile = write(path.join(configHome, 'containers', 'auth.json'), {
      auths: {
        'quay.io': { auth: b64('config-user:cfg-pass') },
        'registry.redhat.io': { auth: b64('rh|user:rh-pass') },
      },
    });
    const k = new ContainersAuthKeychain({ env: { XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: configHome } });
    assert.equal((await k.resolve('quay.io'))?.username, 'runtime-user');
    const rh = await k.resolve('registry.redhat.io');
    assert.equal(rh?.username, 'rh|user');
    assert.equal(rh?.password, 'rh-pass');
    assert.equal(rh?.source, `containers auth file ${cfgFile} (auths "registry.redhat.io")`);
    assert.equal(await k.resolve('ghcr.io'), undefined);
    assert.deepEqual(k.hosts(), ['quay.io', 'registry.redhat.io']);
    // REGISTRY_AUTH_FILE replaces the runtime file
    const ci = write(path.join(tmp, 'ci', 'auth.json'), { auths: { 'quay.io': { auth: b64('ci-user:ci-pass') } } });
    const k2 = new ContainersAuthKeychain({
      env: { REGISTRY_AUTH_FILE: ci, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: configHome },
    });
    assert.equal((await k2.resolve('quay.io'))?.username, 'ci-user');
  });

  void it('repository-scoped keys: host/ns/repo before host/ns before host, most specific first', async () => {
    const file = write(path.join(tmp, 'scoped', 'auth.json'), {
      auths: {
        'quay.io': { auth: b64('registry-wide:p1') },
        'quay.io/acme': { auth: b64('acme-robot:p2') },
        'quay.io/acme/app': { auth: b64('app-robot:p3') },
        'docker.io/library/alpine': { auth: b64('hub-alpine:p4') },
        'scoped.example/team': { auth: b64('team-only:p5') },
      },
    });
    const k = new ContainersAuthKeychain({ files: [file] });
    assert.equal((await k.resolve('quay.io', undefined, 'acme/app'))?.username, 'app-robot');
    assert.equal((await k.resolve('quay.io', undefined, 'acme/app/sub'))?.username, 'app-robot');
    assert.equal((await k.resolve('quay.io', undefined, 'acme/other'))?.username, 'acme-robot');
    assert.equal((await k.resolve('quay.io', undefined, 'acmeish/x'))?.username, 'registry-wide');
    assert.equal((await k.resolve('quay.io'))?.username, 'registry-wide');
    assert.equal((await k.resolve('docker.io', undefined, 'library/alpine'))?.username, 'hub-alpine');
    assert.match((await k.resolve('quay.io', undefined, 'acme/app'))?.source ?? '', /\(auths "quay\.io\/acme\/app"\)$/);
    // a key scoped to a namespace is never a registry-wide credential
    assert.equal(await k.resolve('scoped.example'), undefined);
    assert.equal(await k.resolve('scoped.example', undefined, 'other/app'), undefined);
    assert.equal((await k.resolve('scoped.example', undefined, 'team/app'))?.username, 'team-only');
  });

  void it('the docker config honours repository-scoped keys the same way (go-containerregistry reads them)', async () => {
    const dir = path.join(tmp, 'docker-scoped');
    write(path.join(dir, 'config.json'), {
      auths: { 'ghcr.io': { auth: b64('org-user:p1') }, 'ghcr.io/acme/private': { auth: b64('pkg-user:p2') } },
    });
    const k = new DockerConfigKeychain({ env: { DOCKER_CONFIG: dir } });
    assert.equal((await k.resolve('ghcr.io', undefined, 'acme/private'))?.username, 'pkg-user');
    assert.equal((await k.resolve('ghcr.io', undefined, 'acme/public'))?.username, 'org-user');
  });

  void it('defaultKeychain: the docker config first, then auth.json; the repository reaches both', async () => {
    const dockerDir = path.join(tmp, 'chain-docker');
    write(path.join(dockerDir, 'config.json'), { auths: { 'both.example': { auth: b64('docker-user:p') } } });
    const authFile = write(path.join(tmp, 'chain', 'auth.json'), {
      auths: { 'both.example': { auth: b64('podman-user:p') }, 'podman.example/ns': { auth: b64('podman-ns:p') } },
    });
    const k = defaultKeychain({
      env: { DOCKER_CONFIG: dockerDir, REGISTRY_AUTH_FILE: authFile, XDG_CONFIG_HOME: path.join(tmp, 'nothing') },
    });
    assert.equal((await k.resolve('both.example'))?.username, 'docker-user');
    assert.equal((await k.resolve('podman.example', undefined, 'ns/app'))?.username, 'podman-ns');
    assert.equal(await k.resolve('podman.example', undefined, 'elsewhere/app'), undefined);
  });
});

void describe('strict parsing: a config error naming file and key, never a credential', () => {
  const cases: { name: string; auths: unknown; message: RegExp }[] = [
    {
      name: 'a password that is a number',
      auths: { 'bad.example': { username: 'u', password: 12345 } },
      message: /auths "bad\.example" field "password" is a number, not a string/,
    },
    {
      name: 'an auth that is an object',
      auths: { 'bad.example': { auth: { user: 'u' } } },
      message: /auths "bad\.example" field "auth" is an object, not a string/,
    },
    {
      name: 'an auth that is not base64',
      auths: { 'bad.example': { auth: 'not base64!' } },
      message: /the "auth" of auths "bad\.example" is not base64 of user:password/,
    },
    {
      name: 'an auth of base64 without a colon',
      auths: { 'bad.example': { auth: b64('just-a-token') } },
      message: /the "auth" of auths "bad\.example" is not base64 of user:password/,
    },
    {
      name: 'an entry that is a string',
      auths: { 'bad.example': 'dTpw' },
      message: /auths "bad\.example" is a string, not an object/,
    },
    { name: 'auths that is an array', auths: [], message: /"auths" is an array, not an object/ },
  ];
  for (const c of cases) {
    void it(`${c.name}: both keychains refuse the file and say which file and key`, async () => {
      const dir = path.join(tmp, `strict-${c.name.replace(/\W+/g, '-')}`);
      const dockerFile = write(path.join(dir, 'config.json'), { auths: c.auths });
      const podmanFile = write(path.join(dir, 'auth.json'), { auths: c.auths });
      const warnings: string[] = [];
      const docker = new DockerConfigKeychain({ configDir: dir, onWarning: (m) => warnings.push(m) });
      const podman = new ContainersAuthKeychain({ files: [podmanFile], onWarning: (m) => warnings.push(m) });
      assert.equal(await docker.resolve('bad.example'), undefined);
      assert.equal(await podman.resolve('bad.example'), undefined);
      assert.equal(warnings.length, 2);
      assert.match(warnings[0] ?? '', c.message);
      assert.ok(warnings[0]?.includes(dockerFile), warnings[0]);
      assert.match(warnings[1] ?? '', c.message);
      assert.ok(warnings[1]?.includes(podmanFile), warnings[1]);
      for (const w of warnings)
        assert.ok(!w.includes('12345') && !w.includes('dTpw'), `a warning shows a secret: ${w}`);
    });
  }

  void it('credHelpers with a non-string helper, credsStore not a string: refused', async () => {
    const dir = path.join(tmp, 'strict-helpers');
    write(path.join(dir, 'config.json'), {
      credHelpers: { 'gcr.io': true },
      auths: { 'ok.example': { auth: b64('u:p') } },
    });
    const warnings: string[] = [];
    const k = new DockerConfigKeychain({ configDir: dir, onWarning: (m) => warnings.push(m) });
    assert.equal(await k.resolve('ok.example'), undefined);
    assert.match(warnings[0] ?? '', /credHelpers "gcr\.io" is a boolean, not a string/);
    write(path.join(dir, 'config.json'), { credsStore: ['desktop'] });
    assert.equal(await k.resolve('ok.example'), undefined);
    assert.match(warnings[1] ?? '', /"credsStore" is an array, not a string/);
  });

  void it('unknown fields and padded base64 across lines are accepted, as docker accepts them', async () => {
    const dir = path.join(tmp, 'lenient');
    write(path.join(dir, 'config.json'), {
      auths: { 'ok.example': { auth: `${b64('user:pass')}\n`, email: 'me@example.com' } },
      proxies: { default: {} },
      currentContext: 'x',
    });
    const k = new DockerConfigKeychain({ configDir: dir });
    assert.equal((await k.resolve('ok.example'))?.password, 'pass');
  });
});

void describe('URL keys with IPv6 hosts', () => {
  void it('https://::1:5000/v2/ names [::1]:5000, as docker/cli converts it', async () => {
    assert.equal(convertToHostname('https://::1:5000/v2/'), '[::1]:5000');
    assert.equal(convertToHostname('http://fe80::1:443/'), '[fe80::1]:443');
    assert.equal(convertToHostname('https://[::1]:5000/v2/'), '[::1]:5000');
    assert.equal(convertToHostname('https://fe80::1/'), '[fe80::1]');
    assert.deepEqual(parseAuthKey('https://::1:5000/v2/'), { registry: '[::1]:5000', path: '' });
    const dir = path.join(tmp, 'ipv6');
    write(path.join(dir, 'config.json'), { auths: { 'https://::1:5000/v2/': { auth: b64('six:pw') } } });
    const k = new DockerConfigKeychain({ configDir: dir });
    const c = await k.resolve('[::1]:5000');
    assert.equal(c?.username, 'six');
    assert.match(c?.source ?? '', /auths "https:\/\/::1:5000\/v2\/"/);
    assert.deepEqual(
      k.entries().map((e) => e.host),
      ['[::1]:5000'],
    );
  });
});
