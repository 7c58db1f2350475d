import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  checkImages,
  defaultCacheDir,
  familiarName,
  findingRemedy,
  scanWorkspace,
  toSarif,
  type Finding,
  type FindingUpdate,
  type RegistrySettings,
} from '../core';
import { checkLocalCommand } from './checkLocal';
import { openCheckSession, prepareCheck } from './checkSetup';
import type { CliIo } from './io';
import { formatTable } from './table';
import { parseConcurrency, REGISTRY_FLAGS_USAGE, takeRegistryFlag, type RegistryFlags } from './registryFlags';
import { relativeTo, toJson, type ScanJsonItem } from './scan';

export const CHECK_USAGE = `Usage: registry-lens check [PATH...] [options]

Finds the container images the files under PATH (default: the current folder) use, asks their registries for
newer tags and changed digests, and reports one line per image.

  --json                 print a JSON array: the items of "scan --json" plus, per item,
                         status   current | update | digest-changed | unpinned | skipped | error
                         updates  [{kind: patch|minor|major|digest|pin, tag, digest}] (newest of each kind)
                         error    {code, message} (the registry client's error) or null
                         and code (a stable finding code), message, notes, currentDigest, stale, notChecked
                         (notChecked: {code, message} when the registry was not asked or could not answer)
  --format F             table (default), json (= --json) or sarif (SARIF 2.1.0 for code scanning)
  --fail-on-update       exit 1 when an update or a changed digest is found
  --policy FILE          update policy rules (JSON: a list of rules, or {"rules": [...]})
  --concurrency N        requests at a time per registry (default 6)
  --cache-dir DIR        where answers are cached (default ${defaultCacheDir().replace(/\\/g, '/')})
  --no-cache             ask the registries for everything, store nothing
  --offline              use cached answers only (even expired ones, marked stale); no network
  --local                check the local Docker engine's images and running containers instead of files
                         ("registry-lens check --local --help" for its options)
${REGISTRY_FLAGS_USAGE}
Tag lists are cached 30 minutes, tag digests 10 minutes; when a registry cannot be reached, expired answers are
used and marked stale. Registry errors are reported on stderr as FILE:LINE:COL (one-based) with what to do.
Exit codes: 0 nothing to update, 1 updates found (with --fail-on-update), 2 errors (a registry failed, bad usage).
`;

/** One item of `check --json`: DESIGN.md's public shape (scan item + status, updates, error) plus extras. */
export interface CheckJsonItem extends ScanJsonItem {
  status: Finding['status'];
  updates: FindingUpdate[];
  error: { code: string; message: string } | null;
  code: Finding['code'];
  message: string;
  notes: Finding['notes'];
  currentDigest: string | null;
  stale: Finding['stale'];
  /** {code, message} when the registry was not asked or could not answer (never "up to date" then); else null. */
  notChecked: Finding['notChecked'];
}

interface Options {
  paths: string[];
  format: 'table' | 'json' | 'sarif';
  failOnUpdate: boolean;
  policy?: string;
  concurrency: number;
  cacheDir?: string;
  noCache: boolean;
  offline: boolean;
  hosts: Record<string, RegistrySettings>;
  proxy?: string;
  mirrors?: Record<string, string[]>;
}

const VALUE_FLAGS = new Set(['--format', '--policy', '--concurrency', '--cache-dir']);

