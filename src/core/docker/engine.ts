// Over 400 lines: one class over dockerode; every call shares its lazy load, deadlines and error mapping.
// The local Docker engine through dockerode, loaded on first use (`await import('dockerode')`): in the bundles it
// lives in dist/docker.js, required only when the docker section is used, so activation stays light.
// Every method turns what dockerode throws into a typed error (errors.ts). The container methods (create, start,
// stop, rename, remove, connect) are called only by recreate.ts, for a container the user chose and confirmed.
// Credentials go to the engine in the X-Registry-Auth header only.
import type * as http from 'node:http';
import type Dockerode from 'dockerode';
import type { Credential } from '../credentials';
import { isDockerHub, tryParseReference } from '../reference';
import { mapLimit } from '../util/limiter';
import { describeEndpoint, type EngineEndpoint } from './endpoint';
import {
  abortError,
  classifyEngineError,
  EngineRequestError,
  isAbortError,
  isEngineRequestError,
  isEngineUnavailableError,
  PullError,
  pullErrorKind,
  unavailable,
  type EngineUnavailableReason,
} from './errors';
import { PullStreamParser, PullTracker, type PullProgress } from './progress';
import type { ContainerCreateBody, ContainerInspect, EndpointSettings, ImageInspect } from './inspect';

/** What a ping found: an engine to use, or why there is none (with a message saying what to do). */
export type EngineState =
  | {
      state: 'ok';
      /** Where, for tooltips and logs (`unix:///var/run/docker.sock (default)`). */
      endpoint: string;
      /** Engine version (`20.10.24+dfsg1`), API version, platform. */
      version: string;
      apiVersion: string;
      os: string;
      arch: string;
      /** `Docker Engine - Community`, `Docker Desktop 4.30.0 (…)`, … when the engine says. */
      platform: string | null;
    }
  | { state: 'unavailable'; endpoint: string; reason: EngineUnavailableReason; message: string };

export interface LocalImage {
  /** `sha256:…` (the config digest; with the containerd image store, the manifest list digest). */
  id: string;
  /** As the engine lists them (`alpine:3.19`, `127.0.0.1:5000/test/app:1.0.0`); `<none>:<none>` removed. */
  repoTags: string[];
  /** `name@sha256:…`: the manifest (or manifest list) digest each repository served when pulled/pushed. */
  repoDigests: string[];
  /** ISO 8601. */
  created: string;
  size: number;
  /** `linux/amd64`, `linux/arm64/v8`; null when the engine did not say. */
  platform: string | null;
  architecture: string | null;
  os: string | null;
  variant: string | null;
}

export interface LocalContainer {
  id: string;
  /** Without the leading `/`. */
  name: string;
  /** The image as the container was configured with it (`Config.Image`): a reference, or an image id. */
  image: string;
  /** The image the container runs (`sha256:…`). */
  imageId: string;
  /** `running` (only running containers are listed). */
  state: string;
  /** The engine's status text (`Up 3 minutes`). */
  status: string;
  /** ISO 8601. */
  created: string;
  /** compose project/service when the container has compose labels. */
  compose: { project: string; service: string } | null;
}

export interface LocalInventory {
  images: LocalImage[];
  containers: LocalContainer[];
}

export interface PullOptions {
  /** The credential for the image's registry (resolved by the caller from a Keychain); anonymous when absent. */
  auth?: Credential;
  signal?: AbortSignal;
  /** Called as the stream advances (at most every `progressIntervalMs`, and once at the end). */
  onProgress?: (p: PullProgress) => void;
  progressIntervalMs?: number;
  /** `linux/arm64`: pull that platform of a multi-platform image (default: the engine's). */
  platform?: string;
}

export interface PullResult {
  ref: string;
  /** `downloaded` a newer image, or the local one was `up-to-date`. */
  outcome: 'downloaded' | 'up-to-date';
  digest: string | null;
  progress: PullProgress;
  durationMs: number;
}

export interface EngineOptions {
  /** Ping timeout (default 3 s). */
  pingTimeoutMs?: number;
  /** Timeout of other short requests: lists, inspects, version (default 20 s). */
  requestTimeoutMs?: number;
  /** Inspects at a time when listing (default 8). */
  concurrency?: number;
}

type DockerodeCtor = new (options?: Dockerode.DockerOptions) => Dockerode;
let loading: Promise<DockerodeCtor> | undefined;

