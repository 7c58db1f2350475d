// The bundles keep dockerode out of the code that loads at activation: dist/extension.js and dist/cli.js require
// ./docker.js only from the lazy loader, dist/docker.js carries dockerode with ssh2 / grpc / build parts stubbed,
// and it loads and works (a missing socket is ENOENT; an ssh:// modem fails with our message) from a folder with
// no node_modules — as in the installed VSIX, which ships no dependencies.
// Reads REGISTRY_LENS_DIST (default dist/), what esbuild.mjs built.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/paths';

const dist = path.resolve(REPO_ROOT, process.env.REGISTRY_LENS_DIST ?? 'dist');
const tmp = mkdtempSync(path.join(tmpdir(), 'rl-docker-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

void describe(
  'bundles: dockerode in dist/docker.js, loaded lazily',
  { skip: existsSync(path.join(dist, 'docker.js')) ? false : `${dist}/docker.js is missing: build first` },
  () => {
    void it('cli.js and extension.js hold no dockerode / docker-modem code; cli.js requires ./docker.js', () => {
      for (const name of ['cli.js', 'extension.js']) {
        const text = readFileSync(path.join(dist, name), 'utf8');
        assert.ok(
          !/docker-modem|Modem\.prototype\.dial|require\(["']ssh2["']\)/.test(text),
          `${name} bundles docker-modem`,
        );
        assert.ok(!/require\(["']dockerode["']\)/.test(text), `${name} requires dockerode from node_modules`);
      }
      assert.match(readFileSync(path.join(dist, 'cli.js'), 'utf8'), /require\("\.\/docker\.js"\)/);
    });

    void it('docker.js loads without node_modules: ping a missing socket is ENOENT, ssh:// fails with our message', () => {
      copyFileSync(path.join(dist, 'docker.js'), path.join(tmp, 'docker.js'));
      const script = `const D = require(${JSON.stringify(path.join(tmp, 'docker.js'))});
      const out = {};
      new D({ socketPath: ${JSON.stringify(path.join(tmp, 'none.sock'))} }).ping().catch((e) => { out.ping = e.code; })
        .then(() => new D({ protocol: 'ssh', host: 'h', port: 22 }).ping()).catch((e) => { out.ssh = e.message; })
        .then(() => console.log(JSON.stringify(out)));`;
      const out = JSON.parse(
        execFileSync(process.execPath, ['-e', script], {
          cwd: tmp,
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '' },
        }),
      ) as { ping?: string; ssh?: string };
      assert.equal(out.ping, 'ENOENT');
      assert.match(out.ssh ?? '', /ssh2 is not included in Registry Lens/);
    });
  },
);
