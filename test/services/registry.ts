// Debian's docker-registry (CNCF distribution 2.8.2) as a plain child process with its own config.
// Port: `127.0.0.1:0` unless one is asked for; 2.8.2 logs "listening on 127.0.0.1:PORT" (", tls") at info level
// with the real port, which we read from its log file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { httpRequest } from './http';
import { type ProcessGroup, tail, waitFor } from './procs';
import type { RegistryName } from './types';

export type RegistryAuth =
  | { kind: 'none' }
  | { kind: 'htpasswd'; file: string; realm: string }
  | { kind: 'token'; realm: string; service: string; issuer: string; rootCertBundle: string };

export interface RegistrySpec {
  name: RegistryName;
  port?: number;
  auth: RegistryAuth;
  tls?: { certificate: string; key: string; caFile: string };
}

export interface StartedRegistry {
  name: RegistryName;
  port: number;
  pid: number;
  configFile: string;
  logFile: string;
}

const q = (s: string) => JSON.stringify(s); // YAML accepts JSON strings

export function registryConfig(stateDir: string, spec: RegistrySpec): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    '  accesslog: {disabled: true}',
    'storage:',
    `  filesystem: {rootdirectory: ${q(path.join(stateDir, `data-${spec.name}`))}}`,
    '  delete: {enabled: true}',
    '  cache: {blobdescriptor: inmemory}',
    '  maintenance: {uploadpurging: {enabled: false}}',
    'http:',
    `  addr: 127.0.0.1:${spec.port ?? 0}`,
    `  secret: registry-lens-test-${spec.name}`,
    '  headers: {X-Content-Type-Options: [nosniff]}',
  ];
  if (spec.tls) lines.push(`  tls: {certificate: ${q(spec.tls.certificate)}, key: ${q(spec.tls.key)}}`);
  if (spec.auth.kind === 'htpasswd') {
    lines.push('auth:', `  htpasswd: {realm: ${q(spec.auth.realm)}, path: ${q(spec.auth.file)}}`);
  } else if (spec.auth.kind === 'token') {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${q(spec.auth.realm)}`,
      `    service: ${q(spec.auth.service)}`,
      `    issuer: ${q(spec.auth.issuer)}`,
      `    rootcertbundle: ${q(spec.auth.rootCertBundle)}`,
    );
  }
  return lines.join('\n') + '\n';
}

export async function startRegistry(group: ProcessGroup, spec: RegistrySpec): Promise<StartedRegistry> {
  const configFile = path.join(group.stateDir, `registry-${spec.name}.yml`);
  fs.writeFileSync(configFile, registryConfig(group.stateDir, spec));
  const { record, child } = group.spawn(`registry-${spec.name}`, 'docker-registry', ['serve', configFile]);
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = `docker-registry exited (${code ?? sig}): ${tail(record.logFile)}`));
  const port = await waitFor(
    `registry ${spec.name} to listen`,
    () => {
      const log = fs.readFileSync(record.logFile, 'utf8');
      const m = /listening on (?:127\.0\.0\.1|\[?::1?\]?):(\d+)/.exec(log);
      return m ? Number(m[1]) : undefined;
    },
    { timeoutMs: 15_000, failed: () => exited },
  );
  const base = spec.tls ? `https://127.0.0.1:${port}` : `http://127.0.0.1:${port}`;
  const ca = spec.tls ? fs.readFileSync(spec.tls.caFile) : undefined;
  await waitFor(
    `registry ${spec.name} /v2/`,
    async () =>
      (await httpRequest(`${base}/v2/`, { timeoutMs: 2000, ...(ca ? { ca } : {}) })).status > 0 ? true : undefined,
    {
      timeoutMs: 15_000,
      failed: () => exited,
    },
  );
  return { name: spec.name, port, pid: record.pid, configFile, logFile: record.logFile };
}
