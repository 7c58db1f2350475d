// `registry-lens ping` and `registry-lens inspect`, the built CLI bundle against the real registries.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/paths';
import { registryInfo, seededImage, TEST_USER, useTestEnv } from '../services';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const getEnv = useTestEnv({ seed: 'test' });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-cli-reg-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI asynchronously: the test environment's token server lives in this process and must keep serving. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: tmp, DOCKER_CONFIG: path.join(tmp, 'empty'), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

function dockerConfig(name: string, hosts: string[], password = TEST_USER.password): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const auth = Buffer.from(`${TEST_USER.username}:${password}`).toString('base64');
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({ auths: Object.fromEntries(hosts.map((h) => [h, { auth }])) }),
  );
  return dir;
}

void describe('registry-lens ping', () => {
  void it('an anonymous registry: reachable, no auth, exit 0', async () => {
    const env = await getEnv();
    const r = await cli(['ping', registryInfo(env, 'anon').host]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /reachable at http:\/\/127\.0\.0\.1:\d+\/v2\/ \(GET \/v2\/ answered 200/);
    assert.match(r.stdout, /auth: +none required/);
  });

  void it('htpasswd: anonymous says how to add a credential; a docker config credential is accepted; a wrong one is rejected (exit 2)', async () => {
    const env = await getEnv();
    const host = registryInfo(env, 'basic').host;
    const anon = await cli(['ping', host]);
    assert.equal(anon.status, 0);
    assert.match(anon.stdout, /auth: +basic/);
    assert.match(anon.stdout, /credential: +none \(anonymous\); add one/);
    const good = await cli(['ping', host, '--insecure', host], { DOCKER_CONFIG: dockerConfig('good', [host]) });
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /credential: +docker config .* — accepted/);
    const bad = await cli(['ping', host, '--insecure', host], {
      DOCKER_CONFIG: dockerConfig('bad', [host], 'wrong-password'),
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /credentials for 127\.0\.0\.1:\d+ \(docker config .*\) were rejected/);
    assert.ok(!bad.stderr.includes('wrong-password'), 'the password leaked into the message');
  });

  void it('TLS with its own CA: fails without the CA with a pointer to the fix, works with --ca-file', async () => {
    const env = await getEnv();
    const tls = registryInfo(env, 'tls');
    const without = await cli(['ping', tls.host]);
    assert.equal(without.status, 2);
    assert.match(without.stderr, /unknown authority: add the registry's CA/);
    const withCa = await cli(['ping', tls.host, '--ca-file', `${tls.host}=${tls.caFile!}`, '--json'], {
      DOCKER_CONFIG: dockerConfig('tls', [tls.host]),
    });
    assert.equal(withCa.status, 0, withCa.stderr);
    const j = JSON.parse(withCa.stdout) as {
      scheme: string;
      auth: string;
      authenticated: boolean;
      credentialSource: string;
    };
    assert.equal(j.scheme, 'https');
    assert.equal(j.auth, 'basic');
    assert.equal(j.authenticated, true);
    assert.match(j.credentialSource, /docker config/);
  });

  void it('bad usage is exit 2 with a hint', async () => {
    assert.equal((await cli(['ping'])).status, 2);
    const r = await cli(['ping', 'x', '--ca-file', 'nohost']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--ca-file takes HOST=PEM/);
  });
});

void describe('registry-lens inspect', () => {
  void it('a multi-platform index: digest, platforms, tags and updates equal what the registry holds', async () => {
    const env = await getEnv();
    const host = registryInfo(env, 'anon').host;
    const r = await cli(['inspect', `${host}/test/multi:2.0.0`, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      digest: string;
      isIndex: boolean;
      platforms: { platform: string; digest: string }[];
      tagCount: number;
      updates: { kind: string; tag: string }[];
    };
    const seeded = seededImage(env, 'anon', 'test/multi', '2.0.0');
    assert.equal(j.digest, seeded.digest);
    assert.equal(j.isIndex, true);
    assert.deepEqual(
      j.platforms.map((p) => p.platform),
      ['linux/amd64', 'linux/arm64/v8'],
    );
    assert.deepEqual(j.updates, [{ kind: 'minor', tag: '2.1.0' }]);
    assert.equal(j.tagCount, 3);
  });

  void it('the token registry with docker config credentials: newest tags and the update of each kind, as a table', async () => {
    const env = await getEnv();
    const host = registryInfo(env, 'token').host;
    const r = await cli(
      ['inspect', `${host}/test/app:1.1.0`, '--insecure', host, '--insecure', new URL(env.tokenServer.realm).host],
      { DOCKER_CONFIG: dockerConfig('token', [host]) },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`digest: +${seededImage(env, 'token', 'test/app', '1.1.0').digest}`));
    assert.match(r.stdout, /platforms: +single-platform image/);
    assert.match(r.stdout, /newest: +2\.0\.0, 1\.2\.0, 1\.1\.1, 1\.1\.0, 1\.0\.0/);
    assert.match(r.stdout, /updates: +2\.0\.0 \(major\), 1\.2\.0 \(minor\), 1\.1\.1 \(patch\)/);
  });

  void it('an unknown repository and an invalid reference are exit 2 with clear messages', async () => {
    const env = await getEnv();
    const host = registryInfo(env, 'anon').host;
    const missing = await cli(['inspect', `${host}/test/nothere:1.0.0`]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /test\/nothere: not found/);
    const invalid = await cli(['inspect', 'Not/Valid:tag']);
    assert.equal(invalid.status, 2);
    assert.match(invalid.stderr, /is not an image reference/);
  });
});
