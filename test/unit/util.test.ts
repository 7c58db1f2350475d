import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  abortError,
  hasName,
  isAbortError,
  Limiter,
  mapLimit,
  recentResults,
  replaceFileEntries,
  sleep,
} from '../../src/core/util';

void describe('util: the one limiter', () => {
  void it('never runs more than its limit, and serves waiters in order', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(5);
          order.push(i);
          running--;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  void it('a waiter whose signal aborts leaves the queue; the slot goes to the next one', async () => {
    const limiter = new Limiter(1);
    await limiter.acquire();
    const c = new AbortController();
    const first = limiter.acquire(c.signal);
    const second = limiter.acquire();
    c.abort(abortError('check'));
    await assert.rejects(first, (e: unknown) => isAbortError(e));
    limiter.release();
    await second; // handed the slot the aborted waiter gave up
    limiter.release();
  });

  void it('mapLimit keeps the order of its items with at most `limit` at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([30, 10, 20, 5], 2, async (ms) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(ms);
      running--;
      return ms * 2;
    });
    assert.deepEqual(out, [60, 20, 40, 10]);
    assert.equal(peak, 2);
  });
});

void describe('util: abort helper and error-name guard', () => {
  void it("abortError names the operation, or passes the signal's own AbortError through", () => {
    const e = abortError('pull alpine');
    assert.equal(e.message, 'pull alpine cancelled');
    assert.ok(isAbortError(e));
    const c = new AbortController();
    const own = abortError('user');
    c.abort(own);
    assert.equal(abortError('check', c.signal), own);
    const other = new AbortController();
    other.abort(new Error('not an abort'));
    assert.equal(abortError('check', other.signal).message, 'check cancelled');
  });

  void it('sleep rejects with an AbortError when its signal aborts', async () => {
    const c = new AbortController();
    const p = sleep(10_000, c.signal);
    c.abort();
    await assert.rejects(p, (e: unknown) => isAbortError(e));
  });

  void it('hasName compares names, not classes (errors cross bundles)', () => {
    assert.ok(hasName({ name: 'PolicyError' }, ['PolicyError']));
    assert.ok(!hasName(new Error('x'), ['PolicyError']));
    assert.ok(!hasName('PolicyError', ['PolicyError']));
    assert.ok(!hasName(null, ['AbortError']));
  });
});

void describe('recentResults', () => {
  void it('computes each input once while it is kept, clears when full, and keeps nothing for a throw', () => {
    const calls: string[] = [];
    const length = recentResults(2, (s) => {
      calls.push(s);
      if (s === 'bad') throw new Error('bad input');
      return s.length;
    });
    assert.deepEqual([length('a'), length('bb'), length('a')], [1, 2, 1]);
    assert.deepEqual(calls, ['a', 'bb']);
    assert.equal(length('ccc'), 3); // full: cleared, then kept
    assert.equal(length('a'), 1);
    assert.deepEqual(calls, ['a', 'bb', 'ccc', 'a']);
    assert.throws(() => length('bad'), /bad input/);
    assert.throws(() => length('bad'), /bad input/);
    assert.deepEqual(calls.slice(-2), ['bad', 'bad']);
  });
});

void describe('replaceFileEntries', () => {
  const at = (file: string, n: number): { file: string; n: number } => ({ file, n });
  // Sorted by plain string comparison, as the scan sorts: upper case before lower, '/' before letters.
  const list = [
    at('/w/A', 0),
    at('/w/a', 1),
    at('/w/a', 2),
    at('/w/a/b', 3),
    at('/w/b', 4),
    at('/w/b', 5),
    at('/w/c', 6),
  ];

  void it("replaces a file's run, keeping every other entry in order, and returns a new list", () => {
    const out = replaceFileEntries(list, '/w/b', [at('/w/b', 40)]);
    assert.deepEqual(
      out.map((x) => x.n),
      [0, 1, 2, 3, 40, 6],
    );
    assert.equal(list.length, 7, 'the input list is not changed');
    assert.deepEqual(
      replaceFileEntries(list, '/w/a', []).map((x) => x.n),
      [0, 3, 4, 5, 6],
      'a file whose prefix names another file (/w/a/b) keeps that one',
    );
    assert.deepEqual(
      replaceFileEntries(list, '/w/A', [at('/w/A', 10), at('/w/A', 11)]).map((x) => x.n),
      [10, 11, 1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      replaceFileEntries(list, '/w/c', []).map((x) => x.n),
      [0, 1, 2, 3, 4, 5],
    );
  });

  void it('inserts an absent file where it sorts, including before the first and after the last', () => {
    assert.deepEqual(
      replaceFileEntries(list, '/w/ab', [at('/w/ab', 9)]).map((x) => x.file),
      ['/w/A', '/w/a', '/w/a', '/w/a/b', '/w/ab', '/w/b', '/w/b', '/w/c'],
    );
    assert.deepEqual(replaceFileEntries(list, '/v', [at('/v', 9)])[0], at('/v', 9));
    assert.deepEqual(replaceFileEntries(list, '/x', [at('/x', 9)]).at(-1), at('/x', 9));
    assert.deepEqual(replaceFileEntries([], '/x', [at('/x', 9)]), [at('/x', 9)]);
  });

  void it('agrees with a filter-and-insert over every file of a shuffled-then-sorted list', () => {
    const files = ['/r/x', '/r/X', '/r/x-1', '/r/x/y', '/r/é', '/r/z', '/r/0'];
    const sorted = files
      .flatMap((f, i) => [at(f, i), at(f, i + 10)])
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.n - b.n));
    for (const f of [...files, '/r/new', '/r/x0']) {
      const rest = sorted.filter((x) => x.file !== f);
      let i = rest.findIndex((x) => x.file > f);
      if (i < 0) i = rest.length;
      const want = [...rest.slice(0, i), at(f, 99), ...rest.slice(i)];
      assert.deepEqual(replaceFileEntries(sorted, f, [at(f, 99)]), want, f);
    }
  });
});
