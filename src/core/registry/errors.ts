// The registry client's error taxonomy: one base class, six kinds, guards by `name` (instanceof breaks across
// bundles). Messages tell the user what to do and never contain a secret: URLs are redacted, headers are never
// quoted, credentials are named by their *source* only.
// Error bodies follow the distribution spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
import { hasName, isAbortError } from '../util/errorName';

/** One entry of a registry's `{"errors":[...]}` body. */
export interface RegistryErrorDetail {
  code: string;
  message: string;
  detail?: unknown;
}

export type RegistryErrorKind = 'auth' | 'not-found' | 'rate-limited' | 'tls' | 'network' | 'protocol' | 'registry';

export interface RegistryErrorInit {
  /** The registry host key (`docker.io`, `ghcr.io`, `127.0.0.1:5000`). */
  registry?: string;
  repository?: string;
  /** HTTP status, when there was a response. */
  status?: number;
  /** The registry's own `errors[]`, when its body had them. */
  errors?: RegistryErrorDetail[];
  /** Worth retrying later (5xx, 429, timeouts, resets). */
  temporary?: boolean;
  /** The request URL; redacted before it is stored. */
  url?: string;
  cause?: unknown;
}

const ERROR_NAMES = [
  'RegistryError',
  'AuthError',
  'NotFoundError',
  'RateLimitError',
  'TlsError',
  'NetworkError',
  'ProtocolError',
] as const;
export type RegistryErrorName = (typeof ERROR_NAMES)[number];

/** Base of every error the registry client throws. */
export class RegistryError extends Error {
  override name: RegistryErrorName = 'RegistryError';
  readonly kind: RegistryErrorKind = 'registry';
  readonly registry: string | undefined;
  readonly repository: string | undefined;
  readonly status: number | undefined;
  readonly errors: RegistryErrorDetail[];
  readonly temporary: boolean;
  /** The request URL with credentials and secret-looking query values removed. */
  readonly url: string | undefined;

  constructor(message: string, init: RegistryErrorInit = {}) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.registry = init.registry;
    this.repository = init.repository;
    this.status = init.status;
    this.errors = init.errors ?? [];
    this.temporary = init.temporary ?? false;
    this.url = init.url !== undefined ? redactUrl(init.url) : undefined;
  }

  /** The stable code for JSON output (`check --json` → `error.code`). */
  get code(): string {
    return this.kind;
  }
}

/** 401/403, a rejected token request, or credentials we refused to send. */
export class AuthError extends RegistryError {
  override name: RegistryErrorName = 'AuthError';
  override readonly kind = 'auth';
  /** The registry said the credential (a short-lived token: ECR's 12 h login) has expired: sign in again. */
  readonly expired: boolean;
  /**
   * A credential exists but was never sent: the registry (or its token realm) speaks plain HTTP and is not listed
   * as insecure. The registry did not reject anything; allowing plain HTTP for that host is the fix.
   */
  readonly credentialNotSent: boolean;
  /** With `credentialNotSent`: the host:port to allow plain HTTP for (the registry, or its token realm's host). */
  readonly plainHttpHost: string | undefined;
  constructor(message: string, init: RegistryErrorInit & { expired?: boolean; plainHttpHost?: string } = {}) {
    super(message, init);
    this.expired = init.expired === true;
    this.plainHttpHost = init.plainHttpHost;
    this.credentialNotSent = init.plainHttpHost !== undefined;
  }
  override get code(): string {
    return this.expired ? 'auth-expired' : 'auth';
  }
}

/** ECR's registry host: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`; the region, or undefined. */
export function ecrRegion(registry: string): string | undefined {
  return /^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(registry)?.[1];
}