function parseArgs(args: string[]): Options | { help: true } | { error: string } {
  const o: Options = {
    paths: [],
    format: 'table',
    failOnUpdate: false,
    concurrency: 6,
    noCache: false,
    offline: false,
    hosts: {},
  };
  const flags: RegistryFlags = { hosts: o.hosts };
  for (let i = 0; i < args.length; i++) {
    const at = { value: i };
    const flag = takeRegistryFlag(args, at, flags, VALUE_FLAGS);
    i = at.value;
    if (flag.kind === 'error') return { error: flag.message };
    if (flag.kind === 'taken') continue;
    if (flag.kind === 'value') {
      const { name, value } = flag;
      if (name === '--format') {
        if (value !== 'table' && value !== 'json' && value !== 'sarif')
          return { error: `--format takes table, json or sarif, not "${value}"` };
        o.format = value;
      } else if (name === '--policy') o.policy = value;
      else if (name === '--cache-dir') o.cacheDir = value;
      else {
        const n = parseConcurrency(value);
        if (typeof n !== 'number') return n;
        o.concurrency = n;
      }
      continue;
    }
    const arg = args[i] ?? '';
    if (arg === '--json') o.format = 'json';
    else if (arg === '--fail-on-update') o.failOnUpdate = true;
    else if (arg === '--no-cache') o.noCache = true;
    else if (arg === '--offline') o.offline = true;
    else if (arg === '--help' || arg === '-h') return { help: true };
    else if (arg.startsWith('-') && arg !== '-')
      return { error: `unknown option "${arg}". Run "registry-lens check --help".` };
    else o.paths.push(arg);
  }
  if (flags.proxy) o.proxy = flags.proxy;
  if (flags.mirrors) o.mirrors = flags.mirrors;
  if (o.offline && o.noCache) return { error: '--offline needs the cache: drop --no-cache' };
  if (o.paths.length === 0) o.paths.push('.');
  return o;
}

export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--local'))
    return checkLocalCommand(
      args.filter((a) => a !== '--local'),
      io,
    );
  if (args.some((a) => a === '--docker-host' || a.startsWith('--docker-host='))) {
    io.stderr('registry-lens check: --docker-host goes with --local\n');
    return 2;
  }
  const parsed = parseArgs(args);
  if ('help' in parsed) {
    io.stdout(CHECK_USAGE);
    return 0;
  }
  if ('error' in parsed) {
    io.stderr(`registry-lens check: ${parsed.error}\n`);
    return 2;
  }
  const o = parsed;
  const fail = (m: string): number => {
    io.stderr(`registry-lens check: ${m}\n`);
    return 2;
  };

  const absolute: string[] = [];
  for (const p of o.paths) {
    const abs = path.resolve(io.cwd, p);
    if (
      !(await fs.stat(abs).then(
        () => true,
        () => false,
      ))
    )
      return fail(`${p}: no such file or directory`);
    absolute.push(abs);
  }
  const prepared = await prepareCheck(o, io);
  if ('error' in prepared) return fail(prepared.error);
  const { rules } = prepared;

  const rel = relativeTo(io.cwd);
  const scan = await scanWorkspace(absolute);
  for (const e of scan.errors)
    io.stderr(`registry-lens: ${rel(e.file)}:${e.line + 1}:${e.character + 1}: ${e.message}\n`);

  const session = openCheckSession(o, io);
  const progress = process.stderr.isTTY === true && io.env.CI === undefined;
  let findings: Finding[];
  let requests: number;
  try {
    const result = await checkImages(scan.occurrences, {
      client: session.client,
      cache: session.cache,
      rules,
      concurrency: o.concurrency,
      offline: o.offline,
      signal: session.signal,
      ...(progress
        ? { onProgress: (p: { done: number; total: number }) => io.stderr(`\rchecking ${p.done}/${p.total} images…`) }
        : {}),
    });
    findings = result.findings;
    requests = session.requests();
  } catch (e) {
    if (session.signal.aborted) return fail('cancelled');
    throw e;
  } finally {
    if (progress) io.stderr('\r\x1b[K');
    await session.close();
  }

  for (const f of findings) {
    if (f.status !== 'error') continue;
    const start = f.occurrence.range.start;
    io.stderr(
      `registry-lens: ${rel(f.occurrence.file)}:${start.line + 1}:${start.character + 1}: ${f.message}\n${hint(f) ? `  ${hint(f)}\n` : ''}`,
    );
  }
  const stale = findings.filter((f) => f.stale);
  if (stale.length > 0) {
    const oldest = stale.map((f) => f.stale?.fetchedAt ?? '').sort()[0] ?? '';
    io.stderr(
      `registry-lens: ${stale.length} result${stale.length === 1 ? '' : 's'} from cached answers past their time to live (oldest ${oldest}): ${stale[0]?.stale?.because.message ?? ''}\n`,
    );
  }

  if (o.format === 'json')
    io.stdout(
      `${JSON.stringify(
        findings.map((f) => toCheckJson(f, rel)),
        null,
        2,
      )}\n`,
    );
  else if (o.format === 'sarif') io.stdout(`${JSON.stringify(toSarif(findings, { relativePath: rel }), null, 2)}\n`);
  else io.stdout(table(findings, rel) + summary(findings, requests));

  if (findings.some((f) => f.status === 'error')) return 2;
  if (o.failOnUpdate && findings.some((f) => f.status === 'update' || f.status === 'digest-changed')) return 1;
  return 0;
}

