/**
 * Benchmark: discover + read + extract a generated workspace, as `registry-lens scan` does. Two mixes: the old one
 * (Dockerfiles, compose files, dev containers) and the full one (adds Kubernetes manifests, Helm charts, Kustomize
 * files, GitHub workflows and GitLab CI, plus YAML files that are no manifest). Prints wall time, files/s and peak
 * heap for 1,000 and 10,000 files of each, in-memory extraction files/s per source, and the wall time of the
 * whole `scan --json` process on 10,000 files of the full mix.
 * Targets (DESIGN.md, issues 3 and 14): 1,000 files well under a second; 10,000 files under 2 s; the full mix
 * extracted at >= 12,000 files/s in process; `scan --json` of 10,000 files under 1.2 s as a whole process.
 *
 *   npm run bench -- extract                 (builds, then runs this file)
 *   node --expose-gc out/test/bench/extract.bench.js [N...]
 *
 * Set REGISTRY_LENS_BENCH_STRICT=1 to exit 1 when a target is missed (off by default: a loaded machine is slow).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { discoverFiles, extractFile, scanWorkspace, type OccurrenceSource } from '../../src/core';

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

function devcontainerWithFeatures(i: number): string {
  return [
    '{',
    `  "name": "dev-${i}",`,
    '  "image": "mcr.microsoft.com/devcontainers/base:1-bookworm",',
    '  "features": {',
    `    "ghcr.io/devcontainers/features/node:${1 + (i % 2)}": { "version": "20" },`,
    '    "ghcr.io/devcontainers/features/docker-in-docker:2": {}',
    '  }',
    '}',
    '',
  ].join('\n');
}

function manifest(i: number): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: app-${i}`,
    '  labels:',
    `    app: app-${i}`,
    'spec:',
    '  replicas: 2',
    '  selector:',
    '    matchLabels:',
    `      app: app-${i}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: app-${i}`,
    '    spec:',
    '      initContainers:',
    '        - name: migrate',
    `          image: ghcr.io/acme/migrate-${i % 30}:1.${i % 5}.0`,
    '      containers:',
    '        - name: app',
    `          image: "registry.example.com:5000/acme/app-${i}:2.${i % 11}"`,
    '          ports:',
    '            - containerPort: 8080',
    '          resources:',
    '            limits: {cpu: 500m, memory: 256Mi}',
    '        - name: proxy',
    `          image: envoyproxy/envoy:v1.${27 + (i % 3)}.1`,
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: app-${i}`,
    'spec:',
    '  ports:',
    '    - port: 80',
    '      targetPort: 8080',
    '---',
    'apiVersion: batch/v1',
    'kind: CronJob',
    'metadata:',
    `  name: report-${i}`,
    'spec:',
    '  schedule: "0 3 * * *"',
    '  jobTemplate:',
    '    spec:',
    '      template:',
    '        spec:',
    '          containers:',
    '            - name: report',
    `              image: busybox:1.${30 + (i % 7)}`,
    '',
  ].join('\n');
}

function helmValues(i: number): string {
  return [
    'replicaCount: 1',
    'image:',
    '  registry: docker.io',
    '  repository: bitnami/redis',
    `  tag: 7.2.${i % 6}`,
    '  pullPolicy: IfNotPresent',
    'metrics:',
    '  enabled: true',
    '  image:',
    '    registry: ghcr.io',
    `    repository: acme/exporter-${i % 20}`,
    `    tag: "1.${i % 12}"`,
    '    digest: ""',
    'sidecar:',
    `  sidecarImage: "envoyproxy/envoy:v1.29.${i % 4}"`,
    'service:',
    '  type: ClusterIP',
    '  port: 6379',
    'resources: {}',
    '',
  ].join('\n');
}

function kustomization(i: number): string {
  return [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - deployment.yaml',
    'images:',
    '  - name: nginx',
    `    newTag: 1.25.${i % 5}`,
    `  - name: ghcr.io/acme/app-${i}`,
    '    newName: registry.example.com:5000/acme/app',
    `    newTag: "2.${i % 9}"`,
    '',
  ].join('\n');
}

function workflow(i: number): string {
  return [
    `name: ci-${i}`,
    'on: [push, pull_request]',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    `    container: node:20.${i % 12}-bookworm`,
    '    services:',
    '      db:',
    `        image: postgres:16.${i % 4}`,
    '      cache:',
    '        image: ${{ matrix.cache }}',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - run: npm ci && npm test',
    '      - name: lint',
    '        uses: docker://ghcr.io/acme/linter:3.1',
    '',
  ].join('\n');
}

function gitlabCi(i: number): string {
  return [
    'variables:',
    `  PYTHON_TAG: "3.12.${i % 5}"`,
    'default:',
    '  image: python:${PYTHON_TAG}-slim',
    '  services:',
    '    - docker:25.0-dind',
    'stages: [test, deploy]',
    'test:',
    '  stage: test',
    '  image:',
    `    name: postgres:16.${i % 3}`,
    '  script: [make test]',
    'deploy:',
    '  stage: deploy',
    '  image: $CI_REGISTRY_IMAGE/deployer:1.0',
    '  script: [make deploy]',
    '',
  ].join('\n');
}

/** A YAML file that is no manifest (read only far enough to tell). */
function otherYaml(i: number): string {
  return `# settings\nname: svc-${i}\nreplicas: 2\nfeatures:\n  - a\n  - b\n`;
}

