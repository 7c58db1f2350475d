import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  commentStyleFor,
  extractCompose,
  extractDevcontainer,
  extractDockerfile,
  findOccurrenceDirective,
  compilePolicyRules,
  findInlineDirective,
  isPolicyError,
  parseDirectiveComment,
  parseReference,
  PolicyError,
  resolvePolicy,
  type CommentStyle,
  type EffectivePolicy,
} from '../../src/core';

/** A compact view of an effective policy for table rows. */
function show(p: EffectivePolicy): string {
  const parts = [];
  if (p.ignore) parts.push('ignore');
  parts.push(`allow=${[...p.allow].join(',')}`);
  if (p.include) parts.push(`include=${p.include.source}`);
  if (p.exclude) parts.push(`exclude=${p.exclude.source}`);
  if (p.pinDigests) parts.push('pin');
  return parts.join(' ');
}

const ALL = 'allow=major,minor,patch,digest,pin';

const RULES = [
  { match: '**', pinDigests: true },
  { match: 'docker.io/library/*', allow: ['minor', 'patch', 'digest'] },
  { match: ['ghcr.io/acme/**', 'registry.example:5000/team/*'], allow: ['patch'], exclude: '-rc' },
  { match: 'node', include: '^\\d+(\\.\\d+)?-alpine$' },
  { match: 'docker.io/library/postgres:1{5,6}*', ignore: true },
  { match: 'ghcr.io/acme/legacy', ignore: true },
  { match: 'ghcr.io/acme/legacy', ignore: false, description: 'un-ignored again: later rules win' },
];

const RESOLVE: { name: string; ref: string; expect: string; sources?: number }[] = [
  { name: 'the catch-all applies to anything', ref: 'quay.io/org/tool:1', expect: `${ALL} pin`, sources: 1 },
  { name: 'registry/repository glob for Hub official images', ref: 'redis:7', expect: 'allow=minor,patch,digest pin' },
  {
    name: 'familiar name glob plus the official-image rule',
    ref: 'node:20-alpine',
    expect: 'allow=minor,patch,digest include=^\\d+(\\.\\d+)?-alpine$ pin',
    sources: 3,
  },
  { name: '** spans path segments', ref: 'ghcr.io/acme/team/api:1.2', expect: 'allow=patch exclude=-rc pin' },
  {
    name: 'second pattern of a list, with port',
    ref: 'registry.example:5000/team/app:3',
    expect: 'allow=patch exclude=-rc pin',
  },
  {
    name: 'canonical-reference glob with a tag and braces',
    ref: 'postgres:16.2',
    expect: 'ignore allow=minor,patch,digest pin',
  },
  { name: 'canonical glob does not match another tag', ref: 'postgres:17.0', expect: 'allow=minor,patch,digest pin' },
  { name: 'later rules override earlier ones', ref: 'ghcr.io/acme/legacy:1', expect: 'allow=patch exclude=-rc pin' },
  { name: '* stays inside one segment', ref: 'docker.io/user/app:1', expect: `${ALL} pin` },
];

void describe('resolvePolicy', () => {
  const rules = compilePolicyRules(RULES);
  for (const row of RESOLVE) {
    void it(`${row.name}: ${row.ref}`, () => {
      const p = resolvePolicy(rules, parseReference(row.ref));
      assert.equal(show(p), row.expect);
      if (row.sources !== undefined) assert.equal(p.sources.length, row.sources, p.sources.join(' | '));
    });
  }

  void it('no rules: everything but pins is offered', () => {
    assert.equal(show(resolvePolicy([], parseReference('alpine'))), ALL);
  });

  void it('an inline directive wins over every rule, field by field', () => {
    const inline = parseDirectiveComment('# registry-lens: allow=major pin=no')?.directive;
    const p = resolvePolicy(rules, parseReference('ghcr.io/acme/api:1'), inline);
    assert.equal(show(p), 'allow=major exclude=-rc');
    assert.equal(p.sources.at(-1), 'inline');
  });
});

