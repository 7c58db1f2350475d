// npm test: lint, typecheck, build, then every test tier, inside a loopback-only network namespace.
// Ends with one line "N passed, N failed" that sums every tier (lint, typecheck, build and packaging count one each).
//
//   node scripts/test.mjs [--only a,b] [--skip a,b]
//   tiers: lint typecheck build unit integration extension-host ui package vsix demo
//   env:   REGISTRY_LENS_NO_NETNS=1 (run without the namespace), VERBOSE=1,
//          REGISTRY_LENS_OUT=DIR (the transpiled tree the tiers run, default out; the build tier writes it there),
//          REGISTRY_LENS_RESULTS=DIR (logs and TAP files, default test-results): parallel runs in one checkout
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { ensureSetup, ROOT } from './prereq.mjs';

process.chdir(ROOT);
const require = createRequire(import.meta.url);
const RESULTS = join(ROOT, process.env.REGISTRY_LENS_RESULTS ?? 'test-results');
const OUT = resolve(ROOT, process.env.REGISTRY_LENS_OUT ?? 'out');

// ---- a fresh machine: install what is missing first (needs the package registries, so before the namespace)
if (process.env.REGISTRY_LENS_IN_NETNS !== '1') ensureSetup('test');

// ---- the namespace: everything below runs where only loopback exists --------------------------------
function loopbackOnly() {
  try {
    return readFileSync('/proc/self/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .filter((l) => l.trim())
      .every((l) => l.trim().startsWith('lo:'));
  } catch {
    return false;
  }
}
if (!loopbackOnly() && process.env.REGISTRY_LENS_NO_NETNS !== '1') {
  if (process.env.REGISTRY_LENS_IN_NETNS === '1') {
    console.error('test: a new network namespace still shows interfaces other than lo; refusing to loop.');
    process.exit(2);
  }
  const root = process.getuid?.() === 0;
  const argv = [process.execPath, ...process.argv.slice(1)].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('unshare', [...(root ? [] : ['-r']), '-n', 'sh', '-c', `ip link set lo up && exec ${argv}`], {
    stdio: 'inherit',
    env: { ...process.env, REGISTRY_LENS_IN_NETNS: '1' },
  });
  if (r.error || r.status === null) {
    console.error(`test: cannot create a loopback-only network namespace (${r.error?.message ?? r.signal}).`);
    console.error('test: install util-linux and iproute2 (scripts/install-system.sh) or set REGISTRY_LENS_NO_NETNS=1.');
    process.exit(2);
  }
  process.exit(r.status);
}

// ---- options ----------------------------------------------------------------------------------------
const TIERS = ['lint', 'typecheck', 'build', 'unit', 'integration', 'extension-host', 'ui', 'package', 'vsix', 'demo'];
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? '').split(',').filter(Boolean) : [];
};
const only = arg('--only');
const skip = arg('--skip');
for (const t of [...only, ...skip]) {
  if (!TIERS.includes(t)) {
    console.error(`test: unknown tier "${t}" (tiers: ${TIERS.join(' ')})`);
    process.exit(2);
  }
}
const wanted = (t) => (only.length ? only.includes(t) : true) && !skip.includes(t);

// ---- helpers ----------------------------------------------------------------------------------------
/** Runs a command, streaming its output, and resolves with its exit code and full output. */
function run(cmd, args, env = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (b) => {
      out += b;
      process.stdout.write(b);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      out += String(e);
      resolveRun({ code: 127, out });
    });
    child.on('close', (code) => resolveRun({ code: code ?? 1, out }));
  });
}

/** The last "N passed, N failed" line a runner printed. */
function counts(out) {
  const lines = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)];
  const last = lines.at(-1);
  return last ? { passed: Number(last[1]), failed: Number(last[2]) } : undefined;
}

