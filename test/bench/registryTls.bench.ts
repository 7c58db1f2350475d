/**
 * Benchmark: connection reuse against the real TLS registry of the test environment (distribution with TLS and
 * htpasswd), reached through a loopback TCP relay that adds latency (default 25 ms each way, 50 ms round trip).
 * 500 references over 50 repositories are checked cold; the relay counts TCP connections and TLS handshakes
 * (ClientHello records), so a client that drops its socket after each HEAD shows up as one connection and one
 * handshake per request.
 *
 * Prints requests by kind, TCP connections, TLS handshakes, and the wall time against the critical-path bound
 * (round trips / per-host concurrency x RTT, plus one TCP + TLS setup). Targets: connections <= per-host
 * concurrency, wall / bound <= 1.3. REGISTRY_LENS_BENCH_STRICT=1 exits 1 when one is missed.
 *
 *   npm run bench -- registryTls
 *   node out/test/bench/registryTls.bench.js [one-way-delay-ms]
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkImages, createRegistryClient, MemoryCacheStore, scanWorkspace, StaticKeychain } from '../../src/core';
import { registryClient, startTestEnv, TEST_USER } from '../services';
import { buildImage } from '../services/image';
import { Pusher } from '../services/seed';
import type { SeedTag } from '../services/seeds';

const REPOS = 50;
const OCCURRENCES = 500;
const CONCURRENCY = 6;
const TAGS: SeedTag[] = [
  ...['1.0.0', '1.0.1', '1.1.0', '2.0.0'].map((tag): SeedTag => ({ tag, kind: 'docker' })),
  { tag: 'latest', kind: 'docker', sameAs: '2.0.0' },
];

interface Relay {
  port: number;
  connections: () => number;
  handshakes: () => number;
  close: () => Promise<void>;
}

/** A TCP relay delaying every chunk by `delayMs` each way, counting connections and TLS ClientHello records. */
function countingRelay(targetPort: number, delayMs: number): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let handshakes = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      s.setNoDelay(true); // no Nagle stalls of the relay's own: the delay is the only thing it adds
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // A TLS record of type 22 (handshake) whose first message is type 1 (ClientHello) starts a handshake.
    client.on('data', (chunk: Buffer) => {
      if (chunk.length >= 6 && chunk[0] === 22 && chunk[5] === 1) handshakes++;
    });
    const pipe = (from: net.Socket, to: net.Socket): void => {
      from.on('data', (chunk) =>
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
        }, delayMs),
      );
      from.on('end', () => setTimeout(() => to.end(), delayMs));
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        connections: () => connections,
        handshakes: () => handshakes,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}

async function main(): Promise<void> {
  const oneWay = Number(process.argv[2] ?? 25);
  const strict = process.env.REGISTRY_LENS_BENCH_STRICT === '1';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-tls-bench-'));
  const t0 = Date.now();
  const env = await startTestEnv({ registries: ['tls'], seed: 'none' });
  let failed = false;
  try {
    const info = env.registries.tls;
    if (!info?.caFile) throw new Error('the TLS registry has no CA file');
    const pusher = new Pusher(registryClient(env, 'tls'));
    for (let r = 0; r < REPOS; r++) {
      const repository = `bench/svc-${r}`;
      for (const t of TAGS) await pusher.pushImage(repository, buildImage(repository, t, TAGS));
    }
    const relay = await countingRelay(info.port, oneWay);
    // The certificate names 127.0.0.1; the relay's port differs, which TLS does not look at.
    const host = `127.0.0.1:${relay.port}`;
    console.log(
      `setup: TLS registry + ${REPOS * TAGS.length} tags pushed in ${Date.now() - t0} ms; relay adds ${oneWay} ms each way (RTT ${2 * oneWay} ms)`,
    );

    const digestRefs = new Set<string>();
    const uniqueRefs = new Set<string>();
    for (let f = 0; f < OCCURRENCES / REPOS; f++) {
      const lines: string[] = [];
      for (let r = 0; r < REPOS; r++) {
        const tag = ['1.0.0', '1.0.1', '1.1.0', '2.0.0', 'latest'][(r + f) % 5] ?? 'latest';
        const ref = `${host}/bench/svc-${r}:${tag}`;
        uniqueRefs.add(ref);
        if (tag === 'latest') digestRefs.add(ref);
        lines.push(`FROM ${ref} AS s${r}`);
      }
      fs.mkdirSync(path.join(tmp, `svc${f}`));
      fs.writeFileSync(path.join(tmp, `svc${f}`, 'Dockerfile'), `${lines.join('\n')}\n`);
    }
    const { occurrences } = await scanWorkspace([tmp]);
    const { client, close } = createRegistryClient({
      keychain: new StaticKeychain({ [host]: { ...TEST_USER, source: 'bench' } }),
      hosts: { [host]: { caFile: info.caFile } },
      env: {},
      maxConcurrentPerHost: CONCURRENCY,
    });
    const started = Date.now();
    const { findings } = await checkImages(occurrences, {
      client,
      cache: new MemoryCacheStore(),
      concurrency: CONCURRENCY,
    });
    const ms = Date.now() - started;
    const s = client.stats;
    const total = s.ping + s.token + s.head + s.get + s.tags;
    const errors = findings.filter((x) => x.status === 'error');
    if (errors.length > 0) throw new Error(`${errors.length} error findings, first: ${JSON.stringify(errors[0])}`);
    // One probe, one tag listing per repository, one HEAD per digest-only reference; each a round trip on a warm
    // connection, spread over CONCURRENCY connections; the first connection also pays TCP (1 RTT) + TLS 1.3 (1 RTT).
    const minTotal = 1 + REPOS + digestRefs.size;
    const rtt = 2 * oneWay;
    const bound = 2 * rtt + (Math.ceil((minTotal - 1) / CONCURRENCY) + 1) * rtt;
    console.log(`cold check: ${findings.length} findings over ${uniqueRefs.size} unique references, ${ms} ms`);
    console.log(
      `  requests ${total} (ping ${s.ping}, token ${s.token}, tags ${s.tags}, HEAD ${s.head}, GET ${s.get}, retries ${s.retries}); minimum ${minTotal}`,
    );
    console.log(
      `  TCP connections ${relay.connections()} (per-host concurrency ${CONCURRENCY}), TLS handshakes ${relay.handshakes()}`,
    );
    console.log(
      `  wall time vs critical-path bound (setup 2 x ${rtt} ms + ${minTotal} requests / ${CONCURRENCY} x ${rtt} ms = ${bound} ms): ${(ms / bound).toFixed(2)}x`,
    );
    if (relay.connections() > CONCURRENCY) {
      console.log(`  MISSED: ${relay.connections()} connections > ${CONCURRENCY}`);
      failed = true;
    }
    if (ms / bound > 1.3) {
      console.log(`  MISSED: wall / bound ${(ms / bound).toFixed(2)} > 1.3`);
      failed = true;
    }
    await close();
    await relay.close();
  } finally {
    await env.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (failed && strict) process.exit(1);
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
