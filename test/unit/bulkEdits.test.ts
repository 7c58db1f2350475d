import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractDockerfile, parseReference, type FindingUpdate } from '../../src/core';
import { bulkUpdate, ignoreCommentEdit, mergeEdits, rulesIgnoringKind, type TextEdit } from '../../src/core/edits';

const D = 'sha256:' + 'd'.repeat(64);
const u = (kind: FindingUpdate['kind'], tag: string, digest: string | null = null): FindingUpdate => ({
  kind,
  tag,
  digest,
});
const at = (line: number, a: number, b: number, newText: string, expected = 'x'): TextEdit => ({
  location: { file: '/w/Dockerfile', range: { start: { line, character: a }, end: { line, character: b } } },
  expected,
  newText,
});

void describe('bulk updates: which update each level applies', () => {
  const updates = [u('major', '2.0.0'), u('patch', '1.1.1'), u('minor', '1.2.0'), u('pin', '1.1.0', D)];
  void it('patch / minor / major take the newest tag of at most that kind; no level takes the safest', () => {
    assert.equal(bulkUpdate({ status: 'update', updates }, 'patch')?.tag, '1.1.1');
    assert.equal(bulkUpdate({ status: 'update', updates }, 'minor')?.tag, '1.2.0');
    assert.equal(bulkUpdate({ status: 'update', updates }, 'major')?.tag, '2.0.0');
    assert.equal(bulkUpdate({ status: 'update', updates })?.tag, '1.1.1');
  });
  void it('only a major update: nothing at patch or minor level', () => {
    assert.equal(bulkUpdate({ status: 'update', updates: [u('major', '3')] }, 'minor'), undefined);
  });
  void it('a moved tag gets its refreshed digest at every level; pins are never bulk-applied', () => {
    assert.equal(
      bulkUpdate({ status: 'digest-changed', updates: [u('digest', 'latest', D)] }, 'patch')?.kind,
      'digest',
    );
    assert.equal(bulkUpdate({ status: 'unpinned', updates: [u('pin', 'latest', D)] }, 'major'), undefined);
    assert.equal(bulkUpdate({ status: 'current', updates: [] }), undefined);
  });
});

void describe('mergeEdits: one edit per range, conflicts refused whole', () => {
  void it('the same edit from two references (one ARG default) is written once', () => {
    const r = mergeEdits([
      { label: 'a', edits: [at(0, 8, 13, '1.1.1')] },
      { label: 'b', edits: [at(0, 8, 13, '1.1.1')] },
    ]);
    assert.equal(r.edits.length, 1);
    assert.deepEqual(r.conflicts, []);
  });
  void it('two texts for one range: both references are left out', () => {
    const r = mergeEdits([
      { label: 'a', edits: [at(0, 8, 13, '1.1.1')] },
      { label: 'b', edits: [at(0, 8, 13, '2.0.0')] },
      { label: 'c', edits: [at(3, 1, 2, 'y')] },
    ]);
    assert.deepEqual(
      r.edits.map((e) => e.newText),
      ['y'],
    );
    assert.deepEqual(r.conflicts.sort(), ['a', 'b']);
  });
  void it('overlapping ranges conflict; touching ranges do not', () => {
    const r = mergeEdits([
      { label: 'a', edits: [at(0, 0, 10, 'p')] },
      { label: 'b', edits: [at(0, 5, 12, 'q')] },
      { label: 'c', edits: [at(0, 12, 12, '@d', '')] },
    ]);
    assert.deepEqual(r.conflicts.sort(), ['a', 'b']);
    assert.deepEqual(
      r.edits.map((e) => e.newText),
      ['@d'],
    );
  });
  void it('a refused reference keeps nothing of its own, but an edit it shares with a good one stays', () => {
    const r = mergeEdits([
      { label: 'a', edits: [at(0, 8, 13, '1.1.1'), at(2, 0, 3, 'one')] },
      { label: 'b', edits: [at(0, 8, 13, '1.1.1')] },
      { label: 'c', edits: [at(2, 0, 3, 'two')] },
    ]);
    assert.deepEqual(r.conflicts.sort(), ['a', 'c']);
    assert.deepEqual(
      r.edits.map((e) => e.newText),
      ['1.1.1'],
    );
  });
});

