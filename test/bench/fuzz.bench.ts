/**
 * Fuzz benchmark: every extractor (and the .gitignore/glob matcher) on N random and mutated inputs each (default
 * 100,000), plus the hostile shapes of issue 18, in a worker thread with a memory cap. A watchdog on the main
 * thread stops the worker when one input runs longer than 2 s (a hang), then resumes after it. Every input must
 * end with a result or a typed error: an extractor that throws shows up in `extractFile` as a "cannot extract"
 * error (untyped), a worker out of memory as a crash. Prints per extractor: inputs, limits reached, untyped
 * throws, hangs, the slowest input, peak heap; then the totals. Exit 1 on any hang, untyped throw or crash.
 *
 *   npm run bench -- fuzz                    (builds, then runs this file)
 *   node out/test/bench/fuzz.bench.js [N] [SEED] [TARGET,...]
 *
 * Inputs are generated from (seed, extractor, index), so a reported input can be regenerated.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  extractFile,
  isIgnored,
  parseGitignore,
  type ExtractResult,
  type IgnoreNote,
  type OccurrenceSource,
} from '../../src/core';

const HANG_MS = 2000;
const HEAP_MB = 512;

type Target = OccurrenceSource | 'gitignore';
const TARGETS: Target[] = [
  'dockerfile',
  'compose',
  'devcontainer',
  'kubernetes',
  'helm',
  'kustomize',
  'github-actions',
  'gitlab-ci',
  'gitignore',
];

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');
const SEEDS: Record<Target, string[]> = {
  dockerfile: ['scan-workspace/Dockerfile', 'scan-workspace/services/api/Containerfile'],
  compose: [
    'scan-workspace/compose.yaml',
    'scan-workspace/extra/more-services.yml',
    'scan-workspace/common/base-services.yml',
    'scan-workspace/docker-compose.broken.yml',
    'sources-workspace/compose-dev.yaml',
  ],
  devcontainer: [
    'scan-workspace/.devcontainer/devcontainer.json',
    'scan-workspace/.devcontainer/py/devcontainer.json',
    'sources-workspace/.devcontainer/devcontainer.json',
  ],
  kubernetes: [
    'sources-workspace/k8s/app.yaml',
    'sources-workspace/k8s/debug-pod.yml',
    'sources-workspace/k8s/settings.yaml',
  ],
  helm: ['sources-workspace/chart/values.yaml', 'sources-workspace/chart/values-prod.yaml'],
  kustomize: ['sources-workspace/overlays/prod/kustomization.yaml'],
  'github-actions': [
    'sources-workspace/.github/workflows/ci.yml',
    'sources-workspace/.github/actions/build/action.yml',
  ],
  'gitlab-ci': ['sources-workspace/.gitlab-ci.yml', 'sources-workspace/ci/jobs.yml'],
  gitignore: [],
};
const GITIGNORE_SEED = [
  'node_modules/',
  '*.log',
  '!keep.log',
  '/build',
  'docs/**/gen',
  '\\#x',
  'a[b-d]?c',
  '**/tmp/**',
  '[!z]*.yml',
  'x\\ ',
].join('\n');
const DOTENV_SEED = 'TAG=1.0\nNGINX_TAG="1.27"\nIMG=alpine:3\nREG=ghcr.io # c\nX=${TAG}-${NGINX_TAG:-1}\n';

/** Fragments that matter to the lexers and parsers, and hostile ones that grow or nest. */
const NASTY = [
  '$',
  '{',
  '}',
  '${',
  '${A:-',
  '$A$A',
  '\\',
  '`',
  '"',
  "'",
  ':',
  '@',
  '/',
  '\n',
  '\r',
  '\r\n',
  '#',
  '-',
  '- ',
  '=',
  ' ',
  '  ',
  '\t',
  ',',
  '[',
  ']',
  '*',
  '**/',
  '*a',
  '&a ',
  '*a',
  '<<: *a',
  '\uFEFF',
  'é',
  '😀',
  '\u0000',
  '[z-a]',
  '{{ .Values.x }}',
  '${{ x }}',
  'extends: a',
  'image: ',
  'FROM ',
  'ARG A=',
  '---\n',
  '!',
];

