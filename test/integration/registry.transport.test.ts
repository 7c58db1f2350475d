// Transport options against real parts: the TLS registry with its per-run CA file and with unverified TLS, a
// CONNECT proxy on loopback (written here), per-host concurrency against the fault server.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRegistryClient, isTlsError } from '../support/registryKit';
import { type FaultServer, sendJson, startFaultServer } from '../support/faultServer';
import { registryInfo, seededImage, TEST_USER, useTestEnv } from '../services';

const getEnv = useTestEnv({ seed: 'test', registries: ['anon', 'tls'] });
const keychain = { resolve: () => Promise.resolve({ ...TEST_USER, source: 'test' }) };

let proxy: http.Server;
let proxyPort = 0;
const connects: string[] = [];
let fault: FaultServer;

before(async () => {
  proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host ?? '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  proxyPort = (proxy.address() as net.AddressInfo).port;
  fault = await startFaultServer();
});
after(async () => {
  proxy.closeAllConnections();
  await new Promise<void>((r) => proxy.close(() => r()));
  await fault.close();
});

void describe('registry transport', () => {
  void it('TLS registry: sequential HEADs reuse one warm connection (no new TCP + TLS handshake per HEAD)', async () => {
    const env = await getEnv();
    const info = registryInfo(env, 'tls');
    const seeded = seededImage(env, 'tls', 'test/app', '1.0.0');
    // A counting TCP relay in front of the registry: every accepted socket is one TCP connection + TLS handshake.
    let accepted = 0;
    const relay = net.createServer((client) => {
      accepted++;
      const upstream = net.connect(info.port, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const host = `127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
    const { client, close } = createRegistryClient({
      keychain,
      env: {},
      hosts: { [host]: { caFile: info.caFile ?? '' } },
    });
    try {
      await client.listTags(host, 'test/app'); // the probe and one request warm a connection
      const warm = accepted;
      for (let i = 0; i < 12; i++)
        assert.equal((await client.headManifest(host, 'test/app', '1.0.0')).digest, seeded.digest);
      await client.listTags(host, 'test/app');
      assert.equal(accepted - warm, 0, `${accepted - warm} new connections for 13 sequential requests`);
      assert.equal(client.stats.head, 12);
    } finally {
      await close();
      relay.close();
    }
  });

  void it('TLS registry: caFile merged with system roots works; without it a TLS error; insecure skips verification', async () => {
    const env = await getEnv();
    const info = registryInfo(env, 'tls');
    const reg = new URL(info.url).host;
    const seeded = seededImage(env, 'tls', 'test/app', '1.0.0');
    const withCa = createRegistryClient({ keychain, env: {}, hosts: { [reg]: { caFile: info.caFile ?? '' } } });
    const without = createRegistryClient({ keychain, env: {} });
    const insecure = createRegistryClient({ keychain, env: {}, hosts: { [reg]: { insecure: true } } });
    try {
      assert.equal((await withCa.client.headManifest(reg, 'test/app', '1.0.0')).digest, seeded.digest);
      await assert.rejects(
        without.client.headManifest(reg, 'test/app', '1.0.0'),
        (e) => isTlsError(e) && e.tlsCode !== undefined && /settings/.test(e.message),
      );
      assert.equal((await insecure.client.headManifest(reg, 'test/app', '1.0.0')).digest, seeded.digest);
      assert.equal((await insecure.client.ping(reg)).scheme, 'https');
    } finally {
      await Promise.all([withCa.close(), without.close(), insecure.close()]);
    }
  });

  void it('an explicit proxy setting tunnels registry traffic through CONNECT (http and https registries)', async () => {
    const env = await getEnv();
    const anon = registryInfo(env, 'anon');
    const tls = registryInfo(env, 'tls');
    const tlsHost = new URL(tls.url).host;
    connects.length = 0;
    const c = createRegistryClient({
      keychain,
      env: {},
      proxy: `http://127.0.0.1:${proxyPort}`,
      hosts: { [anon.host]: { scheme: 'http' }, [tlsHost]: { caFile: tls.caFile ?? '' } },
    });
    try {
      assert.equal(
        (await c.client.headManifest(anon.host, 'test/app', '1.0.0')).digest,
        seededImage(env, 'anon', 'test/app', '1.0.0').digest,
      );
      assert.equal(
        (await c.client.headManifest(tlsHost, 'test/app', '1.0.0')).digest,
        seededImage(env, 'tls', 'test/app', '1.0.0').digest,
      );
      assert.ok(connects.includes(anon.host), connects.join());
      assert.ok(connects.includes(tlsHost), connects.join());
      assert.equal(c.transport.describe(new URL(tls.url)).route, `http://127.0.0.1:${proxyPort}`);
    } finally {
      await c.close();
    }
    // the environment's HTTPS_PROXY does not apply to loopback registries
    connects.length = 0;
    const envOnly = createRegistryClient({
      env: { HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` },
      hosts: { [anon.host]: { scheme: 'http' } },
    });
    try {
      await envOnly.client.headManifest(anon.host, 'test/app', '1.0.0');
      assert.deepEqual(connects, []);
    } finally {
      await envOnly.close();
    }
  });

  void it('per-host concurrency limit holds under 12 parallel requests', async () => {
    let active = 0;
    let peak = 0;
    fault.handle((_req, res, { url }) => {
      if (url.pathname === '/v2/') return sendJson(res, 200, {});
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        res.writeHead(200, { 'docker-content-digest': `sha256:${'a'.repeat(64)}` }).end();
      }, 30);
    });
    const c = createRegistryClient({ env: {}, maxConcurrentPerHost: 3, hosts: { [fault.host]: { scheme: 'http' } } });
    try {
      await Promise.all(Array.from({ length: 12 }, (_, i) => c.client.headManifest(fault.host, 'x', `t${i}`)));
      assert.equal(peak, 3);
    } finally {
      await c.close();
    }
  });
});
