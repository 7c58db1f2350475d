// The docker layer's errors: one base, guards by `name` (instanceof breaks across bundles, and dist/docker.js is a
// bundle of its own). Messages say what happened and what to do; they never hold a credential (the authconfig only
// ever travels in the X-Registry-Auth header, which no error quotes).
import { abortError } from '../util/abort';
import { hasName, isAbortError } from '../util/errorName';
import { describeEndpoint, type EngineEndpoint } from './endpoint';

/**
 * Why the engine cannot be used:
 * - `socket-missing`      the unix socket does not exist (Docker not installed / not started)
 * - `permission-denied`   the socket exists but this user may not open it
 * - `connection-refused`  nothing listens (a stale socket file, a tcp port with no engine)
 * - `host-not-found`      the tcp host name does not resolve
 * - `tls`                 the TLS handshake or certificate check failed
 * - `timeout`             no answer in time
 * - `connection-lost`     the connection broke (the engine stopped mid-request)
 * - `not-docker`          something answered, but not a Docker engine
 * - `unsupported` / `invalid`  the endpoint itself cannot be used (ssh://, a malformed host, missing TLS files)
 */
export type EngineUnavailableReason =
  | 'socket-missing'
  | 'permission-denied'
  | 'connection-refused'
  | 'host-not-found'
  | 'tls'
  | 'timeout'
  | 'connection-lost'
  | 'not-docker'
  | 'unsupported'
  | 'invalid';

const NAMES = ['DockerEngineError', 'EngineUnavailableError', 'EngineRequestError', 'PullError'] as const;
export type DockerEngineErrorName = (typeof NAMES)[number];

export class DockerEngineError extends Error {
  override name: DockerEngineErrorName = 'DockerEngineError';
  /** Stable code for JSON output. */
  readonly code: string = 'engine';
}

/** The engine cannot be reached: `reason` says why, the message what to do. */
export class EngineUnavailableError extends DockerEngineError {
  override name: DockerEngineErrorName = 'EngineUnavailableError';
  override readonly code = 'engine-unavailable';
  constructor(
    readonly reason: EngineUnavailableReason,
    message: string,
    /** The system error code (`ENOENT`, `EACCES`, `ECONNREFUSED`, an OpenSSL code), when there was one. */
    readonly systemCode?: string,
  ) {
    super(message);
  }
}