/** dockerode, loaded once, on first use. */
function loadDockerode(): Promise<DockerodeCtor> {
  return (loading ??= import('dockerode').then(
    (m) => ((m as { default?: unknown }).default ?? m) as DockerodeCtor,
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  ));
}

/** docker-modem reads DOCKER_* from the environment and merges it under our options; the endpoint is already resolved. */
const MODEM_ENV = [
  'DOCKER_HOST',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CERT_PATH',
  'DOCKER_CLIENT_TIMEOUT',
  'DOCKER_PATH_PREFIX',
];
function withoutDockerEnv<T>(fn: () => T): T {
  const saved = MODEM_ENV.map((k) => [k, process.env[k]] as const);
  for (const k of MODEM_ENV) delete process.env[k];
  try {
    return fn();
  } finally {
    for (const [k, v] of saved) if (v !== undefined) process.env[k] = v;
  }
}

/** The X-Registry-Auth value: URL-safe base64 with padding (dockerd decodes with Go's padded URLEncoding). */
export function registryAuthValue(auth: Credential | undefined, serveraddress: string): string {
  const body: Record<string, string> = { serveraddress };
  if (auth?.registryToken) body.registrytoken = auth.registryToken;
  else if (auth?.identityToken) {
    body.identitytoken = auth.identityToken;
    if (auth.username) body.username = auth.username;
  } else if (auth?.username !== undefined || auth?.password !== undefined) {
    body.username = auth.username ?? '';
    body.password = auth.password ?? '';
  }
  return Buffer.from(JSON.stringify(body)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Combines a caller's signal with a timeout; `timedOut()` tells which fired. */
function deadline(
  signal: AbortSignal | undefined,
  ms: number,
): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
  const c = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    c.abort();
  }, ms);
  const onAbort = () => c.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) c.abort();
  return {
    signal: c.signal,
    timedOut: () => fired,
    done: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Calls a dockerode method with `{ abortSignal }` (dockerode supports it; its typings do not list it everywhere). */
function withSignal<T>(target: object, method: string, signal: AbortSignal): Promise<T> {
  const fn = (target as Record<string, unknown>)[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`dockerode has no ${method}()`));
  return (fn as (this: object, o: { abortSignal: AbortSignal }) => Promise<T>).call(target, { abortSignal: signal });
}

const iso = (v: string | number | undefined): string => {
  if (typeof v === 'number') return new Date(v * 1000).toISOString();
  const d = v ? new Date(v) : new Date(NaN);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
};

/** A handle on one engine endpoint. Cheap to create; nothing is loaded or connected until a method is called. */
export class Engine {
  private docker: Dockerode | undefined;
  private readonly pingTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly concurrency: number;

  constructor(
    readonly endpoint: EngineEndpoint,
    options: EngineOptions = {},
  ) {
    this.pingTimeoutMs = options.pingTimeoutMs ?? 3_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 20_000;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
  }

  /** Where this engine is, for logs and tooltips. */
  describe(): string {
    return describeEndpoint(this.endpoint);
  }

  private async client(): Promise<Dockerode> {
    const e = this.endpoint;
    if (e.kind === 'none') throw unavailable(e.reason, e);
    if (this.docker) return this.docker;
    const Docker = await loadDockerode();
    let options: Dockerode.DockerOptions & { agent?: http.Agent };
    if (e.kind === 'unix') {
      // No keep-alive on the local socket: connections are cheap, and a pooled one outliving an engine restart
      // would fail the next request (EPIPE) instead of connecting to the new engine.
      const httpModule = await import('node:http');
      options = {
        socketPath: e.socketPath,
        host: undefined,
        port: undefined,
        protocol: 'http',
        agent: new httpModule.Agent({ keepAlive: false }),
      };
    } else {
      options = { host: e.hostname, port: e.port, protocol: e.protocol, socketPath: undefined };
      if (e.tls) {
        if (e.tls.ca !== undefined) options.ca = e.tls.ca;
        if (e.tls.cert !== undefined) options.cert = e.tls.cert;
        if (e.tls.key !== undefined) options.key = e.tls.key;
        if (!e.tls.verify) {
          const https = await import('node:https');
          options.agent = new https.Agent({
            rejectUnauthorized: false,
            ...(e.tls.ca ? { ca: e.tls.ca } : {}),
            ...(e.tls.cert ? { cert: e.tls.cert, key: e.tls.key } : {}),
          });
        }
      }
    }
    this.docker = withoutDockerEnv(() => new Docker(options));
    return this.docker;
  }

