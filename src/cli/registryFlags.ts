import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  buildMirrorTable,
  createRegistryClient,
  daemonConfigFiles,
  defaultKeychain,
  normalizeRegistry,
  parseMirror,
  USER_AGENT,
  type CreateClientOptions,
  type RegistryClient,
  type RegistrySettings,
} from '../core';
import type { CliIo } from './io';

/** The per-registry transport flags every networked command shares. */
export const REGISTRY_FLAGS_USAGE = `  --ca-file HOST=PEM     trust the CA certificates in PEM (besides the system's) for HOST; repeatable
  --insecure HOST        allow plain HTTP and unverified TLS for HOST (credentials too); repeatable
  --proxy URL            send registry traffic through this proxy (else HTTPS_PROXY / NO_PROXY apply)
  --mirror HOST=MIRROR   check HOST's images through MIRROR (host[:port][/path]) first; repeatable, in order;
                         Docker Hub also uses the daemon's registry-mirrors (daemon.json)

Credentials come from the docker config (DOCKER_CONFIG or ~/.docker/config.json, credential helpers included),
or from REGISTRY_LENS_USERNAME / REGISTRY_LENS_PASSWORD for the registry named by REGISTRY_LENS_REGISTRY.`;

export interface RegistryFlags {
  hosts: Record<string, RegistrySettings>;
  proxy?: string;
  /** `--mirror HOST=MIRROR`, by registry, in order. */
  mirrors?: Record<string, string[]>;
}

/** What {@link takeRegistryFlag} did with `args[i]`. */
export type FlagResult =
  | { kind: 'taken' }
  | { kind: 'value'; name: string; value: string }
  | { kind: 'other' }
  | { kind: 'error'; message: string };

/**
 * Reads a flag with a value (`--name value` or `--name=value`) at `args[i.value]`, advancing `i` past its value:
 * a registry flag goes into `flags` (`taken`); one of the command's own `valueFlags` comes back as `value`.
 * `other` when the argument is neither; `error` with a message for a malformed one.
 */
export function takeRegistryFlag(
  args: string[],
  i: { value: number },
  flags: RegistryFlags,
  valueFlags?: ReadonlySet<string>,
): FlagResult {
  const arg = args[i.value] ?? '';
  const eq = arg.indexOf('=');
  const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
  const own = valueFlags?.has(name) ?? false;
  if (!own && name !== '--ca-file' && name !== '--insecure' && name !== '--proxy' && name !== '--mirror')
    return { kind: 'other' };
  const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i.value];
  if (value === undefined || value === '') return { kind: 'error', message: `${name} needs a value` };
  if (own) return { kind: 'value', name, value };
  const host = (h: string): string | undefined => {
    try {
      return normalizeRegistry(h);
    } catch {
      return undefined;
    }
  };
  if (name === '--ca-file') {
    const sep = value.indexOf('=');
    const key = sep > 0 ? host(value.slice(0, sep)) : undefined;
    if (!key || sep === value.length - 1) {
      return {
        kind: 'error',
        message: `--ca-file takes HOST=PEM (for example registry.example.com:5000=/etc/ssl/my-ca.pem), not "${value}"`,
      };
    }
    flags.hosts[key] = { ...flags.hosts[key], caFile: value.slice(sep + 1) };
  } else if (name === '--mirror') {
    const sep = value.indexOf('=');
    const key = sep > 0 ? host(value.slice(0, sep)) : undefined;
    const mirror = sep > 0 ? value.slice(sep + 1) : '';
    if (!key || !mirror)
      return {
        kind: 'error',
        message: `--mirror takes HOST=MIRROR (for example docker.io=mirror.example.com:5000), not "${value}"`,
      };
    try {
      parseMirror(mirror, '--mirror');
    } catch (e) {
      return { kind: 'error', message: (e as Error).message };
    }
    flags.mirrors = { ...flags.mirrors, [key]: [...(flags.mirrors?.[key] ?? []), mirror] };
  } else if (name === '--insecure') {
    const key = host(value);
    if (!key)
      return {
        kind: 'error',
        message: `--insecure takes a registry host (for example registry.example.com:5000), not "${value}"`,
      };
    flags.hosts[key] = { ...flags.hosts[key], insecure: true };
  } else {
    flags.proxy = value;
  }
  return { kind: 'taken' };
}

