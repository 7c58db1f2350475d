// HTTP status -> typed RegistryError, in one place: what a 401 / 403 / 404 / 429 from a registry or its token
// service means, with an actionable message that never holds a secret. Also the JSON body reader.
import type { Credential } from '../credentials/types';
import {
  AuthError,
  describeErrors,
  NotFoundError,
  parseErrorBody,
  ProtocolError,
  RateLimitError,
  redactUrl,
  refreshHint,
  RegistryError,
} from './errors';
import { header, parseRateLimit, parseRetryAfter } from './headers';
import type { Resp } from './wire';

export interface StatusContext {
  registry: string;
  repository?: string | undefined;
  /** The operation, for the generic message (`ping`, `tags`, `head`, `get`, `token`). */
  what: string;
  /** The credential that was sent, if any (names its source, never its secret). */
  cred?: Credential | undefined;
  /** Why a credential was withheld (plain HTTP), when one exists but was not sent. */
  refused?: string | undefined;
  /** The clock, for Retry-After dates. */
  now: () => number;
}

/** The error for a registry answer of 4xx/5xx. */
export function statusError(res: Resp, ctx: StatusContext): RegistryError {
  const { registry, repository, what, cred, refused } = ctx;
  const errors = parseErrorBody(res.body.toString('utf8'));
  const init = {
    registry,
    ...(repository !== undefined ? { repository } : {}),
    status: res.status,
    errors,
    url: res.url.toString(),
  };
  const target = repository !== undefined ? `${registry}/${repository}` : registry;
  const detail = describeErrors(errors);
  if (
    (res.status === 401 || res.status === 403) &&
    cred &&
    errors.some((e) => /token has expired|expired token|token is expired/i.test(e.message))
  ) {
    return new AuthError(
      `the login for ${registry} (${cred.source}) has expired${detail}: refresh it with ${refreshHint(registry)}`,
      { ...init, expired: true },
    );
  }
  if (res.status === 401) {
    if (refused)
      return new AuthError(`not sent: ${registry} is plain HTTP. ${target} requires authentication, and ${refused}`, {
        ...init,
        plainHttpHost: registry,
      });
    return new AuthError(
      cred
        ? `credentials for ${registry} (${cred.source}) were rejected${detail}: check the user name and password or token, and that it may read ${repository ?? 'this registry'}`
        : `${target} requires authentication${detail}: sign in (docker login ${registry}) or add credentials in Registry Lens`,
      init,
    );
  }
  if (res.status === 403) {
    return new AuthError(
      `access to ${target} denied${detail}${cred ? ` for ${cred.source}` : ''}: check the credential may read this repository`,
      init,
    );
  }
  if (res.status === 404) {
    return new NotFoundError(
      `${target}: not found${detail}${cred ? '' : ' (private repositories also answer 404 to anonymous requests: add credentials)'}`,
      init,
    );
  }
  if (res.status === 429 || (res.status === 503 && errors.some((e) => /TOOMANYREQUESTS/i.test(e.code)))) {
    const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'), ctx.now());
    const rl = parseRateLimit(res.headers);
    return new RateLimitError(
      `${registry}: rate limit reached${rl?.limit !== undefined ? ` (${rl.limit} requests${rl.windowSeconds ? ` per ${rl.windowSeconds} s` : ''})` : ''}${
        retryAfter !== undefined ? `; retry after ${retryAfter} s` : ''
      }${detail}: wait, or sign in to raise the limit`,
      { ...init, ...(retryAfter !== undefined ? { retryAfter } : {}) },
    );
  }
  return new RegistryError(`${target}: ${what} failed with HTTP ${res.status}${detail}`, {
    ...init,
    temporary: res.status >= 500 || res.status === 408,
  });
}

/** The error for a token service's refusal (`how`: `GET`, `OAuth2 POST`); `scopes` name what was asked for. */
export function tokenStatusError(
  res: Resp,
  how: string,
  ctx: StatusContext & { scopes: readonly string[] },
): RegistryError {
  const { registry, cred, scopes } = ctx;
  const errors = parseErrorBody(res.body.toString('utf8'));
  if (res.status === 401 || res.status === 403) {
    return new AuthError(
      cred
        ? `credentials for ${registry} were rejected by its token service (${how}, ${cred.source})${describeErrors(errors)}: check the user name and password or token, and that it may read ${scopes.join(' ') || 'this registry'}`
        : `${registry} refused an anonymous token${describeErrors(errors)}: sign in (docker login ${registry}) or add credentials in Registry Lens`,
      { registry, status: res.status, errors, url: res.url.toString() },
    );
  }
  if (res.status === 429) return statusError(res, { registry, what: 'token', now: ctx.now });
  return new RegistryError(`${registry}: the token service answered ${res.status} (${how})${describeErrors(errors)}`, {
    registry,
    status: res.status,
    errors,
    temporary: res.status >= 500,
    url: res.url.toString(),
  });
}

/** The parsed JSON body, or a ProtocolError naming the registry and the (redacted) URL. */
export function parseJson(res: Resp, registry: string, repository: string | undefined): unknown {
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch {
    throw new ProtocolError(
      `${registry}${repository ? `/${repository}` : ''}: the registry answered invalid JSON (${res.body.length} bytes from ${redactUrl(res.url.toString())})`,
      {
        registry,
        ...(repository !== undefined ? { repository } : {}),
        status: res.status,
        url: res.url.toString(),
      },
    );
  }
}
