import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { extractCompose, extractDockerfile, type Occurrence } from '../../src/core';
import { editsForUpdate, type TextEdit } from '../../src/core/edits';

const D = 'sha256:' + 'd'.repeat(64);
const E = 'sha256:' + 'e'.repeat(64);

/** Applies edits (all on `text`, positions from the original) from the end backwards. */
function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.location.range.start) - offset(a.location.range.start))) {
    const s = offset(e.location.range.start);
    const end = offset(e.location.range.end);
    assert.equal(out.slice(s, end), e.expected, 'the edit expects other text than the file has');
    out = out.slice(0, s) + e.newText + out.slice(end);
  }
  return out;
}

function one(text: string, file = '/w/Dockerfile'): Occurrence {
  const o = extractDockerfile(file, text).occurrences.find((x) => x.kind === 'from' && !x.skip);
  assert.ok(o);
  return o;
}

void describe('quick-fix edits touch only the tag or digest', () => {
  void it('an inline tag: only the tag changes', () => {
    const text = 'FROM registry.example.com/app:1.1.0 AS build\nRUN true\n';
    const edits = editsForUpdate(one(text), { kind: 'minor', tag: '1.2.0', digest: null });
    assert.ok(Array.isArray(edits));
    assert.equal(apply(text, edits), 'FROM registry.example.com/app:1.2.0 AS build\nRUN true\n');
  });

  void it('a tag from an ARG default: the ARG line changes, the FROM line does not', () => {
    const text = 'ARG APP=1.1.0\nFROM registry.example.com/app:${APP}\n';
    const edits = editsForUpdate(one(text), { kind: 'patch', tag: '1.1.1', digest: null });
    assert.ok(Array.isArray(edits));
    assert.equal(apply(text, edits), 'ARG APP=1.1.1\nFROM registry.example.com/app:${APP}\n');
  });

  void it('a tag assembled from an ARG and a literal suffix: only the ARG piece changes', () => {
    const text = 'ARG V=20.11.0\nFROM node:${V}-alpine\n';
    const edits = editsForUpdate(one(text), { kind: 'minor', tag: '20.12.2-alpine', digest: null });
    assert.ok(Array.isArray(edits));
    assert.equal(apply(text, edits), 'ARG V=20.12.2\nFROM node:${V}-alpine\n');
  });

  void it('a pinned reference: refresh the digest; bump and re-pin', () => {
    const text = `FROM app:1.1.0@${D}\n`;
    const refresh = editsForUpdate(one(text), { kind: 'digest', tag: '1.1.0', digest: E });
    assert.ok(Array.isArray(refresh));
    assert.equal(apply(text, refresh), `FROM app:1.1.0@${E}\n`);
    const bump = editsForUpdate(one(text), { kind: 'major', tag: '2.0.0', digest: E });
    assert.ok(Array.isArray(bump));
    assert.equal(apply(text, bump), `FROM app:2.0.0@${E}\n`);
  });

  void it('pin: @digest after the reference, also after ${V}', () => {
    const inline = 'FROM app:1.1.0 AS a\n';
    const e1 = editsForUpdate(one(inline), { kind: 'pin', tag: '1.1.0', digest: D });
    assert.ok(Array.isArray(e1));
    assert.equal(apply(inline, e1), `FROM app:1.1.0@${D} AS a\n`);
    const viaArg = 'ARG T=1.1.0\nFROM app:${T}\n';
    const e2 = editsForUpdate(one(viaArg), { kind: 'pin', tag: '1.1.0', digest: D });
    assert.ok(Array.isArray(e2));
    assert.equal(apply(viaArg, e2), `ARG T=1.1.0\nFROM app:\${T}@${D}\n`);
  });

  void it('compose with the tag in .env: the .env value is the edit', () => {
    const o = extractCompose('/w/compose.yaml', 'services:\n  db:\n    image: postgres:${PG}\n', {
      dotenv: { file: '/w/.env', content: 'PG=15.6\n' },
    }).occurrences[0];
    assert.ok(o);
    const edits = editsForUpdate(o, { kind: 'minor', tag: '15.7', digest: null });
    assert.ok(Array.isArray(edits));
    assert.equal(edits[0]?.location.file, '/w/.env');
    assert.equal(apply('PG=15.6\n', edits), 'PG=15.7\n');
  });

  void it('a tag made of two variables that both change is refused, not guessed', () => {
    const text = 'ARG A=1\nARG B=2\nFROM app:${A}.${B}\n';
    const r = editsForUpdate(one(text), { kind: 'major', tag: '3.4', digest: null });
    assert.ok(!Array.isArray(r) && /several variables/.test(r.refused));
  });
});