/**
 * Resolves `--ca-file` paths against `cwd` and checks each is a readable PEM file, so a typo is reported before any
 * request rather than as a TLS failure. Returns an error message, or undefined when all is well.
 */
export async function checkRegistryFlags(flags: RegistryFlags, cwd: string): Promise<string | undefined> {
  for (const [host, s] of Object.entries(flags.hosts)) {
    if (s.caFile === undefined) continue;
    s.caFile = path.resolve(cwd, s.caFile);
    const pem = await fs.readFile(s.caFile, 'utf8').catch(() => undefined);
    if (pem === undefined) return `--ca-file ${host}=${s.caFile}: cannot read the file`;
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      return `--ca-file ${host}=${s.caFile}: no PEM certificate in the file`;
  }
  return undefined;
}

/** A registry client for the CLI: the docker config + env keychain (each warning once), the flags' per-host settings. */
export function cliRegistryClient(
  io: CliIo,
  flags: RegistryFlags,
  extra: Partial<CreateClientOptions> = {},
): { client: RegistryClient; close: () => Promise<void> } {
  const warned = new Set<string>();
  const warn = (m: string): void => {
    if (warned.has(m)) return;
    warned.add(m);
    io.stderr(`registry-lens: ${m}\n`);
  };
  // Mirrors: the flags', then the daemon's registry-mirrors for Docker Hub (as the daemon pulls).
  const mirrors = buildMirrorTable(flags.mirrors, daemonConfigFiles(io.env));
  for (const p of mirrors.problems) warn(p);
  const { client, close } = createRegistryClient({
    keychain: defaultKeychain({ env: io.env, onWarning: warn }),
    ...(mirrors.size > 0 ? { mirrors } : {}),
    env: io.env,
    hosts: flags.hosts,
    userAgent: USER_AGENT,
    ...(flags.proxy ? { proxy: flags.proxy } : {}),
    ...extra,
  });
  return { client, close };
}

/** One line for a failed registry operation: the registry client's messages already say what to do. */
export function describeFailure(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The arguments of a command that names one thing (a host, an image) and takes --json and the registry flags. */
export interface SingleTargetArgs {
  target: string | undefined;
  json: boolean;
  flags: RegistryFlags;
}

/**
 * Parses `COMMAND TARGET [--json] [registry flags]`. Returns the arguments, or an exit code after printing help
 * (0) or a usage error naming `command` (2).
 */
export function parseSingleTargetArgs(
  command: string,
  usage: string,
  args: string[],
  io: CliIo,
): SingleTargetArgs | number {
  const out: SingleTargetArgs = { target: undefined, json: false, flags: { hosts: {} } };
  const fail = (message: string): number => {
    io.stderr(`registry-lens ${command}: ${message}\n`);
    return 2;
  };
  for (const i = { value: 0 }; i.value < args.length; i.value++) {
    const arg = args[i.value] ?? '';
    const taken = takeRegistryFlag(args, i, out.flags);
    if (taken.kind === 'taken') continue;
    if (taken.kind === 'error') return fail(taken.message);
    if (arg === '--json') out.json = true;
    else if (arg === '--help' || arg === '-h') {
      io.stdout(usage);
      return 0;
    } else if (arg.startsWith('-')) return fail(`unknown option "${arg}". Run "registry-lens ${command} --help".`);
    else if (out.target === undefined) out.target = arg;
    else return fail('one at a time.');
  }
  return out;
}

/** `--concurrency N`: a whole number from 1 to 64. */
export function parseConcurrency(value: string): number | { error: string } {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 64
    ? n
    : { error: `--concurrency takes a whole number from 1 to 64, not "${value}"` };
}