/** node --test with a spec reporter on screen and a TAP file for the counts. */
async function nodeTest(dir, env = {}) {
  const tap = join(RESULTS, `${dir.replace(/\W+/g, '-')}.tap`);
  const files = existsSync(dir) ? dir : undefined;
  if (!files) return { passed: 0, failed: 0, note: `${dir} does not exist` };
  const r = await run(
    process.execPath,
    [
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      dir,
    ],
    env,
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const pass = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
  const fail = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(text)?.[1] ?? 0);
  // A runner that died without a summary is a failure, not "0 failed".
  return { passed: pass, failed: fail || (r.code !== 0 ? 1 : 0) };
}

const npx = (bin) => join(ROOT, 'node_modules', '.bin', bin);

// ---- the run ----------------------------------------------------------------------------------------
const results = [];
const started = Date.now();
rmSync(RESULTS, { recursive: true, force: true });
mkdirSync(RESULTS, { recursive: true });

async function tier(name, fn) {
  if (!wanted(name)) return;
  const t0 = Date.now();
  console.log(`\n===== ${name} =====`);
  let r;
  try {
    r = await fn();
  } catch (e) {
    console.log(`test: ${name} crashed: ${e?.stack ?? e}`);
    r = { passed: 0, failed: 1 };
  }
  results.push({ name, ...r, seconds: (Date.now() - t0) / 1000 });
}

const single = async (cmd, args, env) =>
  (await run(cmd, args, env)).code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
const harness = async (file, env) => {
  const r = await run(process.execPath, [join(OUT, 'test', 'harness', file)], env);
  return counts(r.out) ?? { passed: 0, failed: 1 };
};

let services;
async function sharedServices() {
  // One set of real registries for the tiers that run inside VS Code: the extension host reads where they
  // are from the env file named by REGISTRY_LENS_TEST_ENV (code-server passes its environment on).
  if (services) return services;
  const { startTestEnv, sweepStale } = require(join(OUT, 'test', 'services', 'index.js'));
  await sweepStale((l) => console.log(`[services] ${l}`));
  // dockerd too (when installed) for the Local Engine view's tests.
  const engine = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].some((p) => existsSync(p));
  services = await startTestEnv({
    seed: 'test',
    engine,
    envFile: join(RESULTS, 'services-env.json'),
    log: (l) => console.log(`[services] ${l}`),
  });
  return services;
}

try {
  // Lint is ESLint and the formatter's check (Prettier, .prettierrc.json): one result, failing when either fails.
  await tier('lint', async () => {
    const eslint = await run(npx('eslint'), ['--max-warnings=0', '.']);
    const prettier = await run(npx('prettier'), ['--check', '**/*.{ts,mjs,cjs,js}']);
    return eslint.code === 0 && prettier.code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  });
  await tier('typecheck', () => single(npx('tsc'), ['--noEmit', '-p', '.']));
  await tier('build', () => single(process.execPath, ['esbuild.mjs', '--tests']));
  await tier('unit', () => nodeTest(join(OUT, 'test', 'unit')));
  await tier('integration', () => nodeTest(join(OUT, 'test', 'integration')));
  const needServices = wanted('extension-host') || wanted('ui');
  const envVars = needServices ? { REGISTRY_LENS_TEST_ENV: (await sharedServices()).envFile } : {};
  await tier('extension-host', () => harness('runSuite.js', envVars));
  await tier('ui', () => harness('runUi.js', envVars));
  await tier('package', () => single('npm', ['run', '--silent', 'package']));
  await tier('vsix', () => harness('runVsix.js'));
  // `npm run demo` as a new user runs it, checked in chromium (its own registries on its own ports).
  await tier(
    'demo',
    async () =>
      counts((await run(process.execPath, [join('scripts', 'demo.mjs'), '--check', '--no-build'])).out) ?? {
        passed: 0,
        failed: 1,
      },
  );
} finally {
  await services?.stop();
}

const total = results.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed }), {
  passed: 0,
  failed: 0,
});
console.log('\n===== summary =====');
for (const r of results) {
  console.log(
    `${r.failed ? 'FAIL' : 'ok  '} ${r.name.padEnd(15)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${r.seconds.toFixed(1).padStart(7)} s`,
  );
}
console.log(
  `total ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots and logs in ${relative(ROOT, RESULTS)}/`,
);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed === 0 && total.passed > 0 ? 0 : 1);
