// Engine against a scripted fake engine on a unix socket (node:http): ping states, the inventory, pull streams
// (progress, an error event under HTTP 200, HTTP errors, a cut stream, cancel), the X-Registry-Auth encoding, and
// recovery after the engine went away. The real dockerd is exercised in test/integration/docker.test.ts.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  Engine,
  isAbortError,
  isEngineUnavailableError,
  isPullError,
  registryAuthValue,
  resolveEngine,
  type PullProgress,
} from '../../src/core';
import { fixture } from '../support/paths';

const PULL_EVENTS = fs
  .readFileSync(fixture('docker', 'pull-layers.ndjson'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as object);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-docker-engine-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
interface Fake {
  socketPath: string;
  requests: { method: string; url: string; auth: string | undefined }[];
  routes: Map<string, Handler>;
  close(): Promise<void>;
  listen(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function fakeEngine(name: string): Promise<Fake> {
  const socketPath = path.join(tmp, `${name}.sock`);
  const requests: Fake['requests'] = [];
  const routes = new Map<string, Handler>([
    [
      'GET /_ping',
      (_q, r) => {
        r.writeHead(200, { 'Content-Type': 'text/plain', 'Api-Version': '1.41' });
        r.end('OK');
      },
    ],
    [
      'GET /version',
      (_q, r) =>
        json(r, 200, {
          Version: '20.10.24',
          ApiVersion: '1.41',
          Os: 'linux',
          Arch: 'amd64',
          Platform: { Name: 'Fake Engine' },
        }),
    ],
  ]);
  let server: http.Server | undefined;
  const sockets = new Set<net.Socket>();
  const fake: Fake = {
    socketPath,
    requests,
    routes,
    listen: () =>
      new Promise<void>((resolve) => {
        fs.rmSync(socketPath, { force: true });
        server = http.createServer((req, res) => {
          const url = new URL(req.url ?? '/', 'http://docker');
          requests.push({
            method: req.method ?? '',
            url: url.pathname + url.search,
            auth: req.headers['x-registry-auth'] as string | undefined,
          });
          const key = `${req.method} ${url.pathname.replace(/^\/v[\d.]+\//, '/')}`;
          const route =
            routes.get(key) ?? [...routes].find(([k]) => k.endsWith('*') && key.startsWith(k.slice(0, -1)))?.[1];
          if (route) route(req, res);
          else json(res, 404, { message: `page not found: ${key}` });
        });
        server.on('connection', (s) => {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
        });
        server.listen(socketPath, resolve);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server) return resolve();
        server.close(() => resolve());
      }),
  };
  await fake.listen();
  return fake;
}

const engineFor = (socketPath: string) =>
  new Engine(resolveEngine({ host: `unix://${socketPath}`, env: {} }), { pingTimeoutMs: 1000 });

void describe('Engine (fake engine on a unix socket)', () => {
  void it('ping: ok with version and platform; missing socket, refused, permission, not docker, timeout, ssh', async () => {
    const fake = await fakeEngine('ping');
    try {
      const ok = await engineFor(fake.socketPath).ping();
      assert.deepEqual(ok, {
        state: 'ok',
        endpoint: `unix://${fake.socketPath} (setting)`,
        version: '20.10.24',
        apiVersion: '1.41',
        os: 'linux',
        arch: 'amd64',
        platform: 'Fake Engine',
      });
    } finally {
      await fake.close();
    }
    const missing = await engineFor(path.join(tmp, 'nope.sock')).ping();
    assert.equal(missing.state, 'unavailable');
    assert.equal(missing.state === 'unavailable' && missing.reason, 'socket-missing');
    assert.match(
      missing.state === 'unavailable' ? missing.message : '',
      /No Docker engine at .*nope\.sock: the socket does not exist\. Start Docker/,
    );

    // a socket file nobody listens on
    const stale = path.join(tmp, 'stale.sock');
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(stale, r));
    await new Promise<void>((r) => srv.close(() => r()));
    fs.writeFileSync(stale, ''); // a plain file where a socket should be
    const refused = await engineFor(stale).ping();
    assert.equal(refused.state === 'unavailable' && refused.reason, 'connection-refused');

    if (process.getuid?.() !== 0) {
      const locked = path.join(tmp, 'locked.sock');
      const s2 = net.createServer();
      await new Promise<void>((r) => s2.listen(locked, r));
      fs.chmodSync(locked, 0);
      const denied = await engineFor(locked).ping();
      assert.equal(denied.state === 'unavailable' && denied.reason, 'permission-denied');
      await new Promise<void>((r) => s2.close(() => r()));
    }

    const notDocker = await fakeEngine('notdocker');
    notDocker.routes.clear();
    try {
      const nd = await engineFor(notDocker.socketPath).ping();
      assert.equal(nd.state === 'unavailable' && nd.reason, 'not-docker');
    } finally {
      await notDocker.close();
    }

    const slow = await fakeEngine('slow');
    slow.routes.set('GET /_ping', () => undefined); // never answers
    try {
      const t0 = Date.now();
      const to = await new Engine(resolveEngine({ host: slow.socketPath, env: {} }), { pingTimeoutMs: 200 }).ping();
      assert.equal(to.state === 'unavailable' && to.reason, 'timeout');
      assert.ok(Date.now() - t0 < 2000);
    } finally {
      await slow.close();
    }

    const ssh = await new Engine(resolveEngine({ host: 'ssh://me@box', env: {} })).ping();
    assert.equal(ssh.state === 'unavailable' && ssh.reason, 'unsupported');
  });

  void it('recovers: unavailable while the engine is gone, ok again when it is back', async () => {
    const fake = await fakeEngine('flaky');
    const engine = engineFor(fake.socketPath);
    assert.equal((await engine.ping()).state, 'ok');
    await fake.close();
    fs.rmSync(fake.socketPath, { force: true });
    const gone = await engine.ping();
    assert.equal(gone.state, 'unavailable');
    await fake.listen();
    try {
      assert.equal((await engine.ping()).state, 'ok');
    } finally {
      await fake.close();
    }
  });

  void it('listLocal: tagged and digest-only images with platforms, running containers with their configured image; <none> skipped', async () => {
    const fake = await fakeEngine('list');
    fake.routes.set('GET /images/json', (_q, r) =>
      json(r, 200, [
        {
          Id: 'sha256:aaa',
          RepoTags: ['127.0.0.1:5000/test/app:1.0.0', 'app:local'],
          RepoDigests: ['127.0.0.1:5000/test/app@sha256:1111'],
          Created: 1704067200,
          Size: 1234,
        },
        { Id: 'sha256:bbb', RepoTags: ['<none>:<none>'], RepoDigests: ['<none>@<none>'], Created: 1704067200, Size: 1 },
        { Id: 'sha256:ccc', RepoTags: null, RepoDigests: ['alpine@sha256:2222'], Created: 1704067200, Size: 2 },
      ]),
    );
    fake.routes.set('GET /images/*', (q, r) => {
      if (q.url?.includes('sha256:aaa'))
        json(r, 200, { Id: 'sha256:aaa', Architecture: 'arm64', Variant: 'v8', Os: 'linux' });
      else json(r, 404, { message: 'No such image' });
    });
    fake.routes.set('GET /containers/json', (_q, r) =>
      json(r, 200, [
        {
          Id: 'c1',
          Names: ['/web'],
          Image: 'sha256:aaa',
          ImageID: 'sha256:aaa',
          State: 'running',
          Status: 'Up 1 minute',
          Created: 1704067200,
          Labels: { 'com.docker.compose.project': 'p', 'com.docker.compose.service': 'web' },
        },
        {
          Id: 'c2',
          Names: ['/gone'],
          Image: 'x',
          ImageID: 'sha256:aaa',
          State: 'running',
          Status: 'Up',
          Created: 1704067200,
          Labels: {},
        },
      ]),
    );
    fake.routes.set('GET /containers/*', (q, r) => {
      if (q.url?.includes('/c1/')) json(r, 200, { Id: 'c1', Config: { Image: '127.0.0.1:5000/test/app:1.0.0' } });
      else json(r, 404, { message: 'No such container' });
    });
    try {
      const inv = await engineFor(fake.socketPath).listLocal();
      assert.deepEqual(
        inv.images.map((i) => [i.id, i.repoTags, i.repoDigests, i.platform, i.created]),
        [
          [
            'sha256:aaa',
            ['127.0.0.1:5000/test/app:1.0.0', 'app:local'],
            ['127.0.0.1:5000/test/app@sha256:1111'],
            'linux/arm64/v8',
            '2024-01-01T00:00:00.000Z',
          ],
          ['sha256:ccc', [], ['alpine@sha256:2222'], null, '2024-01-01T00:00:00.000Z'],
        ],
      );
      assert.deepEqual(inv.containers, [
        {
          id: 'c1',
          name: 'web',
          image: '127.0.0.1:5000/test/app:1.0.0',
          imageId: 'sha256:aaa',
          state: 'running',
          status: 'Up 1 minute',
          created: '2024-01-01T00:00:00.000Z',
          compose: { project: 'p', service: 'web' },
        },
      ]);
      // listContainers asks for running ones only (no all=1)
      assert.ok(fake.requests.some((r) => r.url.startsWith('/containers/json') && !r.url.includes('all=')));
    } finally {
      await fake.close();
    }
  });

  void it('pull: progress per layer, X-Registry-Auth padded URL-safe base64, result with digest', async () => {
    const fake = await fakeEngine('pull');
    fake.routes.set('POST /images/create', (_q, r) => {
      r.writeHead(200, { 'Content-Type': 'application/json' });
      let i = 0;
      const next = () => {
        const e = PULL_EVENTS[i++];
        if (!e) return r.end();
        r.write(JSON.stringify(e) + '\r\n');
        setTimeout(next, 2);
      };
      next();
    });
    try {
      const seen: PullProgress[] = [];
      const auth = { username: 'u', password: 'p>?~', source: 'test' };
      const result = await engineFor(fake.socketPath).pull('127.0.0.1:5000/test/app:1.0.0', {
        auth,
        onProgress: (p) => seen.push(p),
        progressIntervalMs: 0,
      });
      assert.equal(result.outcome, 'downloaded');
      assert.equal(result.digest, 'sha256:1111111111111111111111111111111111111111111111111111111111111111');
      assert.deepEqual(result.progress.layers, { total: 3, done: 3, downloading: 0, extracting: 0, cached: 1 });
      assert.ok(seen.length >= 5, `${seen.length} progress reports`);
      assert.ok(seen.some((s) => s.phase === 'downloading' && s.bytes.current > 0 && s.bytes.current < s.bytes.total));
      const req = fake.requests.find((r) => r.url.startsWith('/images/create'));
      assert.match(req?.url ?? '', /fromImage=127\.0\.0\.1%3A5000%2Ftest%2Fapp&tag=1\.0\.0/);
      const header = req?.auth ?? '';
      assert.equal(header, registryAuthValue(auth, '127.0.0.1:5000'));
      assert.ok(!/[+/]/.test(header), 'URL-safe alphabet');
      assert.deepEqual(JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString()), {
        serveraddress: '127.0.0.1:5000',
        username: 'u',
        password: 'p>?~',
      });
    } finally {
      await fake.close();
    }
  });

  void it('registryAuthValue: identity and registry tokens, anonymous, Docker Hub server address', async () => {
    const decode = (v: string) =>
      JSON.parse(Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString()) as unknown;
    assert.deepEqual(decode(registryAuthValue({ identityToken: 'idt', username: '<token>', source: 's' }, 'h')), {
      serveraddress: 'h',
      identitytoken: 'idt',
      username: '<token>',
    });
    assert.deepEqual(decode(registryAuthValue({ registryToken: 'rt', source: 's' }, 'h')), {
      serveraddress: 'h',
      registrytoken: 'rt',
    });
    assert.deepEqual(decode(registryAuthValue(undefined, 'h')), { serveraddress: 'h' });
    // padding kept: JSON lengths that are not multiples of 3 end in '='
    assert.ok(registryAuthValue({ username: 'a', password: 'b', source: 's' }, 'hh').endsWith('='));
    const fake = await fakeEngine('hub');
    fake.routes.set('POST /images/create', (_q, r) => {
      r.writeHead(200);
      r.end(JSON.stringify({ status: 'Status: Image is up to date for alpine:3.20' }));
    });
    try {
      const res = await engineFor(fake.socketPath).pull('alpine:3.20');
      assert.equal(res.outcome, 'up-to-date');
      const req = fake.requests.find((r) => r.url.startsWith('/images/create'));
      assert.match(req?.url ?? '', /fromImage=docker\.io%2Flibrary%2Falpine&tag=3\.20/);
      assert.deepEqual(decode(req?.auth ?? ''), { serveraddress: 'https://index.docker.io/v1/' });
    } finally {
      await fake.close();
    }
  });

  void it('pull failures: an error event under HTTP 200, HTTP 404/500 with the engine message, a stream without a result, a cut stream', async () => {
    const fake = await fakeEngine('fail');
    let mode = 'event';
    fake.routes.set('POST /images/create', (_q, r) => {
      if (mode === 'event') {
        r.writeHead(200, { 'Content-Type': 'application/json' });
        r.write(JSON.stringify({ status: 'Pulling from test/app', id: '9.9.9' }) + '\n');
        r.end(
          JSON.stringify({
            errorDetail: {
              message: 'manifest for 127.0.0.1:5000/test/app:9.9.9 not found: manifest unknown: manifest unknown',
            },
            error: 'manifest for 127.0.0.1:5000/test/app:9.9.9 not found: manifest unknown: manifest unknown',
          }) + '\n',
        );
      } else if (mode === '404')
        json(r, 404, { message: "pull access denied for x, repository does not exist or may require 'docker login'" });
      else if (mode === '500')
        json(r, 500, {
          message:
            'Head "https://127.0.0.1:1/v2/test/app/manifests/1": unauthorized: authentication failed: bad credentials',
        });
      else if (mode === 'noresult') {
        r.writeHead(200);
        r.end(JSON.stringify({ status: 'Pulling from test/app', id: '1' }) + '\n');
      } else {
        r.writeHead(200);
        r.write(JSON.stringify({ status: 'Pulling fs layer', id: 'l1' }) + '\n');
        setTimeout(() => r.socket?.destroy(), 20);
      }
    });
    const engine = engineFor(fake.socketPath);
    try {
      await assert.rejects(engine.pull('127.0.0.1:5000/test/app:9.9.9'), (e: unknown) => {
        assert.ok(isPullError(e));
        assert.equal(e.kind, 'not-found');
        assert.equal(e.status, null);
        assert.match(e.message, /Pulling 127\.0\.0\.1:5000\/test\/app:9\.9\.9 failed: manifest for .* not found/);
        return true;
      });
      mode = '404';
      await assert.rejects(
        engine.pull('x:1'),
        (e: unknown) =>
          isPullError(e) && e.status === 404 && e.kind === 'auth' && /pull access denied/.test(e.engineMessage),
      );
      mode = '500';
      await assert.rejects(
        engine.pull('127.0.0.1:1/test/app:1', { auth: { username: 'u', password: 'secret-pw', source: 's' } }),
        (e: unknown) => {
          assert.ok(isPullError(e) && e.status === 500 && e.kind === 'auth');
          assert.ok(!e.message.includes('secret-pw'));
          return true;
        },
      );
      mode = 'noresult';
      await assert.rejects(engine.pull('x:1'), (e: unknown) => isPullError(e) && /without a result/.test(e.message));
      mode = 'cut';
      await assert.rejects(
        engine.pull('x:1'),
        (e: unknown) => isEngineUnavailableError(e) && e.reason === 'connection-lost',
      );
      await assert.rejects(engine.pull('not a ref'), (e: unknown) => isPullError(e));
    } finally {
      await fake.close();
    }
  });

  void it('pull: aborting the signal destroys the stream and rejects with AbortError; the engine sees the client go', async () => {
    const fake = await fakeEngine('cancel');
    let closed = false;
    fake.routes.set('POST /images/create', (req, r) => {
      r.writeHead(200);
      r.write(JSON.stringify({ status: 'Downloading', progressDetail: { current: 1, total: 100 }, id: 'l1' }) + '\n');
      req.socket.on('close', () => (closed = true));
    });
    try {
      const c = new AbortController();
      const p = engineFor(fake.socketPath).pull('x:1', {
        signal: c.signal,
        onProgress: () => c.abort(),
        progressIntervalMs: 0,
      });
      await assert.rejects(p, (e: unknown) => isAbortError(e));
      for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(closed, 'the connection to the engine was closed');
      const pre = new AbortController();
      pre.abort();
      await assert.rejects(engineFor(fake.socketPath).pull('x:1', { signal: pre.signal }), (e: unknown) =>
        isAbortError(e),
      );
    } finally {
      await fake.close();
    }
  });
});
