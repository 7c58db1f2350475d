import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { familiarName, scanWorkspace, type Location, type Occurrence } from '../core';
import type { CliIo } from './io';
import { formatTable } from './table';

export const SCAN_USAGE = `Usage: registry-lens scan [PATH...] [--json]

Lists every container image the files under PATH (default: the current folder) name: Dockerfiles, compose
files, dev container definitions (image and features), Kubernetes manifests (found by content), Helm values
beside a Chart.yaml, Kustomize images, GitHub Actions workflows and actions, GitLab CI files. No network.

  --json   print a JSON array, one item per occurrence (one line each):
           { file, range, source, kind, text, reference, skip, value, platform, stage, services,
             tagLocation, digestLocation }
           file (and the files of tagLocation/digestLocation) is relative to the current folder, with "/";
           positions are zero-based (line, character in UTF-16 units), end exclusive; range covers the reference
           as written; reference is {registry, repository, tag, digest, canonical} or null; skip is
           {reason, detail} or null, reason one of stage, scratch, unresolved-variable, invalid-reference,
           built-locally, templated, tag-elsewhere, bad-substitution, limit; source one of dockerfile, compose,
           devcontainer, kubernetes, helm, kustomize, github-actions, gitlab-ci.

Without --json: a table; FILE:LINE:COL there is one-based, as editors show it.
Files that cannot be parsed are reported on stderr (file:line:col: message), as are files or parts of files
past a limit on hostile input (size, nesting, extends depth, .gitignore patterns); the scan goes on and still
exits 0.
Exit codes: 0 scanned, 2 bad usage or a PATH that does not exist.
`;

/** One item of `scan --json` (DESIGN.md's public shape, plus the extra fields listed in SCAN_USAGE). */
export interface ScanJsonItem {
  file: string;
  range: Occurrence['range'];
  source: Occurrence['source'];
  kind: Occurrence['kind'];
  text: string;
  reference: {
    registry: string;
    repository: string;
    tag: string | null;
    digest: string | null;
    canonical: string;
  } | null;
  skip: Occurrence['skip'];
  value: string;
  platform: string | null;
  stage: Occurrence['stage'];
  services: string[];
  tagLocation: Location | null;
  digestLocation: Location | null;
}

export async function scanCommand(args: string[], io: CliIo): Promise<number> {
  let json = false;
  const paths: string[] = [];
  for (const arg of args) {
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') {
      io.stdout(SCAN_USAGE);
      return 0;
    } else if (arg.startsWith('-') && arg !== '-') {
      io.stderr(`registry-lens scan: unknown option "${arg}". Run "registry-lens scan --help".\n`);
      return 2;
    } else paths.push(arg);
  }
  if (paths.length === 0) paths.push('.');

  const absolute: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(io.cwd, p);
    if (
      !(await fs.stat(abs).then(
        () => true,
        () => false,
      ))
    ) {
      io.stderr(`registry-lens scan: ${p}: no such file or directory\n`);
      return 2;
    }
    absolute.push(abs);
  }

  const result = await scanWorkspace(absolute);
  // Occurrences of one file are many: compute each file's relative path once.
  const rel = relativeTo(io.cwd);
  for (const e of result.errors)
    io.stderr(`registry-lens: ${rel(e.file)}:${e.line + 1}:${e.character + 1}: ${e.message}\n`);

  if (json) {
    await writeJson(result.occurrences, rel, io.stdout, io.drain);
    return 0;
  }
  io.stdout(table(result.occurrences, rel));
  const skipped = result.occurrences.filter((o) => o.skip).length;
  const files = new Set(result.occurrences.map((o) => o.file)).size;
  io.stdout(
    `\n${result.occurrences.length} image reference${result.occurrences.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}, ${skipped} skipped.\n`,
  );
  return 0;
}

/**
 * `file` relative to `cwd`, with "/" (`.` for `cwd` itself), kept per file. `path.relative` normalises and
 * resolves both paths on every call, a large part of writing a large scan; the scan's paths are already absolute
 * and normal, so the answer is the `..`s up to the nearest folder of `cwd` that holds the file, then the rest of
 * its path. A path that is not plainly normal (or on another drive) gets `path.relative`.
 */
export function relativeTo(cwd: string): (file: string) => string {
  const rels = new Map<string, string>();
  const sep = path.sep;
  // cwd and each folder above it, each with a trailing separator, and the `..`s that climb to it.
  const folders: { dir: string; prefix: string; up: string }[] = [];
  for (let dir = path.resolve(cwd), up = ''; ;) {
    folders.push({ dir, prefix: dir.endsWith(sep) ? dir : dir + sep, up });
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
    up = up ? `${up}/..` : '..';
  }
  const compute = (file: string): string => {
    // Windows paths compare without case (and across drives): leave them to path.relative.
    if (sep === '/') {
      for (const { dir, prefix, up } of folders) {
        if (file === dir) return up;
        if (!file.startsWith(prefix)) continue;
        const tail = file.slice(prefix.length);
        if (!isNormal(tail)) break;
        return up && tail ? `${up}/${tail}` : up || tail;
      }
    }
    return path.relative(cwd, file).split(sep).join('/');
  };
  return (file) => {
    let r = rels.get(file);
    if (r === undefined) {
      r = compute(file) || '.';
      rels.set(file, r);
    }
    return r;
  };
}

