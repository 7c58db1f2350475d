// Credentials read from a real DOCKER_CONFIG folder (auths and a credential helper script) used against the real
// htpasswd and token registries of the test environment.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { createRegistryClient, defaultKeychain } from '../support/registryKit';
import { readTokenLog, registryInfo, seededImage, TEST_USER, useTestEnv } from '../services';

const getEnv = useTestEnv({ seed: 'test', registries: ['basic', 'token'] });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-dockercfg-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

void describe('docker config credentials against real registries', () => {
  void it('auths (base64, legacy https://host/v1/ key) for htpasswd; a credHelpers helper for the token registry', async () => {
    const env = await getEnv();
    const basic = registryInfo(env, 'basic').host;
    const token = registryInfo(env, 'token').host;
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
      path.join(bin, 'docker-credential-rltest'),
      `#!/bin/sh\nread -r url || true\nprintf '{"ServerURL":"%s","Username":"${TEST_USER.username}","Secret":"${TEST_USER.password}"}' "$url"\n`,
      { mode: 0o755 },
    );
    const cfg = path.join(tmp, 'cfg');
    fs.mkdirSync(cfg, { recursive: true });
    fs.writeFileSync(
      path.join(cfg, 'config.json'),
      JSON.stringify({
        auths: {
          [`https://${basic}/v1/`]: {
            auth: Buffer.from(`${TEST_USER.username}:${TEST_USER.password}`).toString('base64'),
          },
          [token]: {},
        },
        credHelpers: { [token]: 'rltest' },
      }),
    );
    const lines: string[] = [];
    const warnings: string[] = [];
    const keychain = defaultKeychain({
      env: { DOCKER_CONFIG: cfg, PATH: `${bin}:${process.env.PATH ?? ''}` },
      onWarning: (w) => warnings.push(w),
    });
    const { client, close } = createRegistryClient({
      keychain,
      env: {},
      clientId: `rl-cred-test-${process.pid}`,
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
      assert.match(pb.credentialSource ?? '', /docker config .*\(auths "https:\/\/127\.0\.0\.1:\d+\/v1\/"\)/);
      assert.equal(
        (await client.headManifest(basic, 'test/app', '1.0.0')).digest,
        seededImage(env, 'basic', 'test/app', '1.0.0').digest,
      );
      const pt = await client.ping(token);
      assert.equal(pt.auth, 'bearer');
      assert.match(pt.credentialSource ?? '', /credential helper docker-credential-rltest \(credHelpers/);
      assert.deepEqual((await client.listTags(token, 'test/oci')).tags, ['1.0.0']);
      const log = (await readTokenLog(env)).filter((l) => l.clientId === `rl-cred-test-${process.pid}`);
      assert.ok(
        log.length >= 1 && log.every((l) => l.user === TEST_USER.username && l.status === 200),
        JSON.stringify(log),
      );
      assert.deepEqual(warnings, []);
      // the audit lines name sources, never the secret
      assert.ok(
        lines.some((l) => /credentials: user testuser, password from docker config/.test(l)),
        lines.join('\n'),
      );
      assert.ok(lines.every((l) => !l.includes(TEST_USER.password)));
    } finally {
      await close();
    }
  });
});
