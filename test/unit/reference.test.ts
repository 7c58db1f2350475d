import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  familiarName,
  InvalidReferenceError,
  isInvalidReferenceError,
  normalizeRegistry,
  parseReference,
  parseReferenceWithSpans,
  tryParseReference,
  type InvalidReferenceCode,
} from '../../src/core';

const SHA = 'a'.repeat(64);
const SHA_B = '0123456789abcdef'.repeat(4);

interface Good {
  input: string;
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  canonical: string;
}

const GOOD: Good[] = [
  { input: 'alpine', registry: 'docker.io', repository: 'library/alpine', canonical: 'docker.io/library/alpine' },
  {
    input: 'alpine:5',
    registry: 'docker.io',
    repository: 'library/alpine',
    tag: '5',
    canonical: 'docker.io/library/alpine:5',
  },
  {
    input: 'alpine:3.19',
    registry: 'docker.io',
    repository: 'library/alpine',
    tag: '3.19',
    canonical: 'docker.io/library/alpine:3.19',
  },
  { input: 'user/app', registry: 'docker.io', repository: 'user/app', canonical: 'docker.io/user/app' },
  {
    input: 'docker.io/alpine',
    registry: 'docker.io',
    repository: 'library/alpine',
    canonical: 'docker.io/library/alpine',
  },
  {
    input: 'index.docker.io/library/alpine',
    registry: 'docker.io',
    repository: 'library/alpine',
    canonical: 'docker.io/library/alpine',
  },
  {
    input: 'registry-1.docker.io/alpine:3',
    registry: 'docker.io',
    repository: 'library/alpine',
    tag: '3',
    canonical: 'docker.io/library/alpine:3',
  },
  {
    input: 'registry.hub.docker.com/user/app',
    registry: 'docker.io',
    repository: 'user/app',
    canonical: 'docker.io/user/app',
  },
  { input: 'localhost/app', registry: 'localhost', repository: 'app', canonical: 'localhost/app' },
  { input: 'localhost:5000/app', registry: 'localhost:5000', repository: 'app', canonical: 'localhost:5000/app' },
  {
    input: 'localhost:5000/app:1.0',
    registry: 'localhost:5000',
    repository: 'app',
    tag: '1.0',
    canonical: 'localhost:5000/app:1.0',
  },
  {
    input: 'GHCR.io/owner/app:v1',
    registry: 'ghcr.io',
    repository: 'owner/app',
    tag: 'v1',
    canonical: 'ghcr.io/owner/app:v1',
  },
  {
    input: 'host:5000/a/b:tag@sha256:' + SHA,
    registry: 'host:5000',
    repository: 'a/b',
    tag: 'tag',
    digest: 'sha256:' + SHA,
    canonical: `host:5000/a/b:tag@sha256:${SHA}`,
  },
  {
    input: 'alpine@sha256:' + SHA_B,
    registry: 'docker.io',
    repository: 'library/alpine',
    digest: 'sha256:' + SHA_B,
    canonical: `docker.io/library/alpine@sha256:${SHA_B}`,
  },
  {
    input: 'alpine:3.19@sha256:' + SHA,
    registry: 'docker.io',
    repository: 'library/alpine',
    tag: '3.19',
    digest: 'sha256:' + SHA,
    canonical: `docker.io/library/alpine:3.19@sha256:${SHA}`,
  },
  { input: '[::1]/app', registry: '[::1]', repository: 'app', canonical: '[::1]/app' },
  {
    input: '[2001:DB8::1]:5000/team/app:2',
    registry: '[2001:db8::1]:5000',
    repository: 'team/app',
    tag: '2',
    canonical: '[2001:db8::1]:5000/team/app:2',
  },
  {
    input: '192.168.1.10:5000/app',
    registry: '192.168.1.10:5000',
    repository: 'app',
    canonical: '192.168.1.10:5000/app',
  },
  {
    input: 'a.b-c.example/x__y/z-1.2_3:A_b.c-D',
    registry: 'a.b-c.example',
    repository: 'x__y/z-1.2_3',
    tag: 'A_b.c-D',
    canonical: 'a.b-c.example/x__y/z-1.2_3:A_b.c-D',
  },
  { input: 'a--b/c', registry: 'docker.io', repository: 'a--b/c', canonical: 'docker.io/a--b/c' },
  {
    input: 'x:' + 'a'.repeat(128),
    registry: 'docker.io',
    repository: 'library/x',
    tag: 'a'.repeat(128),
    canonical: `docker.io/library/x:${'a'.repeat(128)}`,
  },
  {
    input: 'sha384-alike@sha384:' + 'b'.repeat(96),
    registry: 'docker.io',
    repository: 'library/sha384-alike',
    digest: 'sha384:' + 'b'.repeat(96),
    canonical: `docker.io/library/sha384-alike@sha384:${'b'.repeat(96)}`,
  },
  {
    input: 'r.example/' + 'a'.repeat(245),
    registry: 'r.example',
    repository: 'a'.repeat(245),
    canonical: `r.example/${'a'.repeat(245)}`,
  },
];

