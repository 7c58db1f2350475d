// A real credential helper: Debian's docker-credential-pass (golang-docker-credential-helpers) over `pass`, with a
// GPG key made for this run, as `credsStore` — against the real htpasswd and token registries.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRegistryClient, defaultKeychain, DockerConfigKeychain } from '../support/registryKit';
import { registryInfo, seededImage, TEST_USER, useTestEnv } from '../services';

const getEnv = useTestEnv({ seed: 'test', registries: ['basic', 'token'] });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-pass-'));
// Everything the helper, pass and gpg touch lives in tmp.
const helperEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: path.join(tmp, 'home'),
  GNUPGHOME: path.join(tmp, 'gnupg'),
  PASSWORD_STORE_DIR: path.join(tmp, 'store'),
  DOCKER_CONFIG: path.join(tmp, 'docker'),
};
const run = (cmd: string, args: string[], input?: string): string =>
  execFileSync(cmd, args, {
    env: helperEnv,
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 60_000,
  });

before(() => {
  for (const d of [helperEnv.HOME!, helperEnv.GNUPGHOME!, helperEnv.DOCKER_CONFIG!])
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  run('gpg', [
    '--batch',
    '--pinentry-mode',
    'loopback',
    '--passphrase',
    '',
    '--quick-gen-key',
    'Registry Lens test <test@registry-lens.invalid>',
    'default',
    'default',
    'never',
  ]);
  const fpr = /^fpr:+([0-9A-F]+):/m.exec(run('gpg', ['--list-keys', '--with-colons']))?.[1];
  assert.ok(fpr, 'gpg made no key');
  run('pass', ['init', fpr]);
});
after(() => {
  spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: helperEnv });
  fs.rmSync(tmp, { recursive: true, force: true });
});

void describe('docker-credential-pass (a real credential helper)', () => {
  void it('credsStore "pass" supplies credentials for the htpasswd and token registries; unknown hosts get none', async () => {
    const env = await getEnv();
    const basic = registryInfo(env, 'basic').host;
    const token = registryInfo(env, 'token').host;
    // `docker login` would store them like this: the helper's own protocol, JSON on stdin.
    for (const host of [basic, token]) {
      run(
        'docker-credential-pass',
        ['store'],
        JSON.stringify({ ServerURL: host, Username: TEST_USER.username, Secret: TEST_USER.password }),
      );
    }
    assert.match(run('docker-credential-pass', ['list']), new RegExp(basic.replace(/\./g, '\\.')));
    fs.writeFileSync(
      path.join(helperEnv.DOCKER_CONFIG!, 'config.json'),
      JSON.stringify({ auths: { [basic]: {}, [token]: {} }, credsStore: 'pass' }),
    );

    const warnings: string[] = [];
    const direct = new DockerConfigKeychain({ env: helperEnv, onWarning: (w) => warnings.push(w) });
    const cred = await direct.resolve(basic);
    assert.equal(cred?.username, TEST_USER.username);
    assert.equal(cred?.password, TEST_USER.password);
    assert.match(cred?.source ?? '', /docker-credential-pass/);
    // docker-credential-pass 0.6 answers an unknown host with empty fields and exit 0: that is "no credential".
    assert.equal(await direct.resolve('unknown.registry.invalid'), undefined);
    assert.deepEqual(warnings, []);

    const keychain = defaultKeychain({ env: helperEnv });
    const lines: string[] = [];
    const { client, close } = createRegistryClient({
      keychain,
      env: {},
      log: (l) => lines.push(l),
      hosts: {
        [basic]: { insecure: true },
        [token]: { insecure: true },
        [new URL(env.tokenServer.realm).host]: { insecure: true },
      },
    });
    try {
      const pb = await client.ping(basic);
      assert.equal(pb.authenticated, true);
      assert.equal(
        (await client.headManifest(basic, 'test/app', '1.1.0')).digest,
        seededImage(env, 'basic', 'test/app', '1.1.0').digest,
      );
      const pt = await client.ping(token);
      assert.equal(pt.auth, 'bearer');
      assert.ok((await client.listTags(token, 'test/app')).tags.includes('1.2.0-alpine'));
      assert.ok(
        lines.every((l) => !l.includes(TEST_USER.password)),
        'a log line holds the password',
      );
    } finally {
      await close();
    }
  });
});
