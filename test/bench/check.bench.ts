/**
 * Benchmark: the update engine on a workspace of 500 occurrences over 50 repositories, against a real registry
 * reached through a loopback TCP relay that adds latency (default 25 ms each way, 50 ms round trip).
 *
 * Prints, for a cold check and a warm re-check: requests by kind against the minimum (one tag listing per
 * repository, one HEAD per unique reference that needs a digest), and the cold wall time against the
 * critical-path bound (round trips / concurrency x RTT).
 *
 *   npm run bench -- check
 *   node out/test/bench/check.bench.js [one-way-delay-ms]
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent } from 'undici';
import {
  checkImages,
  MemoryCacheStore,
  RegistryClient,
  scanWorkspace,
  StaticKeychain,
  USER_AGENT,
} from '../../src/core';
import { registryClient, startTestEnv } from '../services';
import { buildImage } from '../services/image';
import { Pusher } from '../services/seed';
import type { SeedTag } from '../services/seeds';

const REPOS = 50;
const OCCURRENCES = 500;
const TAGS: SeedTag[] = [
  ...['1.0.0', '1.0.1', '1.1.0', '2.0.0'].map((tag): SeedTag => ({ tag, kind: 'docker' })),
  { tag: 'latest', kind: 'docker', sameAs: '2.0.0' },
];

/** A TCP relay that delays every chunk by `delayMs` in each direction: a slow network on loopback. */
function latencyRelay(targetPort: number, delayMs: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
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
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-check-bench-'));
  const t0 = Date.now();
  const env = await startTestEnv({ registries: ['anon'], seed: 'none' });
  try {
    // 50 repositories x 5 tags, pushed once (shared layers are mounted, not uploaded again).
    const pusher = new Pusher(registryClient(env, 'anon'));
    for (let r = 0; r < REPOS; r++) {
      const repository = `bench/svc-${r}`;
      for (const t of TAGS) await pusher.pushImage(repository, buildImage(repository, t, TAGS));
    }
    const relay = await latencyRelay(env.registries.anon.port, oneWay);
    const host = `127.0.0.1:${relay.port}`;
    console.log(
      `setup: registry + ${REPOS * TAGS.length} tags pushed in ${Date.now() - t0} ms; relay adds ${oneWay} ms each way (RTT ${2 * oneWay} ms)`,
    );

    // 500 occurrences: 10 Dockerfiles x 50 FROM lines; tags cycle so each repository is used with several tags,
    // and every fifth reference is `latest` (digest-only: needs a HEAD).
    const uniqueRefs = new Set<string>();
    const digestRefs = new Set<string>();
    for (let f = 0; f < OCCURRENCES / REPOS; f++) {
      const lines: string[] = [];
      for (let r = 0; r < REPOS; r++) {
        const tag = ['1.0.0', '1.0.1', '1.1.0', '2.0.0', 'latest'][(r + f) % 5]!;
        const ref = `${host}/bench/svc-${r}:${tag}`;
        uniqueRefs.add(ref);
        if (tag === 'latest') digestRefs.add(ref);
        lines.push(`FROM ${ref} AS s${r}`);
      }
      fs.mkdirSync(path.join(tmp, `svc${f}`));
      fs.writeFileSync(path.join(tmp, `svc${f}`, 'Dockerfile'), `${lines.join('\n')}\n`);
    }
    const { occurrences } = await scanWorkspace([tmp]);
    const dispatcher = new Agent({ connections: 16 });
    const client = new RegistryClient({ dispatcher, keychain: new StaticKeychain({}), userAgent: USER_AGENT });
    const cache = new MemoryCacheStore();
    const concurrency = 6;
    // The minimum: the scheme probe (2 pings for a plain-HTTP registry: HTTPS is tried first), one tag listing per
    // repository, one HEAD per digest-only reference.
    const minimum = { ping: 2, tags: REPOS, head: digestRefs.size };
    const minTotal = minimum.ping + minimum.tags + minimum.head;

    const run = async (label: string): Promise<void> => {
      const before = { ...client.stats };
      const started = Date.now();
      const { findings, stats } = await checkImages(occurrences, { client, cache, concurrency });
      const ms = Date.now() - started;
      const d = Object.fromEntries(
        Object.entries(client.stats).map(([k, v]) => [k, v - (before[k as keyof typeof before] ?? 0)]),
      ) as Record<string, number>;
      const total = (d.ping ?? 0) + (d.token ?? 0) + (d.head ?? 0) + (d.get ?? 0) + (d.tags ?? 0);
      const errors = findings.filter((x) => x.status === 'error').length;
      console.log(
        `${label}: ${findings.length} findings (${errors} errors), ${ms} ms; requests ${total} ` +
          `(ping ${d.ping}, token ${d.token}, tags ${d.tags}, HEAD ${d.head}, GET ${d.get}, retries ${d.retries}); ` +
          `cache fresh ${stats.cache.fresh}, fetched ${stats.cache.fetched}`,
      );
      if (label === 'cold') {
        // Each request is one round trip once connections are warm; the ping and connection setup add a few more.
        const bound = (minTotal / concurrency) * 2 * oneWay;
        console.log(
          `  requests vs minimum: ${total} / ${minTotal} = ${(total / minTotal).toFixed(2)} ` +
            `(minimum: ping ${minimum.ping}, tags ${minimum.tags}, HEAD ${minimum.head} for ${uniqueRefs.size} unique references)`,
        );
        console.log(
          `  wall time vs critical-path bound (${minTotal} requests / ${concurrency} x ${2 * oneWay} ms = ${bound.toFixed(0)} ms): ${(ms / bound).toFixed(2)}x`,
        );
      } else {
        console.log(`  requests on the warm re-check: ${total} (minimum 0)`);
      }
    };
    await run('cold');
    await run('warm');
    await dispatcher.close();
    await relay.close();
  } finally {
    await env.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