export function toCheckJson(f: Finding, rel: (file: string) => string): CheckJsonItem {
  return {
    ...toJson(f.occurrence, rel),
    status: f.status,
    updates: f.updates.map((u) => ({ kind: u.kind, tag: u.tag, digest: u.digest })),
    error: f.error ? { code: f.error.code, message: f.error.message } : null,
    code: f.code,
    message: f.message,
    notes: f.notes,
    currentDigest: f.currentDigest,
    stale: f.stale,
    notChecked: f.notChecked,
  };
}

/** What to do about an error, in CLI terms: the finding table's remedy (plain HTTP is the one special case). */
function hint(f: Finding): string | undefined {
  // A credential withheld over plain HTTP names the host to allow: the registry, or its token realm's host.
  const registry = f.error?.plainHttpHost ?? f.error?.registry ?? f.occurrence.reference?.registry ?? 'HOST';
  const remedy = findingRemedy(f.code, registry);
  return remedy === undefined ? undefined : `→ ${remedy}`;
}

const short = (d: string | null) => (d ? d.replace(/^sha256:/, '').slice(0, 12) : '');

function table(findings: Finding[], rel: (file: string) => string): string {
  const rows = findings.map((f) => {
    const o = f.occurrence;
    const ref = o.reference;
    const newest = (kind: string) => f.updates.find((u) => u.kind === kind)?.tag ?? '';
    const digest = f.updates.find((u) => u.kind === 'digest');
    const status =
      f.status === 'error'
        ? `error: ${f.code}`
        : f.status === 'skipped'
          ? `skipped: ${f.code === 'ignored' ? 'policy' : (o.skip?.reason ?? '')}`
          : f.status === 'digest-changed'
            ? `digest-changed → ${short(digest?.digest ?? null)}`
            : f.status;
    return [
      `${rel(o.file)}:${o.range.start.line + 1}`,
      ref ? familiarName({ ...ref, tag: null, digest: null }) : o.text.replace(/\s+/g, ' '),
      ref ? `${ref.tag ?? ''}${ref.digest ? `@${short(ref.digest)}` : ''}` : '',
      newest('patch'),
      newest('minor'),
      newest('major'),
      `${status}${f.stale ? ' (stale)' : ''}`,
    ];
  });
  return formatTable(['FILE:LINE', 'IMAGE', 'CURRENT', 'PATCH', 'MINOR', 'MAJOR', 'STATUS'], rows);
}

function summary(findings: Finding[], requests: number): string {
  const count = (s: Finding['status']) => findings.filter((f) => f.status === s).length;
  const notChecked = findings.filter((f) => f.notChecked).length;
  const parts = [
    `${findings.filter((f) => f.status === 'current' && !f.notChecked).length} up to date`,
    `${count('update')} with updates`,
    `${count('digest-changed')} digest changed`,
    `${count('unpinned')} unpinned`,
    `${count('skipped')} skipped`,
    `${count('error')} error${count('error') === 1 ? '' : 's'}`,
    ...(notChecked > 0 ? [`${notChecked} not checked`] : []),
  ];
  const notes = findings.flatMap((f) =>
    f.notes
      .filter((n) => n.code === 'newer-line' || n.code === 'held-back' || n.code === 'directive' || n.code === 'mirror')
      .map(
        (n) => `  ${f.occurrence.reference ? familiarName(f.occurrence.reference) : f.occurrence.text}: ${n.message}\n`,
      ),
  );
  return `${notes.length > 0 ? `\nNotes:\n${[...new Set(notes)].join('')}` : ''}\n${findings.length} image reference${findings.length === 1 ? '' : 's'}: ${parts.join(', ')}. ${requests} registry request${requests === 1 ? '' : 's'}.\n`;
}
