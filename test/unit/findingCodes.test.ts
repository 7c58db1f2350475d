import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ALL_FINDING_CODES, FINDING_CODES, findingRemedy, resolveSeverities } from '../../src/core';
import { REPO_ROOT } from '../support/paths';

const docs = readFileSync(path.join(REPO_ROOT, 'docs', 'findings.md'), 'utf8');
const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    configuration: {
      properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }>;
    };
  };
};

void describe('the finding table', () => {
  void it('docs/findings.md has one section per code, with an example and the fix, and no section for a code that does not exist', () => {
    const headings = [...docs.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(
      headings,
      ALL_FINDING_CODES.map((c) => FINDING_CODES[c].anchor),
    );
    for (const code of ALL_FINDING_CODES) {
      const section = docs.split(/^## /m).find((s) => s.startsWith(`${code}\n`)) ?? '';
      assert.match(section, /```/, `${code}: no example`);
      if (FINDING_CODES[code].status === 'error' || FINDING_CODES[code].remedy)
        assert.match(section, /^Fix/m, `${code}: no fix`);
    }
  });

  void it("the docs table shows each code with the table's status, label and default severity", () => {
    for (const code of ALL_FINDING_CODES) {
      const row = FINDING_CODES[code];
      assert.ok(
        docs.includes(`| [\`${code}\`](#${row.anchor}) | ${row.status} | ${row.label} | ${row.severity} |`),
        `${code}: the docs table disagrees with FINDING_CODES`,
      );
    }
  });

  void it("the contributed registryLens.severity default is the table's, keyed by code, and the older keys are still declared", () => {
    const severity = manifest.contributes.configuration.properties['registryLens.severity']!;
    const expected = Object.fromEntries(
      ALL_FINDING_CODES.filter(
        (c) => FINDING_CODES[c].status !== 'current' && FINDING_CODES[c].status !== 'skipped',
      ).map((c) => [c, FINDING_CODES[c].severity]),
    );
    assert.deepEqual(severity.default, expected);
    for (const key of ['update', 'digestChanged', 'registryProblem', 'latest', 'notPinned'])
      assert.ok(severity.properties?.[key], `${key} is no longer accepted`);
  });

  void it("severities: defaults from the table; an older key still applies; a code's own key wins; bad values are ignored", () => {
    assert.equal(resolveSeverities({})['update-available'], 'information');
    assert.equal(resolveSeverities({ update: 'warning' })['update-available'], 'warning');
    const problems = resolveSeverities({ registryProblem: 'error', 'tls-error': 'hint', 'not-found': 'loud' });
    assert.equal(problems['auth-failed'], 'error');
    assert.equal(problems['tls-error'], 'hint');
    assert.equal(problems['not-found'], 'error');
    assert.equal(problems['update-available'], 'information');
    assert.equal(resolveSeverities({ latest: 'off' })['not-pinned'], 'off');
  });

  void it('remedies name the registry; codes with nothing to do have none', () => {
    assert.equal(
      findingRemedy('tls-error', 'reg.example:5000'),
      "pass --ca-file reg.example:5000=CA.pem with the registry's CA certificate, or --insecure reg.example:5000 if you trust the network",
    );
    assert.equal(findingRemedy('up-to-date', 'x'), undefined);
    for (const code of ALL_FINDING_CODES)
      assert.ok(!FINDING_CODES[code].remedy?.includes('{') || FINDING_CODES[code].remedy?.includes('{registry}'), code);
  });

  void it('the VSIX ships docs/findings.md (diagnostics link to it)', () => {
    const ignore = readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('!docs/findings.md'));
  });
});
