// Per-registry transport: which undici dispatcher a URL goes through. One Agent (or ProxyAgent) per distinct
// (CA bundle, TLS verification, proxy) combination, created lazily and closed by `close()`. Never the global
// dispatcher.
//
// - caFile / ca: PEM merged with the system roots (`tls.rootCertificates` + the file), so public hosts still work.
// - insecure: TLS without verification, only for the hosts the user listed (plain HTTP is the client's side).
// - proxy: a per-host setting, else the explicit proxy setting, else HTTPS_PROXY / HTTP_PROXY (and lower-case),
//   minus NO_PROXY. Loopback hosts never go through a proxy taken from the environment (as Go's httpproxy).
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { Agent, buildConnector, type Dispatcher, ProxyAgent } from 'undici';
import { RegistryClient } from './client';
import type { DispatcherSource, RegistryClientOptions, RegistryHostOptions } from './types';
import { RegistryError } from './errors';
import { endpointHost, isLoopbackHostname } from './hosts';

export interface TransportHostOptions {
  /** A PEM file with extra CA certificates for this registry (merged with the system roots). */
  caFile?: string;
  /** PEM text with extra CA certificates (merged with the system roots). */
  ca?: string | Buffer;
  /** Skip TLS verification for this host (and allow plain HTTP, see RegistryHostOptions). */
  insecure?: boolean;
  /** A proxy URL for this host, or `false` for a direct connection whatever the environment says. */
  proxy?: string | false;
}

export interface TransportOptions {
  /** By registry key (`ghcr.io`, `localhost:5000`, `docker.io`) or exact URL host. */
  hosts?: Record<string, TransportHostOptions>;
  /** The explicit proxy setting (applies to every host but NO_PROXY / `noProxy` ones). */
  proxy?: string;
  /** Comma-separated NO_PROXY-style list added to the environment's. */
  noProxy?: string;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read (default `process.env`; `{}` to ignore the environment). */
  env?: Record<string, string | undefined>;
  /** TCP + TLS connect timeout, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Connections per origin (default 8). */
  connections?: number;
  /** Keep-alive idle timeout, ms (default 4000). */
  keepAliveTimeoutMs?: number;
  /**
   * Test hook: connect to a loopback address instead of a host's own (`registry-1.docker.io:443=127.0.0.1:41000`,
   * comma-separated), keeping the host name for TLS (SNI, certificate check), `Host` and every origin rule. Only
   * loopback targets are accepted; no name is ever looked up for a listed host. Default: REGISTRY_LENS_TEST_RESOLVE.
   */
  resolve?: string;
}

/** The environment variable `TransportOptions.resolve` defaults to. */
export const RESOLVE_VARIABLE = 'REGISTRY_LENS_TEST_RESOLVE';

/** Parses `host:port=127.0.0.1:port,...`; throws for anything but a loopback target. */
export function parseResolveOverrides(text: string | undefined): Map<string, { hostname: string; port: string }> {
  const out = new Map<string, { hostname: string; port: string }>();
  for (const item of (text ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^([^=\s]+):(\d+)=(127\.\d+\.\d+\.\d+|\[::1\]):(\d+)$/.exec(item);
    if (!m?.[1] || !m[2] || !m[3] || !m[4])
      throw new RegistryError(`${RESOLVE_VARIABLE}: "${item}" is not host:port=<loopback address>:port`);
    out.set(`${m[1].toLowerCase()}:${m[2]}`, { hostname: m[3].replace(/^\[|\]$/g, ''), port: m[4] });
  }
  return out;
}

export interface TransportChoice {
  /** `direct` or the proxy URL (credentials in it redacted). */
  route: string;
  ca: 'system' | 'system+extra';
  verify: boolean;
}

function envValue(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name] ?? env[name.toLowerCase()];
  return v && v.trim() ? v.trim() : undefined;
}

