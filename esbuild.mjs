// Build script: one file, two bundles, plus a one-to-one transpile of sources and tests for the test tiers.
//
//   node esbuild.mjs                 dev build: dist/extension.js and dist/cli.js, with source maps
//   node esbuild.mjs --production    the same, minified (what `npm run package` ships)
//   node esbuild.mjs --watch         rebuild the bundles on change
//   node esbuild.mjs --tests         also transpile src/** and test/** to out/ (CommonJS, one file per file)
//   env REGISTRY_LENS_OUT=DIR / REGISTRY_LENS_DIST=DIR: build the transpiled tree / the bundles elsewhere
//
// esbuild does not type-check: `npm run typecheck` (tsc --noEmit) does.
import * as esbuild from 'esbuild';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');
// The transpiled tree; another folder lets parallel runs in one checkout stay out of each other's way.
const outDir = process.env.REGISTRY_LENS_OUT ?? 'out';
// The bundles' folder (default dist/, what package.json and the VSIX use); another one keeps parallel builds apart.
const distDir = process.env.REGISTRY_LENS_DIST ?? 'dist';
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
  external: [],
  define,
};

// dockerode lives in a bundle of its own, dist/docker.js, which the extension and the CLI require only when the
// docker section is first used (`await import('dockerode')` in src/core/docker/engine.ts): activation does not
// parse it. The two main bundles resolve 'dockerode' to that file (relative to themselves, both are in dist/).
const lazyDockerode = {
  name: 'lazy-dockerode',
  setup(build) {
    build.onResolve({ filter: /^dockerode$/ }, () => ({ path: './docker.js', external: true }));
  },
};

// undici likewise lives in dist/undici.js, and the yaml library in dist/yaml.js. undici is a megabyte of code, and
// loading it makes Node load its own internal copy as well: that was most of the extension's load time, before any
// registry is asked anything. yaml is a third of what remained (the simple YAML reader answers most files; the
// library reads the rest and reports what compose refuses). The main bundles get a stand-in for each whose exports
// are getters that require ./<name>.js on first use (`new Agent(...)` when the first request goes out). The names
// are the package's own, read here, so a new import needs no change in this file.
const LAZY_PACKAGES = ['undici', 'yaml'];
const lazyPackage = (pkg) => {
  const names = Object.keys(createRequire(import.meta.url)(pkg));
  const file = `./${pkg}.js`;
  return {
    name: `lazy-${pkg}`,
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${pkg}$`) }, () => ({ path: pkg, namespace: `lazy-${pkg}` }));
      build.onResolve({ filter: /^\.\/[a-z]+\.js$/, namespace: `lazy-${pkg}` }, (a) => ({
        path: a.path,
        external: true,
      }));
      build.onLoad({ filter: /.*/, namespace: `lazy-${pkg}` }, () => ({
        loader: 'js',
        contents: `let loaded;
const load = () => (loaded ??= require(${JSON.stringify(file)}));
for (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`,
      }));
    },
  };
};
const lazyPackages = LAZY_PACKAGES.map(lazyPackage);

// Modules outside the bundle (vscode, Node's own) imported by many of our files: each `import * as x from 'm'` of
// an external CommonJS module becomes its own copy of m's exports (esbuild's __toESM defines a getter per name),
// and the 41 copies of the vscode API's several hundred names were a quarter of the extension's load time. Each
// such module is imported once, by a small module of ours that re-exports it; our files import that one.
const importOnce = (names) => ({
  name: 'import-once',
  setup(build) {
    const filter = new RegExp(`^(${names.map((n) => n.replace(/[/.:-]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (a) => ({ path: a.path, namespace: 'import-once' }));
    build.onResolve({ filter: /^external:/, namespace: 'import-once' }, (a) => ({
      path: a.path.slice('external:'.length),
      external: true,
    }));
    build.onLoad({ filter: /.*/, namespace: 'import-once' }, (a) => ({
      loader: 'js',
      contents: `export * from ${JSON.stringify(`external:${a.path}`)};`,
    }));
  },
});
const NODE_SHARED = ['node:fs', 'node:path', 'node:os', 'node:fs/promises'];

// What dockerode pulls in that we never use, replaced by stubs that load fine and throw when used:
// - ssh2 (docker-modem's ssh:// transport, with native optional parts cpu-features / sshcrypto.node): we speak
//   unix sockets and tcp:// only, and resolveEngine reports ssh:// hosts as unsupported before dockerode is asked;
// - @grpc/grpc-js, @grpc/proto-loader, protobufjs (BuildKit sessions), tar-fs, @balena/dockerignore (image builds).
const UNUSED = [
  'ssh2',
  'cpu-features',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'protobufjs',
  'tar-fs',
  '@balena/dockerignore',
];
const stubUnused = {
  name: 'stub-unused',
  setup(build) {
    const filter = new RegExp(`^(${UNUSED.map((n) => n.replace(/[/.@-]/g, '\\$&')).join('|')})(/.*)?$`);
    build.onResolve({ filter }, (a) => ({ path: a.path, namespace: 'unused' }));
    build.onLoad({ filter: /.*/, namespace: 'unused' }, (a) => ({
      loader: 'js',
      contents: `const fail = () => { throw new Error(${JSON.stringify(`${a.path} is not included in Registry Lens (only unix:// and tcp:// docker hosts, no image builds)`)}); };
module.exports = new Proxy({}, { get: (_, k) => (k === '__esModule' || typeof k === 'symbol' ? undefined : function unavailable() { return fail(); }) });`,
    }));
  },
};

/** @type {esbuild.BuildOptions[]} */
const bundles = [
  {
    ...common,
    entryPoints: { extension: 'src/vscode/extension.ts' },
    outdir: distDir,
    external: [...common.external, 'vscode'],
    plugins: [lazyDockerode, ...lazyPackages, importOnce(['vscode', ...NODE_SHARED])],
    // `import()` becomes `require()`: the lazy chunk loads through the CommonJS loader like everything else.
    supported: { 'dynamic-import': false },
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: distDir,
    banner: { js: '#!/usr/bin/env node' },
    plugins: [lazyDockerode, ...lazyPackages, importOnce(NODE_SHARED)],
    supported: { 'dynamic-import': false },
  },
  {
    ...common,
    stdin: {
      contents: "module.exports = require('dockerode');",
      resolveDir: '.',
      sourcefile: 'docker-entry.js',
      loader: 'js',
    },
    outfile: join(distDir, 'docker.js'),
    plugins: [stubUnused],
  },
  ...LAZY_PACKAGES.map((pkg) => ({
    ...common,
    stdin: {
      contents: `module.exports = require(${JSON.stringify(pkg)});`,
      resolveDir: '.',
      sourcefile: `${pkg}-entry.js`,
      loader: 'js',
    },
    outfile: join(distDir, `${pkg}.js`),
  })),
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
  if (!watch) rmSync(distDir, { recursive: true, force: true });
  if (watch) {
    const contexts = await Promise.all(bundles.map((b) => esbuild.context(b)));
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('[esbuild] watching src/ for changes');
    return;
  }
  await Promise.all(bundles.map((b) => esbuild.build(b)));
  if (tests) {
    rmSync(outDir, { recursive: true, force: true });
    const entryPoints = [...listTs('src', []), ...listTs('test', ['test/fixtures'])];
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
  console.log(
    `[esbuild] ${production ? 'production' : 'dev'} bundles in ${rel(distDir)}/ (${Date.now() - started} ms)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
