// Mirrors and pull-through caches against a real distribution registry acting as the mirror (the anonymous test
// registry, seeded with the same repositories): `--mirror` / registryMirrors for any registry, the daemon's
// registry-mirrors (daemon.json) for Docker Hub. The upstreams are unreachable on purpose: Docker Hub's name points
// at a closed loopback port, the htpasswd registry refuses anonymous reads.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { Agent } from 'undici';
import { REPO_ROOT } from '../support/paths';
import { registryInfo, useTestEnv } from '../services';
import { buildMirrorTable, RegistryClient } from '../support/registryKit';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const getEnv = useTestEnv({ seed: 'test', registries: ['anon', 'basic'] });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-mirrors-'));
const agent = new Agent();
after(async () => {
  await agent.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});
// Docker Hub's API host on a loopback port where nothing listens: a fallback to the upstream fails at once, locally.
const HUB_NOWHERE = 'registry-1.docker.io:443=127.0.0.1:9';

function cli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tmp,
        XDG_CONFIG_HOME: path.join(tmp, 'no-config'),
        DOCKER_CONFIG: path.join(tmp, 'empty'),
        REGISTRY_LENS_TEST_RESOLVE: HUB_NOWHERE,
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

interface Item {
  text: string;
  reference: { registry: string; repository: string };
  status: string;
  updates: { kind: string; tag: string }[];
  notes: { code: string; message: string; mirror?: string }[];
  error: { code: string; message: string } | null;
}

void describe('mirrors', () => {
  void it('the client: tags and digests of an upstream through its mirror; the upstream is not asked', async () => {
    const env = await getEnv();
    const anon = registryInfo(env, 'anon').host;
    const basic = registryInfo(env, 'basic').host;
    const client = new RegistryClient({
      dispatcher: agent,
      mirrors: buildMirrorTable({ [basic]: [`http://${anon}`] }, []),
      retry: { retries: 0 },
    });
    const tags = await client.listTags(basic, 'test/app');
    assert.equal(tags.registry, basic);
    assert.equal(tags.mirror, `http://${anon}`);
    assert.ok(tags.tags.includes('2.0.0'));
    const d = await client.headManifest(basic, 'test/app', '1.0.0');
    assert.equal(d.mirror, `http://${anon}`);
    assert.match(d.digest, /^sha256:/);
    // The htpasswd upstream answers anonymous reads with 401: these answers can only have come from the mirror.
    await assert.rejects(
      new RegistryClient({ dispatcher: agent, retry: { retries: 0 } }).listTags(basic, 'test/app'),
      /requires authentication/,
    );
  });

  void it('a failing mirror falls back to the next, then to the registry itself', async () => {
    const env = await getEnv();
    const anon = registryInfo(env, 'anon').host;
    const lines: string[] = [];
    const client = new RegistryClient({
      dispatcher: agent,
      mirrors: buildMirrorTable({ [anon]: ['127.0.0.1:9', `${anon}/no-such-prefix`] }, []),
      retry: { retries: 0 },
      log: (l) => lines.push(l),
    });
    const tags = await client.listTags(anon, 'test/app');
    assert.equal(tags.mirror, undefined);
    assert.ok(tags.tags.includes('1.0.0'));
    assert.equal(lines.filter((l) => /the mirror .* failed/.test(l)).length, 2, lines.join('\n'));
  });

  void it('the CLI: --mirror for a registry and the daemon.json registry-mirrors for Docker Hub; the reference text is kept', async () => {
    const env = await getEnv();
    const anon = registryInfo(env, 'anon').host;
    const basic = registryInfo(env, 'basic').host;
    const ws = path.join(tmp, 'ws');
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'Dockerfile'), `FROM test/app:1.1.0\nFROM ${basic}/test/app:1.0.0\n`);
    const configHome = path.join(tmp, 'config-home');
    fs.mkdirSync(path.join(configHome, 'docker'), { recursive: true });
    // Docker Hub's one-segment names are library/ on a mirror too: test/app stays test/app.
    fs.writeFileSync(
      path.join(configHome, 'docker', 'daemon.json'),
      JSON.stringify({ 'registry-mirrors': [`http://${anon}`] }),
    );
    const r = await cli(
      ['check', '--json', '--no-cache', '--mirror', `${basic}=${anon}`, ws],
      { XDG_CONFIG_HOME: configHome },
      ws,
    );
    assert.equal(r.status, 0, r.stderr);
    const items = JSON.parse(r.stdout) as Item[];
    const hub = items.find((i) => i.text === 'test/app:1.1.0');
    const up = items.find((i) => i.text === `${basic}/test/app:1.0.0`);
    assert.equal(hub?.reference.registry, 'docker.io');
    assert.equal(hub?.status, 'update', JSON.stringify(hub));
    assert.deepEqual(
      hub?.updates.map((u) => `${u.kind}=${u.tag}`),
      ['major=2.0.0', 'minor=1.2.0', 'patch=1.1.1'],
    );
    assert.equal(hub?.notes.find((n) => n.code === 'mirror')?.mirror, `http://${anon}`);
    assert.equal(up?.reference.registry, basic);
    assert.equal(up?.status, 'update', JSON.stringify(up));
    assert.match(
      up?.notes.find((n) => n.code === 'mirror')?.message ?? '',
      new RegExp(
        `checked through the mirror ${anon.replace(/\./g, '\\.')} \\(instead of ${basic.replace(/\./g, '\\.')}\\)`,
      ),
    );
    // Without the mirrors: Docker Hub is unreachable (its loopback stand-in is closed), the htpasswd registry wants a login.
    const without = JSON.parse((await cli(['check', '--json', '--no-cache', ws], {}, ws)).stdout) as Item[];
    assert.equal(without.find((i) => i.text === 'test/app:1.1.0')?.error?.code, 'network');
    assert.equal(without.find((i) => i.text === `${basic}/test/app:1.0.0`)?.error?.code, 'auth');
  });

  void it('a broken daemon.json is a warning naming the file, and checks go to the registry itself', async () => {
    const env = await getEnv();
    const anon = registryInfo(env, 'anon').host;
    const configHome = path.join(tmp, 'broken-home');
    fs.mkdirSync(path.join(configHome, 'docker'), { recursive: true });
    fs.writeFileSync(
      path.join(configHome, 'docker', 'daemon.json'),
      JSON.stringify({ 'registry-mirrors': 'http://not-a-list' }),
    );
    const r = await cli(['ping', anon], { XDG_CONFIG_HOME: configHome }, tmp);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /daemon\.json: "registry-mirrors" is not a list of URLs/);
  });
});
