// Process hygiene for the test environment: children are spawned with their output in files under the state
// directory, recorded by PID in <stateDir>/pids.json, and killed by PID — and only when /proc/<pid>/cmdline still
// names the state directory (every child's command line does: its config lives there), so a recycled PID is never hit.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** State directories are `${os.tmpdir()}/${STATE_PREFIX}XXXXXX`. */
export const STATE_PREFIX = 'registry-lens-env-';

export interface OwnerRecord {
  pid: number;
  /** /proc/<pid>/stat starttime, so a recycled owner PID does not look alive. */
  startTime: string;
  argv: string[];
  createdAt: string;
}

export interface ChildRecord {
  name: string;
  pid: number;
  command: string[];
  logFile: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function procStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm)": state is field 3, starttime field 22
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

/** Alive = /proc/<pid> exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function cmdline(pid: number): string[] | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
}

/** Does the process's command line mention the state directory (as an argument or inside one)? */
export function belongsTo(pid: number, stateDir: string): boolean {
  const cl = cmdline(pid);
  return !!cl && cl.some((a) => a === stateDir || a.includes(stateDir + '/') || a.includes(stateDir + '"'));
}

/** Every live process whose command line mentions stateDir (dockerd's containerd and shims included). */
export function processesOf(stateDir: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (belongsTo(pid, stateDir) && isAlive(pid)) out.push(pid);
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}

/** SIGTERM each PID that still belongs to stateDir, wait up to timeoutMs, then SIGKILL. */
export async function killPids(pids: number[], stateDir: string, timeoutMs = 10_000): Promise<void> {
  const mine = pids.filter((p) => isAlive(p) && belongsTo(p, stateDir));
  for (const p of mine) signal(p, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (mine.some(isAlive) && Date.now() < deadline) await sleep(25);
  for (const p of mine.filter(isAlive)) signal(p, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (mine.some(isAlive) && Date.now() < killDeadline) await sleep(25);
}

/** Synchronous variant for process 'exit' handlers. */
export function killPidsSync(pids: number[], stateDir: string, timeoutMs = 5_000): void {
  const mine = pids.filter((p) => isAlive(p) && belongsTo(p, stateDir));
  for (const p of mine) signal(p, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (mine.some(isAlive) && Date.now() < deadline) sleepSync(25);
  for (const p of mine.filter(isAlive)) signal(p, 'SIGKILL');
  const killDeadline = Date.now() + 2_000;
  while (mine.some(isAlive) && Date.now() < killDeadline) sleepSync(25);
}

/** Mount points at or under dir (from /proc/self/mountinfo), deepest first. */
export function mountsUnder(dir: string): string[] {
  let info: string;
  try {
    info = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const points = info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map(unescape)
    .filter((p) => p === dir || p.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

export function unmountUnder(dir: string): string[] {
  const done: string[] = [];
  for (let round = 0; round < 3; round++) {
    const points = mountsUnder(dir);
    if (points.length === 0) break;
    for (const p of points) {
      const r = spawnSync('umount', [p], { stdio: 'ignore' });
      if (r.status !== 0) spawnSync('umount', ['-l', p], { stdio: 'ignore' });
      done.push(p);
    }
  }
  return done;
}

export function removeDir(dir: string): void {
  if (!path.basename(dir).startsWith(STATE_PREFIX)) throw new Error(`refusing to remove ${dir}`);
  for (let i = 0; i < 3; i++) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      return;
    } catch {
      unmountUnder(dir);
    }
  }
}

/** Async removal (deletes on this VM's ext4 are slow: ~1 ms per synced file; the thread pool overlaps them). */
export async function removeDirAsync(dir: string): Promise<void> {
  if (!path.basename(dir).startsWith(STATE_PREFIX)) throw new Error(`refusing to remove ${dir}`);
  const entries = await fs.promises.readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries.map((e) =>
      fs.promises.rm(path.join(dir, e), { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined),
    ),
  );
  removeDir(dir);
}

export function writeOwner(stateDir: string): void {
  const owner: OwnerRecord = {
    pid: process.pid,
    startTime: procStartTime(process.pid) ?? '',
    argv: process.argv,
    createdAt: new Date().toISOString(),
  };
  fs.writeFileSync(path.join(stateDir, 'owner.json'), JSON.stringify(owner, null, 2));
}

function ownerAlive(stateDir: string): boolean | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(stateDir, 'owner.json'), 'utf8')) as OwnerRecord;
    return isAlive(owner.pid) && procStartTime(owner.pid) === owner.startTime;
  } catch {
    return undefined;
  }
}

