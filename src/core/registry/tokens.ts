// Bearer token responses and their cache (distribution docs/spec/auth/token.md and oauth.md):
// `token` or `access_token`; `expires_in` defaults to 60 s and is never less than 60; `issued_at` is RFC 3339 and,
// when absent, in the future or already past its expiry (skewed clocks), replaced by the local receive time.
// Entries are keyed by realm + service + scopes + a hash of the credential, so no secret is ever a map key.
import { createHash } from 'node:crypto';
import type { Credential } from '../credentials/types';

/** The minimum (and default) token lifetime the spec allows. */
export const MIN_TOKEN_SECONDS = 60;

export interface TokenResponse {
  token: string;
  /** When the token stops being usable, local clock, epoch ms (margin already taken off). */
  expiresAt: number;
  /** `refresh_token`, when the server sent one (OAuth2 offline access). */
  refreshToken?: string;
}

export interface ParseTokenOptions {
  /** Local receive time, epoch ms. */
  now: number;
  /** Subtracted from the expiry, ms (default 5000, at most half the lifetime). */
  marginMs?: number;
}

/** Reads a token endpoint's JSON answer; throws a plain Error (the caller wraps it) when it has no token. */
export function parseTokenResponse(data: unknown, options: ParseTokenOptions): TokenResponse {
  if (typeof data !== 'object' || data === null) throw new Error('token response is not a JSON object');
  const o = data as Record<string, unknown>;
  const token =
    typeof o.token === 'string' && o.token
      ? o.token
      : typeof o.access_token === 'string' && o.access_token
        ? o.access_token
        : undefined;
  if (!token) throw new Error('token response has neither "token" nor "access_token"');
  let expiresIn = typeof o.expires_in === 'number' && Number.isFinite(o.expires_in) ? o.expires_in : MIN_TOKEN_SECONDS;
  if (expiresIn < MIN_TOKEN_SECONDS) expiresIn = MIN_TOKEN_SECONDS;
  const lifetimeMs = expiresIn * 1000;
  let issuedAt = typeof o.issued_at === 'string' ? Date.parse(o.issued_at) : Number.NaN;
  // Clock skew: an issue time in the future, or so far in the past that the token would already be expired,
  // says more about the two clocks than about the token. Count from when we received it.
  if (Number.isNaN(issuedAt) || issuedAt > options.now + 1000 || issuedAt + lifetimeMs <= options.now)
    issuedAt = options.now;
  const margin = Math.min(options.marginMs ?? 5000, lifetimeMs / 2);
  const refresh = typeof o.refresh_token === 'string' && o.refresh_token ? o.refresh_token : undefined;
  return { token, expiresAt: issuedAt + lifetimeMs - margin, ...(refresh ? { refreshToken: refresh } : {}) };
}

/** A stable, non-reversible identity of a credential for cache keys ('anonymous' without one). */
export function credentialIdentity(c: Credential | undefined): string {
  if (!c) return 'anonymous';
  const h = createHash('sha256');
  h.update(`${c.username ?? ''}\0${c.password ?? ''}\0${c.identityToken ?? ''}\0${c.registryToken ?? ''}`);
  return h.digest('hex').slice(0, 24);
}

export interface TokenKey {
  realm: string;
  service: string;
  scopes: readonly string[];
  credential: string;
}

/** The cache key: realm, service, sorted unique scopes, credential identity. */
export function tokenKey(k: TokenKey): string {
  return JSON.stringify([k.realm, k.service, [...new Set(k.scopes)].sort(), k.credential]);
}

/**
 * Tokens by key until they expire. `get(key, fetch)` returns a valid cached token or runs `fetch` once for every
 * concurrent caller of the same key (single flight); a failed fetch is not cached.
 */
export class TokenCache {
  private readonly entries = new Map<string, TokenResponse>();
  private readonly inflight = new Map<string, Promise<TokenResponse>>();
  constructor(private readonly now: () => number = Date.now) {}

  /** A still-valid token for the key, or undefined. */
  peek(key: string): TokenResponse | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  async get(key: string, fetch: () => Promise<TokenResponse>): Promise<TokenResponse> {
    const hit = this.peek(key);
    if (hit) return hit;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = (async () => {
      try {
        const t = await fetch();
        this.entries.set(key, t);
        return t;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, p);
    return p;
  }

  /** Forgets a token (a registry answered 401 to it). */
  invalidate(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