export type Mix = 'old' | 'full';

/** The full mix: per 20 files, 5 Dockerfiles, 3 compose, 1 devcontainer (features), 4 Kubernetes, 2 Helm values, 1 Kustomize, 2 GitHub workflows, 2 GitLab CI. */
function writeFull(dir: string, i: number): void {
  const k = i % 20;
  const w = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
  if (k < 5) w(k === 0 ? 'Dockerfile' : `app${i}.Dockerfile`, dockerfile(i));
  else if (k < 8) {
    w(`compose.${i}.yaml`, compose(i));
    w('.env', `REDIS_TAG=7.${i % 4}\n`);
  } else if (k < 9) {
    mkdirSync(path.join(dir, '.devcontainer', `c${i}`), { recursive: true });
    writeFileSync(path.join(dir, '.devcontainer', `c${i}`, 'devcontainer.json'), devcontainerWithFeatures(i));
  } else if (k < 13) {
    mkdirSync(path.join(dir, 'deploy'), { recursive: true });
    writeFileSync(path.join(dir, 'deploy', `app-${i}.yaml`), manifest(i));
    if (k === 9) writeFileSync(path.join(dir, 'deploy', `settings-${i}.yaml`), otherYaml(i));
  } else if (k < 15) {
    const chart = path.join(dir, `chart-${i}`);
    mkdirSync(chart, { recursive: true });
    writeFileSync(path.join(chart, 'Chart.yaml'), `apiVersion: v2\nname: chart-${i}\nversion: 0.1.0\n`);
    writeFileSync(path.join(chart, 'values.yaml'), helmValues(i));
  } else if (k < 16) {
    mkdirSync(path.join(dir, `overlay-${i}`), { recursive: true });
    writeFileSync(path.join(dir, `overlay-${i}`, 'kustomization.yaml'), kustomization(i));
  } else if (k < 18) {
    mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
    writeFileSync(path.join(dir, '.github', 'workflows', `ci-${i}.yml`), workflow(i));
  } else {
    mkdirSync(path.join(dir, `proj-${i}`), { recursive: true });
    writeFileSync(path.join(dir, `proj-${i}`, '.gitlab-ci.yml'), gitlabCi(i));
  }
}

/**
 * `count` files in folders of ten. The old mix: 60% Dockerfiles, 30% compose (with a .env), 10% dev containers; the
 * full mix: see `writeFull`. Both with noise and ignored folders.
 */
export function generate(count: number, mix: Mix = 'old'): string {
  const root = mkdtempSync(path.join(tmpdir(), 'rl-bench-'));
  writeFileSync(path.join(root, '.gitignore'), 'dist/\n*.tmp\n');
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `team-${Math.floor(i / 1000)}`, `svc-${Math.floor(i / 10)}`);
    mkdirSync(dir, { recursive: true });
    const kind = i % 10;
    if (mix === 'full') writeFull(dir, i);
    else if (kind < 6) writeFileSync(path.join(dir, kind === 0 ? 'Dockerfile' : `app${i}.Dockerfile`), dockerfile(i));
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