/** mulberry32: a small seeded generator, so every input can be regenerated from its index. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

/** Input `index` for `target`: a third random text, two thirds mutated seeds (with growth and deep nesting). */
function makeInput(target: Target, seeds: string[], seed: number, index: number): string {
  const r = rng(seed ^ Math.imul(index + 1, 0x9e3779b1) ^ (TARGETS.indexOf(target) << 24));
  if (r() < 1 / 3) {
    let t = '';
    const n = Math.floor(r() * 200);
    for (let i = 0; i < n; i++) t += r() < 0.5 ? pick(r, NASTY) : String.fromCharCode(32 + Math.floor(r() * 95));
    return t;
  }
  let t = pick(r, seeds);
  const edits = 1 + Math.floor(r() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (t.length + 1));
    const op = r();
    if (op < 0.4) t = t.slice(0, at) + pick(r, NASTY) + t.slice(at);
    else if (op < 0.6) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 20));
    else if (op < 0.75) {
      // Duplicate a span (lines, services, ARGs).
      const len = Math.floor(r() * 200);
      t = t.slice(0, at) + t.slice(at, at + len).repeat(2 + Math.floor(r() * 3)) + t.slice(at);
    } else if (op < 0.9) {
      // Repeat a short fragment many times: deep nesting, long patterns, long values.
      // Mostly a few times, now and then thousands of times (the hostile shapes below go further).
      const frag = r() < 0.5 ? pick(r, NASTY) : t.slice(at, at + 1 + Math.floor(r() * 6));
      t = t.slice(0, at) + frag.repeat(1 + Math.floor(r() ** 4 * 3000)) + t.slice(at);
    } else {
      const lines = t.split('\n');
      const i = Math.floor(r() * lines.length);
      const j = Math.floor(r() * lines.length);
      [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      t = lines.join('\n');
    }
  }
  return t;
}