/** What to run to get a fresh credential for a registry whose short-lived login expired. */
export function refreshHint(registry: string): string {
  const region = ecrRegion(registry);
  if (region)
    return `aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${registry}`;
  return `docker login ${registry}, or update the credential in Registry Lens`;
}
/** 404: repository, tag or digest unknown (or hidden from these credentials). */
export class NotFoundError extends RegistryError {
  override name: RegistryErrorName = 'NotFoundError';
  override readonly kind = 'not-found';
}
/** 429 (or a Docker Hub pull-limit answer). */
export class RateLimitError extends RegistryError {
  override name: RegistryErrorName = 'RateLimitError';
  override readonly kind = 'rate-limited';
  /** When the registry said to come back, if it did (epoch ms). */
  readonly retryAt: number | undefined;
  /** Seconds to wait, if the registry said (Retry-After). */
  readonly retryAfter: number | undefined;
  constructor(message: string, init: RegistryErrorInit & { retryAfter?: number } = {}) {
    super(message, { temporary: true, ...init });
    this.retryAfter = init.retryAfter;
    this.retryAt = init.retryAfter !== undefined ? Date.now() + init.retryAfter * 1000 : undefined;
  }
}
/** Certificate verification or handshake failures. */
export class TlsError extends RegistryError {
  override name: RegistryErrorName = 'TlsError';
  override readonly kind = 'tls';
  /** The TLS/OpenSSL error code (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `CERT_HAS_EXPIRED`, ...). */
  readonly tlsCode: string | undefined;
  constructor(message: string, init: RegistryErrorInit & { tlsCode?: string } = {}) {
    super(message, init);
    this.tlsCode = init.tlsCode;
  }
}
/** Connection refused, DNS, resets, timeouts, aborted requests. */
export class NetworkError extends RegistryError {
  override name: RegistryErrorName = 'NetworkError';
  override readonly kind = 'network';
  /** The system or undici error code (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`, ...). */
  readonly networkCode: string | undefined;
  constructor(message: string, init: RegistryErrorInit & { networkCode?: string } = {}) {
    super(message, init);
    this.networkCode = init.networkCode;
  }
}
/** The registry answered something we cannot use: bad JSON, wrong digest, oversized body, unexpected status. */
export class ProtocolError extends RegistryError {
  override name: RegistryErrorName = 'ProtocolError';
  override readonly kind = 'protocol';
}

export const isRegistryError = (e: unknown): e is RegistryError => hasName(e, ERROR_NAMES);
export const isAuthError = (e: unknown): e is AuthError => hasName(e, ['AuthError']);
export const isNotFoundError = (e: unknown): e is NotFoundError => hasName(e, ['NotFoundError']);
export const isRateLimitError = (e: unknown): e is RateLimitError => hasName(e, ['RateLimitError']);
export const isTlsError = (e: unknown): e is TlsError => hasName(e, ['TlsError']);
export const isNetworkError = (e: unknown): e is NetworkError => hasName(e, ['NetworkError']);
export const isProtocolError = (e: unknown): e is ProtocolError => hasName(e, ['ProtocolError']);

const SECRET_PARAM = /token|passw|secret|sig|signature|credential|key|auth|code/i;

/** A URL without user info and with secret-looking query values replaced by `REDACTED`. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
  u.username = '';
  u.password = '';
  const keys = [...new Set(u.searchParams.keys())];
  for (const k of keys) {
    if (SECRET_PARAM.test(k)) u.searchParams.set(k, 'REDACTED');
  }
  return u.toString();
}

/**
 * Parses a distribution-spec error body (`{"errors":[{"code","message","detail"}]}`); [] for anything else.
 * Accepts the OAuth2 `{"error","error_description"}` shape some token servers send.
 */
export function parseErrorBody(text: string): RegistryErrorDetail[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof data !== 'object' || data === null) return [];
  const errs = (data as { errors?: unknown }).errors;
  if (Array.isArray(errs)) {
    return errs
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({
        code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
        message: typeof e.message === 'string' ? e.message.slice(0, 500) : '',
        ...(e.detail !== undefined && e.detail !== null ? { detail: e.detail } : {}),
      }));
  }
  const o = data as { error?: unknown; error_description?: unknown; details?: unknown };
  if (typeof o.error === 'string') {
    return [
      {
        code: o.error,
        message:
          typeof o.error_description === 'string'
            ? o.error_description.slice(0, 500)
            : typeof o.details === 'string'
              ? o.details.slice(0, 500)
              : '',
      },
    ];
  }
  return [];
}