async function bench(count: number, mix: Mix): Promise<boolean> {
  const root = generate(count, mix);
  try {
    const discover = await measure(() => discoverFiles(root));
    const runs: Awaited<ReturnType<typeof measure<Awaited<ReturnType<typeof scanWorkspace>>>>>[] = [];
    for (let i = 0; i < 3; i++) runs.push(await measure(() => scanWorkspace([root])));
    const first = runs[0];
    if (!first) return false;
    const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const files = first.result.files.length;
    const target = TARGET_MS[count];
    const filesPerSecond = files / (best.ms / 1000);
    const rateOk = mix !== 'full' || count < 10000 || filesPerSecond >= FULL_MIX_FILES_PER_S;
    let ok = (target === undefined || first.ms < target) && rateOk;
    console.log(
      `${mix.padEnd(4)} ${String(count).padStart(6)} files: discover ${discover.ms.toFixed(0)} ms; discover+read+extract ${first.ms.toFixed(0)} ms first, ` +
        `${best.ms.toFixed(0)} ms best of 3 (${Math.round(files / (best.ms / 1000))} files/s; CPU ${best.cpuMs.toFixed(0)} ms); ` +
        `${first.result.occurrences.length} occurrences, ${first.result.errors.length} errors; peak heap +${mb(Math.max(...runs.map((r) => r.peakHeap)))}` +
        (target === undefined ? '' : `; target < ${target} ms: ${first.ms < target ? 'ok' : 'MISSED'}`) +
        (mix === 'full' && count >= 10000
          ? `; target >= ${FULL_MIX_FILES_PER_S} files/s: ${rateOk ? 'ok' : 'MISSED'}`
          : ''),
    );
    if (files !== count) console.log(`  expected ${count} files, found ${files}`);
    if (mix === 'full' && count >= 10000) {
      perSource(first.result.files);
      ok = scanJsonProcess(root, files) && ok;
    }
    return ok && files === count;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const FULL_MIX_FILES_PER_S = 12000;
const SCAN_JSON_TARGET_MS = 1200;

/** In-memory extraction (no discovery, no reads) per source: files/s, best of 3. */
function perSource(files: readonly { file: string; source: OccurrenceSource }[]): void {
  const bySource = new Map<OccurrenceSource, { file: string; content: string }[]>();
  for (const f of files) {
    let list = bySource.get(f.source);
    if (!list) bySource.set(f.source, (list = []));
    list.push({ file: f.file, content: readFileSync(f.file, 'utf8') });
  }
  const parts: string[] = [];
  let mixMs = 0;
  let mixFiles = 0;
  for (const [source, list] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const started = process.hrtime.bigint();
      for (const f of list) extractFile(f.file, f.content, source);
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
    }
    mixMs += best;
    mixFiles += list.length;
    parts.push(`${source} ${Math.round(list.length / (best / 1000))}/s (${list.length})`);
  }
  console.log(`  in-memory extraction files/s per source: ${parts.join(', ')}`);
  // The same work for the whole mix (each source's best run): extraction alone, without discovery and reads.
  const mixRate = mixFiles / (mixMs / 1000);
  console.log(
    `  in-memory extraction of the whole mix: ${Math.round(mixRate)} files/s (${mixFiles} files in ${mixMs.toFixed(0)} ms); ` +
      `target >= ${FULL_MIX_FILES_PER_S} files/s: ${mixRate >= FULL_MIX_FILES_PER_S ? 'ok' : 'MISSED'} (with discovery and reads: see the line above)`,
  );
}

/** `registry-lens scan --json` of the workspace as a whole process (the built CLI), output discarded: 5 runs, min and median, the CLI's peak RSS. */
function scanJsonProcess(root: string, files: number): boolean {
  const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
  if (!existsSync(cli)) {
    console.log(`  scan --json process: ${cli} not built (node esbuild.mjs)`);
    return true;
  }
  // A preload that reports the child's own peak RSS on stderr when it exits (the CLI's, not this bench's).
  const probe = path.join(root, '..', `rl-maxrss-${process.pid}.js`);
  writeFileSync(
    probe,
    "process.on('exit', () => process.stderr.write('\\nRL_MAXRSS ' + process.resourceUsage().maxRSS + '\\n'));\n",
  );
  const times: number[] = [];
  const rss: number[] = [];
  let bytes = 0;
  try {
    for (let run = 0; run < 5; run++) {
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ['-r', probe, cli, 'scan', '--json', root], {
        encoding: 'buffer',
        maxBuffer: 1 << 30,
      });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (r.status !== 0) {
        console.log(`  scan --json exited ${r.status}: ${r.stderr.toString().slice(0, 200)}`);
        return false;
      }
      const kb = /RL_MAXRSS (\d+)/.exec(r.stderr.toString())?.[1];
      if (kb) rss.push(Number(kb) * 1024);
      bytes = r.stdout.length;
    }
  } finally {
    rmSync(probe, { force: true });
  }
  const sorted = [...times].sort((a, b) => a - b);
  const best = sorted[0] ?? Infinity;
  const median = sorted[Math.floor(sorted.length / 2)] ?? Infinity;
  const ok = median < SCAN_JSON_TARGET_MS;
  console.log(
    `  scan --json process, ${files} files: ${times.map((t) => t.toFixed(0)).join(' / ')} ms (min ${best.toFixed(0)}, median ${median.toFixed(0)} ms), ` +
      `${mb(bytes)} of JSON, peak RSS ${rss.length ? mb(Math.max(...rss)) : '?'}; target < ${SCAN_JSON_TARGET_MS} ms (median): ${ok ? 'ok' : 'MISSED'}`,
  );
  return ok;
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
  const counts = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  console.log(
    `calibration: 1e8 loop iterations in ${calibrate().toFixed(0)} ms (to compare figures across machines and load)`,
  );
  let ok = true;
  for (const mix of ['old', 'full'] as const)
    for (const n of counts.length ? counts : [1000, 10000]) ok = (await bench(n, mix)) && ok;
  console.log(`max RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
  if (!ok && process.env.REGISTRY_LENS_BENCH_STRICT === '1') process.exitCode = 1;
}

if (require.main === module) void main();
