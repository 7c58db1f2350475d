// npm run bench: runs every benchmark in out/test/bench/*.bench.js (built by `node esbuild.mjs --tests`)
// one after another, each in its own Node process, and passes their figures through.
// REGISTRY_LENS_OUT names another build folder, as for esbuild.mjs (parallel runs in one checkout).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(process.env.REGISTRY_LENS_OUT ?? 'out', 'test', 'bench');
const only = process.argv.slice(2);
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.bench.js'))
      .sort()
  : [];
let failed = 0;
for (const f of files) {
  if (only.length && !only.some((o) => f.includes(o))) continue;
  console.log(`\n== ${f.replace(/\.bench\.js$/, '')}`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (!files.length) console.log('no benchmarks found in out/test/bench');
process.exit(failed ? 1 : 0);