/** `: CODE: message; CODE2: message2` from a registry's errors[], or ''. */
export function describeErrors(errors: readonly RegistryErrorDetail[]): string {
  if (errors.length === 0) return '';
  return ': the registry said ' + errors.map(describeErrorDetail).join('; ');
}

/**
 * The distribution spec's error codes in words (a user reads "not authorised", not `UNAUTHORIZED:`); the registry's
 * own message follows when it adds something. Unknown codes are shown as sent.
 * Codes: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
const ERROR_CODE_WORDS: Record<string, string> = {
  UNAUTHORIZED: 'not authorised',
  DENIED: 'access denied',
  UNSUPPORTED: 'operation not supported',
  TOOMANYREQUESTS: 'too many requests',
  NAME_UNKNOWN: 'repository not known',
  NAME_INVALID: 'invalid repository name',
  MANIFEST_UNKNOWN: 'tag or manifest not known',
  MANIFEST_INVALID: 'invalid manifest',
  MANIFEST_BLOB_UNKNOWN: 'a blob of the manifest is not known',
  BLOB_UNKNOWN: 'blob not known',
  BLOB_UPLOAD_UNKNOWN: 'upload not known',
  BLOB_UPLOAD_INVALID: 'invalid upload',
  DIGEST_INVALID: 'digest does not match the content',
  SIZE_INVALID: 'size does not match the content',
  TAG_INVALID: 'invalid tag',
  PAGINATION_NUMBER_INVALID: 'invalid page size',
  RANGE_INVALID: 'invalid range',
};

export function describeErrorDetail(e: RegistryErrorDetail): string {
  const words = ERROR_CODE_WORDS[e.code.toUpperCase()];
  if (!words) return e.message ? `${e.code}: ${e.message}` : e.code;
  const message = e.message?.trim();
  return message && message.toLowerCase() !== words && message.toLowerCase() !== e.code.toLowerCase()
    ? `${words} (${message})`
    : words;
}

const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by an unknown authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate signed by an unknown authority (self-signed certificate in chain)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is not valid for this host name',
  CERT_REVOKED: 'certificate revoked',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed: the server does not speak HTTPS on this port',
  EPROTO: 'TLS handshake failed',
};

const TEMPORARY_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

const NETWORK_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is the registry running and the port right?',
  ENOTFOUND: 'host name not found: check the registry name and your DNS',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ECONNRESET: 'connection reset by the server',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable: check your proxy settings',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'the registry did not answer in time (headers timeout)',
  UND_ERR_BODY_TIMEOUT: 'the registry stopped sending the body (body timeout)',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  UND_ERR_CLOSED: 'the connection closed unexpectedly',
};

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && typeof cur === 'object' && cur !== null; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns a transport failure (undici / node:tls / node:net error, or an abort) into a TlsError or NetworkError
 * with an actionable message. Registry errors pass through unchanged.
 */
export function classifyTransportError(e: unknown, init: RegistryErrorInit & { host?: string }): RegistryError {
  if (isRegistryError(e)) return e;
  const code = errorCode(e);
  const where = init.host ?? init.registry ?? 'the registry';
  const base = { ...init, cause: e };
  if (
    code !== undefined &&
    (code in TLS_CODES || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT/.test(code))
  ) {
    const what = TLS_CODES[code] ?? `TLS error ${code}`;
    const tip =
      code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO'
        ? 'if the registry only speaks plain HTTP, mark it insecure in settings'
        : code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? 'use the host name the certificate was issued for'
          : "add the registry's CA certificate in settings (a PEM file), or mark the registry insecure if you trust the network";
    return new TlsError(`${where}: ${what}: ${tip}`, { ...base, tlsCode: code, temporary: false });
  }
  if (isAbortError(e) || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED') {
    return new NetworkError(`${where}: request cancelled`, { ...base, networkCode: 'ABORTED', temporary: false });
  }
  const text = code !== undefined ? NETWORK_TEXT[code] : undefined;
  const detail = text ?? (e instanceof Error ? e.message : String(e));
  return new NetworkError(`${where}: ${detail}`, {
    ...base,
    ...(code !== undefined ? { networkCode: code } : {}),
    temporary: code === undefined || TEMPORARY_NETWORK.has(code),
  });
}
