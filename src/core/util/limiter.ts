// Concurrency limits: one counting limiter (FIFO, abortable while queued) and a bounded map over a list.
import { abortReason } from './abort';

/** At most `limit` holders at once; waiters are served in order and a released slot goes straight to the next. */
export class Limiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  /** No new work starts before this time (epoch ms on the owner's clock): a 429/503 slows a whole host down. */
  notBefore = 0;
  constructor(private readonly limit: number) {}

  /** Takes a slot; waits while all are busy. An abort while waiting leaves the queue and rejects with its reason. */
  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(take);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortReason(signal));
      };
      const take = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiters.push(take);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Frees a slot, or hands it straight to the next waiter (so no newcomer slips in between). */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }

  /** Runs `fn` holding a slot. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

/** `fn` over `items` with at most `limit` running at once; results keep the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}
