import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScanJsonItem } from '../../src/cli/scan';
import { fixture, REPO_ROOT } from '../support/paths';
import { sliceRange } from '../support/ranges';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/**
 * The fixture workspace is copied to a temporary folder, and the parts git itself would not keep (a .gitignore'd
 * folder, node_modules) are added there, so the fixture in the repository stays plain files.
 */
let ws = '';
before(() => {
  ws = mkdtempSync(path.join(tmpdir(), 'rl-cli-scan-'));
  cpSync(fixture('scan-workspace'), ws, { recursive: true });
  writeFileSync(path.join(ws, '.gitignore'), 'generated/\n');
  for (const dir of ['generated', 'node_modules/some-pkg']) {
    mkdirSync(path.join(ws, dir), { recursive: true });
    writeFileSync(path.join(ws, dir, 'Dockerfile'), 'FROM should-not-appear:1\n');
  }
});
after(() => rmSync(ws, { recursive: true, force: true }));

const scan = (args: string[], cwd = ws) =>
  spawnSync(process.execPath, [CLI, 'scan', ...args], { cwd, encoding: 'utf8' });

void describe('registry-lens scan (built bundle)', () => {
  void it('--json prints the DESIGN.md shape for the whole fixture workspace', () => {
    const r = scan(['--json']);
    assert.equal(r.status, 0, r.stderr);
    const items = JSON.parse(r.stdout) as ScanJsonItem[];
    const expected = JSON.parse(readFileSync(fixture('scan-workspace.expected.json'), 'utf8')) as ScanJsonItem[];
    assert.deepEqual(items, expected);
  });

  void it('every item: the public fields, relative "/" paths, and a range that slices back to its text', () => {
    const items = JSON.parse(scan(['--json']).stdout) as ScanJsonItem[];
    assert.ok(items.length > 20);
    for (const item of items) {
      for (const key of ['file', 'range', 'source', 'kind', 'text', 'reference', 'skip'])
        assert.ok(key in item, `${key} missing`);
      assert.ok(!path.isAbsolute(item.file) && !item.file.includes('\\'), item.file);
      const text = readFileSync(path.join(ws, item.file), 'utf8');
      assert.equal(sliceRange(text, item.range), item.text);
      if (item.reference) {
        assert.deepEqual(Object.keys(item.reference), ['registry', 'repository', 'tag', 'digest', 'canonical']);
      }
      if (item.tagLocation) {
        assert.equal(
          sliceRange(readFileSync(path.join(ws, item.tagLocation.file), 'utf8'), item.tagLocation.range),
          item.reference?.tag,
        );
      }
      assert.ok(!item.text.includes('should-not-appear'));
    }
  });

  void it('a file that cannot be parsed is reported on stderr with its line; the scan goes on', () => {
    const r = scan(['--json']);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /^registry-lens: docker-compose\.broken\.yml:\d+:\d+: YAML: /m);
    const items = JSON.parse(r.stdout) as ScanJsonItem[];
    assert.ok(
      items.some(
        (i) => i.file === 'docker-compose.broken.yml' && i.reference?.canonical === 'docker.io/library/busybox:1.36',
      ),
    );
  });

  // Found on public repositories: compose refuses these files, and the scan listed them without a word.
  void it('image: *img with no anchor, ports: under services, extends: file: gone.yaml: each on stderr as file:line:col', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rl-cli-refused-'));
    try {
      writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1\n  db:\n    image: *img\n');
      writeFileSync(
        path.join(dir, 'compose-indent.yaml'),
        'services:\n  web:\n    image: nginx:1\n  ports:\n    - "80:80"\n',
      );
      writeFileSync(
        path.join(dir, 'compose-extends.yaml'),
        'services:\n  app:\n    extends:\n      file: gone.yaml\n      service: base\n',
      );
      const r = scan(['--json'], dir);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stderr.trimEnd().split('\n').sort(), [
        'registry-lens: compose-extends.yaml:4:13: gone.yaml: no such file (named here)',
        'registry-lens: compose-indent.yaml:5:5: services.ports must be a mapping (compose refuses this file; is a key indented under the wrong parent?)',
        'registry-lens: compose.yaml:5:12: YAML: Unresolved alias *img: no anchor &img before it',
      ]);
      // The images compose could read are still listed.
      const items = JSON.parse(r.stdout) as ScanJsonItem[];
      assert.deepEqual(
        items.map((i) => `${i.file} ${i.reference?.canonical}`),
        ['compose-indent.yaml docker.io/library/nginx:1', 'compose.yaml docker.io/library/nginx:1'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('PATH arguments (folders and files) relative to the current folder', () => {
    const r = scan(['--json', 'services', 'common/base-services.yml'], ws);
    assert.equal(r.status, 0, r.stderr);
    const items = JSON.parse(r.stdout) as ScanJsonItem[];
    assert.deepEqual(
      [...new Set(items.map((i) => i.file))],
      ['common/base-services.yml', 'services/api/Containerfile'],
    );
    const fromSub = JSON.parse(scan(['--json', '..'], path.join(ws, 'services')).stdout) as ScanJsonItem[];
    assert.ok(fromSub.some((i) => i.file === '../Dockerfile'));
    assert.ok(fromSub.some((i) => i.file === 'api/Containerfile'));
  });

  void it('without --json: a table with one-based FILE:LINE:COL, kind, image and skip reason', () => {
    const r = scan([]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0] ?? '', /^FILE:LINE:COL\s+KIND\s+IMAGE\s+SKIPPED$/);
    assert.ok(
      lines.some((l) => /^Dockerfile:5:32\s+from\s+node:20\.11-alpine$/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => /^Dockerfile:17:6\s+from\s+\$\{UNKNOWN_BASE\}\s+unresolved-variable: UNKNOWN_BASE$/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) =>
        /^compose\.yaml:12:12\s+service\s+ghcr\.io\/acme\/api:dev\s+built-locally: api has build:$/.test(l),
      ),
      r.stdout,
    );
    assert.match(r.stdout, /\n23 image references in 8 files, 8 skipped\.\n$/);
  });

  void it('a PATH that does not exist is exit 2 with a clear message', () => {
    const r = scan(['no/such/dir']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^registry-lens scan: no\/such\/dir: no such file or directory$/m);
  });

  void it('an unknown option is exit 2; --help is exit 0 and documents the JSON paths', () => {
    const bad = scan(['--jsn']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option "--jsn"/);
    const help = scan(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /relative to the current folder/);
    assert.match(help.stdout, /zero-based/);
  });

  void it('an empty folder prints an empty JSON array', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'rl-cli-empty-'));
    try {
      const r = scan(['--json'], empty);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), []);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
