/**
 * Benchmark: versioning decisions against a repository listing 10,000 tags (a busy official image: versions with
 * several suffix lines, prereleases, dates, hashes and words). Prints ms per decision for
 *  - a cold decision (the raw list: parse + group + decide), what one lone occurrence costs, and
 *  - a warm decision (the listing indexed once with indexTags, as the engine does per repository), plus the index cost.
 * Target: a cold decision under 50 ms, a warm one under 1 ms.
 *
 *   npm run bench -- versioning
 *   node out/test/bench/versioning.bench.js [N]
 *
 * REGISTRY_LENS_BENCH_STRICT=1 exits 1 when a target is missed.
 */
import { decideUpdates, indexTags } from '../../src/core';

const N = Number(process.argv[2] ?? 10_000);
const TARGET_COLD_MS = 50;
const TARGET_WARM_MS = 1;

function listing(n: number): string[] {
  const suffixes = [
    '',
    '-alpine',
    '-alpine3.19',
    '-alpine3.20',
    '-slim',
    '-slim-bookworm',
    '-slim-trixie',
    '-bookworm',
    '-windowsservercore-ltsc2022',
  ];
  const tags: string[] = ['latest', 'stable', 'lts', 'bookworm', 'trixie', 'alpine', 'slim'];
  let i = 0;
  outer: for (let major = 1; ; major++) {
    for (let minor = 0; minor < 20; minor++) {
      for (let patch = 0; patch < 12; patch++) {
        for (const s of suffixes) {
          if (tags.length >= n) break outer;
          i++;
          tags.push(`${major}.${minor}.${patch}${s}`);
          if (patch === 0) tags.push(`${major}.${minor}${s}`, `${major}.${minor}.0rc${i % 3}${s}`);
          if (minor === 0 && patch === 0) tags.push(`${major}${s}`);
          if (i % 17 === 0) tags.push((0x1000000 + i * 7919).toString(16).slice(0, 7) + 'a');
          if (i % 29 === 0)
            tags.push(`2024${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}`);
        }
      }
    }
  }
  // Registries list in no useful order (GHCR oldest first, others lexical): shuffle deterministically.
  let seed = 42;
  for (let k = tags.length - 1; k > 0; k--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (k + 1);
    [tags[k], tags[j]] = [tags[j] ?? '', tags[k] ?? ''];
  }
  return tags.slice(0, n);
}

function time(label: string, reps: number, fn: () => unknown): number {
  fn(); // warm the JIT
  const start = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / reps;
  console.log(`${label.padEnd(48)} ${ms.toFixed(3).padStart(9)} ms`);
  return ms;
}

const tags = listing(N);
const currents = [
  '1.2.3',
  '3.4',
  '2-alpine',
  '4.1.0-slim-bookworm',
  '1.0.0rc1',
  '20240101',
  'latest',
  'bookworm',
  '5.19.11-alpine3.19',
];
console.log(`${tags.length} tags; decisions for ${currents.join(', ')}`);

let offered = 0;
const cold =
  time(`cold: ${currents.length} decisions on the raw list`, 5, () => {
    for (const tag of currents) offered += decideUpdates({ tag, tags }).updates.length;
  }) / currents.length;
console.log(`${'  = per decision'.padEnd(48)} ${cold.toFixed(3).padStart(9)} ms`);
const indexMs = time('indexTags once per listing', 10, () => indexTags(tags));
const index = indexTags(tags);
const warm =
  time(`warm: ${currents.length} decisions on the indexed list`, 200, () => {
    for (const tag of currents) offered += decideUpdates({ tag, tags: index }).updates.length;
  }) / currents.length;
console.log(`${'  = per decision'.padEnd(48)} ${warm.toFixed(3).padStart(9)} ms`);
const sample = decideUpdates({ tag: '1.2.3', tags: index });
console.log(
  `sample 1.2.3 -> ${sample.updates.map((u) => `${u.kind} ${u.tag}`).join(', ')} (${offered > 0 ? 'ok' : 'none'}); index ${indexMs.toFixed(1)} ms`,
);

const missed = cold > TARGET_COLD_MS || warm > TARGET_WARM_MS;
console.log(`targets: cold < ${TARGET_COLD_MS} ms, warm < ${TARGET_WARM_MS} ms: ${missed ? 'MISSED' : 'met'}`);
if (missed && process.env.REGISTRY_LENS_BENCH_STRICT === '1') process.exit(1);
