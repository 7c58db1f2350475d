import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, tsFiles } from '../support/paths';

// A runtime import of 'vscode': `import x from 'vscode'`, `import * as x`, `import {a}`, `require('vscode')`,
// `import('vscode')` or `export ... from 'vscode'`, but not `import type`.
const RUNTIME_VSCODE =
  /(^|\n)\s*(import\s+(?!type\b)[^;]*?from\s*['"]vscode['"]|export\s+(?!type\b)[^;]*?from\s*['"]vscode['"])|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\)/;

// ---- the import graph of src/ (relative imports, `import type` included: a type cycle is still a cycle) ----

const SRC = path.join(REPO_ROOT, 'src');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?[^'";]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|require\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** `src/`-relative file -> the `src/`-relative files it imports. */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of tsFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const out = new Set<string>();
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec === undefined) continue;
      const base = path.join(path.dirname(file), spec);
      const target = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => existsSync(c));
      if (target) out.add(path.relative(SRC, target).split(path.sep).join('/'));
    }
    graph.set(path.relative(SRC, file).split(path.sep).join('/'), out);
  }
  return graph;
}

/** The unit of the layering table: `core/registry`, `core/product.ts`, `cli`, `vscode`. */
function unitOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'core' ? `core/${parts[1]}` : (parts[0] as string);
}

/**
 * Who may import whom (besides itself), after go-containerregistry's depcheck test. Lower layers first: a folder
 * may import only what its row lists. `core/index.ts` is the public barrel: nothing inside src/core imports it.
 */
const ALLOWED: Record<string, readonly string[]> = {
  'core/util': [],
  'core/product.ts': [],
  'core/reference': ['core/util'],
  'core/credentials': ['core/reference', 'core/util'],
  'core/extract': ['core/reference', 'core/util'],
  'core/versioning': ['core/reference', 'core/extract', 'core/util'],
  'core/registry': ['core/reference', 'core/credentials', 'core/util', 'core/product.ts'],
  'core/docker': [
    'core/reference',
    'core/extract',
    'core/versioning',
    'core/credentials',
    'core/registry',
    'core/util',
    'core/product.ts',
  ],
  // The local-engine check (check/local.ts) sits beside the check engine and reads the engine's inventory.
  'core/check': [
    'core/reference',
    'core/extract',
    'core/versioning',
    'core/credentials',
    'core/registry',
    'core/docker',
    'core/util',
    'core/product.ts',
  ],
  // Edits are computed from findings and occurrences (plain data), never from the editor.
  'core/edits': ['core/reference', 'core/extract', 'core/versioning', 'core/check', 'core/util'],
  'core/index.ts': ['core/*'],
  cli: ['core/*'],
  vscode: ['core/*'],
};

function allowed(from: string, to: string): boolean {
  const row = ALLOWED[from];
  if (!row) return false;
  return row.includes(to) || (row.includes('core/*') && to.startsWith('core/'));
}

/** Strongly connected components with more than one file (Tarjan), each sorted. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/**
 * Import cycles allowed for now: none (the CLI's cycle through CliIo and yamlSimple <-> yamlTree are broken).
 * An entry may only be added with the change that breaks it, and must be removed once its files no longer cycle.
 */
const KNOWN_CYCLES: readonly (readonly string[])[] = [];

