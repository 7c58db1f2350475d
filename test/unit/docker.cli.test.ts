// `registry-lens check --local` in-process without an engine or registries: usage errors, help, no engine (exit 2
// with what to do, for a missing socket, a refused tcp port and an ssh:// host), and the JSON item shape over a fake
// engine on a unix socket whose image exists only locally (no registry request at all).
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { main, type CliIo } from '../../src/cli/main';

const root = mkdtempSync(path.join(tmpdir(), 'rl-local-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd: root,
    env: { HOME: root, CI: '1', DOCKER_CONFIG: path.join(root, 'none'), ...env },
  };
  const code = await main(['check', ...args], io);
  return { code, out, err };
}

void describe('registry-lens check --local (in-process)', () => {
  void it('usage: errors exit 2 naming the option; --help exits 0; --docker-host needs --local', async () => {
    for (const [args, re] of [
      [['--local', '--concurrency', '0'], /--concurrency takes a whole number/],
      [['--local', '--format', 'sarif'], /--format with --local takes table or json/],
      [['--local', '--bogus'], /unknown option "--bogus"/],
      [['--local', 'some/path'], /check --local takes no paths/],
      [['--local', '--offline', '--no-cache'], /--offline needs the cache/],
      [['--local', '--docker-host'], /--docker-host needs a value/],
      [['--docker-host', 'unix:///x.sock'], /--docker-host goes with --local/],
    ] as const) {
      const r = await run([...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, re);
    }
    const help = await run(['--local', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /Usage: registry-lens check --local/);
    assert.match((await run(['--help'])).out, /--local +check the local Docker engine/);
  });

  void it('no engine: exit 2 with what to do (missing socket, refused port via DOCKER_HOST, ssh://)', async () => {
    const missing = await run(['--local', '--docker-host', path.join(root, 'none.sock')]);
    assert.equal(missing.code, 2);
    assert.match(
      missing.err,
      /^registry-lens check --local: no Docker engine: No Docker engine at .*none\.sock: the socket does not exist\. Start Docker/,
    );
    assert.equal(missing.out, '');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const refused = await run(['--local'], { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    assert.equal(refused.code, 2);
    assert.match(refused.err, new RegExp(`Nothing answers at tcp://127\\.0\\.0\\.1:${port} \\(DOCKER_HOST\\)`));
    const ssh = await run(['--local', '--docker-host', 'ssh://me@box']);
    assert.equal(ssh.code, 2);
    assert.match(ssh.err, /not ssh:\/\//);
  });

  void it('--json over a fake engine: one item per tag and running container; local-only without a registry request', async () => {
    const sock = path.join(root, 'fake.sock');
    const server = http.createServer((req, res) => {
      const u = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0] ?? '';
      const json = (v: unknown) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (u === '/_ping') res.end('OK');
      else if (u === '/version') json({ Version: '99.0', ApiVersion: '1.41', Os: 'linux', Arch: 'amd64' });
      else if (u === '/images/json')
        json([{ Id: 'sha256:aaa', RepoTags: ['mine/app:dev'], RepoDigests: [], Created: 1704067200, Size: 5 }]);
      else if (u.startsWith('/images/')) json({ Id: 'sha256:aaa', Os: 'linux', Architecture: 'amd64' });
      else if (u === '/containers/json')
        json([
          {
            Id: 'c1',
            Names: ['/dev'],
            Image: 'mine/app:dev',
            ImageID: 'sha256:aaa',
            State: 'running',
            Status: 'Up',
            Created: 1704067200,
            Labels: {},
          },
        ]);
      else if (u.startsWith('/containers/')) json({ Id: 'c1', Config: { Image: 'mine/app:dev' } });
      else {
        res.writeHead(404);
        res.end('{}');
      }
    });
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const r = await run(['--local', '--json', '--no-cache', '--docker-host', `unix://${sock}`]);
      assert.equal(r.code, 0, r.err);
      const items = JSON.parse(r.out) as Record<string, unknown>[];
      assert.deepEqual(
        items.map((i) => [i.kind, i.ref, i.status, i.outdated]),
        [
          ['image', 'mine/app:dev', 'local-only', false],
          ['container', 'mine/app:dev', 'local-only', false],
        ],
      );
      assert.deepEqual(
        Object.keys(items[0] ?? {}).sort(),
        [
          'actions',
          'code',
          'container',
          'digestChanged',
          'error',
          'image',
          'kind',
          'localDigest',
          'message',
          'newerLocalImageId',
          'notes',
          'outdated',
          'ref',
          'registryDigest',
          'stale',
          'status',
          'updates',
        ].sort(),
      );
      const table = await run(['--local', '--all', '--no-cache', '--fail-on-update', '--docker-host', sock]);
      assert.equal(table.code, 0);
      assert.match(table.out, /image +mine\/app:dev +aaa +local-only/);
      assert.match(
        table.out,
        /1 image tag and 1 running container: 0 out of date, 0 up to date, 2 local only, 0 skipped, 0 errors\. Engine Docker 99\.0 at unix:\/\/.*fake\.sock \(--docker-host\); 0 registry requests/,
      );
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
