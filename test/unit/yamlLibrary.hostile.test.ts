import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { parseAllDocuments } from 'yaml';
import type * as Core from '../../src/core';
import { readYamlWithLibrary } from '../../src/core/extract/yamlTree';

/**
 * YAML the fast reader declines goes to the `yaml` library, which cannot be interrupted from outside and, on
 * error-heavy text, costs milliseconds per KiB (a crafted 1 MiB file took seconds). It is now driven one lexical
 * token at a time, under the time budget and an error cap. Each case runs in a worker that is stopped after
 * HANG_MS, so a regression fails as a hang (a guard, not a speed target: `npm run bench -- fuzz` measures).
 */
const HANG_MS = 30_000;
const CORE = path.join(__dirname, '../../src/core');

interface Outcome {
  errors: number;
  first?: { file: string; message: string; limit?: string };
  occurrences: number;
}

/** Runs `core.extractFile(file, text, kind, options)` in a worker; resolves with a summary, rejects on a throw or a hang. */
function extractBounded(file: string, text: string, kind: Core.OccurrenceSource, options: Core.ExtractFileOptions = {}): Promise<Outcome> {
  const source = `const { parentPort, workerData } = require('node:worker_threads');
    const core = require(${JSON.stringify(CORE)});
    try {
      const r = core.extractFile(workerData.file, workerData.text, workerData.kind, workerData.options);
      const e = r.errors[0];
      parentPort.postMessage({ ok: true, value: { errors: r.errors.length, occurrences: r.occurrences.length, first: e && { file: e.file, message: e.message, limit: e.limit } } });
    } catch (e) { parentPort.postMessage({ ok: false, error: (e && e.name) + ': ' + (e && e.message) }); }`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { file, text, kind, options }, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`did not finish within ${HANG_MS} ms (a hang)`));
    }, HANG_MS);
    worker.once('message', (m: { ok: boolean; value?: Outcome; error?: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (m.ok) resolve(m.value as Outcome);
      else reject(new Error(`threw ${m.error}`));
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** `services:` with one image, then pairs of lines `  - ] xN: { : ` / `   k: v: w` up to 1 MiB (ten YAML errors a pair). */
function errorHeavyYaml(): string {
  let text = 'services:\n  a:\n    image: busybox\n';
  for (let i = 0; text.length < 1024 * 1024; i++) text += `  - ] x${i}: { : \n   k: v: w\n`;
  return text.slice(0, 1024 * 1024);
}

void describe('YAML read by the library, on hostile text', () => {
  void it('a 1 MiB compose file of 32,000 lines "  - ] xN: { :" and "   k: v: w" (335,000 YAML errors): one yaml-errors error naming the file', async () => {
    const r = await extractBounded('/w/compose.yaml', errorHeavyYaml(), 'compose');
    assert.equal(r.errors, 1);
    assert.deepEqual(r.first, { file: '/w/compose.yaml', message: 'more than 500 YAML errors (the limit per file); not read', limit: 'yaml-errors' });
    assert.equal(r.occurrences, 0);
  });

  void it('the same 1 MiB of YAML errors as a Kubernetes manifest: one yaml-errors error naming the file', async () => {
    const r = await extractBounded('/w/k8s/app.yaml', errorHeavyYaml(), 'kubernetes');
    assert.equal(r.errors, 1);
    assert.deepEqual(r.first, { file: '/w/k8s/app.yaml', message: 'more than 500 YAML errors (the limit per file); not read', limit: 'yaml-errors' });
  });

  void it('a compose file "x: [" then 100,000 lines "  aN," and "]" (valid flow YAML) with a spent time budget: a time-budget error naming the file', async () => {
    const text = 'x: [\n' + Array.from({ length: 100_000 }, (_, i) => `  a${i},`).join('\n') + '\n]\n';
    const r = await extractBounded('/w/compose.yaml', text, 'compose', { timeBudgetMs: -1 });
    assert.equal(r.errors, 1);
    assert.equal(r.first?.file, '/w/compose.yaml');
    assert.equal(r.first?.limit, 'time-budget');
    assert.match(r.first?.message ?? '', /longer than 2000 ms, the limit per file/);
  });

  void it('a compose file of 60 lines "  - ] xN" (fewer errors than the cap) is still read, its errors reported one by one', async () => {
    const text = 'services:\n  a:\n    image: busybox\n' + Array.from({ length: 60 }, (_, i) => `  - ] x${i}\n`).join('');
    const r = await extractBounded('/w/compose.yaml', text, 'compose');
    assert.ok(r.errors > 1);
    assert.equal(r.first?.limit, undefined);
    assert.match(r.first?.message ?? '', /^YAML: /);
  });
});

void describe('YAML read by the library, token by token', () => {
  void it('every YAML fixture, and 200 one-to-seven-character mutations of each: the documents, errors and ranges parseAllDocuments gives', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(e.name)) files.push(p);
      }
    };
    walk(path.join(__dirname, '../../../test/fixtures'));
    assert.ok(files.length >= 10);
    let seed = 7;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const chars = ' \n:-[]{},#&*!|>\'"?%@`\t\r.';
    for (const file of files) {
      const base = readFileSync(file, 'utf8');
      for (let k = 0; k < 200; k++) {
        let text = base;
        for (let m = 0; m < k % 8; m++) {
          const i = random(text.length + 1);
          text = text.slice(0, i) + (chars[random(chars.length)] ?? ' ') + text.slice(i + random(2));
        }
        const expected = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
        const docs = readYamlWithLibrary(text);
        const where = `${path.basename(file)} mutation ${k}`;
        assert.equal(docs.length, Array.isArray(expected) ? expected.length : 0, where);
        docs.forEach((doc, d) => {
          const want = Array.isArray(expected) ? expected[d] : undefined;
          const errors = doc.errors.filter((e) => !e.message.startsWith('Unresolved alias'));
          assert.deepEqual(errors, want?.errors.map((e) => ({ offset: e.pos[0], message: e.message })), where);
          const contents = want?.contents as { range?: number[] } | null | undefined;
          assert.equal(doc.root ? doc.root.start : undefined, doc.root ? contents?.range?.[0] : undefined, where);
        });
      }
    }
  });
});