/** Whether a relative POSIX path has no empty, `.` or `..` segment and no trailing `/` (the scan's paths). */
function isNormal(tail: string): boolean {
  return !tail.startsWith('/') && !tail.endsWith('/') && !tail.includes('//') && !/(?:^|\/)\.\.?(?:\/|$)/.test(tail);
}

/**
 * The JSON array, streamed in chunks of about 64 KiB, one item per line: a scan of thousands of files is tens of
 * megabytes, which as one pretty-printed string costs a large part of the whole run (and its peak memory). After a
 * chunk, `drain` (when given) is awaited: written to a pipe, the text waits for its reader, not in our memory.
 */
export async function writeJson(
  occurrences: readonly Occurrence[],
  rel: (file: string) => string,
  write: (text: string) => void,
  drain?: () => Promise<void>,
): Promise<void> {
  if (occurrences.length === 0) {
    write('[]\n');
    return;
  }
  const line = jsonLine(rel);
  let chunk = '[\n';
  for (let i = 0; i < occurrences.length; i++) {
    chunk += (i === 0 ? '' : ',\n') + line(occurrences[i]!);
    if (chunk.length >= CHUNK) {
      write(chunk);
      chunk = '';
      if (drain) await drain();
    }
  }
  write(`${chunk}\n]\n`);
}

const CHUNK = 64 * 1024;

/**
 * `JSON.stringify(toJson(o, rel))`, written out field by field: the same JSON (parsed, it is the same value) at a
 * fraction of the cost, because what repeats is encoded once — each file's path, and each reference (the core
 * shares one reference object among the occurrences that name the same image).
 */
export function jsonLine(rel: (file: string) => string): (o: Occurrence) => string {
  const files = new Map<string, string>();
  const references = new Map<NonNullable<Occurrence['reference']>, string>();
  const file = (f: string): string => {
    let j = files.get(f);
    if (j === undefined) files.set(f, (j = JSON.stringify(rel(f))));
    return j;
  };
  const position = (p: Occurrence['range']['start']): string => `{"line":${p.line},"character":${p.character}}`;
  const range = (r: Occurrence['range']): string => `{"start":${position(r.start)},"end":${position(r.end)}}`;
  const location = (l: Location | null): string => (l ? `{"file":${file(l.file)},"range":${range(l.range)}}` : 'null');
  const reference = (r: Occurrence['reference']): string => {
    if (!r) return 'null';
    let j = references.get(r);
    if (j === undefined) {
      const { registry, repository, tag, digest, canonical } = r;
      references.set(r, (j = JSON.stringify({ registry, repository, tag, digest, canonical })));
    }
    return j;
  };
  const stage = (s: Occurrence['stage']): string =>
    s ? `{"index":${s.index},"name":${JSON.stringify(s.name)},"final":${s.final}}` : 'null';
  const services = (list: readonly string[]): string =>
    list.length === 0 ? '[]' : list.length === 1 ? `[${JSON.stringify(list[0])}]` : JSON.stringify(list);
  return (o) =>
    `{"file":${file(o.file)},"range":${range(o.range)},"source":"${o.source}","kind":"${o.kind}",` +
    `"text":${JSON.stringify(o.text)},"reference":${reference(o.reference)},` +
    `"skip":${o.skip ? JSON.stringify({ reason: o.skip.reason, detail: o.skip.detail }) : 'null'},` +
    `"value":${JSON.stringify(o.value)},"platform":${o.platform === null ? 'null' : JSON.stringify(o.platform)},` +
    `"stage":${stage(o.stage)},"services":${services(o.services)},` +
    `"tagLocation":${location(o.tagLocation)},"digestLocation":${location(o.digestLocation)}}`;
}

export function toJson(o: Occurrence, rel: (file: string) => string): ScanJsonItem {
  const r = o.reference;
  const loc = (l: Location | null) => (l ? { file: rel(l.file), range: l.range } : null);
  return {
    file: rel(o.file),
    range: o.range,
    source: o.source,
    kind: o.kind,
    text: o.text,
    reference: r
      ? { registry: r.registry, repository: r.repository, tag: r.tag, digest: r.digest, canonical: r.canonical }
      : null,
    skip: o.skip,
    value: o.value,
    platform: o.platform,
    stage: o.stage,
    services: o.services,
    tagLocation: loc(o.tagLocation),
    digestLocation: loc(o.digestLocation),
  };
}

function table(occurrences: Occurrence[], rel: (file: string) => string): string {
  const rows = occurrences.map((o) => [
    `${rel(o.file)}:${o.range.start.line + 1}:${o.range.start.character + 1}`,
    o.kind,
    o.reference ? familiarName(o.reference) : o.text.replace(/\s+/g, ' '),
    o.skip ? `${o.skip.reason}: ${o.skip.detail}` : '',
  ]);
  return formatTable(['FILE:LINE:COL', 'KIND', 'IMAGE', 'SKIPPED'], rows);
}