const BAD_RULES: { name: string; rules: unknown; message: RegExp }[] = [
  { name: 'not a list', rules: { match: '*' }, message: /^policy: rules: expected a list of rules$/ },
  { name: 'rule not an object', rules: ['node'], message: /^policy rule 1: rule: expected an object$/ },
  { name: 'missing match', rules: [{ ignore: true }], message: /^policy rule 1: match: expected a non-empty glob/ },
  { name: 'empty match list', rules: [{ match: [] }], message: /^policy rule 1: match:/ },
  {
    name: 'bad include regex names the rule',
    rules: [{ match: '**' }, { match: 'ghcr.io/x/*', include: '^(1' }],
    message: /^policy rule 2 \(match "ghcr\.io\/x\/\*"\): include: "\^\(1" is not a valid regular expression/,
  },
  {
    name: 'bad exclude regex',
    rules: [{ match: 'a', exclude: '[' }],
    message: /^policy rule 1 \(match "a"\): exclude: "\[" is not a valid regular expression/,
  },
  {
    name: 'empty regex',
    rules: [{ match: 'a', include: '' }],
    message: /include: expected a non-empty regular expression string/,
  },
  {
    name: 'unknown update kind',
    rules: [{ match: 'a', allow: ['patch', 'feature'] }],
    message: /allow: unknown update kind "feature" \(expected major, minor, patch, digest, pin\)/,
  },
  { name: 'allow not a list', rules: [{ match: 'a', allow: 3 }], message: /allow: expected a list of update kinds/ },
  {
    name: 'typo in a field name',
    rules: [{ match: 'a', pinDigest: true }],
    message: /^policy rule 1 \(match "a"\): pinDigest: unknown field/,
  },
  { name: 'ignore not a boolean', rules: [{ match: 'a', ignore: 'yes' }], message: /ignore: expected true or false/ },
];

void describe('compilePolicyRules errors', () => {
  for (const row of BAD_RULES) {
    void it(row.name, () => {
      assert.throws(
        () => compilePolicyRules(row.rules),
        (e: unknown) => {
          assert.ok(isPolicyError(e));
          assert.ok(e instanceof PolicyError);
          assert.match(e.message, row.message);
          return true;
        },
      );
    });
  }

  void it('null and undefined are no rules; an origin names the source', () => {
    assert.deepEqual(compilePolicyRules(null), []);
    assert.deepEqual(compilePolicyRules(undefined), []);
    assert.throws(
      () => compilePolicyRules([{ match: 'a', include: '(' }], '.registry-lens.json'),
      /: \.registry-lens\.json rule 1 \(match "a"\): include:/,
    );
  });

  void it('allow also takes a comma-separated string (as JSON settings may)', () => {
    const [rule] = compilePolicyRules([{ match: 'a', allow: 'patch, minor' }]);
    assert.deepEqual([...(rule?.allow ?? [])], ['patch', 'minor']);
  });
});

