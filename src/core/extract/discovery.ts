import { existsSync, promises as fs, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { compileGlob } from './glob';
import { isIgnored, parseGitignore, type IgnoreLevel, type IgnoreNote, type IgnoreRule } from './gitignore';
import { FILE_SIZE_LIMITS, formatBytes } from './limits';
import type { ExtractionError, OccurrenceSource } from './types';

export interface DiscoveryOptions {
  /** Extra globs (relative to the root, `/`-separated, VS Code syntax) for files to scan beyond the built-in names. */
  include?: readonly string[];
  /** Globs (relative to the root) for files and folders to skip. A glob without `/` also matches a bare name. */
  exclude?: readonly string[];
  /** Honour `.gitignore` files (those in the tree and those above it up to the repository root). Default true. */
  gitignore?: boolean;
  signal?: AbortSignal;
  /** Told about `.gitignore` lines that are ignored or limits reached (git ignores such lines; so do we). */
  onProblem?: (problem: ExtractionError) => void;
  /** The sources to look for (default: all); files of other sources are not listed. */
  sources?: readonly OccurrenceSource[];
}

export interface DiscoveredFile {
  /** Absolute path. */
  file: string;
  source: OccurrenceSource;
  /**
   * A YAML file found by its extension only: read as `source` (Kubernetes) when its content looks like a manifest
   * (`looksLikeKubernetes`), else not read at all (a named file falls back to compose).
   */
  sniffed?: boolean;
  /** GitLab CI: the project folder its `include: local` paths are relative to. */
  root?: string;
}

/** Folders never entered. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/**
 * Which extractor reads a file, by its path (`/` or platform separators): Dockerfiles (`Dockerfile`,
 * `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile`, `Containerfile.*`, but not BuildKit's
 * `*.dockerignore`), compose files (`compose.yaml|yml`, `compose.*.yaml|yml`, `compose-*.yaml|yml`,
 * `docker-compose*.yaml|yml`), dev containers (`.devcontainer.json`, `.devcontainer/devcontainer.json`,
 * `.devcontainer/<name>/devcontainer.json`), Kustomize (`kustomization.yaml|yml`, `Kustomization`), GitLab CI
 * (`.gitlab-ci.yml|yaml`), GitHub Actions (`.github/workflows/*.yml|yaml`, `action.yml|yaml`) and, when `inChart`
 * (a `Chart.yaml` beside it), Helm values (`values*.yaml|yml`). Null for anything else: Kubernetes manifests are
 * found by content (see `DiscoveredFile.sniffed`).
 */
export function classifyFile(filePath: string, inChart = false): OccurrenceSource | null {
  // The last three segments, without splitting the whole path (this runs for every file of a walk).
  const nameStart = segmentStart(filePath, filePath.length);
  const name = filePath.slice(nameStart);
  if (name.endsWith('.dockerignore')) return null;
  if (
    name === 'Dockerfile' ||
    name.startsWith('Dockerfile.') ||
    name.endsWith('.Dockerfile') ||
    name.endsWith('.dockerfile') ||
    name === 'Containerfile' ||
    name.startsWith('Containerfile.')
  ) {
    return 'dockerfile';
  }
  if (name === '.devcontainer.json') return 'devcontainer';
  if (name === 'devcontainer.json') {
    const parentStart = segmentStart(filePath, nameStart - 1);
    if (filePath.slice(parentStart, nameStart - 1) === '.devcontainer') return 'devcontainer';
    if (parentStart > 0 && filePath.slice(segmentStart(filePath, parentStart - 1), parentStart - 1) === '.devcontainer')
      return 'devcontainer';
    return null;
  }
  if (name === 'Kustomization') return 'kustomize';
  if (!YAML_NAME.test(name)) return null;
  if (/^compose(?:[.-][^/\\]*)?\.ya?ml$/.test(name) || name.startsWith('docker-compose')) return 'compose';
  if (name === 'kustomization.yaml' || name === 'kustomization.yml') return 'kustomize';
  if (name === '.gitlab-ci.yml' || name === '.gitlab-ci.yaml') return 'gitlab-ci';
  if (name === 'action.yml' || name === 'action.yaml') return 'github-actions';
  if (nameStart > 1) {
    const parentStart = segmentStart(filePath, nameStart - 1);
    if (filePath.slice(parentStart, nameStart - 1) === 'workflows' && parentStart > 1) {
      if (filePath.slice(segmentStart(filePath, parentStart - 1), parentStart - 1) === '.github')
        return 'github-actions';
    }
  }
  if (inChart && name.startsWith('values')) return 'helm';
  return null;
}

const YAML_NAME = /\.ya?ml$/;

/** A YAML file no extractor claims by name that may be a Kubernetes manifest (a chart's own `Chart.yaml` is not). */
function maybeManifest(name: string): boolean {
  return YAML_NAME.test(name) && name !== 'Chart.yaml';
}

/** Where the path segment ending at `end` starts (after the `/` or `\\` before it; 0 when none). */
function segmentStart(filePath: string, end: number): number {
  let i = end;
  while (i > 0 && filePath[i - 1] !== '/' && filePath[i - 1] !== '\\') i--;
  return i;
}

/**
 * The extractor for a file the user named or included explicitly: by its name (a `values*.yaml` beside a
 * `Chart.yaml` is Helm), else by extension (YAML, JSON, else Dockerfile). A YAML file it calls compose may still be
 * read as a Kubernetes manifest by its content (the scan sniffs it).
 */
export function guessSource(filePath: string): OccurrenceSource {
  const known = classifyFile(filePath, existsSync(path.join(path.dirname(filePath), 'Chart.yaml')));
  if (known) return known;
  if (/\.ya?ml$/i.test(filePath)) return 'compose';
  if (/\.jsonc?$/i.test(filePath)) return 'devcontainer';
  return 'dockerfile';
}

/**
 * Walks `root` for the files Registry Lens reads. Skips `.git` and `node_modules`, whatever `.gitignore` excludes
 * and the `exclude` globs; does not follow symbolic links to folders (no cycles), does follow links to files.
 * Returns absolute paths, sorted. Honours `signal` between folders (rejects with its reason).
 */
export async function discoverFiles(root: string, options: DiscoveryOptions = {}): Promise<DiscoveredFile[]> {
  const absRoot = path.resolve(root);
  const include = (options.include ?? []).map((g) => compileGlob(g, { braces: true }));
  const exclude = (options.exclude ?? []).map((g) => ({
    glob: compileGlob(g, { braces: true }),
    nameOnly: !g.includes('/'),
  }));
  const useGitignore = options.gitignore ?? true;
  const found: DiscoveredFile[] = [];
  const enabled = options.sources ? new Set(options.sources) : null;
  const manifests = !enabled || enabled.has('kubernetes');
  const excluded = (rel: string, name: string) =>
    exclude.some((e) => e.glob.test(rel) || (e.nameOnly && e.glob.test(name)));

  // Synchronous directory reads, depth first, yielding to the event loop every few folders: for thousands of
  // small folders this is several times faster than a promise per readdir, and an editor stays responsive.
  const stack: { dir: string; rel: string; levels: readonly IgnoreLevel[] }[] = [
    { dir: absRoot, rel: '', levels: useGitignore ? await ancestorIgnores(absRoot, options.onProblem) : [] },
  ];
  let visited = 0;
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { dir, rel } = next;
    let levels = next.levels;
    if (++visited % YIELD_EVERY === 0) await yieldToEventLoop();
    options.signal?.throwIfAborted();
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: nothing to report from it
    }
    if (useGitignore && entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
      const file = path.join(dir, '.gitignore');
      const text = readIgnoreFile(file, readTextSync(file), options.onProblem);
      if (text) levels = [...levels, { base: rel, rules: ignoreRules(file, text, options.onProblem) }];
    }
    // `dir` is absolute and normalised: joining a plain entry name is concatenation.
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    const inChart = entries.some((e) => e.name === 'Chart.yaml' && !e.isDirectory());
    for (const entry of entries) {
      const name = entry.name;
      const full = prefix + name;
      const childRel = rel === '' ? name : `${rel}/${name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        isFile = statIsFile(full);
        isDir = false; // never follow links to folders
      }
      if (isDir) {
        if (SKIPPED_DIRS.has(name) || excluded(childRel, name) || (useGitignore && isIgnored(levels, childRel, true)))
          continue;
        stack.push({ dir: full, rel: childRel, levels });
      } else if (isFile) {
        // Classify by the full path: `scan .devcontainer` must still see `.devcontainer/devcontainer.json`.
        let source = classifyFile(full, inChart) ?? (include.some((g) => g.test(childRel)) ? guessSource(full) : null);
        const sniffed = !source && manifests && maybeManifest(name);
        if (sniffed) source = 'kubernetes';
        if (
          !source ||
          (enabled && !enabled.has(source)) ||
          excluded(childRel, name) ||
          (useGitignore && isIgnored(levels, childRel, false))
        )
          continue;
        found.push(sniffed ? { file: full, source, sniffed } : { file: full, source });
      }
    }
  }
  found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return found;
}

const YIELD_EVERY = 64;

/** Lets pending I/O callbacks and timers run (an editor's UI, a cancellation) between chunks of synchronous work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function statIsFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function readTextSync(p: string): string | null {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

/**
 * `.gitignore` files above `root` up to the repository root (the nearest folder with `.git`), plus the
 * repository's `.git/info/exclude`, so scanning a subfolder ignores what git would. None outside a repository.
 */
async function ancestorIgnores(root: string, onProblem: DiscoveryOptions['onProblem']): Promise<IgnoreLevel[]> {
  const chain: string[] = [];
  let dir = root;
  for (;;) {
    if (await exists(path.join(dir, '.git'))) break;
    const parent = path.dirname(dir);
    if (parent === dir) return [];
    chain.push(parent);
    dir = parent;
  }
  const repo = dir;
  const levels: IgnoreLevel[] = [];
  const prefixOf = (base: string) => {
    const rel = path.relative(base, root).split(path.sep).join('/');
    return rel === '' ? '' : `${rel}/`;
  };
  const excludeFile = path.join(repo, '.git', 'info', 'exclude');
  const exclude = readIgnoreFile(excludeFile, await readText(excludeFile), onProblem);
  if (exclude) levels.push({ base: '', rules: ignoreRules(excludeFile, exclude, onProblem), prefix: prefixOf(repo) });
  for (const base of chain.reverse()) {
    const file = path.join(base, '.gitignore');
    const text = readIgnoreFile(file, await readText(file), onProblem);
    if (text) levels.push({ base: '', rules: ignoreRules(file, text, onProblem), prefix: prefixOf(base) });
  }
  return levels;
}

/** The text of an ignore file, or null (with a problem reported) when it is over the size limit. */
function readIgnoreFile(file: string, text: string | null, onProblem: DiscoveryOptions['onProblem']): string | null {
  const max = FILE_SIZE_LIMITS.gitignore ?? Infinity;
  if (text === null || text.length <= max) return text;
  onProblem?.({
    file,
    line: 0,
    character: 0,
    message: `larger than ${formatBytes(max)}, the limit for ignore files; not read`,
    limit: 'file-size',
  });
  return null;
}

/** The rules of an ignore file; its notes (lines ignored, limits) go to `onProblem`. */
function ignoreRules(file: string, text: string, onProblem: DiscoveryOptions['onProblem']): IgnoreRule[] {
  const notes: IgnoreNote[] = [];
  const rules = parseGitignore(text, notes);
  for (const n of notes)
    onProblem?.({
      file,
      line: n.line,
      character: 0,
      message: `.gitignore: ${n.message}`,
      ...(n.limit ? { limit: n.limit } : {}),
    });
  return rules;
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

async function readText(p: string): Promise<string | null> {
  return fs.readFile(p, 'utf8').catch(() => null);
}
