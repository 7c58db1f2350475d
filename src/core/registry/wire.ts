// The wire: one HTTP exchange with a registry or token service, below auth. It owns the per-host limiter,
// retries with backoff (and Retry-After) on the injected clock, redirects, and capped bodies.
//
// - Redirects are followed here (the dispatcher never follows them). `Authorization` is dropped when the next URL
//   is on another origin, or when https would become http: blob storage and CDNs get no credential of ours. A body
//   (a token form) is resent only on the same origin or as an upgrade to https on the same host name.
// - Bodies are capped (4 MiB default, error bodies 64 KiB, HEAD bodies drained); a larger body is a ProtocolError.
// - A 429/503 pushes the whole host's `notBefore`, so concurrent requests back off together.
import type { Dispatcher } from 'undici';
import { Limiter } from '../util/limiter';
import { sleep as realSleep } from '../util/abort';
import { classifyTransportError, ProtocolError, redactUrl } from './errors';
import { header, type HeaderBag, parseRateLimit, parseRetryAfter, type RateLimitInfo } from './headers';
import { sameOrigin } from './hosts';
import type { ClientStats, DispatcherSource, RetryOptions } from './types';

/** A response with its body read (capped), and the URL it finally came from (after redirects). */
export interface Resp {
  status: number;
  headers: HeaderBag;
  body: Buffer;
  url: URL;
}

export interface SendOptions {
  method: 'GET' | 'HEAD' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal | undefined;
  /** Body cap; error bodies are always capped at 64 KiB. */
  maxBytes?: number;
  /** The registry this request is for (rate limits, error context); undefined for token services. */
  registry: string | undefined;
  repository?: string;
  /** Retries after the first attempt (default: the client's retry option). */
  retries?: number;
}

export interface WireOptions {
  source: DispatcherSource;
  userAgent: string;
  /** The clock (epoch ms): Retry-After dates and a host's `notBefore` are read on it. */
  now: () => number;
  /** Waits between attempts (default: a timer); tests may inject one that advances a fake clock. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  retry?: RetryOptions;
  /** Concurrent requests for a URL host; `registry` is the registry the request is for, when known. */
  concurrencyFor: (host: string, registry: string | undefined) => number;
  maxBodyBytes?: number;
  maxRedirects?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  stats: ClientStats;
  log: (line: string) => void;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const ERROR_BODY_CAP = 64 * 1024;

export class Wire {
  private readonly limiters = new Map<string, Limiter>();
  private readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** The last rate-limit headers per registry. */
  readonly rateLimits = new Map<string, RateLimitInfo>();

  constructor(private readonly options: WireOptions) {
    this.sleep = options.sleep ?? realSleep;
  }

  private limiter(host: string, registry: string | undefined): Limiter {
    let l = this.limiters.get(host);
    if (!l) {
      l = new Limiter(Math.max(1, this.options.concurrencyFor(host, registry)));
      this.limiters.set(host, l);
    }
    return l;
  }

  private backoff(attempt: number): number {
    const retry = this.options.retry ?? {};
    const baseDelay = retry.baseDelayMs ?? 500;
    const maxDelay = retry.maxDelayMs ?? 30_000;
    return Math.min(maxDelay, baseDelay * 2 ** attempt) * (0.8 + Math.random() * 0.4);
  }