void describe('ignoreCommentEdit: where the ignore comment goes', () => {
  const o = (text: string, i = 0) => extractDockerfile('/w/Dockerfile', text).occurrences[i]!;
  void it('above the FROM, with its indentation', () => {
    const e = ignoreCommentEdit(o('RUN x\n  FROM node:20\n'), ['RUN x', '  FROM node:20'], '\n');
    assert.ok(!('refused' in e));
    assert.deepEqual([e.location.range.start, e.newText], [{ line: 1, character: 0 }, '  # registry-lens: ignore\n']);
  });
  void it("a reference on a continuation line: above the instruction's first line", () => {
    const text = 'FROM --platform=linux/amd64 \\\n    node:20 AS b\n';
    const e = ignoreCommentEdit(o(text), text.split('\n'), '\r\n');
    assert.ok(!('refused' in e));
    assert.deepEqual([e.location.range.start.line, e.newText], [0, '# registry-lens: ignore\r\n']);
  });
  void it('# syntax= is refused: a line above it would end the parser directives', () => {
    const text = '# syntax=docker/dockerfile:1\nFROM node:20\n';
    const syntax = extractDockerfile('/w/Dockerfile', text).occurrences.find((x) => x.kind === 'syntax')!;
    assert.match(
      (ignoreCommentEdit(syntax, text.split('\n'), '\n') as { refused: string }).refused,
      /parser directives/,
    );
  });
  void it('devcontainer.json gets a // comment', () => {
    const e = ignoreCommentEdit(
      {
        file: '/w/.devcontainer.json',
        source: 'devcontainer',
        kind: 'image',
        range: { start: { line: 1, character: 12 }, end: { line: 1, character: 19 } },
      },
      ['{', '  "image": "node:20"', '}'],
      '\n',
    );
    assert.equal((e as TextEdit).newText, '  // registry-lens: ignore\n');
  });
});

void describe('rulesIgnoringKind: the policies value that stops offering one update kind', () => {
  const ref = parseReference('ghcr.io/acme/app:1.2.3');
  void it('no rules: a new rule for the image, every other kind still allowed', () => {
    const r = rulesIgnoringKind([], ref, 'major');
    assert.deepEqual(r, {
      rules: [{ match: 'ghcr.io/acme/app', allow: ['minor', 'patch', 'digest', 'pin'] }],
      match: 'ghcr.io/acme/app',
      allow: ['minor', 'patch', 'digest', 'pin'],
    });
  });
  void it('a rule for exactly this image is updated in place, keeping what it already left out', () => {
    const r = rulesIgnoringKind(
      [{ match: 'ghcr.io/acme/app', allow: ['minor', 'patch'], description: 'mine' }],
      ref,
      'minor',
    );
    assert.ok(!('refused' in r));
    assert.deepEqual(r.rules, [{ match: 'ghcr.io/acme/app', allow: ['patch'], description: 'mine' }]);
  });
  void it('a later broader rule sets allow: the new rule goes after it, from the effective set', () => {
    const raw = [
      { match: 'ghcr.io/acme/app', allow: ['patch'] },
      { match: 'ghcr.io/**', allow: ['major', 'minor', 'patch'] },
    ];
    const r = rulesIgnoringKind(raw, ref, 'major');
    assert.ok(!('refused' in r));
    assert.deepEqual(r.rules, [...raw, { match: 'ghcr.io/acme/app', allow: ['minor', 'patch'] }]);
    assert.deepEqual(raw[0], { match: 'ghcr.io/acme/app', allow: ['patch'] }, 'the input was changed');
  });
  void it('already not offered, ignored, or broken settings: refused with the reason', () => {
    assert.match(
      (rulesIgnoringKind([{ match: 'ghcr.io/acme/app', allow: ['patch'] }], ref, 'major') as { refused: string })
        .refused,
      /already not offered/,
    );
    assert.match(
      (rulesIgnoringKind([{ match: '**', ignore: true }], ref, 'major') as { refused: string }).refused,
      /already ignored/,
    );
    assert.match(
      (rulesIgnoringKind([{ allow: ['patch'] }], ref, 'major') as { refused: string }).refused,
      /fix registryLens.policies first/,
    );
  });
});
