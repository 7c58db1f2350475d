// Build script: one file, two bundles, plus a one-to-one transpile of sources and tests for the test tiers.
//
//   node esbuild.mjs                 dev build: dist/extension.js and dist/cli.js, with source maps
//   node esbuild.mjs --production    the same, minified (what `npm run package` ships)
//   node esbuild.mjs --watch         rebuild the bundles on change
//   node esbuild.mjs --tests         also transpile src/** and test/** to out/ (CommonJS, one file per file)
//
// esbuild does not type-check: `npm run typecheck` (tsc --noEmit) does.
import * as esbuild from 'esbuild';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');
// The transpiled tree; another folder lets parallel runs in one checkout stay out of each other's way.
const outDir = process.env.REGISTRY_LENS_OUT ?? 'out';
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const define = {
  'process.env.REGISTRY_LENS_VERSION': JSON.stringify(version),
  'process.env.REGISTRY_LENS_PRODUCTION': JSON.stringify(production ? '1' : ''),
};

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  sourcesContent: false,
  minify: production,
  legalComments: production ? 'linked' : 'none',
  // Prefer packages' ESM builds: some (jsonc-parser) ship a UMD `main` whose inner requires a bundler cannot follow.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  // dockerode's ssh transport pulls in native optional modules; we only talk to sockets and TCP.
  external: ['cpu-features', 'ssh2'],
  define,
};

/** @type {esbuild.BuildOptions[]} */
const bundles = [
  {
    ...common,
    entryPoints: { extension: 'src/vscode/extension.ts' },
    outdir: 'dist',
    external: [...common.external, 'vscode'],
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
];

function listTs(dir, skip) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (skip.some((s) => p === s || p.startsWith(s + '/'))) continue;
    if (statSync(p).isDirectory()) out.push(...listTs(p, skip));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

async function main() {
  const started = Date.now();
  if (!watch) rmSync('dist', { recursive: true, force: true });
  if (watch) {
    const contexts = await Promise.all(bundles.map((b) => esbuild.context(b)));
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('[esbuild] watching src/ for changes');
    return;
  }
  await Promise.all(bundles.map((b) => esbuild.build(b)));
  if (tests) {
    rmSync(outDir, { recursive: true, force: true });
    const entryPoints = [
      ...listTs('src', []),
      ...listTs('test', ['test/fixtures']),
    ];
    await esbuild.build({
      entryPoints,
      outbase: '.',
      outdir: outDir,
      bundle: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      define,
      logLevel: 'warning',
    });
    console.log(`[esbuild] transpiled ${entryPoints.length} files to ${outDir}/`);
  }
  const rel = (p) => relative(process.cwd(), p);
  console.log(`[esbuild] ${production ? 'production' : 'dev'} bundles in ${rel('dist')}/ (${Date.now() - started} ms)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