/** Does NO_PROXY (comma/space separated: `*`, `host`, `.domain`, `domain`, `host:port`, IPs) exclude this URL? */
export function matchesNoProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (let entry of noProxy.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (m) {
      entry = (m[1] ?? '').replace(/^\[|\]$/g, '');
      entryPort = m[2];
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.')) {
      if (host.endsWith(entry) || host === entry.slice(1)) return true;
    } else if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

function redactProxy(uri: string): string {
  try {
    const u = new URL(uri);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'proxy';
  }
}

/** Picks and owns the dispatchers for registry URLs. Pass it as `dispatcher` to `RegistryClient`. */
export class RegistryTransport implements DispatcherSource {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly caCache = new Map<string, string>();
  private closed = false;
  private readonly overrides: Map<string, { hostname: string; port: string }>;

  constructor(private readonly options: TransportOptions = {}) {
    this.overrides = parseResolveOverrides(options.resolve ?? (options.env ?? process.env)[RESOLVE_VARIABLE]);
  }

  private hostOptions(url: URL): TransportHostOptions {
    const hosts = this.options.hosts ?? {};
    const direct = hosts[url.host];
    if (direct) return direct;
    for (const [key, value] of Object.entries(hosts)) {
      if (endpointHost(key) === url.host) return value;
    }
    return {};
  }

  /** The proxy URL a request to `url` goes through, or undefined for a direct connection. */
  proxyFor(url: URL): string | undefined {
    const h = this.hostOptions(url);
    if (h.proxy === false) return undefined;
    if (h.proxy) return h.proxy;
    const env = this.options.env ?? process.env;
    const noProxy = [this.options.noProxy, envValue(env, 'NO_PROXY')].filter(Boolean).join(',');
    if (matchesNoProxy(url, noProxy)) return undefined;
    if (this.options.proxy) return this.options.proxy;
    if (isLoopbackHostname(url.hostname)) return undefined;
    return url.protocol === 'https:' ? envValue(env, 'HTTPS_PROXY') : envValue(env, 'HTTP_PROXY');
  }

  /** What `dispatcherFor(url)` would use, for logs and the ping command. */
  describe(url: URL): TransportChoice {
    const h = this.hostOptions(url);
    const proxy = this.proxyFor(url);
    return {
      route: proxy ? redactProxy(proxy) : 'direct',
      ca: h.ca !== undefined || h.caFile !== undefined ? 'system+extra' : 'system',
      verify: h.insecure !== true,
    };
  }

  private extraCa(h: TransportHostOptions): string | undefined {
    const parts: string[] = [];
    if (h.ca !== undefined) parts.push(h.ca.toString());
    if (h.caFile !== undefined) {
      let pem = this.caCache.get(h.caFile);
      if (pem === undefined) {
        try {
          pem = fs.readFileSync(h.caFile, 'utf8');
        } catch (e) {
          throw new RegistryError(
            `cannot read the CA file ${h.caFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}: check the path in settings`,
            { cause: e },
          );
        }
        if (!pem.includes('-----BEGIN CERTIFICATE-----'))
          throw new RegistryError(`the CA file ${h.caFile} holds no PEM certificate`);
        this.caCache.set(h.caFile, pem);
      }
      parts.push(pem);
    }
    return parts.length > 0 ? parts.join('\n') : undefined;
  }

  dispatcherFor(url: URL): Dispatcher {
    if (this.closed) throw new RegistryError('the registry transport is closed');
    const h = this.hostOptions(url);
    const extra = url.protocol === 'https:' ? this.extraCa(h) : undefined;
    const verify = h.insecure !== true;
    const proxy = this.proxyFor(url);
    const key = JSON.stringify([extra ?? '', verify, proxy ?? '']);
    let d = this.dispatchers.get(key);
    if (d) return d;
    const tlsOptions: tls.ConnectionOptions = {
      ...(extra !== undefined ? { ca: [...tls.rootCertificates, extra] } : {}),
      ...(verify ? {} : { rejectUnauthorized: false }),
    };
    const connectTimeout = this.options.connectTimeoutMs ?? 10_000;
    const common = {
      connections: this.options.connections ?? 8,
      keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 4000,
    };
    d = proxy
      ? new ProxyAgent({
          uri: proxy,
          ...common,
          requestTls: { ...tlsOptions, timeout: connectTimeout },
          proxyTls: { timeout: connectTimeout },
        })
      : new Agent({ ...common, connect: this.connector({ ...tlsOptions, timeout: connectTimeout }) });
    this.dispatchers.set(key, d);
    return d;
  }

  /** The connect options, or with resolve overrides a connector that dials the listed loopback address instead. */
  private connector(options: buildConnector.BuildOptions): buildConnector.BuildOptions | buildConnector.connector {
    if (this.overrides.size === 0) return options;
    const base = buildConnector(options);
    const overrides = this.overrides;
    return (opts, callback) => {
      const port = opts.port || (opts.protocol === 'https:' ? '443' : '80');
      const target = overrides.get(`${opts.hostname.toLowerCase()}:${port}`);
      return base(
        target
          ? { ...opts, hostname: target.hostname, port: target.port, servername: opts.servername || opts.hostname }
          : opts,
        callback,
      );
    };
  }

  /** Closes every dispatcher it created. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(all.map((d) => d.close().catch(() => undefined)));
  }
}

/** Everything the user configures for one registry: transport and client behaviour together. */
export interface RegistrySettings extends TransportHostOptions, RegistryHostOptions {}

export interface CreateClientOptions
  extends Omit<RegistryClientOptions, 'dispatcher' | 'hosts'>, Omit<TransportOptions, 'hosts'> {
  /** Per-registry settings by registry key. */
  hosts?: Record<string, RegistrySettings>;
}

/** A client with its own transport built from per-registry settings; `close()` releases the connections. */
export function createRegistryClient(options: CreateClientOptions = {}): {
  client: RegistryClient;
  transport: RegistryTransport;
  close: () => Promise<void>;
} {
  const { hosts, proxy, noProxy, env, connectTimeoutMs, connections, keepAliveTimeoutMs, resolve, ...clientOptions } =
    options;
  const transport = new RegistryTransport({
    ...(hosts ? { hosts } : {}),
    ...(proxy !== undefined ? { proxy } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
    ...(env !== undefined ? { env } : {}),
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    // As many connections per origin as requests the client lets run at once: a finished request's socket is
    // reused for the next one instead of a new TCP + TLS handshake while undici still counts the old one busy.
    connections: connections ?? clientOptions.maxConcurrentPerHost ?? 6,
    ...(keepAliveTimeoutMs !== undefined ? { keepAliveTimeoutMs } : {}),
    ...(resolve !== undefined ? { resolve } : {}),
  });
  const client = new RegistryClient({ ...clientOptions, dispatcher: transport, ...(hosts ? { hosts } : {}) });
  return { client, transport, close: () => transport.close() };
}
