// The bundles keep undici out of the code that loads at activation: dist/extension.js and dist/cli.js carry a
// stand-in whose exports require ./undici.js on first use, and dist/undici.js carries undici itself. The CLI's check
// works from a folder with only cli.js and undici.js (as in the installed VSIX, which ships no node_modules), and
// loading extension.js loads neither undici.js nor Node's internal undici (the bench measures the time).
// Reads REGISTRY_LENS_DIST (default dist/), what esbuild.mjs built.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/paths';

const dist = path.resolve(REPO_ROOT, process.env.REGISTRY_LENS_DIST ?? 'dist');
const tmp = mkdtempSync(path.join(tmpdir(), 'rl-undici-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

void describe(
  'bundles: undici in dist/undici.js, loaded at the first request',
  { skip: existsSync(path.join(dist, 'extension.js')) ? false : `${dist}/extension.js is missing: build first` },
  () => {
    void it('cli.js and extension.js hold no undici code and require ./undici.js only from the stand-in', () => {
      for (const name of ['cli.js', 'extension.js']) {
        const text = readFileSync(path.join(dist, name), 'utf8');
        assert.ok(!/llhttp|class Agent extends DispatcherBase/.test(text), `${name} bundles undici`);
        assert.ok(!/require\(["']undici["']\)/.test(text), `${name} requires undici from node_modules`);
        assert.equal(text.match(/require\("\.\/undici\.js"\)/g)?.length, 1, `${name}: one lazy require of ./undici.js`);
      }
    });

    void it("extension.js loads without loading undici.js or Node's internal undici", () => {
      const script = `require(${JSON.stringify(path.join(__dirname, '..', 'support', 'vscodeStub.js'))}).installVscodeStub();
      require(${JSON.stringify(path.join(dist, 'extension.js'))});
      console.log(JSON.stringify({ undici: Object.keys(require.cache).some((f) => f.endsWith('undici.js')), internal: process.moduleLoadList.some((n) => n.includes('internal/deps/undici')) }));`;
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
        undici: boolean;
        internal: boolean;
      };
      assert.equal(out.undici, false, 'extension.js loaded ./undici.js at load time');
      assert.equal(out.internal, false, 'extension.js made Node load its internal undici at load time');
    });

    void it('cli.js check from a folder with only cli.js and undici.js: a refused port is reported as connection refused', () => {
      for (const f of ['cli.js', 'undici.js']) copyFileSync(path.join(dist, f), path.join(tmp, f));
      mkdirSync(path.join(tmp, 'ws'));
      writeFileSync(path.join(tmp, 'ws', 'Dockerfile'), 'FROM 127.0.0.1:9/acme/app:1.0\n');
      const r = spawnSync(
        process.execPath,
        [path.join(tmp, 'cli.js'), 'check', 'ws', '--json', '--insecure', '127.0.0.1:9'],
        { cwd: tmp, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
      );
      assert.equal(r.status, 2, r.stderr);
      const [item] = JSON.parse(r.stdout) as { error: { code: string; message: string } | null }[];
      assert.equal(item?.error?.code, 'network');
      assert.match(item?.error?.message ?? '', /connection refused/);
    });
  },
);

void describe(
  'bundles: the yaml library in dist/yaml.js, loaded when a file needs it',
  { skip: existsSync(path.join(dist, 'extension.js')) ? false : `${dist}/extension.js is missing: build first` },
  () => {
    void it('cli.js and extension.js hold no yaml code and require ./yaml.js only from the stand-in', () => {
      assert.ok(/var Composer\b/.test(readFileSync(path.join(dist, 'yaml.js'), 'utf8')), 'yaml.js holds the library');
      for (const name of ['cli.js', 'extension.js']) {
        const text = readFileSync(path.join(dist, name), 'utf8');
        assert.ok(!/var Composer\b|sufficiently indented and end with/.test(text), `${name} bundles yaml`);
        assert.ok(!/require\(["']yaml["']\)/.test(text), `${name} requires yaml from node_modules`);
        assert.equal(text.match(/require\("\.\/yaml\.js"\)/g)?.length, 1, `${name}: one lazy require of ./yaml.js`);
      }
    });

    void it('extension.js loads without loading yaml.js', () => {
      const script = `require(${JSON.stringify(path.join(__dirname, '..', 'support', 'vscodeStub.js'))}).installVscodeStub();
      require(${JSON.stringify(path.join(dist, 'extension.js'))});
      console.log(JSON.stringify(Object.keys(require.cache).some((f) => f.endsWith('yaml.js'))));`;
      assert.equal(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim(), 'false');
    });

    void it('cli.js scan from a folder with only cli.js and yaml.js: an alias read through the library, a refused file reported', () => {
      const dir = path.join(tmp, 'yaml');
      mkdirSync(path.join(dir, 'ws'), { recursive: true });
      for (const f of ['cli.js', 'yaml.js']) copyFileSync(path.join(dist, f), path.join(dir, f));
      // An anchor and an alias: the simple reader declines, the library reads it.
      writeFileSync(
        path.join(dir, 'ws', 'compose.yaml'),
        'x-app: &app\n  image: registry.example.com/acme/app:1.2.3\nservices:\n  web: *app\n',
      );
      writeFileSync(path.join(dir, 'ws', 'compose.broken.yaml'), 'services:\n  web: [\n');
      const r = spawnSync(process.execPath, [path.join(dir, 'cli.js'), 'scan', 'ws', '--json'], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      });
      const lines = JSON.parse(r.stdout) as { value?: string; services?: string[] }[];
      const app = lines.find((l) => l.value === 'registry.example.com/acme/app:1.2.3');
      assert.deepEqual(app?.services, ['web', 'x-app'], r.stdout + r.stderr);
      // The library's own message: it was loaded from yaml.js beside cli.js.
      assert.match(r.stderr, /compose\.broken\.yaml:\d+:\d+: YAML: Flow sequence in block collection/);
    });
  },
);
