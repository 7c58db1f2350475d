/**
 * Benchmark: token requests and timings of the registry client against the real token registry of the test
 * environment — cold vs warm token cache, concurrent (single flight) vs sequential.
 * Target (DESIGN.md): at most one token request per realm/service/scope/credential while valid; zero on warm.
 *
 *   npm run bench -- registry                (builds, then runs this file)
 *   node out/test/bench/registry.bench.js [HEADS]
 *
 * Starts its own environment (token registry, test + demo seeds) unless REGISTRY_LENS_TEST_ENV names a running one.
 * Set REGISTRY_LENS_BENCH_STRICT=1 to exit 1 when a target is missed.
 */
import { createRegistryClient } from '../../src/core/registry';
import { StaticKeychain } from '../../src/core/credentials';
import {
  clearTokenLog,
  ENV_FILE_VARIABLE,
  loadTestEnv,
  readTokenLog,
  registryInfo,
  startTestEnv,
  TEST_USER,
  type TestEnv,
} from '../services';

async function main(): Promise<void> {
  const heads = Number(process.argv[2] ?? 50);
  const file = process.env[ENV_FILE_VARIABLE];
  const t0 = Date.now();
  const env: TestEnv = file
    ? loadTestEnv(file, { registries: ['token'] })
    : await startTestEnv({ registries: ['token'], seed: ['test', 'demo'], seedRegistries: { demo: ['token'] } });
  let failed = false;
  try {
    const reg = registryInfo(env, 'token').host;
    const seeded = env.seeded.filter((s) => s.registry === 'token');
    const repos = [...new Set(seeded.map((s) => s.repository))];
    const refs = Array.from({ length: heads }, (_, i) => seeded[i % seeded.length]).filter((s) => s !== undefined);
    console.log(
      `environment ready in ${Date.now() - t0} ms; ${heads} HEADs over ${repos.length} repositories (${seeded.length} tags) on ${reg}`,
    );
    const keychain = new StaticKeychain({ [reg]: { ...TEST_USER, source: 'bench' } });

    const run = async (
      label: string,
      client: ReturnType<typeof createRegistryClient>['client'],
      mode: 'concurrent' | 'sequential',
      expectTokens: number,
    ) => {
      await clearTokenLog(env);
      const before = { ...client.stats };
      const t = process.hrtime.bigint();
      if (mode === 'concurrent') await Promise.all(refs.map((s) => client.headManifest(reg, s.repository, s.tag)));
      else for (const s of refs) await client.headManifest(reg, s.repository, s.tag);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      const tokens = (await readTokenLog(env)).length;
      const headsSent = client.stats.head - before.head;
      const ok = tokens <= expectTokens;
      if (!ok) failed = true;
      console.log(
        `${label.padEnd(26)} ${String(headsSent).padStart(4)} HEAD, ${String(tokens).padStart(3)} token requests (minimum ${expectTokens}), ${String(client.stats.ping - before.ping).padStart(2)} ping, ${ms.toFixed(0).padStart(5)} ms${ok ? '' : '  <-- over target'}`,
      );
    };

    const a = createRegistryClient({
      keychain,
      env: {},
      hosts: { [reg]: { insecure: true }, [new URL(env.tokenServer.realm).host]: { insecure: true } },
    });
    await run('cold, concurrent', a.client, 'concurrent', repos.length);
    await run('warm, concurrent', a.client, 'concurrent', 0);
    await run('warm, sequential', a.client, 'sequential', 0);
    await a.close();
    const b = createRegistryClient({
      keychain,
      env: {},
      hosts: { [reg]: { insecure: true }, [new URL(env.tokenServer.realm).host]: { insecure: true } },
    });
    await run('cold, sequential', b.client, 'sequential', repos.length);
    await b.close();
    const c = createRegistryClient({
      keychain,
      env: {},
      hosts: { [reg]: { insecure: true }, [new URL(env.tokenServer.realm).host]: { insecure: true } },
    });
    await clearTokenLog(env);
    const t = Date.now();
    const tagCounts = await Promise.all(repos.map((r) => c.client.listTags(reg, r)));
    console.log(
      `${'tag listings'.padEnd(26)} ${String(c.client.stats.tags).padStart(4)} GET,  ${String((await readTokenLog(env)).length).padStart(3)} token requests (minimum ${repos.length}), ${tagCounts.reduce((n, l) => n + l.tags.length, 0)} tags, ${Date.now() - t} ms`,
    );
    await c.close();
  } finally {
    await env.stop();
  }
  if (failed && process.env.REGISTRY_LENS_BENCH_STRICT === '1') process.exitCode = 1;
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
