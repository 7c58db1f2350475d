import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jsonLine, relativeTo, toJson, writeJson, type ScanJsonItem } from '../../src/cli/scan';
import { scanWorkspace } from '../../src/core';
import { fixture, REPO_ROOT } from '../support/paths';
import { sliceRange } from '../support/ranges';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** A workspace with a file of every source beyond Dockerfiles and compose (fixtures/sources-workspace), copied out of the repository. */
let ws = '';
before(() => {
  ws = mkdtempSync(path.join(tmpdir(), 'rl-cli-sources-'));
  cpSync(fixture('sources-workspace'), ws, { recursive: true });
});
after(() => rmSync(ws, { recursive: true, force: true }));

const scan = (args: string[]) => spawnSync(process.execPath, [CLI, 'scan', ...args], { cwd: ws, encoding: 'utf8' });

void describe('registry-lens scan: Kubernetes, Helm, Kustomize, GitHub Actions, GitLab CI, devcontainer features', () => {
  void it('--json lists every image of the fixture workspace with its exact range', () => {
    const r = scan(['--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const items = JSON.parse(r.stdout) as ScanJsonItem[];
    const expected = JSON.parse(readFileSync(fixture('sources-workspace.expected.json'), 'utf8')) as ScanJsonItem[];
    assert.deepEqual(items, expected);
  });

  void it('every source is there; ranges, tag and digest locations slice back; a YAML file that is no manifest is not read', () => {
    const items = JSON.parse(scan(['--json']).stdout) as ScanJsonItem[];
    assert.deepEqual([...new Set(items.map((i) => i.source))].sort(), [
      'compose',
      'devcontainer',
      'github-actions',
      'gitlab-ci',
      'helm',
      'kubernetes',
      'kustomize',
    ]);
    for (const item of items) {
      const text = readFileSync(path.join(ws, item.file), 'utf8');
      assert.equal(sliceRange(text, item.range), item.text, `${item.file} ${item.text}`);
      if (item.tagLocation)
        assert.equal(
          sliceRange(readFileSync(path.join(ws, item.tagLocation.file), 'utf8'), item.tagLocation.range),
          item.reference?.tag,
        );
      if (item.digestLocation)
        assert.equal(
          sliceRange(readFileSync(path.join(ws, item.digestLocation.file), 'utf8'), item.digestLocation.range),
          item.reference?.digest,
        );
      assert.ok(!item.text.includes('should-not-appear'));
    }
    assert.ok(
      items.some(
        (i) =>
          i.file === 'ci/jobs.yml' && i.skip?.reason === 'unresolved-variable' && i.skip.detail === 'CI_REGISTRY_IMAGE',
      ),
      'the local include is followed',
    );
    assert.ok(!items.some((i) => i.file === 'k8s/settings.yaml'));
  });

  void it('a named YAML file is read as a manifest when it is one', () => {
    const items = JSON.parse(scan(['--json', 'k8s/debug-pod.yml']).stdout) as ScanJsonItem[];
    assert.deepEqual(
      items.map((i) => [i.source, i.kind, i.text]),
      [
        ['kubernetes', 'container', 'alpine:3.19'],
        ['kubernetes', 'ephemeral-container', 'docker.io/library/debian:12-slim'],
      ],
    );
  });
});

void describe('scan --json output, streamed', () => {
  void it('writes the array in chunks that join to the same JSON as one toJson array', async () => {
    const { occurrences } = await scanWorkspace([ws]);
    const many = Array.from({ length: 40 }, () => occurrences).flat();
    const chunks: string[] = [];
    const rel = (f: string) => path.relative(ws, f);
    await writeJson(many, rel, (t) => chunks.push(t));
    assert.ok(chunks.length > 3, `${chunks.length} chunks`);
    assert.deepEqual(
      JSON.parse(chunks.join('')),
      many.map((o) => toJson(o, rel)),
    );
    // Field by field, each line is the very text JSON.stringify gives (skips, stages, platforms, services included).
    const all = [...occurrences, ...(await scanWorkspace([fixture()])).occurrences];
    const line = jsonLine(rel);
    for (const o of all) assert.equal(line(o), JSON.stringify(toJson(o, rel)));
    for (const field of ['skip', 'stage', 'platform', 'tagLocation', 'digestLocation'] as const)
      assert.ok(
        all.some((o) => o[field] !== null),
        `no occurrence with a ${field}`,
      );
    // With a drain: each chunk after the first waits for it (a slow pipe reader holds the writer, not our memory).
    const log: string[] = [];
    let release: (() => void) | undefined;
    const written = writeJson(
      many,
      rel,
      () => log.push('write'),
      () => new Promise<void>((r) => (release = () => (log.push('drained'), r()))),
    );
    assert.deepEqual(log, ['write'], 'the writer waits after its first chunk');
    while (release) {
      const r = release;
      release = undefined;
      r();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await written;
    assert.equal(log.filter((e) => e === 'write').length, chunks.length);
    assert.equal(log.filter((e) => e === 'drained').length, chunks.length - 1);
    const empty: string[] = [];
    await writeJson([], rel, (t) => empty.push(t));
    assert.equal(empty.join(''), '[]\n');
  });
});

void describe('scan paths relative to the working folder', () => {
  void it('gives what path.relative gives, with "/", for files inside, beside, above and outside it', () => {
    const cwds = ['/', '/w', '/w/main', '/w/main/', '/w/main/sub/deep', '/tmp/x'];
    const files = [
      '/',
      '/w',
      '/w/main',
      '/w/main/Dockerfile',
      '/w/main/sub/deep/compose.yaml',
      '/w/main-other/Dockerfile',
      '/w/mai/Dockerfile',
      '/w/main/.github/workflows/ci.yml',
      '/w/main/..foo/Dockerfile',
      '/tmp/rl-bench/team-1/svc-2/Dockerfile',
      // Not normal: these take path.relative itself.
      '/w/main//x',
      '/w/main/./x',
      '/w/main/a/../x',
      '/w/main/x/',
    ];
    for (const cwd of cwds) {
      const rel = relativeTo(cwd);
      for (const file of files) {
        const expected = path.relative(cwd, file).split(path.sep).join('/') || '.';
        assert.equal(rel(file), expected, `${file} from ${cwd}`);
        assert.equal(rel(file), expected, `${file} from ${cwd}, again (kept)`);
      }
    }
  });
});
