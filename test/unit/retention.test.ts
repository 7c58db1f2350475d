import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { scanWorkspace } from '../../src/core';
import { detachString } from '../../src/core/util';

/**
 * What a kept result keeps alive. V8 keeps a slice's whole parent string: an occurrence whose text is sliced from a
 * 512 KB file would keep the file's text for as long as the scan is kept (the extension keeps it for the session).
 * Measured as the heap after full collections; each figure has a control that shows the measure can fail.
 */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

/** The heap growth (MB) while `keep()`'s result is held, after full collections. */
async function retainedBy(keep: () => unknown): Promise<number> {
  for (let i = 0; i < 3; i++) gc();
  const before = process.memoryUsage().heapUsed;
  const kept = await keep();
  for (let i = 0; i < 3; i++) gc();
  const grown = (process.memoryUsage().heapUsed - before) / MB;
  assert.ok(kept !== undefined);
  return grown;
}

/** A flat string of `size` characters, distinct per `seed`. */
function parent(seed: number, size: number): string {
  return JSON.parse(JSON.stringify(`${seed}:`.padEnd(size, 'x'))) as string;
}

void describe('strings kept do not keep their parents', () => {
  void it('detachString copies a slice: 40 slices of 1 MB parents keep far less than 40 MB', async () => {
    const control = await retainedBy(() => Array.from({ length: 40 }, (_, i) => parent(i, MB).slice(2, 60)));
    assert.ok(control > 30, `the control (plain slices) keeps its parents: ${control.toFixed(1)} MB`);
    const detached = await retainedBy(() =>
      Array.from({ length: 40 }, (_, i) => detachString(parent(i, MB).slice(2, 60))),
    );
    assert.ok(detached < 4, `detached slices keep ${detached.toFixed(1)} MB`);
    assert.equal(detachString(parent(7, 100).slice(0, 40)), `7:${'x'.repeat(38)}`);
    assert.equal(detachString('short'), 'short');
  });

  const root = mkdtempSync(path.join(tmpdir(), 'rl-retention-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  void it("a scan of 40 files of 512 KB (Dockerfiles, compose files) does not keep the files' texts", async () => {
    const filler = (i: number) => `# ${i} ${'x'.repeat(76)}\n`.repeat((512 * 1024) / 80);
    for (let i = 0; i < 40; i++) {
      const dir = path.join(root, `svc-${i}`);
      mkdirSync(dir);
      const image = `registry.example.com/team-${i}/service-with-a-long-name:1.${i}.0`;
      if (i % 2) writeFileSync(path.join(dir, 'Dockerfile'), `${filler(i)}FROM ${image} AS build-stage-${i}\n`);
      else
        writeFileSync(
          path.join(dir, 'compose.yaml'),
          `${filler(i)}services:\n  long-service-name-${i}:\n    image: ${image}\n`,
        );
    }
    const result = await scanWorkspace([root], {});
    assert.equal(result.occurrences.length, 40);
    assert.equal(result.occurrences[0]!.reference?.canonical.startsWith('registry.example.com/team-'), true);
    // 40 x 512 KB = 20 MB of text read; what stays is the occurrences alone.
    const kept = await retainedBy(() => scanWorkspace([root], {}));
    assert.ok(kept < 5, `a scan of 20 MB of files keeps ${kept.toFixed(1)} MB`);
  });
});
