// Every vendor scenario through the built CLI (`registry-lens ping` / `check`), against the vendor emulators on
// loopback under their own host names (REGISTRY_LENS_TEST_RESOLVE; their CA via NODE_EXTRA_CA_CERTS).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/paths';
import { CREDENTIAL_ORIGINS, ECR_HOST, startVendors, type VendorName, type Vendors } from '../services/vendors';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-vendors-cli-'));
let v: Vendors;

before(async () => {
  v = await startVendors(path.join(tmp, 'certs'));
});
after(async () => {
  await v.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A docker config holding what each vendor's login command writes (or `override` per vendor). */
function dockerConfig(name: string, entries: Record<string, unknown>): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: entries }));
  return dir;
}

function loginEntries(names: VendorName[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const c = v.get(n).spec.credential;
    if (c)
      out[c.key] = {
        auth: b64(`${c.username}:${c.password}`),
        ...(c.identitytoken ? { identitytoken: c.identitytoken } : {}),
      };
  }
  return out;
}

function cli(
  args: string[],
  env: Record<string, string> = {},
  cwd = tmp,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tmp,
        DOCKER_CONFIG: path.join(tmp, 'empty'),
        REGISTRY_LENS_TEST_RESOLVE: v.resolve,
        NODE_EXTRA_CA_CERTS: v.certs.caFile,
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

interface CheckItem {
  text: string;
  status: string;
  updates: { kind: string; tag: string }[];
  error: { code: string; message: string } | null;
}

async function check(name: string, dockerfile: string, env: Record<string, string>): Promise<CheckItem[]> {
  const dir = path.join(tmp, `ws-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  const r = await cli(['check', '--json', '--no-cache', dir], env, dir);
  assert.ok(r.status === 0 || r.status === 2, `${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as CheckItem[];
}

const ALL: VendorName[] = [
  'dockerHub',
  'ghcr',
  'ecr',
  'redHat',
  'quay',
  'harbor',
  'gitlab',
  'artifactory',
  'nexus',
  'artifactRegistry',
  'acr',
];

void describe('vendors through the CLI', () => {
  void it('check: every vendor answers an update for an old tag, signed in with what its login command writes', async () => {
    const items = await check(
      'all',
      [
        'FROM alpine:3.19.0',
        'FROM docker.io/acme/private:1.0.0',
        'FROM ghcr.io/acme/private-app:2.0.0',
        `FROM ${ECR_HOST}/team/app:1.0.0`,
        'FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4',
        'FROM quay.io/acme/app:v1.0.0',
        'FROM harbor.example/acme/app:2.0.0',
        'FROM registry.gitlab.example/group/project/app:1.4.0',
        'FROM acme.jfrog.io/docker-local/app:1.0.0',
        'FROM nexus.example/acme/nolink:4.0.0',
        'FROM europe-docker.pkg.dev/acme/images/app:0.9.0',
        'FROM acme.azurecr.io/team/app:5.0.0',
        '',
      ].join('\n'),
      { DOCKER_CONFIG: dockerConfig('all-logins', loginEntries(ALL)) },
    );
    const got = Object.fromEntries(
      items.map((i) => [
        i.text,
        i.error
          ? `error ${i.error.code}: ${i.error.message}`
          : `${i.status} ${i.updates.map((u) => `${u.kind}=${u.tag}`).join(',')}`,
      ]),
    );
    assert.deepEqual(got, {
      'alpine:3.19.0': 'update minor=3.20.0,patch=3.19.1',
      'docker.io/acme/private:1.0.0': 'update minor=1.1.0',
      'ghcr.io/acme/private-app:2.0.0': 'update minor=2.1.0',
      [`${ECR_HOST}/team/app:1.0.0`]: 'update minor=1.1.0,patch=1.0.1',
      'registry.access.redhat.com/ubi9/ubi-minimal:9.4': 'update minor=9.5',
      'quay.io/acme/app:v1.0.0': 'update minor=v1.129.0',
      'harbor.example/acme/app:2.0.0': 'update minor=2.1.0',
      'registry.gitlab.example/group/project/app:1.4.0': 'update minor=1.5.0',
      'acme.jfrog.io/docker-local/app:1.0.0': 'update minor=1.11.0',
      'nexus.example/acme/nolink:4.0.0': 'update patch=4.0.1199',
      'europe-docker.pkg.dev/acme/images/app:0.9.0': 'update major=1.0.0',
      'acme.azurecr.io/team/app:5.0.0': 'update minor=5.1.0',
    });
  });

  void it('ping: each vendor names the credential source and accepts it', async () => {
    const env = { DOCKER_CONFIG: dockerConfig('ping-logins', loginEntries(ALL)) };
    for (const n of ALL.filter((x) => v.get(x).spec.credential)) {
      const spec = v.get(n).spec;
      const r = await cli(['ping', spec.registry], env);
      assert.equal(r.status, 0, `${spec.name}: ${r.stderr}`);
      assert.match(
        r.stdout,
        new RegExp(
          `credential: +docker config .*config\\.json \\(auths "${spec.credential!.key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"\\) — accepted`,
        ),
        `${spec.name}: ${r.stdout}`,
      );
    }
  });

  void it('Docker Hub: the keys https://index.docker.io/v1/, index.docker.io and docker.io all sign in to docker.io', async () => {
    const c = v.get('dockerHub').spec.credential!;
    for (const key of ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io']) {
      const r = await cli(['ping', 'docker.io'], {
        DOCKER_CONFIG: dockerConfig(`hub-${key.replace(/\W+/g, '-')}`, {
          [key]: { auth: b64(`${c.username}:${c.password}`) },
        }),
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /docker\.io: reachable at https:\/\/registry-1\.docker\.io\/v2\//);
      assert.match(r.stdout, new RegExp(`auths "${key.replace(/[./]/g, '\\$&')}"\\) — accepted`));
    }
  });

  void it('GHCR: a private package without credentials needs credentials (not "not found")', async () => {
    const items = await check(
      'ghcr-anon',
      'FROM ghcr.io/acme/private-app:2.0.0\nFROM ghcr.io/acme/public-app:1.0.0\n',
      {},
    );
    assert.equal(items[0]?.error?.code, 'auth');
    assert.match(items[0]?.error?.message ?? '', /sign in|add credentials/);
    assert.equal(items[1]?.status, 'update');
  });

  void it('ECR: an expired token: ping and check say how to refresh it, with code auth-expired', async () => {
    const env = { DOCKER_CONFIG: dockerConfig('ecr-expired', { [ECR_HOST]: { auth: b64('AWS:ecr-token-expired') } }) };
    const hint =
      /aws ecr get-login-password --region us-east-1 \| docker login --username AWS --password-stdin 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com/;
    const ping = await cli(['ping', ECR_HOST], env);
    assert.equal(ping.status, 2);
    assert.match(ping.stderr, hint);
    assert.ok(!ping.stderr.includes('ecr-token-expired'), 'the token leaked into the message');
    const items = await check('ecr-expired', `FROM ${ECR_HOST}/team/app:1.0.0\n`, env);
    assert.equal(items[0]?.error?.code, 'auth-expired');
    assert.match(items[0]?.error?.message ?? '', hint);
  });

  void it('Podman: credentials from REGISTRY_AUTH_FILE, repository-scoped; ping names the auth file', async () => {
    const c = v.get('quay').spec.credential!;
    const file = path.join(tmp, 'podman', 'auth.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ auths: { 'quay.io': { auth: b64(`${c.username}:${c.password}`) } } }));
    const r = await cli(['ping', 'quay.io'], { REGISTRY_AUTH_FILE: file });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `credential: +containers auth file ${file.replace(/[./]/g, '\\$&')} \\(auths "quay\\.io"\\) — accepted`,
      ),
    );
  });

  void it('no credential reached an origin it does not belong to', () => {
    const allowed = CREDENTIAL_ORIGINS;
    for (const n of ALL) {
      for (const r of v.get(n).seen) {
        if (r.authorization !== undefined)
          assert.ok(
            allowed[n].includes(`${r.scheme}://${r.host}`),
            `${n}: Authorization reached ${r.scheme}://${r.host}${r.path}`,
          );
      }
    }
  });
});