const COMMENTS: { name: string; text: string; expect: string | null; problems?: RegExp[] }[] = [
  { name: 'ignore', text: '# registry-lens: ignore', expect: '{"ignore":true}' },
  { name: 'allow one kind', text: '# registry-lens: allow=minor', expect: '{"allow":["minor"]}' },
  { name: 'allow a list', text: '#registry-lens: allow=patch,minor', expect: '{"allow":["patch","minor"]}' },
  {
    name: 'several directives',
    text: '# registry-lens: allow=patch pin=yes exclude=-rc',
    expect: '{"allow":["patch"],"exclude":"-rc","pinDigests":true}',
  },
  { name: 'slash comment', text: '// registry-lens: ignore', expect: '{"ignore":true}' },
  { name: 'case-insensitive marker and keys', text: '# Registry-Lens: IGNORE', expect: '{"ignore":true}' },
  { name: 'pin=no', text: '# registry-lens: pin=no', expect: '{"pinDigests":false}' },
  { name: 'include regex', text: '# registry-lens: include=^\\d+-alpine$', expect: '{"include":"^\\\\d+-alpine$"}' },
  { name: 'not our comment', text: '# renovate: datasource=docker', expect: null },
  {
    name: 'unknown directive: a message, the rest still applies',
    text: '# registry-lens: ignor allow=patch',
    expect: '{"allow":["patch"]}',
    problems: [/unknown registry-lens directive "ignor" \(known: ignore, allow=/],
  },
  {
    name: 'unknown kind',
    text: '# registry-lens: allow=feature',
    expect: '{}',
    problems: [/registry-lens: allow: unknown update kind "feature"/],
  },
  {
    name: 'bad regex',
    text: '# registry-lens: exclude=(',
    expect: '{}',
    problems: [/registry-lens: exclude: "\(" is not a valid regular expression/],
  },
  {
    name: 'ignore with a value',
    text: '# registry-lens: ignore=yes',
    expect: '{}',
    problems: [/ignore takes no value/],
  },
  { name: 'allow without a value', text: '# registry-lens: allow', expect: '{}', problems: [/allow needs a value/] },
  { name: 'pin=maybe', text: '# registry-lens: pin=maybe', expect: '{}', problems: [/pin must be yes or no/] },
  { name: 'empty', text: '# registry-lens:', expect: '{}', problems: [/empty registry-lens directive/] },
  { name: 'block comment close is not a directive', text: '/* registry-lens: ignore */', expect: '{"ignore":true}' },
];

function settings(d: object): string {
  const { text: _text, ...rest } = d as Record<string, unknown>;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify(sorted, (_k, v: unknown) =>
    v instanceof Set ? [...(v as Set<unknown>)] : v instanceof RegExp ? v.source : v,
  );
}

void describe('parseDirectiveComment', () => {
  for (const row of COMMENTS) {
    void it(`${row.name}: ${row.text}`, () => {
      const parsed = parseDirectiveComment(row.text);
      if (row.expect === null) {
        assert.equal(parsed, null);
        return;
      }
      assert.ok(parsed);
      assert.equal(settings(parsed.directive), row.expect);
      const expected = row.problems ?? [];
      assert.equal(parsed.problems.length, expected.length, JSON.stringify(parsed.problems));
      expected.forEach((re, i) => assert.match(parsed.problems[i]?.message ?? '', re));
    });
  }

  void it('problem positions point at the offending word', () => {
    const text = '# registry-lens: allow=patch bogus';
    const p = parseDirectiveComment(text)?.problems[0];
    assert.ok(p);
    assert.equal(text.slice(p.character, p.character + p.length), 'bogus');
  });
});

const FIND: {
  name: string;
  lines: string[];
  line: number;
  style: CommentStyle | 'dockerfile' | 'compose' | 'devcontainer';
  expect: string | null;
  from?: number[];
}[] = [
  {
    name: 'Dockerfile: the line before',
    lines: ['# registry-lens: ignore', 'FROM node:20'],
    line: 1,
    style: 'hash',
    expect: '{"ignore":true}',
    from: [0],
  },
  {
    name: 'Dockerfile: a run of comments above, directive not last',
    lines: ['FROM a:1', '  # registry-lens: allow=patch', '# pinned for the CI runner', 'FROM node:20'],
    line: 3,
    style: 'hash',
    expect: '{"allow":["patch"]}',
    from: [1],
  },
  {
    name: 'Dockerfile: a code line in between breaks the run',
    lines: ['# registry-lens: ignore', 'ARG X=1', 'FROM node:20'],
    line: 2,
    style: 'hash',
    expect: null,
  },
  {
    name: 'compose: end of line',
    lines: ['services:', '  web:', '    image: nginx:1.27 # registry-lens: allow=patch,minor'],
    line: 2,
    style: 'hash',
    expect: '{"allow":["patch","minor"]}',
    from: [2],
  },
  {
    name: 'compose: line before and end of line merge, end of line wins',
    lines: ['    # registry-lens: allow=major pin=yes', '    image: nginx:1.27  # registry-lens: allow=patch'],
    line: 1,
    style: 'hash',
    expect: '{"allow":["patch"],"pinDigests":true}',
    from: [0, 1],
  },
  {
    name: 'compose: # inside a quoted value is not a comment',
    lines: ['    image: "nginx:1.27 # registry-lens: ignore"'],
    line: 0,
    style: 'hash',
    expect: null,
  },
  {
    name: 'compose: # glued to text is not a comment (YAML needs a space)',
    lines: ['    image: nginx:1.27#registry-lens: ignore'],
    line: 0,
    style: 'hash',
    expect: null,
  },
  {
    name: 'compose: an apostrophe inside a plain scalar does not open a quote',
    lines: ["    image: it's:1 # registry-lens: ignore"],
    line: 0,
    style: 'hash',
    expect: '{"ignore":true}',
  },
  {
    name: 'devcontainer: // on the line before',
    lines: ['{', '  // registry-lens: ignore', '  "image": "mcr.microsoft.com/devcontainers/base:1"', '}'],
    line: 2,
    style: 'slash',
    expect: '{"ignore":true}',
    from: [1],
  },
  {
    name: 'devcontainer: // at the end of the line, after a string holding //',
    lines: ['  "image": "registry.example//x:1", // registry-lens: allow=minor'],
    line: 0,
    style: 'slash',
    expect: '{"allow":["minor"]}',
  },
  {
    name: 'devcontainer: a # comment is not JSONC',
    lines: ['  # registry-lens: ignore', '  "image": "a:1"'],
    line: 1,
    style: 'slash',
    expect: null,
  },
  {
    name: 'Dockerfile: a reference on a continuation line looks above the instruction',
    lines: ['# registry-lens: allow=patch', 'FROM --platform=$BUILDPLATFORM \\', '  node:20 AS build'],
    line: 2,
    style: 'dockerfile',
    expect: '{"allow":["patch"]}',
    from: [0],
  },
  {
    name: 'compose source: the same continuation does not apply',
    lines: ['# registry-lens: ignore', 'x: \\', '  image: a:1'],
    line: 2,
    style: 'compose',
    expect: null,
  },
  {
    name: 'devcontainer source: /* */ on the line before',
    lines: ['  /* registry-lens: ignore */', '  "image": "a:1"'],
    line: 1,
    style: 'devcontainer',
    expect: '{"ignore":true}',
  },
  {
    name: 'first line of the file: nothing above',
    lines: ['FROM node:20'],
    line: 0,
    style: 'hash',
    expect: null,
  },
  {
    name: 'line beyond the file: null, no crash',
    lines: ['FROM node:20'],
    line: 5,
    style: 'hash',
    expect: null,
  },
];

void describe('findInlineDirective', () => {
  for (const row of FIND) {
    void it(row.name, () => {
      const found = findInlineDirective(row.lines, row.line, row.style);
      if (row.expect === null) {
        assert.equal(found, null);
        return;
      }
      assert.ok(found);
      assert.equal(settings(found.directive), row.expect);
      if (row.from) assert.deepEqual(found.lines, row.from);
    });
  }

  void it('problems carry absolute positions', () => {
    const lines = ['services:', '  a:', '    image: x:1   # registry-lens: allow=patch nope'];
    const found = findInlineDirective(lines, 2, 'hash');
    const p = found?.problems[0];
    assert.ok(p);
    assert.equal(p.line, 2);
    assert.equal(lines[2]?.slice(p.character, p.character + p.length), 'nope');
  });

  void it('comment style by occurrence source', () => {
    assert.equal(commentStyleFor('dockerfile'), 'hash');
    assert.equal(commentStyleFor('compose'), 'hash');
    assert.equal(commentStyleFor('devcontainer'), 'slash');
  });
});

void describe('findOccurrenceDirective on extracted occurrences', () => {
  const lines = (text: string) => text.split(/\r\n|\r|\n/);

  void it('Dockerfile: the directive above the FROM, and the one above the ARG the tag came from', () => {
    const text = [
      '# registry-lens: allow=patch pin=yes',
      'ARG NODE_VERSION=20.11',
      '# registry-lens: allow=minor',
      'FROM node:${NODE_VERSION}-alpine AS build',
      'FROM nginx:1.27',
      '',
    ].join('\n');
    const { occurrences } = extractDockerfile('/w/Dockerfile', text);
    const files: Record<string, string[]> = { '/w/Dockerfile': lines(text) };
    const [node, nginx] = occurrences.map((o) => findOccurrenceDirective(o, (f) => files[f]));
    assert.ok(node);
    assert.equal(settings(node.directive), '{"allow":["minor"],"pinDigests":true}');
    assert.deepEqual(node.lines, [0, 2]);
    assert.equal(nginx, null);
  });

  void it('compose: end-of-line directive, and one in the .env the tag came from', () => {
    const compose = [
      'services:',
      '  web:',
      '    image: nginx:${NGINX_TAG:-1.27}',
      '  db:',
      '    image: postgres:16 # registry-lens: ignore',
      '',
    ].join('\n');
    const env = ['# registry-lens: allow=patch oops', 'NGINX_TAG=1.27.1', ''].join('\n');
    const files: Record<string, string[]> = { '/w/compose.yaml': lines(compose), '/w/.env': lines(env) };
    const { occurrences } = extractCompose('/w/compose.yaml', compose, { dotenv: { file: '/w/.env', content: env } });
    const byImage = new Map(
      occurrences.map((o) => [o.reference?.repository, findOccurrenceDirective(o, (f) => files[f])]),
    );
    assert.equal(settings(byImage.get('library/nginx')?.directive ?? {}), '{"allow":["patch"]}');
    assert.deepEqual(
      byImage.get('library/nginx')?.problems.map((p) => [p.file, p.line, p.character]),
      [['/w/.env', 0, 29]],
    );
    assert.equal(settings(byImage.get('library/postgres')?.directive ?? {}), '{"ignore":true}');
  });

  void it('devcontainer.json: // comment above "image"', () => {
    const text = [
      '{',
      '  // registry-lens: ignore',
      '  "image": "mcr.microsoft.com/devcontainers/base:1"',
      '}',
      '',
    ].join('\n');
    const { occurrences } = extractDevcontainer('/w/.devcontainer/devcontainer.json', text);
    const [occ] = occurrences;
    assert.ok(occ);
    const found = findOccurrenceDirective(occ, () => lines(text));
    assert.equal(settings(found?.directive ?? {}), '{"ignore":true}');
  });
});
