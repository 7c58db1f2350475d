import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { abortError, hasName, isAbortError, Limiter, mapLimit, recentResults, sleep } from '../../src/core/util';

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