/** Tear down one state directory synchronously: its processes, mounts, files. */
export function teardownSync(stateDir: string, pids: number[]): void {
  killPidsSync(pids, stateDir);
  killPidsSync(processesOf(stateDir), stateDir, 2_000);
  unmountUnder(stateDir);
  removeDir(stateDir);
}

/**
 * Cleans up after earlier runs that died without stopping: for every state directory under os.tmpdir()
 * whose owner process is gone, kill the processes whose command line names that directory (docker-registry,
 * dockerd, containerd, shims), unmount what is mounted under it, and remove it. Returns the directories swept.
 */
export function sweepStale(log?: (line: string) => void): string[] {
  const swept: string[] = [];
  const tmp = os.tmpdir();
  let names: string[];
  try {
    names = fs.readdirSync(tmp).filter((n) => n.startsWith(STATE_PREFIX));
  } catch {
    return swept;
  }
  for (const name of names) {
    const dir = path.join(tmp, name);
    const alive = ownerAlive(dir);
    if (alive === true) continue;
    if (alive === undefined) {
      // no owner.json: being created right now, or a crash during creation long ago
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs < 120_000) continue;
      } catch {
        continue;
      }
    }
    let pids: number[] = [];
    try {
      pids = (JSON.parse(fs.readFileSync(path.join(dir, 'pids.json'), 'utf8')) as ChildRecord[]).map((c) => c.pid);
    } catch {
      /* none recorded */
    }
    const all = [...new Set([...pids, ...processesOf(dir)])];
    log?.(`sweeping stale ${dir} (owner gone; ${all.length} process(es))`);
    teardownSync(dir, all);
    swept.push(dir);
  }
  return swept;
}

/** Environment for children: no proxies (loopback only), a PATH with the sbin directories. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(https?|no|all|ftp)_proxy$/i.test(k)) continue;
    if (k === 'DOCKER_HOST' || k === 'DOCKER_CONFIG' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  env.PATH = [process.env.PATH ?? '', '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']
    .filter(Boolean)
    .join(':');
  return { ...env, ...extra };
}

/** The children of one environment, recorded in <stateDir>/pids.json as they start. */
export class ProcessGroup {
  readonly children: ChildRecord[] = [];
  private readonly handles = new Map<number, ChildProcess>();

  constructor(readonly stateDir: string) {}

  spawn(
    name: string,
    command: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ): { record: ChildRecord; child: ChildProcess } {
    const logFile = path.join(this.stateDir, `${name}.log`);
    const fd = fs.openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        stdio: ['ignore', fd, fd],
        env: options.env ?? childEnv(),
        cwd: options.cwd ?? this.stateDir,
      });
    } finally {
      fs.closeSync(fd);
    }
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.on('error', () => undefined);
    child.unref();
    const record: ChildRecord = { name, pid: child.pid, command: [command, ...args], logFile };
    this.children.push(record);
    this.handles.set(child.pid, child);
    this.save();
    return { record, child };
  }

  forget(pid: number): void {
    const i = this.children.findIndex((c) => c.pid === pid);
    if (i >= 0) this.children.splice(i, 1);
    this.handles.delete(pid);
    this.save();
  }

  pids(): number[] {
    return this.children.map((c) => c.pid);
  }

  private save(): void {
    try {
      fs.writeFileSync(path.join(this.stateDir, 'pids.json'), JSON.stringify(this.children, null, 2));
    } catch {
      /* state dir gone */
    }
  }
}

/** Waits until `probe` returns a value (not undefined); throws after timeoutMs or when `failed` says so. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number; failed?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let lastError: unknown;
  for (;;) {
    const failure = options.failed?.();
    if (failure) throw new Error(`${what}: ${failure}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${lastError instanceof Error ? ` (last error: ${lastError.message})` : ''}`,
      );
    }
    await sleep(options.intervalMs ?? 30);
  }
}

export function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Run a command to completion (openssl, htpasswd); rejects with its stderr on failure. */
export function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err.trim()}`)),
    );
  });
}