/** The shapes issue 18 names, each for the extractor it targets. */
function hostileShapes(): { target: Target; name: string; text: string }[] {
  const doubling = ['ARG A0=x'];
  for (let i = 1; i <= 40; i++) doubling.push(`ARG A${i}=$A${i - 1}$A${i - 1}`);
  doubling.push('FROM busybox:${A40}');
  const chained = ['ARG A0=x'];
  for (let i = 1; i < 200_000; i++) chained.push(`ARG A${i}=\${A${i - 1}}x`);
  chained.push('FROM alpine:${A199999}');
  const nested = '${A:-'.repeat(100_000) + '1' + '}'.repeat(100_000);
  const ext = ['services:'];
  for (let i = 0; i < 20_000; i++)
    ext.push(`  s${i}:`, i === 19_999 ? '    image: alpine:3' : `    extends: s${i + 1}`);
  return [
    { target: 'dockerfile', name: 'ARG A1=$A0$A0 ... FROM busybox:${A40}', text: doubling.join('\n') },
    { target: 'dockerfile', name: '200,000 ARG lines', text: chained.join('\n') },
    { target: 'dockerfile', name: '${A:-${A:-...}} 100,000 deep', text: `FROM busybox:${nested}\n` },
    { target: 'gitignore', name: '*a*a*a*a*a*a*a*a*a*a*b', text: '*a*a*a*a*a*a*a*a*a*a*b' },
    { target: 'gitignore', name: '**/**/**/**/**/x', text: '**/**/**/**/**/x' },
    {
      target: 'gitignore',
      name: '100,000-line .gitignore',
      text: Array.from({ length: 100_000 }, (_, i) => `d${i}/*.log`).join('\n'),
    },
    { target: 'gitignore', name: '[z-a]', text: '[z-a]' },
    { target: 'gitignore', name: '5 MB pattern', text: '[a'.repeat(2_500_000) },
    { target: 'compose', name: 'extends chain of 20,000 services', text: ext.join('\n') },
    {
      target: 'compose',
      name: '100,000-deep default nesting',
      text: `services:\n  a:\n    image: "busybox:${nested}"\n`,
    },
    {
      target: 'compose',
      name: '100,000-deep flow nesting',
      text: `services:\n  a:\n    image: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
    },
    {
      target: 'devcontainer',
      name: '100,000-deep arrays',
      text: `{"image": "a", "x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    },
    {
      target: 'devcontainer',
      name: '100,000-deep objects',
      text: `{"image": "a", "x": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
    },
    {
      target: 'kubernetes',
      name: '3,000-deep block nesting',
      text: 'apiVersion: v1\nkind: Pod\n' + Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
    },
  ];
}

const FILE_NAMES: Record<Target, string> = {
  dockerfile: '/w/Dockerfile',
  compose: '/w/compose.yaml',
  devcontainer: '/w/.devcontainer.json',
  kubernetes: '/w/k8s/app.yaml',
  helm: '/w/chart/values.yaml',
  kustomize: '/w/kustomization.yaml',
  'github-actions': '/w/.github/workflows/ci.yml',
  'gitlab-ci': '/w/.gitlab-ci.yml',
  gitignore: '/w/.gitignore',
};

const SHAPE_COUNTS: Partial<Record<Target, number>> = {};
if (isMainThread) for (const s of hostileShapes()) SHAPE_COUNTS[s.target] = (SHAPE_COUNTS[s.target] ?? 0) + 1;

type Outcome = 'ok' | 'limit' | 'untyped';

/** Runs one input; what it ended with. Throws only for what the extractors let escape (an untyped throw). */
function runOne(
  target: Target,
  text: string,
  r: () => number,
): { outcome: Outcome; limits: string[]; detail?: string } {
  if (target === 'gitignore') {
    const notes: IgnoreNote[] = [];
    const rules = parseGitignore(text, notes);
    const levels = [{ base: '', rules }];
    const paths = [
      'a'.repeat(1 + Math.floor(r() * 5000)),
      Array.from({ length: 1 + Math.floor(r() * 500) }, () => 'a').join('/') + '/x',
      'src/build/app.log',
      'docs/a/b/gen',
    ];
    for (const p of paths) isIgnored(levels, p, r() < 0.5);
    const limits = notes.flatMap((n) => (n.limit ? [n.limit] : []));
    return { outcome: limits.length ? 'limit' : 'ok', limits };
  }
  const dotenv =
    target === 'compose'
      ? {
          file: '/w/.env',
          content: r() < 0.5 ? DOTENV_SEED : makeInput('compose', [DOTENV_SEED], Math.floor(r() * 1e9), 0),
        }
      : null;
  const result: ExtractResult = extractFile(FILE_NAMES[target], text, target, { dotenv });
  const untyped = result.errors.find((e) => e.message.startsWith('cannot extract:'));
  if (untyped) return { outcome: 'untyped', limits: [], detail: untyped.message };
  const limits = [
    ...result.errors.flatMap((e) => (e.limit ? [e.limit] : [])),
    ...result.occurrences.flatMap((o) => (o.skip?.reason === 'limit' ? ['skip:limit'] : [])),
  ];
  return { outcome: limits.length ? 'limit' : 'ok', limits };
}

interface WorkerJob {
  target: Target;
  count: number;
  from: number;
  seed: number;
  shapes: boolean;
  progress: SharedArrayBuffer;
}

interface Report {
  done: number;
  ok: number;
  limited: number;
  limits: Record<string, number>;
  untyped: { index: number; detail: string }[];
  slowestMs: number;
  slowest: string;
  peakHeapMb: number;
}

function workerMain(job: WorkerJob): void {
  // Shared with the watchdog: [input index, its start time, inputs ok, inputs stopped by a limit], so the counts
  // survive a worker stopped for a hang.
  const progress = new Float64Array(job.progress);
  const seeds =
    job.target === 'gitignore'
      ? [GITIGNORE_SEED]
      : SEEDS[job.target].map((f) => readFileSync(path.join(FIXTURES, f), 'utf8'));
  const report: Report = {
    done: 0,
    ok: 0,
    limited: 0,
    limits: {},
    untyped: [],
    slowestMs: 0,
    slowest: '',
    peakHeapMb: 0,
  };
  const shapes = job.shapes ? hostileShapes().filter((s) => s.target === job.target) : [];
  const total = shapes.length + job.count;
  for (let i = job.from; i < total; i++) {
    const shape = i < shapes.length ? shapes[i] : undefined;
    const text = shape ? shape.text : makeInput(job.target, seeds, job.seed, i - shapes.length);
    progress[0] = i;
    progress[1] = Date.now();
    const started = performance.now();
    let outcome: ReturnType<typeof runOne>;
    try {
      outcome = runOne(job.target, text, rng(job.seed + i));
    } catch (err) {
      outcome = {
        outcome: 'untyped',
        limits: [],
        detail: `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
      };
    }
    const ms = performance.now() - started;
    if (ms > report.slowestMs) {
      report.slowestMs = ms;
      report.slowest = shape ? shape.name : `input ${i - shapes.length} (${text.length} chars)`;
    }
    report.done++;
    if (outcome.outcome === 'ok') progress[2] = (progress[2] ?? 0) + 1;
    else if (outcome.outcome === 'limit') progress[3] = (progress[3] ?? 0) + 1;
    else parentPort?.postMessage({ untyped: { index: i, detail: outcome.detail ?? '' } });
    for (const l of outcome.limits) report.limits[l] = (report.limits[l] ?? 0) + 1;
    if ((i & 1023) === 0 || ms > 100)
      parentPort?.postMessage({
        partial: {
          limits: report.limits,
          slowestMs: report.slowestMs,
          slowest: report.slowest,
          peakHeapMb: report.peakHeapMb,
        },
      });
    if ((i & 255) === 0) report.peakHeapMb = Math.max(report.peakHeapMb, getHeapStatistics().used_heap_size / 2 ** 20);
  }
  report.peakHeapMb = Math.max(report.peakHeapMb, getHeapStatistics().used_heap_size / 2 ** 20);
  parentPort?.postMessage({ final: report });
}

/** Runs `job` in workers, restarting after a hang or a crash; merges the reports. */
async function fuzz(
  target: Target,
  count: number,
  seed: number,
): Promise<Report & { hangs: string[]; crashes: string[] }> {
  const merged: Report & { hangs: string[]; crashes: string[] } = {
    done: 0,
    ok: 0,
    limited: 0,
    limits: {},
    untyped: [],
    slowestMs: 0,
    slowest: '',
    peakHeapMb: 0,
    hangs: [],
    crashes: [],
  };
  let from = 0;
  const total = (SHAPE_COUNTS[target] ?? 0) + count;
  while (from < total) {
    const progress = new SharedArrayBuffer(32);
    const view = new Float64Array(progress);
    view[0] = from;
    view[1] = Date.now() + 30_000; // the worker's start (loading, building the hostile shapes) is not an input
    const job: WorkerJob = { target, count, from, seed, shapes: true, progress };
    const worker = new Worker(__filename, { workerData: job, resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
    // Limits and the slowest input as last reported (a worker stopped for a hang sends no final report).
    let partial: Pick<Report, 'limits' | 'slowestMs' | 'slowest' | 'peakHeapMb'> = {
      limits: {},
      slowestMs: 0,
      slowest: '',
      peakHeapMb: 0,
    };
    const outcome = await new Promise<{ finished: boolean; why?: 'hang' | 'crash'; error?: string }>((resolve) => {
      const watchdog = setInterval(() => {
        if (Date.now() - (view[1] ?? 0) > HANG_MS) {
          clearInterval(watchdog);
          void worker.terminate().then(() => resolve({ finished: false, why: 'hang' }));
        }
      }, 100);
      worker.on(
        'message',
        (m: { untyped?: { index: number; detail: string }; partial?: typeof partial; final?: Report }) => {
          if (m.untyped) merged.untyped.push(m.untyped);
          if (m.partial) partial = m.partial;
          if (m.final) {
            partial = m.final;
            clearInterval(watchdog);
            resolve({ finished: true });
          }
        },
      );
      worker.once('error', (e) => {
        clearInterval(watchdog);
        resolve({ finished: false, why: 'crash', error: e.message });
      });
    });
    merged.ok += view[2] ?? 0;
    merged.limited += view[3] ?? 0;
    for (const [k, v] of Object.entries(partial.limits)) merged.limits[k] = (merged.limits[k] ?? 0) + v;
    if (partial.slowestMs > merged.slowestMs) {
      merged.slowestMs = partial.slowestMs;
      merged.slowest = partial.slowest;
    }
    merged.peakHeapMb = Math.max(merged.peakHeapMb, partial.peakHeapMb);
    if (outcome.finished) {
      merged.done += total - from;
      break;
    }
    const at = view[0] ?? from;
    (outcome.why === 'hang' ? merged.hangs : merged.crashes).push(
      `input #${at}${outcome.error ? `: ${outcome.error}` : ''}`,
    );
    merged.done += at - from + 1;
    from = at + 1;
  }
  return merged;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100_000);
  const seed = Number(process.argv[3] ?? 20261202);
  console.log(
    `fuzz: ${count} random and mutated inputs per extractor plus the hostile shapes; a hang is one input over ${HANG_MS} ms; heap capped at ${HEAP_MB} MB (seed ${seed})`,
  );
  let hangs = 0;
  let untyped = 0;
  let crashes = 0;
  let inputs = 0;
  const only = process.argv[4]?.split(',');
  for (const target of TARGETS) {
    if (only && !only.includes(target)) continue;
    const started = Date.now();
    const r = await fuzz(target, count, seed);
    inputs += r.done;
    hangs += r.hangs.length;
    untyped += r.untyped.length;
    crashes += r.crashes.length;
    const limits = Object.entries(r.limits)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(
      `  ${target.padEnd(15)} ${String(r.done).padStart(7)} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s: ${r.ok} ok, ${r.limited} stopped by a limit${limits ? ` (${limits})` : ''}; ` +
        `${r.untyped.length} untyped throws, ${r.hangs.length} hangs, ${r.crashes.length} crashes; slowest ${r.slowestMs.toFixed(0)} ms (${r.slowest}); peak heap ${r.peakHeapMb.toFixed(0)} MB`,
    );
    for (const u of r.untyped.slice(0, 5)) console.log(`    untyped: input #${u.index}: ${u.detail}`);
    for (const h of r.hangs.slice(0, 5)) console.log(`    hang: ${h}`);
    for (const c of r.crashes.slice(0, 5)) console.log(`    crash: ${c}`);
  }
  console.log(`fuzz total: ${inputs} inputs, ${hangs} hangs, ${untyped} untyped throws, ${crashes} crashes`);
  process.exitCode = hangs || untyped || crashes ? 1 : 0;
}

if (!isMainThread) workerMain(workerData as WorkerJob);
else if (require.main === module) void main();

/** For regenerating a reported input: `makeInput(target, seeds, seed, index)`. */
export { makeInput, SEEDS, FIXTURES };
