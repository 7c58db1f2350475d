// Response headers the client reads: rate limits (Docker Hub's `ratelimit-*`, IETF draft style with `;w=`),
// Retry-After (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) and RFC 8288 `Link` (tag pagination).

export type HeaderValue = string | string[] | undefined;
export type HeaderBag = Record<string, HeaderValue>;

/** The first value of a header (names are matched case-insensitively). */
export function header(headers: HeaderBag, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== want) continue;
    if (Array.isArray(v)) return v[0];
    return v;
  }
  return undefined;
}

/** Every value of a header, split per entry. */
export function headerAll(headers: HeaderBag, name: string): string[] {
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== want || v === undefined) continue;
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out;
}

export interface RateLimitInfo {
  /** Requests allowed per window (`ratelimit-limit: 100;w=21600`). */
  limit?: number;
  /** Requests left in the window. */
  remaining?: number;
  /** Window length in seconds (`;w=`). */
  windowSeconds?: number;
  /** Seconds until the window resets (`ratelimit-reset`), when sent. */
  resetSeconds?: number;
  /** `docker-ratelimit-source` (the IP or account being counted), when sent. */
  source?: string;
}

function parseLimitValue(v: string | undefined): { n?: number; w?: number } {
  if (v === undefined) return {};
  // "100;w=21600", "100, 100;w=21600" (several policies: take the first number and the first w)
  const first = v.split(',')[0] ?? '';
  const parts = first.split(';').map((s) => s.trim());
  const n = Number.parseInt(parts[0] ?? '', 10);
  let w: number | undefined;
  for (const p of parts.slice(1)) {
    const m = /^w\s*=\s*(\d+)$/i.exec(p);
    if (m) w = Number.parseInt(m[1] ?? '', 10);
  }
  if (w === undefined) {
    const m = /;\s*w\s*=\s*(\d+)/i.exec(v);
    if (m) w = Number.parseInt(m[1] ?? '', 10);
  }
  return { ...(Number.isFinite(n) ? { n } : {}), ...(w !== undefined ? { w } : {}) };
}

/** Rate-limit headers of a response, or undefined when there are none (Docker Hub: none = unlimited). */
export function parseRateLimit(headers: HeaderBag): RateLimitInfo | undefined {
  const limit = parseLimitValue(header(headers, 'ratelimit-limit') ?? header(headers, 'x-ratelimit-limit'));
  const remaining = parseLimitValue(header(headers, 'ratelimit-remaining') ?? header(headers, 'x-ratelimit-remaining'));
  const reset = parseLimitValue(header(headers, 'ratelimit-reset') ?? header(headers, 'x-ratelimit-reset'));
  const source = header(headers, 'docker-ratelimit-source');
  if (limit.n === undefined && remaining.n === undefined) return undefined;
  const w = limit.w ?? remaining.w;
  return {
    ...(limit.n !== undefined ? { limit: limit.n } : {}),
    ...(remaining.n !== undefined ? { remaining: remaining.n } : {}),
    ...(w !== undefined ? { windowSeconds: w } : {}),
    ...(reset.n !== undefined ? { resetSeconds: reset.n } : {}),
    ...(source ? { source } : {}),
  };
}

/** Retry-After in seconds (never negative), from delay-seconds or an HTTP-date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number.parseInt(v, 10);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, Math.ceil((t - now) / 1000));
}

export interface LinkValue {
  url: string;
  params: Record<string, string>;
}

/** Parses RFC 8288 Link header values: `<url>; rel="next"; type=x, <url2>; rel=prev`. */
export function parseLinkHeader(values: string | readonly string[] | undefined): LinkValue[] {
  if (values === undefined) return [];
  const list = typeof values === 'string' ? [values] : values;
  const out: LinkValue[] = [];
  for (const value of list) {
    let i = 0;
    while (i < value.length) {
      const lt = value.indexOf('<', i);
      if (lt < 0) break;
      const gt = value.indexOf('>', lt);
      if (gt < 0) break;
      const url = value.slice(lt + 1, gt).trim();
      i = gt + 1;
      const params: Record<string, string> = {};
      // params until the next ',' outside quotes
      for (;;) {
        while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
        if (value[i] !== ';') break;
        i++;
        const m = /^\s*([^=;,\s]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,]*))?/.exec(value.slice(i));
        if (!m) break;
        i += m[0].length;
        const name = (m[1] ?? '').toLowerCase();
        let v = (m[2] ?? '').trim();
        if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
        if (!(name in params)) params[name] = v;
      }
      while (i < value.length && value[i] !== ',' && value[i] !== '<') i++;
      if (value[i] === ',') i++;
      out.push({ url, params });
    }
  }
  return out;
}

/** The `rel="next"` target of Link headers (rel may hold several space-separated types), or undefined. */
export function nextLink(values: string | readonly string[] | undefined): string | undefined {
  return parseLinkHeader(values).find((l) => (l.params.rel ?? '').toLowerCase().split(/\s+/).includes('next'))?.url;
}
