// Debian's dockerd on a private unix socket, everything (data-root, exec-root, pidfile, its containerd) under
// the state directory, no networking of its own (no bridge, no iptables, no ip_forward). overlay2, else vfs.
// Note: dockerd treats 127.0.0.0/8 as insecure registries, so it pulls from the TLS registry without the CA.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { httpRequest, type HttpResponse } from './http';
import { childEnv, killPids, type ProcessGroup, processesOf, tail, unmountUnder, waitFor } from './procs';
import type { DockerInfo } from './types';

export async function dockerRequest(
  socketPath: string,
  method: string,
  apiPath: string,
  init: { headers?: Record<string, string | number>; body?: Buffer | string; timeoutMs?: number } = {},
): Promise<HttpResponse> {
  return httpRequest(`http://docker${apiPath}`, {
    method,
    socketPath,
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
    timeoutMs: init.timeoutMs ?? 120_000,
  });
}

/**
 * X-Registry-Auth header value: URL-safe base64 of JSON {username, password, serveraddress}, WITH '=' padding.
 * dockerd 20.10 decodes with Go's padded base64.URLEncoding and silently pulls anonymously when decoding fails,
 * so Node's unpadded 'base64url' gives "pull access denied" from a private registry.
 */
export function registryAuthHeader(auth: { username?: string; password?: string; serveraddress: string }): string {
  return Buffer.from(JSON.stringify(auth)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

async function startOnce(group: ProcessGroup, driver: 'overlay2' | 'vfs'): Promise<DockerInfo> {
  const dir = group.stateDir;
  const socketPath = path.join(dir, 'docker.sock');
  const dataRoot = path.join(dir, `docker-${driver}`);
  const execRoot = path.join(dir, 'x'); // short: containerd's socket path must stay < 108 bytes
  const configFile = path.join(dir, 'daemon.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify(
      {
        hosts: [`unix://${socketPath}`],
        'data-root': dataRoot,
        'exec-root': execRoot,
        pidfile: path.join(dir, 'dockerd.pid'),
        'storage-driver': driver,
        iptables: false,
        ip6tables: false,
        'ip-forward': false,
        'ip-masq': false,
        bridge: 'none',
        'userland-proxy': false,
        'log-level': 'warn',
        'max-download-attempts': 1,
        'live-restore': false,
        features: { buildkit: false },
      },
      null,
      2,
    ),
  );
  const { record, child } = group.spawn('dockerd', 'dockerd', ['--config-file', configFile], {
    env: childEnv({ DOCKER_CONFIG: path.join(dir, 'docker-cli') }),
  });
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = `dockerd exited (${code ?? sig}): ${tail(record.logFile)}`));
  try {
    await waitFor(
      'dockerd /_ping',
      async () => {
        if (!fs.existsSync(socketPath)) return undefined;
        const res = await dockerRequest(socketPath, 'GET', '/_ping', { timeoutMs: 2000 });
        return res.status === 200 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, failed: () => exited },
    );
  } catch (e) {
    await killPids([record.pid], dir);
    await killPids(processesOf(execRoot), execRoot); // its containerd
    unmountUnder(execRoot);
    group.forget(record.pid);
    throw e;
  }
  const info = (await dockerRequest(socketPath, 'GET', '/info')).json<{ Driver?: string }>();
  return {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    pid: record.pid,
    storageDriver: info.Driver ?? driver,
    logFile: record.logFile,
  };
}

export async function startDockerd(group: ProcessGroup, log?: (line: string) => void): Promise<DockerInfo> {
  try {
    return await startOnce(group, 'overlay2');
  } catch (e) {
    log?.(
      `dockerd with overlay2 failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); retrying with vfs`,
    );
    return startOnce(group, 'vfs');
  }
}