  /** One request, retried on transient failures and followed across redirects. Throws RegistryErrors only. */
  async send(url0: URL, opts: SendOptions): Promise<Resp> {
    const { now, stats, log } = this.options;
    const retries = opts.retries ?? this.options.retry?.retries ?? 3;
    const maxDelay = this.options.retry?.maxDelayMs ?? 30_000;
    const maxRedirects = this.options.maxRedirects ?? 5;
    let url = url0;
    // identity: undici hands us the bytes as sent, and a gzipping CDN (Red Hat's) would break JSON and digests.
    let headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      'accept-encoding': 'identity',
      ...opts.headers,
    };
    let method = opts.method;
    let body = opts.body;
    let redirects = 0;
    let attempt = 0;
    for (;;) {
      const limiter = this.limiter(url.host, opts.registry);
      const wait = limiter.notBefore - now();
      if (wait > 0) await this.sleep(Math.min(wait, maxDelay), opts.signal);
      await limiter.acquire(opts.signal);
      let res: Resp;
      try {
        res = await this.once(url, method, headers, body, opts);
      } catch (e) {
        const err = classifyTransportError(e, {
          ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
          host: url.host,
          url: url.toString(),
        });
        if (err.temporary && attempt < retries && !opts.signal?.aborted) {
          const delay = this.backoff(attempt);
          attempt++;
          stats.retries++;
          log(`${url.host}: ${err.message}; retry ${attempt}/${retries} in ${Math.round(delay)} ms`);
          await this.sleep(delay, opts.signal);
          continue;
        }
        throw err;
      } finally {
        limiter.release();
      }
      const rl = parseRateLimit(res.headers);
      if (rl && opts.registry !== undefined) this.rateLimits.set(opts.registry, rl);

      if (RETRY_STATUS.has(res.status) && attempt < retries) {
        const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'), now());
        let delay = this.backoff(attempt);
        if (retryAfter !== undefined) {
          if (retryAfter * 1000 > maxDelay) return res; // too long to wait here: the caller reports when to retry
          delay = Math.max(retryAfter * 1000, 0);
        }
        if (res.status === 429 || res.status === 503) limiter.notBefore = Math.max(limiter.notBefore, now() + delay);
        attempt++;
        stats.retries++;
        log(`${url.host}: HTTP ${res.status}; retry ${attempt}/${retries} in ${Math.round(delay)} ms`);
        await this.sleep(delay, opts.signal);
        continue;
      }

      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        const location = header(res.headers, 'location');
        if (!location) return res;
        if (redirects >= maxRedirects) {
          throw new ProtocolError(`${url.host}: too many redirects`, {
            ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
            status: res.status,
            url: url.toString(),
          });
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new ProtocolError(`${url.host}: redirect to an unparsable location`, { status: res.status });
        }
        if (next.protocol !== 'https:' && next.protocol !== 'http:')
          throw new ProtocolError(`${url.host}: redirect to ${next.protocol} refused`, { status: res.status });
        redirects++;
        stats.redirects++;
        if (!sameOrigin(next, url) || (url.protocol === 'https:' && next.protocol === 'http:')) {
          // Another host (blob storage, a CDN): it gets no credentials of ours.
          const { authorization: _dropped, ...rest } = headers;
          headers = rest;
        }
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        if (
          body !== undefined &&
          !sameOrigin(next, url) &&
          !(next.protocol === 'https:' && next.hostname === url.hostname)
        ) {
          // A 307/308 keeps the body, and a token form holds the password or refresh token: it goes to no other origin.
          throw new ProtocolError(
            `${url.host}: refusing to resend a request body to ${redactUrl(next.origin)} (a redirect to another origin)`,
            {
              ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
              status: res.status,
              url: url.toString(),
            },
          );
        }
        url = next;
        continue;
      }
      return res;
    }
  }

  private async once(
    url: URL,
    method: SendOptions['method'],
    headers: Record<string, string>,
    body: string | undefined,
    opts: SendOptions,
  ): Promise<Resp> {
    const dispatcher: Dispatcher = this.options.source.dispatcherFor(url);
    const res = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: opts.signal ?? null,
      // undici closes the socket after every HEAD (in case a server sends a body anyway); registries do not, and
      // on TLS each new socket costs a handshake: keep the connection for the next request.
      ...(method === 'HEAD' ? { reset: false } : {}),
      headersTimeout: this.options.headersTimeoutMs ?? 30_000,
      bodyTimeout: this.options.bodyTimeoutMs ?? 30_000,
    });
    const hdrs = res.headers;
    const isError = res.statusCode >= 300;
    const cap = isError ? ERROR_BODY_CAP : (opts.maxBytes ?? this.options.maxBodyBytes ?? 4 * 1024 * 1024);
    if (method === 'HEAD') {
      await res.body.dump().catch(() => undefined);
      return { status: res.statusCode, headers: hdrs, body: Buffer.alloc(0), url };
    }
    const declared = Number.parseInt(header(hdrs, 'content-length') ?? '', 10);
    if (!isError && Number.isFinite(declared) && declared > cap) {
      res.body.destroy();
      throw tooLarge(url, opts, declared, cap);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > cap) {
          if (isError) break; // keep what fits of an error body
          res.body.destroy();
          throw tooLarge(url, opts, size, cap);
        }
        chunks.push(b);
      }
    } finally {
      if (!res.body.destroyed && size > cap) res.body.destroy();
    }
    return { status: res.statusCode, headers: hdrs, body: Buffer.concat(chunks), url };
  }
}

function tooLarge(url: URL, opts: SendOptions, size: number, cap: number): ProtocolError {
  return new ProtocolError(
    `${url.host}: response body larger than the ${cap} byte limit (${size} bytes or more from ${redactUrl(url.toString())})`,
    {
      ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
      ...(opts.repository !== undefined ? { repository: opts.repository } : {}),
      url: url.toString(),
    },
  );
}
