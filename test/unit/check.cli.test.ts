// `registry-lens check` in-process without network: usage errors, policy files, --offline from a cache file.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { CheckJsonItem } from '../../src/cli/check';
import { main, type CliIo } from '../../src/cli/main';

const root = mkdtempSync(path.join(tmpdir(), 'rl-check-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function run(args: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd, env: { HOME: root, CI: '1' } };
  const code = await main(['check', ...args], io);
  return { code, out, err };
}

void describe('registry-lens check (in-process, no network)', () => {
  void it('usage errors exit 2 with a message naming the option', async () => {
    for (const [args, re] of [
      [['--format', 'xml'], /--format takes table, json or sarif/],
      [['--concurrency', '0'], /--concurrency takes a whole number/],
      [['--ca-file', 'nohost'], /--ca-file takes HOST=PEM/],
      [['--ca-file', `reg.test:5000=${path.join(root, 'missing.pem')}`], /cannot read the file/],
      [['--offline', '--no-cache'], /--offline needs the cache/],
      [['--bogus'], /unknown option "--bogus"/],
      [['does-not-exist'], /does-not-exist: no such file or directory/],
      [['--policy', 'nope.json'], /--policy nope\.json: no such file/],
    ] as const) {
      const r = await run([...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, re);
    }
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /--format F/);
  });

  void it('a bad policy rule is one clear error naming the file and rule', async () => {
    writeFileSync(path.join(root, 'policy.json'), JSON.stringify({ rules: [{ match: 'x', allow: ['sideways'] }] }));
    const r = await run(['--policy', 'policy.json', '--offline', '--cache-dir', path.join(root, 'c0')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /policy\.json rule 1 \(match "x"\): allow/);
  });

  void it('--offline answers from the cache file only, expired entries marked stale; nothing cached is an error', async () => {
    const ws = path.join(root, 'ws');
    mkdirSync(ws, { recursive: true });
    writeFileSync(
      path.join(ws, 'Dockerfile'),
      'FROM reg.invalid:5000/team/app:1.0.0\nFROM reg.invalid:5000/team/other:2\n',
    );
    const cacheDir = path.join(root, 'cache');
    mkdirSync(cacheDir, { recursive: true });
    const at = Date.now() - 2 * 3_600_000; // older than the 30 min tag TTL
    writeFileSync(
      path.join(cacheDir, 'check-cache.json'),
      JSON.stringify({
        version: 1,
        entries: {
          'tags|reg.invalid:5000|team/app': { at, v: { tags: ['1.0.0', '1.0.1', '1.1.0'], truncated: false } },
        },
      }),
    );
    const r = await run(['ws', '--json', '--offline', '--cache-dir', cacheDir]);
    assert.equal(r.code, 2, r.err);
    const items = JSON.parse(r.out) as CheckJsonItem[];
    assert.equal(items[0]?.status, 'update');
    assert.deepEqual(items[0]?.updates, [
      { kind: 'minor', tag: '1.1.0', digest: null },
      { kind: 'patch', tag: '1.0.1', digest: null },
    ]);
    assert.equal(items[0]?.stale?.because.code, 'offline');
    assert.equal(items[1]?.status, 'error');
    assert.equal(items[1]?.code, 'not-cached');
    assert.deepEqual(items[1]?.error, {
      code: 'offline',
      message: 'reg.invalid:5000/team/other tags: not in the cache, and the check runs offline: run it once online',
    });
    assert.match(r.err, /ws\/Dockerfile:2:6: .*→ run the check once without --offline/s);
    assert.match(r.err, /1 result from cached answers past their time to live/);
  });
});
