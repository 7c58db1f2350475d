import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PRODUCT_VERSION } from '../../src/core';
import { REPO_ROOT } from '../support/paths';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

void describe('registry-lens CLI (built bundle)', () => {
  void it('--version prints the package version', () => {
    const r = run('--version');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), PRODUCT_VERSION);
    assert.match(PRODUCT_VERSION, /^\d+\.\d+\.\d+/);
  });

  void it('--help lists scan and check and exits 0', () => {
    const r = run('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /registry-lens scan/);
    assert.match(r.stdout, /registry-lens check/);
  });

  void it('an unknown command is exit 2 with a pointer to --help', () => {
    const r = run('frobnicate');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command "frobnicate".*--help/);
  });
});
