/**
 * Benchmark: what loading the extension costs before it does any work. Requires the built bundle
 * (dist/extension.js, or REGISTRY_LENS_DIST) in fresh Node processes with a stand-in `vscode` module, and prints
 * the median and worst load time against the target, plus whether the lazy parts stayed unloaded: dist/undici.js
 * (and with it Node's internal undici), dist/yaml.js and dist/docker.js load at the first registry request / the
 * first YAML file the simple reader declines / the first docker use.
 * The time VS Code's extension host reports (code loading + activate()) is printed by the editor bench
 * (`npm run bench -- editor`), which reads it from Developer: Show Running Extensions.
 *
 *   npm run bench -- activation
 *   node out/test/bench/activation.bench.js [runs]
 *
 * Set REGISTRY_LENS_BENCH_STRICT=1 to exit 1 when the target is missed (off by default: a loaded machine is slow).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { installVscodeStub } from '../support/vscodeStub';

const TARGET_MS = 50;

interface Sample {
  ms: number;
  undici: boolean;
  yaml: boolean;
  nodeUndici: boolean;
  docker: boolean;
}

/** In the child: load the bundle once and report. */
function child(bundle: string): void {
  installVscodeStub();
  const req = Module.createRequire(__filename);
  const t0 = process.hrtime.bigint();
  req(bundle);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const loaded = Object.keys(req.cache);
  const internal = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
  const sample: Sample = {
    ms,
    undici: loaded.some((f) => f.endsWith(`${path.sep}undici.js`)),
    nodeUndici: internal.some((n) => n.includes('internal/deps/undici')),
    yaml: loaded.some((f) => f.endsWith(`${path.sep}yaml.js`)),
    docker: loaded.some((f) => f.endsWith(`${path.sep}docker.js`)),
  };
  console.log(JSON.stringify(sample));
}

function main(): number {
  const dist = path.resolve(REPO_ROOT, process.env.REGISTRY_LENS_DIST ?? 'dist');
  const bundle = path.join(dist, 'extension.js');
  if (!existsSync(bundle)) {
    console.log(`${bundle} is missing: run node esbuild.mjs first`);
    return 1;
  }
  const runs = Number(process.argv[2] ?? 15);
  // One warm-up (the file system cache), then fresh processes: require() caches, so each sample needs its own.
  const samples: Sample[] = [];
  for (let i = 0; i <= runs; i++) {
    const r = spawnSync(process.execPath, [__filename, '--child', bundle], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`loading ${bundle} failed:\n${r.stderr}`);
      return 1;
    }
    if (i > 0) samples.push(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Sample);
  }
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)] ?? NaN;
  const kb = (f: string): string =>
    existsSync(path.join(dist, f)) ? `${Math.round(readFileSync(path.join(dist, f)).length / 1024)} KB` : 'missing';
  const yes = (b: boolean): string => (b ? 'LOADED (should load at first use)' : 'not loaded');
  console.log(
    `bundle: extension.js ${kb('extension.js')}; lazy: undici.js ${kb('undici.js')}, yaml.js ${kb('yaml.js')}, docker.js ${kb('docker.js')}`,
  );
  console.log(
    `load dist/extension.js with a stub vscode, ${samples.length} fresh processes: median ${median.toFixed(1)} ms, best ${ms[0]?.toFixed(1)} ms, worst ${ms[ms.length - 1]?.toFixed(1)} ms  (target < ${TARGET_MS} ms: ${median < TARGET_MS ? 'met' : 'MISSED'})`,
  );
  console.log(
    `at load: dist/undici.js ${yes(samples.some((s) => s.undici))}; Node's internal undici ${yes(samples.some((s) => s.nodeUndici))}; dist/yaml.js ${yes(samples.some((s) => s.yaml))}; dist/docker.js ${yes(samples.some((s) => s.docker))}`,
  );
  const missed = median >= TARGET_MS || samples.some((s) => s.undici || s.nodeUndici || s.yaml || s.docker);
  return missed && process.env.REGISTRY_LENS_BENCH_STRICT === '1' ? 1 : 0;
}

if (process.argv[2] === '--child') child(process.argv[3] ?? '');
else process.exitCode = main();
