import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/paths';

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

// A runtime import of 'vscode': `import x from 'vscode'`, `import * as x`, `import {a}`, `require('vscode')`,
// `import('vscode')` or `export ... from 'vscode'`, but not `import type`.
const RUNTIME_VSCODE = /(^|\n)\s*(import\s+(?!type\b)[^;]*?from\s*['"]vscode['"]|export\s+(?!type\b)[^;]*?from\s*['"]vscode['"])|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\)/;

void describe('layering', () => {
  for (const layer of ['src/core', 'src/cli']) {
    void it(`${layer} never imports vscode at run time`, () => {
      const offenders = tsFiles(path.join(REPO_ROOT, layer))
        .filter((f) => RUNTIME_VSCODE.test(readFileSync(f, 'utf8')))
        .map((f) => path.relative(REPO_ROOT, f));
      assert.deepEqual(offenders, []);
    });
  }

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
