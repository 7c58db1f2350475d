import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type * as Core from '../../src/core';

/**
 * Hostile workspaces: each shape below once hung the scan (unbounded expansion, backtracking patterns) or threw
 * (stack overflows, invalid regular expressions). Each now ends with a clear, typed skip or error naming the
 * limit. Every case runs in a worker thread that is stopped after HANG_MS, so a regression fails as a hang
 * instead of stalling the suite (a guard, not a speed target: the benchmark `npm run bench -- fuzz` measures).
 */
const HANG_MS = 30_000;
const CORE = path.join(__dirname, '../../src/core');

/** Runs `fn(core)` in a worker; resolves with its (cloneable) result, rejects on a throw or a hang. */
function bounded<T>(fn: (core: typeof Core) => T): Promise<T> {
  const source = `const { parentPort } = require('node:worker_threads');
    const core = require(${JSON.stringify(CORE)});
    try { parentPort.postMessage({ ok: true, value: (${fn.toString()})(core) }); }
    catch (e) { parentPort.postMessage({ ok: false, error: (e && e.name) + ': ' + (e && e.message) }); }`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`did not finish within ${HANG_MS} ms (a hang)`));
    }, HANG_MS);
    worker.once('message', (m: { ok: boolean; value?: T; error?: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (m.ok) resolve(m.value as T);
      else reject(new Error(`threw ${m.error}`));
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

void describe('hostile Dockerfiles', () => {
  void it('ARG A1=$A0$A0 ... ARG A40=$A39$A39, FROM busybox:${A40}: a value-length limit skip naming the ARG', async () => {
    const r = await bounded((core) => {
      const lines = ['ARG A0=x'];
      for (let i = 1; i <= 40; i++) lines.push(`ARG A${i}=$A${i - 1}$A${i - 1}`);
      lines.push('FROM busybox:${A40}');
      return core
        .extractDockerfile('/w/Dockerfile', lines.join('\n'))
        .occurrences.map((o) => ({ value: o.value.slice(0, 20), skip: o.skip }));
    });
    assert.equal(r.length, 1);
    assert.equal(r[0]?.skip?.reason, 'limit');
    assert.match(r[0]?.skip?.detail ?? '', /^ARG A17 on line 18 expands to more than 65536 characters/);
  });

  void it('200,000 ARG lines each using the one before (ARG A1=${A0}x ...): the per-file expansion limit skips, the file ends', async () => {
    const r = await bounded((core) => {
      const lines = ['ARG A0=x'];
      for (let i = 1; i < 200_000; i++) lines.push(`ARG A${i}=\${A${i - 1}}x`);
      lines.push('FROM busybox:1', 'FROM alpine:${A199999}');
      return core
        .extractDockerfile('/w/Dockerfile', lines.join('\n'))
        .occurrences.map((o) => ({ value: o.value.slice(0, 20), skip: o.skip }));
    });
    assert.deepEqual(r[0], { value: 'busybox:1', skip: null });
    assert.equal(r[1]?.skip?.reason, 'limit');
    assert.match(r[1]?.skip?.detail ?? '', /substitutions produce more than 4194304 characters \(the limit per file\)/);
  });

  void it('FROM busybox:${A:-${A:-...}} nested 100,000 deep: a substitution-depth limit skip naming the line', async () => {
    const r = await bounded((core) => {
      const text = 'FROM alpine:3\nFROM busybox:' + '${A:-'.repeat(100_000) + '1' + '}'.repeat(100_000) + '\n';
      return core
        .extractDockerfile('/w/Dockerfile', text)
        .occurrences.map((o) => ({ value: o.value.slice(0, 20), skip: o.skip }));
    });
    assert.deepEqual(r[0], { value: 'alpine:3', skip: null });
    assert.deepEqual(r[1]?.skip, {
      reason: 'limit',
      detail: 'substitutions nested deeper than 32 levels on line 2 (the limit)',
    });
  });

  void it('a Dockerfile of 20,000 FROM lines with a spent time budget: a time-budget error, no throw', async () => {
    const r = await bounded((core) =>
      core.extractFile('/w/Dockerfile', 'FROM alpine:3\n'.repeat(20_000), 'dockerfile', { timeBudgetMs: -1 }),
    );
    assert.deepEqual(r.occurrences, []);
    assert.equal(r.errors[0]?.limit, 'time-budget');
    assert.match(r.errors[0]?.message ?? '', /longer than 2000 ms, the limit per file/);
  });
});

void describe('hostile .gitignore files', () => {
  void it('*a*a*a*a*a*a*a*a*a*a*b against a name of 100,000 a: no match, no hang', async () => {
    const r = await bounded((core) => {
      const levels = [{ base: '', rules: core.parseGitignore('*a*a*a*a*a*a*a*a*a*a*b') }];
      return [
        core.isIgnored(levels, 'a'.repeat(100_000), false),
        core.isIgnored(levels, 'a'.repeat(100_000) + 'b', false),
      ];
    });
    assert.deepEqual(r, [false, true]);
  });

  void it('**/**/**/**/**/x against a path 2,000 folders deep: no match, no hang', async () => {
    const r = await bounded((core) => {
      const levels = [{ base: '', rules: core.parseGitignore('**/**/**/**/**/x') }];
      const deep = Array.from({ length: 2000 }, () => 'a').join('/');
      return [core.isIgnored(levels, `${deep}/y`, false), core.isIgnored(levels, `${deep}/x`, false)];
    });
    assert.deepEqual(r, [false, true]);
  });

  void it('a .gitignore of 100,000 lines: the first 10,000 patterns apply, a pattern-count note names the line', async () => {
    const r = await bounded((core) => {
      const lines = Array.from({ length: 100_000 }, (_, i) => `dir${i}/*.log`);
      const notes: Core.IgnoreNote[] = [];
      const rules = core.parseGitignore(lines.join('\n'), notes);
      const levels = [{ base: '', rules }];
      return {
        rules: rules.length,
        notes,
        first: core.isIgnored(levels, 'dir9999/a.log', false),
        past: core.isIgnored(levels, 'dir10000/a.log', false),
      };
    });
    assert.equal(r.rules, 10_000);
    assert.deepEqual(r.notes, [
      {
        line: 10_000,
        message: 'more than 10000 patterns (the limit); this line and the rest are not read',
        limit: 'pattern-count',
      },
    ]);
    assert.equal(r.first, true);
    assert.equal(r.past, false);
  });

  void it('a reversed range [z-a]: noted, matches nothing in it (as in git), the other lines still apply', async () => {
    const r = await bounded((core) => {
      const notes: Core.IgnoreNote[] = [];
      const levels = [{ base: '', rules: core.parseGitignore('build\n[z-a]\nlog[z-ax]', notes) }];
      return {
        notes,
        z: core.isIgnored(levels, 'z', false),
        b: core.isIgnored(levels, 'build', true),
        x: core.isIgnored(levels, 'logx', false),
        q: core.isIgnored(levels, 'logq', false),
      };
    });
    assert.deepEqual(r.notes, [
      { line: 1, message: 'reversed range z-a matches no character (as in git)' },
      { line: 2, message: 'reversed range z-a matches no character (as in git)' },
    ]);
    assert.deepEqual([r.z, r.b, r.x, r.q], [false, true, true, false]);
  });

  void it('a 5 MB pattern: ignored with a pattern-length note, the other lines still apply', async () => {
    const r = await bounded((core) => {
      const notes: Core.IgnoreNote[] = [];
      const rules = core.parseGitignore(`*.tmp\n${'[a'.repeat(2_500_000)}\nbuild\n`, notes);
      return { notes, patterns: rules.map((x) => x.pattern) };
    });
    assert.deepEqual(r.notes, [
      { line: 1, message: 'pattern longer than 4096 characters (the limit); ignored', limit: 'pattern-length' },
    ]);
    assert.deepEqual(r.patterns, ['*.tmp', 'build']);
  });

  void it('a glob {a,b}{a,b}... with 2^40 alternatives: ignored with a brace-alternatives problem', async () => {
    const r = await bounded((core) => {
      const { matcher, problem } = core.parseGlob('{a,b}'.repeat(40), { braces: true });
      return { problem, matches: matcher.test('a'.repeat(40)) };
    });
    assert.equal(r.problem?.limit, 'brace-alternatives');
    assert.equal(r.matches, false);
  });
});

void describe('hostile compose files', () => {
  void it('an extends chain of 20,000 services: an extends-depth error naming the first service, the image for the last 64', async () => {
    const r = await bounded((core) => {
      const lines = ['services:'];
      for (let i = 0; i < 20_000; i++)
        lines.push(`  s${i}:`, i === 19_999 ? '    image: alpine:3' : `    extends: s${i + 1}`);
      const result = core.extractCompose('/w/compose.yaml', lines.join('\n') + '\n');
      return {
        errors: result.errors,
        occurrences: result.occurrences.map((o) => ({ value: o.value, services: o.services.length })),
      };
    });
    assert.deepEqual(r.occurrences, [{ value: 'alpine:3', services: 64 }]);
    assert.deepEqual(r.errors, [
      {
        file: '/w/compose.yaml',
        line: 2,
        character: 4,
        message: 'extends chain of service s0 is longer than 64 services (the limit); 19936 services are not read',
        limit: 'extends-depth',
      },
    ]);
  });

  void it('image: "busybox:${A:-${A:-...}}" nested 100,000 deep: a substitution-depth limit skip', async () => {
    const r = await bounded((core) => {
      const text =
        'services:\n  a:\n    image: alpine:3\n  b:\n    image: "busybox:' +
        '${A:-'.repeat(100_000) +
        '1' +
        '}'.repeat(100_000) +
        '"\n';
      return core
        .extractCompose('/w/compose.yaml', text)
        .occurrences.map((o) => ({ value: o.value.slice(0, 20), skip: o.skip }));
    });
    assert.deepEqual(r[0], { value: 'alpine:3', skip: null });
    assert.deepEqual(r[1]?.skip, { reason: 'limit', detail: 'substitutions nested deeper than 32 levels (the limit)' });
  });

  void it('image: [[[[...]]]] flow sequences nested 100,000 deep: a nesting-depth error, no throw', async () => {
    const r = await bounded((core) =>
      core.extractCompose(
        '/w/compose.yaml',
        'services:\n  a:\n    image: ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n',
      ),
    );
    assert.deepEqual(r.occurrences, []);
    assert.deepEqual(
      r.errors.map((e) => [e.line, e.limit, e.message]),
      [[2, 'nesting-depth', 'YAML nested deeper than 256 levels (the limit); the file is not read']],
    );
  });

  void it('a .env whose values double (A1=${A0}${A0} ... A40): a value-length limit skip naming the variable', async () => {
    const r = await bounded((core) => {
      const env = ['A0=x'];
      for (let i = 1; i <= 40; i++) env.push(`A${i}=\${A${i - 1}}\${A${i - 1}}`);
      const result = core.extractCompose('/w/compose.yaml', 'services:\n  a:\n    image: busybox:${A40}\n', {
        dotenv: { file: '/w/.env', content: env.join('\n') },
      });
      return result.occurrences.map((o) => ({ value: o.value.slice(0, 20), skip: o.skip }));
    });
    assert.equal(r[0]?.skip?.reason, 'limit');
    assert.match(r[0]?.skip?.detail ?? '', /^A17 in \/w\/\.env: expands to more than 65536 characters/);
  });
});

void describe('hostile devcontainer.json files', () => {
  const expectNestingError = (r: Core.ExtractResult) => {
    assert.deepEqual(r.occurrences, []);
    assert.deepEqual(
      r.errors.map((e) => [e.line, e.limit, e.message]),
      [[1, 'nesting-depth', 'JSON nested deeper than 256 levels (the limit); the file is not read']],
    );
  };

  void it('devcontainer.json with arrays nested 100,000 deep: a nesting-depth error, no stack overflow', async () => {
    expectNestingError(
      await bounded((core) =>
        core.extractDevcontainer(
          '/w/.devcontainer.json',
          '{"image": "alpine:3",\n "x": ' + '['.repeat(100_000) + '1' + ']'.repeat(100_000) + '}',
        ),
      ),
    );
  });

  void it('devcontainer.json with objects nested 100,000 deep: a nesting-depth error, no stack overflow', async () => {
    expectNestingError(
      await bounded((core) =>
        core.extractDevcontainer(
          '/w/.devcontainer.json',
          '{"image": "alpine:3",\n "x": ' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) + '}',
        ),
      ),
    );
  });
});