/** The engine answered a request with an HTTP error (404 no such image, 500 ...). */
export class EngineRequestError extends DockerEngineError {
  override name: DockerEngineErrorName = 'EngineRequestError';
  override readonly code = 'engine-error';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * A pull failed: the engine refused it (HTTP error) or reported an error event in its progress stream (an HTTP 200
 * whose stream carries `{"error": ...}` is a failure too). `kind` sorts the engine's message:
 * `auth` (unauthorized / denied), `not-found` (manifest unknown / not found), `error` (anything else).
 */
export class PullError extends DockerEngineError {
  override name: DockerEngineErrorName = 'PullError';
  override readonly code = 'pull-failed';
  constructor(
    message: string,
    readonly kind: 'auth' | 'not-found' | 'error',
    readonly ref: string,
    /** The HTTP status when the engine refused the request; null when the failure came in the stream. */
    readonly status: number | null,
    /** The engine's own message, verbatim (it never holds the credential). */
    readonly engineMessage: string,
  ) {
    super(message);
  }
}

export const isDockerEngineError = (e: unknown): e is DockerEngineError => hasName(e, NAMES);
export const isEngineUnavailableError = (e: unknown): e is EngineUnavailableError =>
  hasName(e, ['EngineUnavailableError']);
export const isEngineRequestError = (e: unknown): e is EngineRequestError => hasName(e, ['EngineRequestError']);
export const isPullError = (e: unknown): e is PullError => hasName(e, ['PullError']);
/** A cancelled operation (an aborted signal): the same `AbortError` the check engine and registry client use. */
export { abortError } from '../util/abort';
export { isAbortError } from '../util/errorName';

/** Sorts an engine error message ("pull access denied", "manifest unknown", ...). */
export function pullErrorKind(message: string): PullError['kind'] {
  if (/unauthori[sz]ed|denied|authentication required|no basic auth credentials|forbidden/i.test(message))
    return 'auth';
  if (/manifest unknown|not found|does not exist|no such|unknown: repository|name unknown/i.test(message))
    return 'not-found';
  return 'error';
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO$|HOSTNAME_MISMATCH)/;

/** What to say when the engine cannot be used, per reason. */
function unavailableMessage(reason: EngineUnavailableReason, endpoint: EngineEndpoint, detail: string): string {
  const where = describeEndpoint(endpoint);
  const socket = endpoint.kind === 'unix' ? endpoint.socketPath : '';
  const point =
    "or point the docker host (DOCKER_HOST, the docker context, or Registry Lens's docker host setting) at your engine";
  switch (reason) {
    case 'socket-missing':
      return `No Docker engine at ${socket}: the socket does not exist. Start Docker (Docker Desktop, or "sudo systemctl start docker"), ${point}.`;
    case 'permission-denied':
      return `Permission denied opening ${socket}. Add your user to the docker group ("sudo usermod -aG docker $USER", then log in again), use rootless Docker, ${point}.`;
    case 'connection-refused':
      return `Nothing answers at ${where}: the engine is not running there. Start Docker, ${point}.`;
    case 'host-not-found':
      return `The docker host in ${where} does not resolve (${detail}). Check the host name.`;
    case 'tls':
      return `TLS with the engine at ${where} failed (${detail}). Check DOCKER_CERT_PATH / DOCKER_TLS_VERIFY (ca.pem, cert.pem, key.pem) or the context's TLS files.`;
    case 'timeout':
      return `The engine at ${where} did not answer in time. Is it busy or behind a firewall? Registry Lens will try again on the next refresh.`;
    case 'connection-lost':
      return `The connection to the engine at ${where} broke (${detail}). The engine may have stopped or restarted; Registry Lens will try again on the next refresh.`;
    case 'not-docker':
      return `Something answered at ${where}, but not a Docker engine (${detail}).`;
    case 'unsupported':
    case 'invalid':
      return endpoint.kind === 'none' ? endpoint.message : detail;
  }
}

export function unavailable(
  reason: EngineUnavailableReason,
  endpoint: EngineEndpoint,
  detail = '',
  systemCode?: string,
): EngineUnavailableError {
  return new EngineUnavailableError(reason, unavailableMessage(reason, endpoint, detail), systemCode);
}

/**
 * Turns what dockerode / docker-modem / Node threw into a typed error: connection-level failures become
 * {@link EngineUnavailableError}, HTTP answers {@link EngineRequestError}; AbortErrors pass through.
 */
export function classifyEngineError(e: unknown, endpoint: EngineEndpoint, what: string): Error {
  if (isDockerEngineError(e) || isAbortError(e)) return e as Error;
  const err = e as NodeJS.ErrnoException & { statusCode?: unknown; json?: unknown; reason?: unknown };
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(e);
  if (code === 'ABORT_ERR') return abortError(what);
  if (typeof err?.statusCode === 'number') {
    const body = err.json as { message?: unknown } | undefined;
    const engineMessage =
      typeof body?.message === 'string' ? body.message : message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
    return new EngineRequestError(`${what}: the engine answered ${err.statusCode}: ${engineMessage}`, err.statusCode);
  }
  switch (code) {
    case 'ENOENT':
      return unavailable(endpoint.kind === 'unix' ? 'socket-missing' : 'connection-refused', endpoint, message, code);
    case 'EACCES':
    case 'EPERM':
      return unavailable('permission-denied', endpoint, message, code);
    case 'ECONNREFUSED':
    case 'ENOTSOCK':
      return unavailable('connection-refused', endpoint, message, code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return unavailable('host-not-found', endpoint, message, code);
    case 'ETIMEDOUT':
      return unavailable('timeout', endpoint, message, code);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return unavailable('connection-lost', endpoint, message, code);
  }
  if (code !== undefined && TLS_CODES.test(code)) return unavailable('tls', endpoint, message, code);
  if (/socket hang up/i.test(message)) return unavailable('connection-lost', endpoint, message, code);
  return new DockerEngineError(`${what}: ${message}`);
}