void describe('layering', () => {
  for (const layer of ['src/core', 'src/cli']) {
    void it(`${layer} never imports vscode at run time`, () => {
      const offenders = tsFiles(path.join(REPO_ROOT, layer))
        .filter((f) => RUNTIME_VSCODE.test(readFileSync(f, 'utf8')))
        .map((f) => path.relative(REPO_ROOT, f));
      assert.deepEqual(offenders, []);
    });
  }

  void it('every import between folders follows the layering table', () => {
    const graph = importGraph();
    const offenders: string[] = [];
    for (const [file, targets] of graph) {
      const from = unitOf(file);
      for (const target of targets) {
        const to = unitOf(target);
        if (from === to) continue;
        if (target === 'core/index.ts' && file.startsWith('core/'))
          offenders.push(`${file} -> ${target} (the public barrel)`);
        else if (!allowed(from, to)) offenders.push(`${file} -> ${target} (${from} may not import ${to})`);
      }
    }
    assert.deepEqual(offenders, []);
    // Every folder of src/core has a row, so a new folder is placed in the layering on purpose.
    const coreUnits = new Set([...graph.keys()].filter((f) => f.startsWith('core/')).map(unitOf));
    assert.deepEqual(
      [...coreUnits].filter((u) => !(u in ALLOWED)),
      [],
    );
  });

  void it('the layering table is a strict order (no folder may import one that may import it back)', () => {
    for (const [from, row] of Object.entries(ALLOWED)) {
      for (const to of row) if (!to.endsWith('*')) assert.ok(!(ALLOWED[to] ?? []).includes(from), `${from} <-> ${to}`);
    }
  });

  void it('no import cycle between files under src/', () => {
    const found = cycles(importGraph());
    const unknown = found.filter((c) => !KNOWN_CYCLES.some((k) => c.every((f) => k.includes(f))));
    assert.deepEqual(unknown, [], 'a new import cycle');
    const gone = KNOWN_CYCLES.filter((k) => !found.some((c) => c.some((f) => k.includes(f))));
    assert.deepEqual(gone, [], 'a known cycle is gone: remove it from KNOWN_CYCLES');
  });

  void it('no file under src/ is over 400 lines unless its first line says why', () => {
    const long = tsFiles(SRC)
      .map((file) => {
        const text = readFileSync(file, 'utf8');
        const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
        return lines > 400 && !/^\/\/ Over 400 lines: \S/.test(text)
          ? `${path.relative(SRC, file)} (${lines} lines)`
          : '';
      })
      .filter(Boolean);
    assert.deepEqual(long, [], 'say why on the first line ("// Over 400 lines: ...") or split the file');
  });

  void it('the graph and cycle checks catch what they must (self-check)', () => {
    const g = new Map<string, Set<string>>([
      ['a.ts', new Set(['b.ts'])],
      ['b.ts', new Set(['c.ts'])],
      ['c.ts', new Set(['a.ts'])],
      ['d.ts', new Set(['a.ts'])],
    ]);
    assert.deepEqual(cycles(g), [['a.ts', 'b.ts', 'c.ts']]);
    assert.ok(allowed('core/registry', 'core/util'));
    assert.ok(!allowed('core/util', 'core/registry'));
    assert.ok(!allowed('core/registry', 'core/check'));
    assert.ok(allowed('cli', 'core/check'));
    assert.ok(!allowed('core/check', 'vscode'));
    assert.ok(!allowed('cli', 'vscode'));
    const text = `import type { A } from './a';\nimport {\n  b,\n} from "../b";\nexport * from './c';\nconst d = require('./d');`;
    assert.deepEqual(
      [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]),
      ['./a', '../b', './c', './d'],
    );
  });

  void it('the pattern catches what it must (self-check)', () => {
    assert.ok(RUNTIME_VSCODE.test(`import * as vscode from 'vscode';`));
    assert.ok(RUNTIME_VSCODE.test(`const v = require("vscode");`));
    assert.ok(RUNTIME_VSCODE.test(`\nimport { window } from 'vscode'`));
    assert.ok(!RUNTIME_VSCODE.test(`import type * as vscode from 'vscode';`));
    assert.ok(!RUNTIME_VSCODE.test(`import type { Range } from "vscode";`));
  });

  void it('the CLI bundle runs without vscode and loads no vscode module', () => {
    const cli = path.join(REPO_ROOT, 'dist', 'cli.js');
    assert.ok(existsSync(cli), 'dist/cli.js is missing: build first');
    const text = readFileSync(cli, 'utf8');
    assert.ok(!/require\(["']vscode["']\)/.test(text), 'dist/cli.js requires vscode');
  });
});
