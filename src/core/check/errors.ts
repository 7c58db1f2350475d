// Errors from lookups -> what a finding says: its code, its `error` record and a short `{code, message}`.
import {
  isAuthError,
  isNetworkError,
  isNotFoundError,
  isProtocolError,
  isRateLimitError,
  isRegistryError,
  isTlsError,
} from '../registry';
import type { Finding, FindingCode, FindingError, NotChecked } from './types';

/** Offline and no cache entry. */
export class NotCachedError extends Error {
  override readonly name = 'NotCachedError';
  readonly code = 'offline';
  constructor(
    readonly registry: string,
    what: string,
  ) {
    super(`${what}: not in the cache, and the check runs offline: run it once online`);
  }
}

const isNotCached = (e: unknown): e is NotCachedError =>
  e instanceof NotCachedError ||
  (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'NotCachedError');

/** The registry client's code and message of an error (`offline` for a cache miss offline). */
export function errorBrief(e: unknown): { code: string; message: string } {
  if (isRegistryError(e)) return { code: e.code, message: e.message };
  if (isNotCached(e)) return { code: e.code, message: e.message };
  return { code: 'error', message: e instanceof Error ? e.message : String(e) };
}

/** The finding code for an error from a lookup. */
export function errorFindingCode(e: unknown): FindingCode {
  if (isNotCached(e)) return 'not-cached';
  if (isAuthError(e)) return e.credentialNotSent ? 'credential-not-sent' : 'auth-failed';
  if (isNotFoundError(e)) return 'not-found';
  if (isRateLimitError(e)) return 'rate-limited';
  if (isTlsError(e)) return 'tls-error';
  if (isNetworkError(e)) return 'registry-unreachable';
  if (isProtocolError(e)) return 'protocol-error';
  return 'registry-error';
}

/** The `error` record of an error finding. */
export function findingError(e: unknown): FindingError {
  const brief = errorBrief(e);
  const r = isRegistryError(e) ? e : undefined;
  return {
    code: brief.code,
    message: brief.message,
    name: e instanceof Error ? e.name : 'Error',
    registry: r?.registry ?? (isNotCached(e) ? e.registry : null),
    status: r?.status ?? null,
    temporary: r?.temporary ?? false,
    ...(isRateLimitError(e) ? { retryAt: e.retryAt ?? null } : {}),
    ...(isAuthError(e) && e.plainHttpHost !== undefined ? { plainHttpHost: e.plainHttpHost } : {}),
  };
}

const NOT_CHECKED_CODES: ReadonlySet<string> = new Set([
  'registry-unreachable',
  'tls-error',
  'rate-limited',
  'not-cached',
]);
const STALE_CAUSE: Record<string, NotChecked['code']> = {
  network: 'registry-unreachable',
  tls: 'tls-error',
  'rate-limited': 'rate-limited',
  offline: 'not-cached',
};

/** Whether (and why) a finding was not checked against its registry: an error of reach, or expired cached answers. */
export function notCheckedOf(f: Pick<Finding, 'code' | 'error' | 'message' | 'stale'>): NotChecked | null {
  if (NOT_CHECKED_CODES.has(f.code))
    return { code: f.code as NotChecked['code'], message: f.error?.message ?? f.message };
  if (f.stale)
    return {
      code: STALE_CAUSE[f.stale.because.code] ?? 'registry-error',
      message: `cached answers from ${f.stale.fetchedAt}: ${f.stale.because.message}`,
    };
  return null;
}
