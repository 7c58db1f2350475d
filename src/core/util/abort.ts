// Cancellation: one way to make the `AbortError` a cancelled operation rejects with, and an abortable sleep.

/**
 * The error a cancelled `what` rejects with (`check cancelled`, `pull alpine cancelled`). When `signal` aborted
 * with an `AbortError` of its own, that reason is returned so the caller's error passes through unchanged.
 */
export function abortError(what: string, signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return Object.assign(new Error(`${what} cancelled`), { name: 'AbortError' });
}

/** Why `signal` aborted, as an Error: its own reason when that is one, else an `AbortError` for `what`. */
export function abortReason(signal: AbortSignal | undefined, what = 'request'): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : abortError(what);
}

/** Waits `ms`; rejects with an `AbortError` when `signal` aborts first (its reason, if already aborted). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortError('request'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
