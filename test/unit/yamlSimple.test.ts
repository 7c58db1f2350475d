import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { plainValue, readSimpleYaml } from '../../src/core/extract/yamlSimple';
import { readYamlWithLibrary, type YamlDocument, type YamlSlot } from '../../src/core/extract/yamlTree';

/**
 * The fast YAML reader against the `yaml` library: whenever the fast reader accepts a text, the library must
 * read it without errors into the same tree (same values, styles, offsets, and the same nodes shared by
 * aliases). Fixed seeds keep runs reproducible; REGISTRY_LENS_FC_RUNS / REGISTRY_LENS_FC_SEED search harder.
 */
const RUNS = Number(process.env.REGISTRY_LENS_FC_RUNS ?? 400);
const SEED = Number(process.env.REGISTRY_LENS_FC_SEED ?? 20260901);

/** A tree as plain data: nodes numbered in first-visit order, a node seen again printed as `@n` (alias identity). */
function dump(docs: YamlDocument[]): unknown {
  const ids = new Map<object, number>();
  const walk = (node: YamlSlot): unknown => {
    if (node === undefined || node === null) return node;
    const seen = ids.get(node);
    if (seen !== undefined) return `@${seen}`;
    const id = ids.size;
    ids.set(node, id);
    switch (node.kind) {
      case 'scalar':
        // Where an empty value sits is never read (a null image is skipped); the library puts it at the next token.
        return node.value === null && node.start === node.end
          ? { id, null: true }
          : { id, value: node.value, style: node.style, start: node.start, end: node.end };
      case 'map':
        return { id, start: node.start, pairs: node.pairs.map((p) => [p.key, p.merge, walk(p.value)]) };
      case 'seq':
        return { id, start: node.start, items: node.items.map(walk) };
    }
  };
  return docs.map((d) => ({ root: walk(d.root), errors: d.errors }));
}

/** Asserts the fast reader either declines `text` or agrees with the library; returns whether it accepted. */
function agrees(text: string): boolean {
  const fast = readSimpleYaml(text);
  if (fast === null) return false;
  const lib = readYamlWithLibrary(text);
  assert.deepEqual(
    lib.flatMap((d) => d.errors),
    [],
    `the library finds errors in accepted text ${JSON.stringify(text)}`,
  );
  assert.deepEqual(dump(fast), dump(lib), JSON.stringify(text));
  return true;
}

const KEY = fc.constantFrom(
  'services',
  'web',
  'image',
  'build',
  'extends',
  'include',
  'path',
  'x-base',
  '<<',
  'a.b',
  'my-svc',
  '1',
  '1.50',
  '0x1F',
  'true',
  'null',
  'Null',
  '"quoted"',
  "'single'",
  '"<<"',
  '...',
  '.inf',
  'a/b',
  'k',
);
const SCALAR = fc.constantFrom(
  'nginx:1.27',
  '"postgres:16"',
  "'redis:7'",
  'acme/base:${TAG:-1}',
  '~',
  'null',
  '',
  'true',
  'False',
  '42',
  '-7',
  '0o17',
  '0x1f',
  '1.5',
  '1e3',
  '.5',
  '.nan',
  '-.inf',
  '1.0',
  'a b  c',
  'x # comment',
  'x#y',
  '"a\\tb"',
  "'it''s'",
  '"unterminated',
  'a: b',
  'a:b',
  'ends:',
  '[a, "b", 8080:80]',
  '[]',
  '[ *a , *b ]',
  '[a,]',
  '[a, [b]]',
  '{a: b}',
  '{}',
  '{ }',
  '{a: 1, "b": \'x\', c: *a}',
  '{ cpu: 500m , memory: 256Mi }',
  '{a: b,}',
  '{a: [b]}',
  '{a:b}',
  '{a: }',
  '{a: b # c}',
  '{<<: *a}',
  '{a: b}x',
  '{a: b: c}',
  '{null: x}',
  '{a: {b: c}}',
  '*a',
  '*b',
  '*zz',
  '&a x',
  '&b',
  '&a',
  '&c [1, 2]',
  '&a *b',
  '|',
  '>-',
  '!tag x',
  '%x',
  '@x',
  '`x',
  '-x',
  '?x',
  ':x',
  '- a',
  '"a": b',
  '"x" y',
  "'ab'  # c",
);
/** A generated YAML tree, rendered in block style below. */
type Tree =
  | { t: 'scalar'; v: string }
  | { t: 'map'; entries: [string, string, Tree][] }
  | { t: 'seq'; items: Tree[]; underKey: boolean };
