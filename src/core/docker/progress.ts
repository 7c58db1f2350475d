// The engine's pull stream (POST /images/create): newline-delimited JSON events, one per status change, e.g.
//   {"status":"Pulling from test/app","id":"1.0.0"}
//   {"status":"Pulling fs layer","progressDetail":{},"id":"4f4fb700ef54"}
//   {"status":"Downloading","progressDetail":{"current":32768,"total":1045012},"progress":"[>   ]","id":"4f4fb700ef54"}
//   {"status":"Verifying Checksum" | "Download complete" | "Extracting" | "Pull complete" | "Already exists", "id": ...}
//   {"status":"Digest: sha256:..."}   {"status":"Status: Downloaded newer image for R:T" | "Status: Image is up to date for R:T"}
//   {"errorDetail":{"message":"..."},"error":"..."}   ← a failure, even though the HTTP status was 200
// Pure: the parser splits lines across chunks; the tracker folds events into per-layer state and totals.

export interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

/** Splits a chunked NDJSON stream into events. Lines that are not JSON objects are kept as `{ status: line }`. */
export class PullStreamParser {
  private rest = '';

  push(chunk: string | Buffer): PullEvent[] {
    this.rest += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const lines = this.rest.split(/\r?\n/);
    this.rest = lines.pop() ?? '';
    return lines.flatMap((l) => parseLine(l));
  }

  /** The last line, when the stream did not end with a newline. */
  end(): PullEvent[] {
    const last = this.rest;
    this.rest = '';
    return parseLine(last);
  }
}

function parseLine(line: string): PullEvent[] {
  const t = line.trim();
  if (t === '') return [];
  try {
    const v = JSON.parse(t) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return [v];
  } catch {
    /* not JSON: keep the text */
  }
  return [{ status: t }];
}

/** A layer's state, in the order the engine moves through them. */
export type LayerPhase = 'waiting' | 'downloading' | 'verifying' | 'downloaded' | 'extracting' | 'complete' | 'exists';

export interface LayerProgress {
  /** The short layer id the engine uses (12 hex digits). */
  id: string;
  phase: LayerPhase;
  /** Bytes downloaded / the layer's compressed size (0 when not known yet). */
  current: number;
  total: number;
  /** Bytes extracted so far (the engine reports them against the uncompressed size). */
  extracted: number;
  extractTotal: number;
}

export interface PullProgress {
  /** The reference being pulled. */
  ref: string;
  /** resolving (no layers known yet) → downloading → extracting → done. */
  phase: 'resolving' | 'downloading' | 'extracting' | 'done';
  layers: { total: number; done: number; downloading: number; extracting: number; cached: number };
  /** Compressed bytes downloaded / to download, over the layers whose size is known (cached layers count as none). */
  bytes: { current: number; total: number };
  /** The last status line that was not a layer's. */
  status: string;
  /** `Digest: sha256:…` when the engine reported it. */
  digest: string | null;
  layerDetail: LayerProgress[];
}

const PHASES: Record<string, LayerPhase> = {
  'pulling fs layer': 'waiting',
  waiting: 'waiting',
  downloading: 'downloading',
  'verifying checksum': 'verifying',
  'download complete': 'downloaded',
  extracting: 'extracting',
  'pull complete': 'complete',
  'already exists': 'exists',
};

const RANK: Record<LayerPhase, number> = {
  waiting: 0,
  downloading: 1,
  verifying: 2,
  downloaded: 3,
  extracting: 4,
  complete: 5,
  exists: 5,
};

/** The engine's message of an error event, or null for a normal event. */
export function eventError(e: PullEvent): string | null {
  if (typeof e.error === 'string' && e.error !== '') return e.error;
  const m = e.errorDetail?.message;
  return typeof m === 'string' && m !== '' ? m : null;
}

/** Folds pull events into progress. `apply` returns the engine's error message for an error event. */
export class PullTracker {
  private readonly layers = new Map<string, LayerProgress>();
  private status = '';
  private digest: string | null = null;
  /** `downloaded` (a newer image came), `up-to-date`, or null until the engine says. */
  outcome: 'downloaded' | 'up-to-date' | null = null;
  events = 0;

  constructor(readonly ref: string) {}

  apply(e: PullEvent): string | null {
    this.events++;
    const err = eventError(e);
    if (err !== null) return err;
    const status = typeof e.status === 'string' ? e.status : '';
    const phase = PHASES[status.toLowerCase()];
    if (phase && typeof e.id === 'string' && e.id !== '') {
      const layer = this.layers.get(e.id) ?? { id: e.id, phase, current: 0, total: 0, extracted: 0, extractTotal: 0 };
      if (RANK[phase] >= RANK[layer.phase]) layer.phase = phase;
      const d = e.progressDetail ?? {};
      const cur = typeof d.current === 'number' && d.current >= 0 ? d.current : undefined;
      const tot = typeof d.total === 'number' && d.total > 0 ? d.total : undefined;
      if (phase === 'downloading') {
        if (tot !== undefined) layer.total = tot;
        if (cur !== undefined) layer.current = Math.max(layer.current, cur);
      } else if (phase === 'extracting') {
        if (tot !== undefined) layer.extractTotal = tot;
        if (cur !== undefined) layer.extracted = Math.max(layer.extracted, cur);
      }
      const now = layer.phase;
      if ((now === 'downloaded' || now === 'verifying' || RANK[now] >= RANK.extracting) && layer.total > 0)
        layer.current = layer.total;
      if (now === 'complete' && layer.extractTotal > 0) layer.extracted = layer.extractTotal;
      this.layers.set(e.id, layer);
      return null;
    }
    if (status !== '') {
      this.status = status;
      const digest = /^Digest:\s*(\S+)/i.exec(status);
      if (digest) this.digest = digest[1] ?? null;
      if (/^Status: Downloaded newer image/i.test(status)) this.outcome = 'downloaded';
      else if (/^Status: Image is up to date/i.test(status)) this.outcome = 'up-to-date';
    }
    return null;
  }

  snapshot(): PullProgress {
    const list = [...this.layers.values()];
    const count = (f: (l: LayerProgress) => boolean) => list.filter(f).length;
    const done = count((l) => l.phase === 'complete' || l.phase === 'exists');
    const extracting = count((l) => l.phase === 'extracting');
    const bytes = list.reduce(
      (a, l) => ({
        current: a.current + (l.phase === 'exists' ? 0 : Math.min(l.current, l.total || l.current)),
        total: a.total + (l.phase === 'exists' ? 0 : l.total),
      }),
      { current: 0, total: 0 },
    );
    const phase: PullProgress['phase'] =
      this.outcome !== null
        ? 'done'
        : list.length === 0
          ? 'resolving'
          : extracting > 0 || list.every((l) => RANK[l.phase] >= RANK.downloaded)
            ? 'extracting'
            : 'downloading';
    return {
      ref: this.ref,
      phase,
      layers: {
        total: list.length,
        done,
        downloading: count((l) => l.phase === 'downloading'),
        extracting,
        cached: count((l) => l.phase === 'exists'),
      },
      bytes,
      status: this.status,
      digest: this.digest,
      layerDetail: list.map((l) => ({ ...l })),
    };
  }
}

/** `12.3 MB` style, for progress lines. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u] ?? 'TB'}`;
}