  /** Runs a short request with a timeout; connection failures drop the client so the next call starts afresh. */
  private async request<T>(
    what: string,
    ms: number,
    signal: AbortSignal | undefined,
    fn: (d: Dockerode, signal: AbortSignal) => Promise<T>,
    retry = true,
  ): Promise<T> {
    const docker = await this.client();
    const t = deadline(signal, ms);
    let err: Error;
    try {
      return await fn(docker, t.signal);
    } catch (e) {
      if (signal?.aborted) throw abortError(what);
      if (t.timedOut()) throw unavailable('timeout', this.endpoint);
      err = classifyEngineError(e, this.endpoint, what);
      if (isEngineUnavailableError(err)) this.docker = undefined;
    } finally {
      t.done();
    }
    // A connection that broke under a read-only request (an engine restarting, a stale connection): once more,
    // on a fresh client, so a restarted engine is found at once.
    if (retry && isEngineUnavailableError(err) && err.reason === 'connection-lost')
      return this.request(what, ms, signal, fn, false);
    throw err;
  }

  /**
   * Is there an engine? Never rejects (except when `signal` aborts): an engine that is missing, refuses, times out
   * or is not Docker gives `{ state: 'unavailable', reason, message }`. Safe to call again after a failure: an
   * engine that comes back is found by the next ping.
   */
  async ping(opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<EngineState> {
    const where = this.describe();
    try {
      const v = await this.request('ping', opts.timeoutMs ?? this.pingTimeoutMs, opts.signal, async (d, signal) => {
        await withSignal<unknown>(d, 'ping', signal);
        return withSignal<Dockerode.DockerVersion>(d, 'version', signal);
      });
      const platform = (v as { Platform?: { Name?: unknown } }).Platform?.Name;
      return {
        state: 'ok',
        endpoint: where,
        version: v.Version,
        apiVersion: v.ApiVersion,
        os: v.Os,
        arch: v.Arch,
        platform: typeof platform === 'string' && platform !== '' ? platform : null,
      };
    } catch (e) {
      if (isAbortError(e) && opts.signal?.aborted) throw e;
      if (isEngineUnavailableError(e))
        return { state: 'unavailable', endpoint: where, reason: e.reason, message: e.message };
      const detail = isEngineRequestError(e) ? `HTTP ${e.status}` : e instanceof Error ? e.message : String(e);
      const u = unavailable('not-docker', this.endpoint, detail);
      return { state: 'unavailable', endpoint: where, reason: u.reason, message: u.message };
    }
  }

  /**
   * Local images (tagged or pulled by digest; dangling `<none>` ones skipped) and running containers, with each
   * image's platform and each container's configured image (one inspect each, `concurrency` at a time).
   */
  async listLocal(opts: { signal?: AbortSignal } = {}): Promise<LocalInventory> {
    const ms = this.requestTimeoutMs;
    const [images, containers] = await this.request('list images and containers', ms, opts.signal, (d, signal) =>
      Promise.all([d.listImages({ abortSignal: signal }), d.listContainers({ abortSignal: signal })]),
    );
    const named = images.filter(
      (i) =>
        (i.RepoTags ?? []).some((t) => t !== '<none>:<none>') ||
        (i.RepoDigests ?? []).some((r) => !r.startsWith('<none>@')),
    );
    const inspectedImages = await mapLimit(named, this.concurrency, async (i): Promise<LocalImage> => {
      let info: Dockerode.ImageInspectInfo | undefined;
      try {
        info = await this.request(`inspect image ${i.Id}`, ms, opts.signal, (d, signal) =>
          withSignal<Dockerode.ImageInspectInfo>(d.getImage(i.Id), 'inspect', signal),
        );
      } catch (e) {
        if (!isEngineRequestError(e)) throw e; // removed meanwhile: keep what the list said
      }
      const variant = (info as { Variant?: unknown } | undefined)?.Variant;
      const architecture = info?.Architecture || null;
      const os = info?.Os || null;
      const v = typeof variant === 'string' && variant !== '' ? variant : null;
      return {
        id: i.Id,
        repoTags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        repoDigests: (i.RepoDigests ?? []).filter((r) => !r.startsWith('<none>@')),
        created: iso(i.Created),
        size: i.Size,
        platform: os && architecture ? `${os}/${architecture}${v ? `/${v}` : ''}` : null,
        architecture,
        os,
        variant: v,
      };
    });
    const running = containers.filter((c) => c.State === 'running');
    const inspectedContainers = await mapLimit(running, this.concurrency, async (c): Promise<LocalContainer | null> => {
      let configured: string | undefined;
      try {
        const info = await this.request(`inspect container ${c.Id}`, ms, opts.signal, (d, signal) =>
          withSignal<Dockerode.ContainerInspectInfo>(d.getContainer(c.Id), 'inspect', signal),
        );
        configured = info.Config?.Image;
      } catch (e) {
        if (isEngineRequestError(e) && e.status === 404) return null; // gone meanwhile
        throw e;
      }
      const labels = c.Labels ?? {};
      const project = labels['com.docker.compose.project'];
      const service = labels['com.docker.compose.service'];
      return {
        id: c.Id,
        name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
        image: configured ?? c.Image,
        imageId: c.ImageID,
        state: c.State,
        status: c.Status,
        created: iso(c.Created),
        compose: project && service ? { project, service } : null,
      };
    });
    return { images: inspectedImages, containers: inspectedContainers.filter((c): c is LocalContainer => c !== null) };
  }

  /**
   * Pulls `ref` (`alpine:3.19`, `127.0.0.1:5000/test/app:1.0.0`, `name@sha256:…`) with the credential as the
   * authconfig. Progress is aggregated per layer. Rejects with a {@link PullError} when the engine refuses the
   * pull or reports an error event in the stream (an HTTP 200 with an error event is a failure), an
   * {@link EngineUnavailableError} when the engine is gone, an `AbortError` when `signal` aborts (the stream is
   * destroyed; the engine stops the pull when its client goes).
   */
  async pull(ref: string, opts: PullOptions = {}): Promise<PullResult> {
    const started = Date.now();
    const parsed = tryParseReference(ref);
    if (parsed instanceof Error) throw new PullError(`${ref}: ${parsed.message}`, 'error', ref, null, parsed.message);
    const fromImage = isDockerHub(parsed.registry) ? `docker.io/${parsed.repository}` : parsed.name;
    const tag = parsed.digest ?? parsed.tag ?? 'latest';
    const serveraddress = isDockerHub(parsed.registry) ? 'https://index.docker.io/v1/' : parsed.registry;
    const tracker = new PullTracker(ref);
    const signal = opts.signal;
    if (signal?.aborted) throw abortError(`pull ${ref}`);
    const docker = await this.client();

    let stream: http.IncomingMessage;
    try {
      const query: Record<string, unknown> = { fromImage, tag, abortSignal: signal };
      if (opts.platform) query.platform = opts.platform;
      stream = (await docker.createImage(
        { base64: registryAuthValue(opts.auth, serveraddress) },
        query,
      )) as http.IncomingMessage;
    } catch (e) {
      if (signal?.aborted) throw abortError(`pull ${ref}`);
      const err = classifyEngineError(e, this.endpoint, `pull ${ref}`);
      if (isEngineUnavailableError(err)) this.docker = undefined;
      if (err instanceof EngineRequestError || isEngineRequestError(err)) {
        const engineMessage = engineMessageOf(e);
        throw new PullError(
          `Pulling ${ref} failed: ${engineMessage}`,
          pullErrorKind(engineMessage),
          ref,
          err.status,
          engineMessage,
        );
      }
      throw err;
    }

    const interval = opts.progressIntervalMs ?? 100;
    let lastReport = 0;
    const report = (force: boolean) => {
      if (!opts.onProgress) return;
      const now = Date.now();
      if (!force && now - lastReport < interval) return;
      lastReport = now;
      opts.onProgress(tracker.snapshot());
    };

    const parser = new PullStreamParser();
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          stream.destroy();
          reject(err);
        } else resolve();
      };
      const onAbort = () => finish(abortError(`pull ${ref}`));
      signal?.addEventListener('abort', onAbort, { once: true });
      const handle = (events: ReturnType<PullStreamParser['push']>) => {
        for (const ev of events) {
          const message = tracker.apply(ev);
          if (message !== null) {
            finish(new PullError(`Pulling ${ref} failed: ${message}`, pullErrorKind(message), ref, null, message));
            return;
          }
        }
        report(false);
      };
      stream.on('data', (chunk: Buffer) => {
        if (!settled) handle(parser.push(chunk));
      });
      stream.on('end', () => {
        if (settled) return;
        handle(parser.end());
        if (settled) return;
        if (tracker.outcome === null) {
          finish(
            new PullError(
              `Pulling ${ref} failed: the engine ended the pull without a result (${tracker.snapshot().status || 'no status'})`,
              'error',
              ref,
              null,
              'stream ended without a result',
            ),
          );
          return;
        }
        finish();
      });
      stream.on('error', (e: Error) => {
        if (signal?.aborted) return finish(abortError(`pull ${ref}`));
        const err = classifyEngineError(e, this.endpoint, `pull ${ref}`);
        if (isEngineUnavailableError(err)) this.docker = undefined;
        finish(err);
      });
      stream.on('aborted', () => {
        if (signal?.aborted) return finish(abortError(`pull ${ref}`));
        this.docker = undefined;
        finish(unavailable('connection-lost', this.endpoint, 'the pull stream was cut'));
      });
    });
    report(true);
    const progress = tracker.snapshot();
    return {
      ref,
      outcome: tracker.outcome ?? 'downloaded',
      digest: progress.digest,
      progress,
      durationMs: Date.now() - started,
    };
  }

  /**
   * One engine API request through dockerode's modem (`GET /containers/{id}/json`, ...): JSON in, JSON (or text)
   * out, with a timeout; 2xx and 304 (already started / stopped) are success. Read-only requests retry once on a
   * broken connection; changes (`retry: false`) never do, so nothing is done twice.
   */
  private async call<T>(
    what: string,
    method: 'GET' | 'POST' | 'DELETE',
    apiPath: string,
    opts: {
      query?: Record<string, string | number | boolean>;
      body?: unknown;
      timeoutMs?: number;
      signal?: AbortSignal;
      retry?: boolean;
    } = {},
  ): Promise<T> {
    return this.request(
      what,
      opts.timeoutMs ?? this.requestTimeoutMs,
      opts.signal,
      (d, signal) =>
        new Promise<T>((resolve, reject) => {
          const modem = (
            d as unknown as { modem: { dial(o: object, cb: (err: unknown, data: unknown) => void): void } }
          ).modem;
          const options: Record<string, unknown> = {};
          if (opts.query) options._query = opts.query;
          if (method === 'POST') options._body = opts.body ?? {};
          modem.dial(
            {
              path: `${apiPath}?`,
              method,
              options: method === 'POST' || opts.query ? options : undefined,
              abortSignal: signal,
              ...(method === 'POST' ? { allowEmpty: true } : {}),
              statusCodes: {
                200: true,
                201: true,
                204: true,
                304: true,
                400: 'bad parameter',
                404: 'no such object',
                409: 'conflict',
                500: 'server error',
              },
            },
            (err, data) =>
              err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(data as T),
          );
        }),
      opts.retry ?? method === 'GET',
    );
  }

  /** `GET /containers/{id}/json` (by id or name): the container's configuration and state, as the engine says. */
  inspectContainer(idOrName: string, opts: { signal?: AbortSignal } = {}): Promise<ContainerInspect> {
    return this.call(`inspect container ${idOrName}`, 'GET', `/containers/${encodeURIComponent(idOrName)}/json`, opts);
  }

  /** `GET /images/{ref}/json`; null when the engine has no such image. */
  async inspectImage(ref: string, opts: { signal?: AbortSignal } = {}): Promise<ImageInspect | null> {
    try {
      return await this.call<ImageInspect>(
        `inspect image ${ref}`,
        'GET',
        `/images/${encodeURIComponent(ref)}/json`,
        opts,
      );
    } catch (e) {
      if (isEngineRequestError(e) && e.status === 404) return null;
      throw e;
    }
  }

  /** Containers (all, or running only) with these labels (`key` or `key=value`), as `GET /containers/json` lists them. */
  listContainersRaw(opts: { all?: boolean; labels?: string[]; signal?: AbortSignal } = {}): Promise<
    Array<{
      Id: string;
      Names?: string[];
      Image: string;
      ImageID: string;
      State: string;
      Labels?: Record<string, string>;
    }>
  > {
    const query: Record<string, string | boolean> = { all: opts.all === true };
    if (opts.labels?.length) query.filters = JSON.stringify({ label: opts.labels });
    return this.call('list containers', 'GET', '/containers/json', {
      query,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /** `POST /containers/create?name=`: the new container's id. */
  async createContainer(name: string, body: ContainerCreateBody, opts: { signal?: AbortSignal } = {}): Promise<string> {
    const created = await this.call<{ Id: string }>(`create container ${name}`, 'POST', '/containers/create', {
      query: { name },
      body,
      retry: false,
      ...opts,
    });
    return created.Id;
  }

  /** `POST /containers/{id}/start` (a container already running is fine). */
  async startContainer(id: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call(`start container ${id}`, 'POST', `/containers/${encodeURIComponent(id)}/start`, {
      retry: false,
      ...opts,
    });
  }

  /**
   * `POST /containers/{id}/stop?t=`: the engine sends the container's own stop signal (its `StopSignal`, else
   * SIGTERM), then SIGKILL after `timeoutSeconds`. The request waits that long and a margin.
   */
  async stopContainer(id: string, timeoutSeconds: number, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call(`stop container ${id}`, 'POST', `/containers/${encodeURIComponent(id)}/stop`, {
      query: { t: timeoutSeconds },
      retry: false,
      timeoutMs: (timeoutSeconds + 30) * 1000,
      ...opts,
    });
  }

  /** `POST /containers/{id}/rename?name=`. */
  async renameContainer(id: string, name: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call(`rename container ${id} to ${name}`, 'POST', `/containers/${encodeURIComponent(id)}/rename`, {
      query: { name },
      retry: false,
      ...opts,
    });
  }

  /** `DELETE /containers/{id}`: never its volumes (`v=false`); `force` kills a running one first. */
  async removeContainer(id: string, opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    await this.call(`remove container ${id}`, 'DELETE', `/containers/${encodeURIComponent(id)}`, {
      query: { v: false, force: opts.force === true },
      retry: false,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /** `POST /networks/{network}/connect`: attaches a (created, not yet started) container with its endpoint settings. */
  async connectNetwork(
    network: string,
    id: string,
    endpoint: EndpointSettings,
    opts: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.call(`connect ${id} to network ${network}`, 'POST', `/networks/${encodeURIComponent(network)}/connect`, {
      body: { Container: id, EndpointConfig: endpoint },
      retry: false,
      ...opts,
    });
  }

  /** The last `tail` lines of a container's stdout and stderr, as text (the engine's 8-byte frame headers removed). */
  async containerLogs(id: string, tail = 20, opts: { signal?: AbortSignal } = {}): Promise<string> {
    const raw = await this.call<unknown>(`logs of ${id}`, 'GET', `/containers/${encodeURIComponent(id)}/logs`, {
      query: { stdout: true, stderr: true, tail },
      ...opts,
    });
    // The modem parses a body that happens to be JSON (a TTY's `42`): give it back as text.
    const buf = Buffer.isBuffer(raw)
      ? raw
      : Buffer.from(typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : JSON.stringify(raw));
    return demuxLogs(buf).trim();
  }

  /** Forgets the connection (the next call connects again). Nothing to close: requests do not outlive their calls. */
  dispose(): void {
    this.docker = undefined;
  }
}

/** Joins the payloads of the engine's multiplexed log frames (`[stream, 0, 0, 0, size(4)] payload`); a TTY's logs are plain. */
export function demuxLogs(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (
    i + 8 <= buf.length &&
    (buf[i] === 0 || buf[i] === 1 || buf[i] === 2) &&
    buf[i + 1] === 0 &&
    buf[i + 2] === 0 &&
    buf[i + 3] === 0
  ) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  if (i < buf.length) parts.push(buf.subarray(i));
  return Buffer.concat(parts).toString('utf8');
}

function engineMessageOf(e: unknown): string {
  const err = e as { json?: unknown; message?: unknown };
  const json = err?.json;
  if (typeof json === 'object' && json !== null && typeof (json as { message?: unknown }).message === 'string')
    return (json as { message: string }).message;
  if (Buffer.isBuffer(json)) {
    const text = json.toString('utf8').trim();
    try {
      const m = (JSON.parse(text) as { message?: unknown }).message;
      if (typeof m === 'string') return m;
    } catch {
      /* plain text */
    }
    if (text) return text;
  }
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  return msg.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}
