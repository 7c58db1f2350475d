// Containers that compose made: their labels name the project, the service, the project's directory and its
// files, so `docker compose` (the v2 plugin) or Debian's `docker-compose` (v1) can recreate the service itself,
// with everything the compose file says, instead of a copy of the container's configuration.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { EngineEndpoint } from './endpoint';

export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  environmentFile: 'com.docker.compose.project.environment_file',
  oneoff: 'com.docker.compose.oneoff',
} as const;

export interface ComposeProject {
  project: string;
  service: string;
  /** The project directory; null when the labels do not say. */
  workingDir: string | null;
  /** The compose files, as the labels list them (absolute, or relative to `workingDir`). */
  configFiles: string[];
  /** compose v2's `--env-file`, when the project used one. */
  environmentFile: string | null;
  /** A `compose run` container rather than the service's own. */
  oneoff: boolean;
}

/** The compose project of a container, from its labels; null when compose did not make it. */
export function composeProjectOf(labels: Record<string, string>): ComposeProject | null {
  const project = labels[COMPOSE_LABELS.project];
  const service = labels[COMPOSE_LABELS.service];
  if (!project || !service) return null;
  const files = (labels[COMPOSE_LABELS.configFiles] ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return {
    project,
    service,
    workingDir: labels[COMPOSE_LABELS.workingDir] || null,
    configFiles: files,
    environmentFile: labels[COMPOSE_LABELS.environmentFile] || null,
    oneoff: /^true$/i.test(labels[COMPOSE_LABELS.oneoff] ?? ''),
  };
}

const absolute = (dir: string | null, f: string): string =>
  f.startsWith('/') || !dir ? f : `${dir.replace(/\/$/, '')}/${f}`;

/**
 * Why compose cannot recreate this container here (empty: it can): the labels lack the directory or files, or
 * they are gone from this machine (a project started elsewhere, a moved checkout).
 */
export function composeProblems(p: ComposeProject, exists: (file: string) => boolean = fs.existsSync): string[] {
  const out: string[] = [];
  if (p.oneoff) out.push(`it was made by \`compose run\`, not as the service ${p.service}`);
  if (!p.workingDir) out.push('its labels do not name the project directory');
  else if (!exists(p.workingDir)) out.push(`the project directory ${p.workingDir} does not exist here`);
  if (!p.configFiles.length) out.push('its labels do not name the compose files');
  for (const f of p.configFiles)
    if (p.workingDir && exists(p.workingDir) && !exists(absolute(p.workingDir, f)))
      out.push(`the compose file ${absolute(p.workingDir, f)} does not exist`);
  return out;
}

/** The arguments after `docker compose` / `docker-compose`: the project's files and directory, then `up -d --no-deps <service>`. */
export function composeUpArgs(p: ComposeProject): string[] {
  return [
    ...p.configFiles.flatMap((f) => ['-f', absolute(p.workingDir, f)]),
    ...(p.workingDir ? ['--project-directory', p.workingDir] : []),
    '-p',
    p.project,
    ...(p.environmentFile ? ['--env-file', absolute(p.workingDir, p.environmentFile)] : []),
    'up',
    '-d',
    '--no-deps',
    p.service,
  ];
}

export interface ComposeCommand {
  /** The program (`docker`, `docker-compose`) and the arguments before compose's own (`['compose']`). */
  command: string;
  prefix: string[];
  /** `docker compose` or `docker-compose`, for messages. */
  label: string;
  version: string;
}

/** The environment that points docker / compose at this engine (DOCKER_HOST and its TLS settings). */
export function engineEnv(endpoint: EngineEndpoint): Record<string, string> {
  if (endpoint.kind === 'unix') return { DOCKER_HOST: `unix://${endpoint.socketPath}` };
  if (endpoint.kind === 'tcp') {
    const env: Record<string, string> = { DOCKER_HOST: `tcp://${endpoint.hostname}:${endpoint.port}` };
    if (endpoint.tls) {
      env.DOCKER_CERT_PATH = endpoint.tls.certPath;
      if (endpoint.tls.verify) env.DOCKER_TLS_VERIFY = '1';
      else env.DOCKER_TLS = '1';
    }
    return env;
  }
  return {};
}

function tryVersion(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 10_000 }, (err, stdout) =>
      resolve(err ? null : stdout.trim().split('\n')[0]?.trim() || null),
    );
  });
}

/**
 * The compose on this machine: `docker compose` (the v2 plugin), else `docker-compose` (Debian's package `docker-compose`,
 * v1, or v2's standalone binary); null when neither answers `version`.
 */
export async function findCompose(env: NodeJS.ProcessEnv = process.env): Promise<ComposeCommand | null> {
  const v2 = await tryVersion('docker', ['compose', 'version', '--short'], env);
  if (v2) return { command: 'docker', prefix: ['compose'], label: 'docker compose', version: v2 };
  const v1 = await tryVersion('docker-compose', ['version', '--short'], env);
  if (v1) return { command: 'docker-compose', prefix: [], label: 'docker-compose', version: v1 };
  return null;
}

/** A compose command line as a person would type it (for messages and the terminal's title). */
export function composeCommandLine(c: ComposeCommand, args: string[]): string {
  const quote = (a: string) => (/^[\w./:=@,+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [c.command, ...c.prefix, ...args].map(quote).join(' ');
}

/** Runs compose (stdio inherited, as in a terminal) and resolves with its exit code. */
export function runCompose(
  c: ComposeCommand,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; stdio?: 'inherit' | 'pipe'; onOutput?: (text: string) => void },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(c.command, [...c.prefix, ...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: opts.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    child.stdout?.on('data', (d: Buffer) => opts.onOutput?.(d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => opts.onOutput?.(d.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
