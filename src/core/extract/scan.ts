import { closeSync, openSync, promises as fs, readSync } from 'node:fs';
import * as path from 'node:path';
import { extractCompose } from './compose';
import { extractDevcontainer } from './devcontainer';
import {
  classifyFile,
  discoverFiles,
  guessSource,
  yieldToEventLoop,
  type DiscoveredFile,
  type DiscoveryOptions,
} from './discovery';
import { extractDockerfile } from './dockerfile';
import {
  DEFAULT_FILE_SIZE_LIMIT,
  FILE_SIZE_LIMITS,
  formatBytes,
  isLimitError,
  LIMITS,
  withTimeBudget,
  type LimitName,
} from './limits';
import { extractGithubActions } from './githubActions';
import { extractGitlabCi } from './gitlabCi';
import { extractHelmValues } from './helm';
import { extractKubernetes, looksLikeKubernetes } from './kubernetes';
import { extractKustomize } from './kustomize';
import { detachOccurrenceStrings } from './occurrence';
import type { ExtractionError, ExtractResult, Occurrence, OccurrenceSource, Position } from './types';

export interface ExtractFileOptions {
  /** Compose only: the `.env` beside the file. */
  dotenv?: { file: string; content: string } | null;
  /** Compose only: variables that win over `.env`. */
  environment?: Readonly<Record<string, string>>;
  /** Milliseconds the extraction may take (default LIMITS.timeBudgetMs). */
  timeBudgetMs?: number;
  /** GitLab CI only: the project folder `include: local` paths are relative to (default: the file's folder). */
  root?: string;
}

/**
 * Runs the extractor for `source` on one file's text (what the editor does for an open document). Never throws:
 * a file over its kind's size limit, or one whose extraction passes the time budget, is an error entry with a
 * `limit` (hostile input costs at most that budget).
 */