const BAD: { name: string; input: string; code: InvalidReferenceCode }[] = [
  { name: 'empty', input: '', code: 'empty' },
  { name: 'upper-case repository', input: 'Alpine', code: 'uppercase' },
  { name: 'upper-case path after a host', input: 'ghcr.io/Owner/app', code: 'uppercase' },
  { name: 'upper-case second segment on Hub', input: 'user/App', code: 'uppercase' },
  { name: 'Registry/App (a host, then an upper-case repository)', input: 'Registry/App', code: 'uppercase' },
  { name: 'empty tag', input: 'alpine:', code: 'tag-format' },
  { name: 'tag starting with a dot', input: 'alpine:.1', code: 'tag-format' },
  { name: 'tag with a plus', input: 'alpine:1+2', code: 'tag-format' },
  { name: 'tag of 129 characters', input: 'x:' + 'a'.repeat(129), code: 'tag-too-long' },
  {
    name: 'r.example/ + a 256-character repository path',
    input: 'r.example/' + 'a'.repeat(256),
    code: 'name-too-long',
  },
  { name: 'a 248-character Hub name (256 once library/ is added)', input: 'a'.repeat(248), code: 'name-too-long' },
  { name: 'bad digest hex', input: 'alpine@sha256:' + 'g'.repeat(64), code: 'digest-format' },
  { name: 'upper-case digest hex', input: 'alpine@sha256:' + 'A'.repeat(64), code: 'digest-format' },
  { name: 'short digest', input: 'alpine@sha256:abc', code: 'digest-format' },
  { name: 'digest hex of the wrong length', input: 'alpine@sha256:' + 'a'.repeat(63), code: 'digest-length' },
  { name: 'unknown digest algorithm', input: 'alpine@md5:' + 'a'.repeat(32), code: 'digest-algorithm' },
  { name: 'digest without a name', input: '@sha256:' + SHA, code: 'format' },
  { name: 'two @', input: 'a@b@sha256:' + SHA, code: 'digest-format' },
  { name: 'space inside', input: 'alpine 3', code: 'format' },
  { name: 'leading slash', input: '/alpine', code: 'format' },
  { name: 'double slash', input: 'a//b', code: 'format' },
  { name: 'trailing separator', input: 'alpine-', code: 'format' },
  { name: 'variable left in', input: 'alpine:${TAG}', code: 'tag-format' },
  { name: 'host with underscore', input: 'my_host.example/app', code: 'host' },
  { name: 'host with a bad port', input: 'host:port/app', code: 'host' },
  { name: 'IPv6 without brackets', input: '::1/app', code: 'host' },
  { name: 'bare image ID', input: SHA, code: 'identifier' },
  { name: 'IPv6 host alone', input: '[::1]:5000', code: 'format' },
];

