// Registry mirrors and pull-through caches: a registry's images checked through another registry that serves the
// same repositories (a distribution registry in proxy mode, Harbor's proxy-cache projects, Artifactory/Nexus
// remote repositories, mirror.gcr.io).
// - the user's `registryLens.registryMirrors`: `{ "docker.io": ["mirror.corp:5000", "harbor.corp/dockerhub"] }`,
//   a mirror being `host[:port][/path prefix]` (an `https://` / `http://` scheme and a trailing `/` are dropped);
// - the Docker daemon's `registry-mirrors` (daemon.json), for Docker Hub only, as the daemon uses them
//   ("Registry as a pull through cache", https://distribution.github.io/distribution/recipes/mirror/; dockerd's
//   daemon.json reference, https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file): mirrors in
//   order, then the registry itself when every mirror fails.
// A mirror is asked with its own credentials (the keychain's for the mirror host), never the upstream's; the
// occurrence keeps its reference text, so fixes edit only the tag or digest as always.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeRegistry } from '../reference/registry';

export interface Mirror {
  /** The mirror's registry key (`mirror.corp:5000`). */
  registry: string;
  /** A path prefix in front of the upstream repository (`dockerhub` for `harbor.corp/dockerhub`), or ''. */
  prefix: string;
  /** As the user wrote it, for messages and the tree. */
  text: string;
  /** Where it was configured (`registryLens.registryMirrors`, `/etc/docker/daemon.json`). */
  from: string;
}

/** Parses `host[:port][/prefix]` (scheme and trailing slash dropped); throws an Error saying what is wrong. */
export function parseMirror(text: string, from: string): Mirror {
  const trimmed = text
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const host = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
  const prefix = slash >= 0 ? trimmed.slice(slash + 1) : '';
  let registry: string;
  try {
    registry = normalizeRegistry(host);
  } catch {
    throw new Error(`${from}: the mirror "${text}" is not host[:port][/path]`);
  }
  if (prefix !== '' && !/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(prefix)) {
    throw new Error(`${from}: the mirror "${text}" has a path that is not a repository prefix`);
  }
  return { registry, prefix, text: text.trim(), from };
}

/** Which mirrors serve which registry. */
export class MirrorTable {
  private readonly byRegistry = new Map<string, Mirror[]>();
  /** Entries that could not be used, with why (for the log / a warning). */
  readonly problems: string[] = [];

  /** `entries`: registry -> mirrors (the setting's shape); `from` names where they came from. */
  add(entries: Record<string, readonly string[]>, from: string): this {
    for (const [key, list] of Object.entries(entries)) {
      let registry: string;
      try {
        registry = normalizeRegistry(key);
      } catch {
        this.problems.push(`${from}: "${key}" is not a registry host`);
        continue;
      }
      for (const text of list) {
        try {
          const m = parseMirror(text, from);
          if (m.registry === registry && m.prefix === '') continue; // a registry is no mirror of itself
          const all = this.byRegistry.get(registry) ?? [];
          if (!all.some((x) => x.registry === m.registry && x.prefix === m.prefix)) all.push(m);
          this.byRegistry.set(registry, all);
        } catch (e) {
          this.problems.push((e as Error).message);
        }
      }
    }
    return this;
  }

  /** The mirrors of a registry, in the order to try them ([] when none). */
  for(registry: string): readonly Mirror[] {
    return this.byRegistry.get(registry) ?? [];
  }

  get size(): number {
    return this.byRegistry.size;
  }
}

/** The repository a mirror serves an upstream repository under. */
export function mirroredRepository(m: Mirror, repository: string): string {
  return m.prefix ? `${m.prefix}/${repository}` : repository;
}

/**
 * Runs `op` against each mirror of `registry` in order, then against the registry itself: the first answer wins
 * (the daemon's order). Resolves with the answer and the mirror that gave it (undefined: the registry itself).
 */
export async function throughMirrors<T>(
  table: MirrorTable | undefined,
  registry: string,
  repository: string,
  op: (registry: string, repository: string) => Promise<T>,
  log: (line: string) => void,
): Promise<{ value: T; mirror: Mirror | undefined }> {
  for (const m of table?.for(registry) ?? []) {
    try {
      return { value: await op(m.registry, mirroredRepository(m, repository)), mirror: m };
    } catch (e) {
      if ((e as { name?: string }).name === 'AbortError') throw e;
      log(
        `${registry}/${repository}: the mirror ${m.text} failed (${(e as Error).message}); trying the next, then ${registry} itself`,
      );
    }
  }
  return { value: await op(registry, repository), mirror: undefined };
}

/** The daemon.json files dockerd reads: rootless `$XDG_CONFIG_HOME/docker/daemon.json`, then `/etc/docker/daemon.json`. */
export function daemonConfigFiles(
  env: Record<string, string | undefined> = process.env,
  home: string = os.homedir(),
): string[] {
  const configHome = env.XDG_CONFIG_HOME?.trim() || path.join(home, '.config');
  return [path.join(configHome, 'docker', 'daemon.json'), '/etc/docker/daemon.json'];
}

/**
 * The `registry-mirrors` of the first daemon.json that exists ([] when none). Throws an Error naming the file
 * when it is not JSON or the field is not an array of strings.
 */
export function readDaemonMirrors(files: readonly string[]): { file: string; mirrors: string[] } | undefined {
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new Error(`${file} is not valid JSON`);
    }
    const mirrors = (data as { 'registry-mirrors'?: unknown } | null)?.['registry-mirrors'];
    if (mirrors === undefined) return { file, mirrors: [] };
    if (!Array.isArray(mirrors) || mirrors.some((m) => typeof m !== 'string'))
      throw new Error(`${file}: "registry-mirrors" is not a list of URLs`);
    return { file, mirrors: mirrors as string[] };
  }
  return undefined;
}

/** The table for the user's setting plus the daemon's Docker Hub mirrors (the setting's come first). */
export function buildMirrorTable(
  setting: Record<string, readonly string[]> | undefined,
  daemonFiles: readonly string[] = daemonConfigFiles(),
): MirrorTable {
  const table = new MirrorTable();
  if (setting) table.add(setting, 'registryLens.registryMirrors');
  try {
    const d = readDaemonMirrors(daemonFiles);
    if (d && d.mirrors.length > 0) table.add({ 'docker.io': d.mirrors }, d.file);
  } catch (e) {
    table.problems.push((e as Error).message);
  }
  return table;
}