export function extractFile(
  file: string,
  content: string,
  source: OccurrenceSource,
  options: ExtractFileOptions = {},
): ExtractResult {
  const max = FILE_SIZE_LIMITS[source] ?? DEFAULT_FILE_SIZE_LIMIT;
  if (content.length > max) return failed(file, sizeMessage(source, max), 'file-size');
  try {
    const r = withTimeBudget(options.timeBudgetMs ?? LIMITS.timeBudgetMs, (): ExtractResult => {
      switch (source) {
        case 'dockerfile':
          return extractDockerfile(file, content);
        case 'compose':
          return extractCompose(file, content, options);
        case 'devcontainer':
          return extractDevcontainer(file, content);
        case 'kubernetes':
          return extractKubernetes(file, content);
        case 'helm':
          return extractHelmValues(file, content);
        case 'kustomize':
          return extractKustomize(file, content);
        case 'github-actions':
          return extractGithubActions(file, content);
        case 'gitlab-ci':
          return extractGitlabCi(file, content, { root: options.root });
      }
    });
    // A large file's text is not kept alive by the strings its occurrences slice from it.
    if (content.length > DETACH_ABOVE) for (const o of r.occurrences) detachOccurrenceStrings(o);
    return r;
  } catch (err) {
    if (isLimitError(err)) return failed(file, err.message, err.limit);
    // The extractors do not throw; a library bug must still not stop a scan.
    return failed(file, `cannot extract: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function failed(file: string, message: string, limit?: LimitName): ExtractResult {
  return {
    occurrences: [],
    errors: [{ file, line: 0, character: 0, message, ...(limit ? { limit } : {}) }],
    references: [],
  };
}

const KIND_NAMES: Readonly<Record<string, string>> = {
  dockerfile: 'Dockerfiles',
  compose: 'compose files',
  devcontainer: 'dev container files',
  '.env': '.env files',
};

function sizeMessage(kind: string, max: number): string {
  return `larger than ${formatBytes(max)}, the limit for ${KIND_NAMES[kind] ?? `${kind} files`}; not read`;
}

export interface ScanOptions extends DiscoveryOptions, Pick<ExtractFileOptions, 'environment'> {
  /** Files larger than this are reported and skipped (default: FILE_SIZE_LIMITS per kind). */
  maxFileSize?: number;
}

export interface ScanResult {
  /** Every file read: discovered, named, or reached through a reference; sorted by path. */
  files: DiscoveredFile[];
  /** Sorted by file, then position. */
  occurrences: Occurrence[];
  errors: ExtractionError[];
}

/**
 * Scans folders and files: discovers the files under each folder, reads each named file with the extractor its
 * name (or extension) implies, and follows references (compose `include:`/`extends: file:`, devcontainer
 * `build.dockerfile`/`dockerComposeFile`) that stay inside one of the scanned folders (a named file's folder
 * counts). A compose file gets the `.env` beside it. A path that does not exist is an error entry; so is a file
 * that cannot be read. Nothing throws but an abort (`signal`, checked between files).
 */
export async function scanWorkspace(paths: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  const boundaries: string[] = [];
  const queue: DiscoveredFile[] = [];
  const errors: ExtractionError[] = [];
  const seen = new Map<string, DiscoveredFile>();
  const named = new Set<string>();
  const enabled = options.sources ? new Set(options.sources) : null;
  const dropped = new Set<DiscoveredFile>();
  const enqueue = (f: DiscoveredFile) => {
    const known = seen.get(f.file);
    if (known) {
      // A YAML file listed only for the content sniff that another file refers to: read it as that file says.
      if (known.sniffed && !f.sniffed) {
        known.source = f.source;
        if (f.root !== undefined) known.root = f.root;
        delete known.sniffed;
        if (dropped.delete(known)) queue.push(known);
      }
      return;
    }
    seen.set(f.file, f);
    queue.push(f);
  };

  for (const p of paths) {
    const abs = path.resolve(p);
    const st = await fs.stat(abs).catch(() => null);
    if (!st) {
      errors.push({ file: abs, line: 0, character: 0, message: 'no such file or directory' });
    } else if (st.isDirectory()) {
      boundaries.push(abs);
      for (const f of await discoverFiles(abs, { ...options, onProblem: (e) => errors.push(e) })) enqueue(f);
    } else {
      boundaries.push(path.dirname(abs));
      const source = guessSource(abs);
      named.add(abs);
      enqueue(
        source === 'compose' && !classifyFile(abs)
          ? { file: abs, source: 'kubernetes', sniffed: true }
          : { file: abs, source },
      );
    }
  }

  const inside = (file: string) =>
    boundaries.some((b) => file === b || file.startsWith(b.endsWith(path.sep) ? b : b + path.sep));
  const reader = new SmallFileReader();
  const dotenvs = new Map<string, { file: string; content: string } | null>();
  const read = (file: string, max: number) => reader.read(file, max);
  const dotenvFor = (file: string) => {
    const envFile = dotenvPathBeside(file);
    let entry = dotenvs.get(envFile);
    if (entry === undefined) {
      const r = readDotenvBeside(file, read);
      if (r.error) errors.push(r.error);
      entry = r.dotenv;
      dotenvs.set(envFile, entry);
    }
    return entry;
  };

  // Which file named each file reached through a reference, and where: a missing target is reported there.
  const referrers = new Map<string, { file: string; from: Position }>();
  const occurrences: Occurrence[] = [];
  const processOne = (f: DiscoveredFile) => {
    let content: string;
    const max = options.maxFileSize ?? FILE_SIZE_LIMITS[f.source] ?? DEFAULT_FILE_SIZE_LIMIT;
    try {
      content = reader.read(f.file, max);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const by = referrers.get(f.file);
      if (code === 'ENOENT' && by) {
        const target = path.relative(path.dirname(by.file), f.file);
        errors.push({
          file: by.file,
          line: by.from.line,
          character: by.from.character,
          message: `${target}: no such file (named here)`,
        });
      } else if (err === TOO_LARGE) {
        errors.push({ file: f.file, line: 0, character: 0, message: sizeMessage(f.source, max), limit: 'file-size' });
      } else {
        const message =
          code === 'ENOENT'
            ? 'no such file or directory'
            : `cannot read: ${err instanceof Error ? err.message : String(err)}`;
        errors.push({ file: f.file, line: 0, character: 0, message });
      }
      return;
    }
    if (content.includes('\u0000')) {
      errors.push({ file: f.file, line: 0, character: 0, message: 'not a text file' });
      return;
    }
    if (f.sniffed) {
      // A YAML file found by its extension: a Kubernetes manifest by its content, else (named) compose, else not ours.
      if (looksLikeKubernetes(content)) delete f.sniffed;
      else if (named.has(f.file)) {
        f.source = 'compose';
        delete f.sniffed;
      } else {
        dropped.add(f);
        return;
      }
    }
    const dotenv = f.source === 'compose' ? dotenvFor(f.file) : null;
    const r = extractFile(f.file, content, f.source, { dotenv, environment: options.environment, root: f.root });
    for (const o of r.occurrences) occurrences.push(o);
    for (const e of r.errors) errors.push(e);
    for (const ref of r.references) {
      if (!inside(ref.file) || (enabled && !enabled.has(ref.source))) continue;
      if (ref.from && !seen.has(ref.file)) referrers.set(ref.file, { file: f.file, from: ref.from });
      enqueue(
        ref.root === undefined
          ? { file: ref.file, source: ref.source }
          : { file: ref.file, source: ref.source, root: ref.root },
      );
    }
  };

  // Files are small and extraction is CPU work: synchronous reads in chunks, yielding to the event loop between
  // chunks, beat a promise per file by a wide margin and keep an editor responsive. The queue grows while
  // references are found.
  for (let i = 0; i < queue.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
    options.signal?.throwIfAborted();
    const f = queue[i];
    if (f) processOne(f);
  }

  const files = dropped.size ? [...new Set(queue)].filter((f) => !dropped.has(f)) : queue;
  files.sort((a, b) => compare(a.file, b.file));
  occurrences.sort(
    (a, b) =>
      compare(a.file, b.file) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character,
  );
  errors.sort((a, b) => compare(a.file, b.file) || a.line - b.line || a.character - b.character);
  return { files, occurrences, errors };
}

const YIELD_EVERY = 32;

/** Where compose looks for the `.env` of a compose file: beside it. */
export function dotenvPathBeside(composeFile: string): string {
  return path.join(path.dirname(composeFile), '.env');
}

/** The `.env` beside a compose file as the scan reads it, and the error to report for it (none, mostly). */
export interface DotenvRead {
  /** Null: there is none, it cannot be read, or it is over its size limit. */
  dotenv: { file: string; content: string } | null;
  /** The size-limit error, when it is over FILE_SIZE_LIMITS.dotenv (then it is not read at all). */
  error: ExtractionError | null;
}

/**
 * Reads the `.env` beside `composeFile` with the scan's rules, for the scan and for the editor's re-extraction of
 * one compose file alike (so both see the same variables): a missing or unreadable file is no `.env`; one over its
 * size limit is not read, and the error says so.
 */
export function readDotenvBeside(
  composeFile: string,
  read: (file: string, maxSize: number) => string = readTextFile,
): DotenvRead {
  const file = dotenvPathBeside(composeFile);
  const max = FILE_SIZE_LIMITS.dotenv ?? DEFAULT_FILE_SIZE_LIMIT;
  try {
    return { dotenv: { file, content: read(file, max) }, error: null };
  } catch (err) {
    if (err !== TOO_LARGE) return { dotenv: null, error: null };
    return {
      dotenv: null,
      error: { file, line: 0, character: 0, message: sizeMessage('.env', max), limit: 'file-size' },
    };
  }
}

/** A UTF-8 file's text, read through one reused buffer; throws past `maxSize` bytes (see SmallFileReader). */
export function readTextFile(file: string, maxSize: number): string {
  return (sharedReader ??= new SmallFileReader()).read(file, maxSize);
}
let sharedReader: SmallFileReader | undefined;

/** Files longer than this get their occurrences' strings copied (see `detachOccurrenceStrings`). */
const DETACH_ABOVE = 2048;

/**
 * Reads files of at most `maxSize` bytes as UTF-8 into one reused buffer: open, read to the end (or past the
 * limit), close. Cheaper than a stat and then readFileSync per file, and a large file is never read whole.
 */
class SmallFileReader {
  private buffer = Buffer.alloc(64 * 1024);

  /** The file's text; throws TOO_LARGE past `maxSize` bytes. */
  read(file: string, maxSize: number): string {
    const fd = openSync(file, 'r');
    try {
      let length = 0;
      for (;;) {
        if (length === this.buffer.length) {
          if (length > maxSize) throw TOO_LARGE;
          const bigger = Buffer.alloc(Math.min(length * 4, Math.max(maxSize + 1, this.buffer.length + 1)));
          this.buffer.copy(bigger);
          this.buffer = bigger;
        }
        const n = readSync(fd, this.buffer, length, this.buffer.length - length, null);
        if (n === 0) break;
        length += n;
        if (length > maxSize) throw TOO_LARGE;
      }
      return this.buffer.toString('utf8', 0, length);
    } finally {
      closeSync(fd);
    }
  }
}

/** Thrown (one instance) by SmallFileReader for a file over its limit. */
const TOO_LARGE = new Error('file too large');

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
