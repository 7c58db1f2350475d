/**
 * Benchmark: discover + read + extract a generated workspace of mixed Dockerfiles, compose files and dev
 * containers, as `registry-lens scan` does. Prints wall time, files/s and peak heap for 1,000 and 10,000 files.
 * Targets (DESIGN.md, issue 3): 1,000 files well under a second; 10,000 files under 2 s.
 *
 *   npm run bench -- extract                 (builds, then runs this file)
 *   node --expose-gc out/test/bench/extract.bench.js [N...]
 *
 * Set REGISTRY_LENS_BENCH_STRICT=1 to exit 1 when a target is missed (off by default: a loaded machine is slow).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { discoverFiles, scanWorkspace } from '../../src/core';

const TARGET_MS: Record<number, number> = { 1000: 1000, 10000: 2000 };

function dockerfile(i: number): string {
  return [
    '# syntax=docker/dockerfile:1.7',
    `ARG NODE_VERSION=20.${i % 20}`,
    'ARG REGISTRY=ghcr.io',
    `FROM --platform=$BUILDPLATFORM node:\${NODE_VERSION}-alpine AS build${i}`,
    'WORKDIR /app',
    'COPY package*.json ./',
    `RUN --mount=type=cache,from=busybox:1.${i % 37},target=/root/.npm \\`,
    '    # install dependencies',
    '    npm ci',
    'COPY . .',
    'RUN npm run build',
    '',
    `FROM \${REGISTRY}/acme/runtime-${i % 50}:2.${i % 9}`,
    `COPY --from=build${i} /app/dist /srv`,
    'COPY --from=nginx:1.27-alpine /etc/nginx/nginx.conf /etc/nginx/nginx.conf',
    'USER 1000',
    'CMD ["node", "/srv/index.js"]',
    '',
  ].join('\n');
}

function compose(i: number): string {
  return [
    'x-common: &common',
    `  image: acme/base-${i % 40}:\${BASE_TAG:-1.${i % 7}}`,
    '  restart: unless-stopped',
    'services:',
    '  web:',
    `    image: nginx:1.${25 + (i % 3)}`,
    '    ports: ["8080:80"]',
    '  api:',
    '    build: ./api',
    `    image: ghcr.io/acme/api-${i}:dev`,
    '  worker:',
    '    <<: *common',
    '  db:',
    `    image: "postgres:16.${i % 4}"`,
    '    environment:',
    '      POSTGRES_PASSWORD: example',
    '  cache:',
    `    image: redis:\${REDIS_TAG}`,
    '',
  ].join('\n');
}

function devcontainer(i: number): string {
  return `// generated\n{\n  "name": "dev-${i}",\n  "image": "mcr.microsoft.com/devcontainers/base:1-bookworm",\n  "features": {},\n}\n`;
}

/** `count` files in folders of ten: 60% Dockerfiles, 30% compose (with a .env), 10% dev containers; plus noise and ignored folders. */
export function generate(count: number): string {
  const root = mkdtempSync(path.join(tmpdir(), 'rl-bench-'));
  writeFileSync(path.join(root, '.gitignore'), 'dist/\n*.tmp\n');
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `team-${Math.floor(i / 1000)}`, `svc-${Math.floor(i / 10)}`);
    mkdirSync(dir, { recursive: true });
    const kind = i % 10;
    if (kind < 6) writeFileSync(path.join(dir, kind === 0 ? 'Dockerfile' : `app${i}.Dockerfile`), dockerfile(i));
    else if (kind < 9) {
      writeFileSync(path.join(dir, `compose.${i}.yaml`), compose(i));
      writeFileSync(path.join(dir, '.env'), `REDIS_TAG=7.${i % 4}\n`);
    } else {
      mkdirSync(path.join(dir, '.devcontainer', `c${i}`), { recursive: true });
      writeFileSync(path.join(dir, '.devcontainer', `c${i}`, 'devcontainer.json'), devcontainer(i));
    }
    if (i % 10 === 0) {
      writeFileSync(path.join(dir, 'README.md'), '# service\n');
      writeFileSync(path.join(dir, 'index.ts'), 'export {};\n');
      mkdirSync(path.join(dir, 'dist'), { recursive: true });
      writeFileSync(path.join(dir, 'dist', 'Dockerfile'), 'FROM ignored:1\n');
    }
  }
  mkdirSync(path.join(root, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(path.join(root, 'node_modules', 'pkg', 'Dockerfile'), 'FROM ignored:1\n');
  return root;
}

async function measure<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; peakHeap: number; result: T }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap = () => getHeapStatistics().used_heap_size;
  const base = heap();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, heap());
  }, 2);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, heap());
  return { ms, cpuMs, peakHeap: peak - base, result };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function bench(count: number): Promise<boolean> {
  const root = generate(count);
  try {
    const discover = await measure(() => discoverFiles(root));
    const runs: Awaited<ReturnType<typeof measure<Awaited<ReturnType<typeof scanWorkspace>>>>>[] = [];
    for (let i = 0; i < 3; i++) runs.push(await measure(() => scanWorkspace([root])));
    const first = runs[0];
    if (!first) return false;
    const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const files = first.result.files.length;
    const target = TARGET_MS[count];
    const ok = target === undefined || first.ms < target;
    console.log(
      `${String(count).padStart(6)} files: discover ${discover.ms.toFixed(0)} ms; discover+read+extract ${first.ms.toFixed(0)} ms first, ` +
        `${best.ms.toFixed(0)} ms best of 3 (${Math.round(files / (best.ms / 1000))} files/s; CPU ${best.cpuMs.toFixed(0)} ms); ` +
        `${first.result.occurrences.length} occurrences, ${first.result.errors.length} errors; peak heap +${mb(Math.max(...runs.map((r) => r.peakHeap)))}` +
        (target === undefined ? '' : `; target < ${target} ms: ${ok ? 'ok' : 'MISSED'}`),
    );
    if (files !== count) console.log(`  expected ${count} files, found ${files}`);
    return ok && files === count;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A fixed tight loop, so figures from a busy or slow machine can be read against a known one. */
function calibrate(): number {
  const started = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 1e8; i++) x += i & 7;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return x > 0 ? ms : 0;
}

async function main(): Promise<void> {
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  console.log(`calibration: 1e8 loop iterations in ${calibrate().toFixed(0)} ms (to compare figures across machines and load)`);
  let ok = true;
  for (const n of counts.length ? counts : [1000, 10000]) ok = (await bench(n)) && ok;
  console.log(`max RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
  if (!ok && process.env.REGISTRY_LENS_BENCH_STRICT === '1') process.exitCode = 1;
}

if (require.main === module) void main();