const ANCHOR = fc.constantFrom('', '', '', '&a ', '&b ', '&c ');
const { tree } = fc.letrec<{ tree: Tree; map: Tree; seq: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('scalar' as const), v: SCALAR }),
    tie('map'),
    tie('seq'),
  ),
  map: fc.record({
    t: fc.constant('map' as const),
    entries: fc.array(fc.tuple(KEY, ANCHOR, tie('tree')), { minLength: 1, maxLength: 4 }),
  }),
  seq: fc.record({
    t: fc.constant('seq' as const),
    items: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }),
    underKey: fc.boolean(),
  }),
}));
const COMMENT = fc.constantFrom('', '', '', '', ' # c', '\n# c', '\n    # c', '\n');

/** Renders a map's entries at `indent` (the first line may already be started by `- `). */
function render(node: Tree, indent: string, step: string, comments: string[]): string[] {
  const c = () => comments[(comments.length + indent.length) % comments.length] ?? '';
  if (node.t === 'map') {
    return node.entries.flatMap(([key, anchor, value]) => {
      if (value.t === 'scalar') return [`${indent}${key}: ${anchor}${value.v}${c()}`];
      const head = `${indent}${key}:${anchor ? ' ' + anchor.trim() : ''}${c()}`;
      if (value.t === 'map') return [head, ...render(value, indent + step, step, comments)];
      return [head, ...render(value, value.underKey ? indent : indent + step, step, comments)];
    });
  }
  if (node.t === 'seq') {
    return node.items.flatMap((item) => {
      if (item.t === 'scalar') return [`${indent}- ${item.v}${c()}`];
      if (item.t === 'map') {
        const [first, ...rest] = render(item, indent + '  ', step, comments);
        return [`${indent}- ${(first ?? '').trimStart()}`, ...rest];
      }
      return [`${indent}-${c()}`, ...render(item, indent + step, step, comments)];
    });
  }
  return [`${indent}${node.v}`];
}
const TREE_TEXT = fc
  .tuple(
    tree,
    fc.constantFrom('  ', '    ', ' '),
    fc.array(COMMENT, { minLength: 1, maxLength: 5 }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(
    ([t, step, comments, eol, start]) =>
      (start ? '---\n' : '') +
      render(t.t === 'map' ? t : { t: 'map', entries: [['root', '', t]] }, '', step, comments)
        .join('\n')
        .replace(/\n/g, eol) +
      eol,
  );

const INDENT = fc.constantFrom('', '', '  ', '  ', '    ', '      ', ' ', '   ');
const LINE = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(INDENT, KEY, SCALAR).map(([i, k, v]) => `${i}${k}:${v === '' ? '' : ' ' + v}`) },
  { weight: 3, arbitrary: fc.tuple(INDENT, SCALAR).map(([i, v]) => `${i}-${v === '' ? '' : ' ' + v}`) },
  { weight: 2, arbitrary: fc.tuple(INDENT, KEY, SCALAR).map(([i, k, v]) => `${i}- ${k}: ${v}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '---',
      '--- # c',
      '...',
      '# comment',
      '  # indented',
      '',
      '%YAML 1.2',
      '? k',
      'a:b',
      '- - x',
      'k:  &a  # c',
    ),
  },
);
const TEXT = fc
  .tuple(fc.array(LINE, { maxLength: 14 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, eol, final]) => lines.join(eol) + (final ? eol : ''));
/** Characters that move the reader across its subset's borders. */
const EDIT = fc.constantFrom(
  ' ',
  '  ',
  '\t',
  '\r',
  ':',
  '#',
  '-',
  '"',
  "'",
  '&a ',
  '*a',
  '[',
  ']',
  ',',
  '\n',
  '\n  ',
  '\\',
  '\u0085',
  'é',
);
const MUTATED = fc
  .tuple(
    fc.oneof(TEXT, TREE_TEXT),
    fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), EDIT), { maxLength: 3 }),
  )
  .map(([text, edits]) => {
    let t = text;
    for (const [where, insert, chars] of edits) {
      const at = Math.floor(where * t.length);
      t = insert ? t.slice(0, at) + chars + t.slice(at) : t.slice(0, at) + t.slice(at + 1);
    }
    return t;
  });

const COMPOSE = [
  'x-common: &common',
  '  image: acme/base-1:${BASE_TAG:-1.3}',
  '  restart: unless-stopped',
  'services:',
  '  web:',
  '    image: nginx:1.25',
  '    ports: ["8080:80"]',
  '  api:',
  '    build: ./api',
  '    image: ghcr.io/acme/api-1:dev',
  '  worker:',
  '    <<: *common',
  '  db:',
  '    image: "postgres:16.1"  # pinned',
  '    environment:',
  '      POSTGRES_PASSWORD: example',
  '    volumes:',
  '    - type: bind',
  '      source: ./data',
  '      target: /var/lib/postgresql/data',
  '    - logs:/logs',
  'include:',
  '  - path: [a.yml, "b.yml"]',
  '  -',
  '    path: c.yml',
  '',
].join('\n');

void describe('readSimpleYaml', () => {
  void it('reads a typical compose file exactly as the yaml library does', () => {
    assert.ok(agrees(COMPOSE));
    assert.ok(agrees(COMPOSE.replace(/\n/g, '\r\n')));
    assert.ok(agrees(`---\n${COMPOSE}`));
  });

  void it('a key ends at the first colon followed by a blank or the line end; repeated keys read the same', () => {
    // Values with colons (`http://x:80/`, `a:1`), a null key (dropped), a key at the end of a CRLF line.
    const text = 'a.b: 1\nurl: http://x:80/\nnull: ~\n"q": v\nimage: a:1\nlist:\n  - image: b:2\n    image:\n';
    assert.ok(agrees(text));
    assert.ok(agrees(text.replace(/\n/g, '\r\n')));
    const root = readSimpleYaml(text)?.[0]?.root;
    assert.deepEqual(root?.kind === 'map' && root.pairs.map((p) => p.key), ['a.b', 'url', 'q', 'image', 'list']);
  });

  void it('shares one node between an anchor and its aliases, the last anchor before the alias winning', () => {
    const text = 'a: &x 1\nb: *x\nc: &x [*x]\nd: *x\n';
    assert.ok(agrees(text));
    const root = readSimpleYaml(text)?.[0]?.root;
    assert.equal(root?.kind, 'map');
    if (root?.kind !== 'map') return;
    const [a, b, c, d] = root.pairs.map((p) => p.value);
    assert.equal(b, a);
    assert.equal(d, c);
    assert.ok(c?.kind === 'seq' && c.items[0] === c, 'an anchor is registered before its children');
  });

  void it('declines what it does not read itself', () => {
    for (const text of [
      '',
      '# only a comment\n',
      'a:\tb\n',
      'a: |\n  x\n',
      'a: b\n  continued\n',
      'a: {b: {c: d}}\n',
      'a: "x\\ty"\n',
      "a: 'it''s'\n",
      '- a\n',
      '  a: b\n',
      'a: b\n---\nc: d\n',
      'a: !t x\n',
      'a: x: y\n',
      'a: [b,\n  c]\n',
      '&k a: b\n',
      'a:\n  - b\n c: d\n',
      'a: b\rc: d\n',
    ]) {
      assert.equal(readSimpleYaml(text), null, JSON.stringify(text));
    }
  });

  void it('resolves plain scalars as the core schema does', () => {
    const cases: [string, unknown][] = [
      ['', null],
      ['~', null],
      ['NULL', null],
      ['nulls', 'nulls'],
      ['True', true],
      ['fALSE', 'fALSE'],
      ['0o17', 15],
      ['-12', -12],
      ['0x1F', 31],
      ['1.50', 1.5],
      ['1e3', 1000],
      ['.5', 0.5],
      ['-.Inf', -Infinity],
      ['1.2.3', '1.2.3'],
      ['nginx', 'nginx'],
    ];
    for (const [raw, value] of cases) assert.equal(plainValue(raw), value, raw);
    assert.ok(Number.isNaN(plainValue('.NaN')));
  });

  void it('agrees with the yaml library on random compose-like files (property)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(TREE_TEXT, (text) => {
        if (agrees(text)) accepted++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // Not vacuous: a fair share of the generated files are in the subset.
    assert.ok(accepted > RUNS / 10, `only ${accepted} of ${RUNS} accepted`);
  });

  void it('agrees with the yaml library on random lines (property)', () => {
    fc.assert(
      fc.property(TEXT, (text) => {
        agrees(text);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  void it('agrees with the yaml library on mutated files (property)', () => {
    fc.assert(
      fc.property(MUTATED, (text) => {
        agrees(text);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