void describe('parseReference', () => {
  for (const row of GOOD) {
    void it(`parses ${row.input.length > 60 ? row.input.slice(0, 57) + '...' : row.input}`, () => {
      const ref = parseReference(row.input);
      assert.deepEqual(ref, {
        original: row.input,
        registry: row.registry,
        repository: row.repository,
        tag: row.tag ?? null,
        digest: row.digest ?? null,
        name: `${row.registry}/${row.repository}`,
        canonical: row.canonical,
      });
      // The canonical form is a fixed point.
      assert.equal(parseReference(ref.canonical).canonical, ref.canonical);
    });
  }

  for (const row of BAD) {
    void it(`rejects ${row.name} (${row.code})`, () => {
      assert.throws(
        () => parseReference(row.input),
        (err: unknown) => {
          assert.ok(err instanceof InvalidReferenceError);
          assert.ok(isInvalidReferenceError(err));
          assert.equal(err.code, row.code, err.message);
          assert.equal(err.input, row.input);
          assert.match(err.message, /^invalid reference /);
          return true;
        },
      );
    });
  }

  // distribution's splitDockerDomain: a first component with an upper-case letter is a host, not a repository.
  for (const [input, registry, name] of [
    ['Registry/app', 'registry', 'Registry/app'],
    ['Foo/bar:1.0', 'foo', 'Foo/bar'],
    ['MyRegistry/team/app', 'myregistry', 'MyRegistry/team/app'],
    ['LOCALHOST/app', 'localhost', 'localhost/app'],
    ['Registry.Example.com/app', 'registry.example.com', 'registry.example.com/app'],
  ] as const) {
    void it(`${input} names the host ${registry} (an upper-case first component is a host)`, () => {
      const ref = parseReference(input);
      assert.equal(ref.registry, registry);
      assert.equal(ref.name, name);
      assert.notEqual(ref.registry, 'docker.io');
      // The name and canonical form parse back to the same registry, not to a Docker Hub repository.
      assert.equal(parseReference(ref.canonical).registry, registry);
      assert.equal(parseReference(ref.canonical).canonical, ref.canonical);
    });
  }

  // distribution's RepositoryNameTotalLengthMax is on the repository path alone, not on host + path.
  void it('a long host with a 255-character repository path is accepted', () => {
    const host = `${'h'.repeat(60)}.${'e'.repeat(60)}.example:5000`;
    const ref = parseReference(`${host}/${'a'.repeat(255)}:1`);
    assert.equal(ref.repository.length, 255);
    assert.equal(ref.registry, host);
  });

  void it('a 247-character Hub name is accepted (255 with library/)', () => {
    assert.equal(parseReference('a'.repeat(247)).repository.length, 255);
  });

  void it('tryParseReference returns the error instead of throwing', () => {
    const r = tryParseReference('Alpine');
    assert.ok(isInvalidReferenceError(r));
    assert.equal(r.code, 'uppercase');
    assert.equal((tryParseReference('alpine') as { canonical: string }).canonical, 'docker.io/library/alpine');
  });

  void it('reports where the tag and the digest are', () => {
    const input = `localhost:5000/app:1.2@sha256:${SHA}`;
    const { spans } = parseReferenceWithSpans(input);
    assert.equal(input.slice(...(spans.tag ?? [0, 0])), '1.2');
    assert.equal(input.slice(...(spans.digest ?? [0, 0])), `sha256:${SHA}`);
    assert.deepEqual(parseReferenceWithSpans('localhost:5000/app').spans, { tag: null, digest: null });
  });

  void it('isInvalidReferenceError goes by name, not by class identity', () => {
    const foreign = Object.assign(new Error('x'), { name: 'InvalidReferenceError', code: 'format' });
    assert.ok(isInvalidReferenceError(foreign));
    assert.ok(!isInvalidReferenceError(new Error('x')));
    assert.ok(!isInvalidReferenceError('InvalidReferenceError'));
  });

  void it('never throws anything but InvalidReferenceError, and what it accepts round-trips (property)', () => {
    const alphabet = fc.constantFrom(
      ...'abcAZ09._-/:@[]$ {}'.split(''),
      'sha256:',
      SHA.slice(0, 32),
      'localhost',
      '.io',
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 24 }).map((parts) => parts.join('')),
        (input) => {
          let ref;
          try {
            ref = parseReference(input);
          } catch (err) {
            assert.ok(isInvalidReferenceError(err), String(err));
            return;
          }
          assert.equal(parseReference(ref.canonical).canonical, ref.canonical);
          assert.equal(ref.registry, ref.registry.toLowerCase());
        },
      ),
      { numRuns: 2000 },
    );
  });
});

void describe('familiarName', () => {
  const rows: [string, string][] = [
    ['docker.io/library/alpine:3.19', 'alpine:3.19'],
    ['index.docker.io/user/app', 'user/app'],
    ['ghcr.io/owner/app:v1', 'ghcr.io/owner/app:v1'],
    [`alpine@sha256:${SHA}`, `alpine@sha256:${SHA}`],
  ];
  for (const [input, expected] of rows) {
    void it(`${input} -> ${expected}`, () => assert.equal(familiarName(parseReference(input)), expected));
  }
});

void describe('normalizeRegistry', () => {
  const rows: [string, string][] = [
    ['https://GHCR.io/', 'ghcr.io'],
    ['ghcr.io', 'ghcr.io'],
    ['registry.example.com:5000/', 'registry.example.com:5000'],
    ['http://registry.example.com:5000/v2/', 'registry.example.com:5000'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['registry.hub.docker.com', 'docker.io'],
    ['  docker.io  ', 'docker.io'],
    ['[::1]:5000', '[::1]:5000'],
    ['localhost:5000/some/path', 'localhost:5000'],
  ];
  for (const [input, expected] of rows) {
    void it(`${JSON.stringify(input)} -> ${expected}`, () => assert.equal(normalizeRegistry(input), expected));
  }
  for (const input of ['', 'https://', 'ftp://host', 'bad host', 'user@host', 'host:port']) {
    void it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => normalizeRegistry(input),
        (err: unknown) => isInvalidReferenceError(err) && err.code === 'registry',
      );
    });
  }
});
