import { isRegistryError, normalizeRegistry, type PingResult } from '../core';
import type { CliIo } from './io';
import {
  checkRegistryFlags,
  cliRegistryClient,
  describeFailure,
  parseSingleTargetArgs,
  REGISTRY_FLAGS_USAGE,
} from './registryFlags';

export const PING_USAGE = `Usage: registry-lens ping HOST [--json] [registry flags]

Checks a registry: reachability, the auth scheme it asks for, which credential would be used and whether the
registry accepts it, and the rate-limit headroom it reports. HOST is what you would type after "docker login"
(ghcr.io, registry.example.com:5000, https://index.docker.io/v1/ ...).

${REGISTRY_FLAGS_USAGE}

Exit codes: 0 reachable (and the credential, if any, accepted), 2 unreachable, TLS problem or credential rejected.
`;

export async function pingCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseSingleTargetArgs('ping', PING_USAGE, args, io);
  if (typeof parsed === 'number') return parsed;
  const { target: host, json, flags } = parsed;
  if (!host) {
    io.stderr('registry-lens ping: which registry? Run "registry-lens ping HOST" (for example ghcr.io).\n');
    return 2;
  }
  const registry = normalizeRegistry(host);
  const flagError = await checkRegistryFlags(flags, io.cwd);
  if (flagError) {
    io.stderr(`registry-lens ping: ${flagError}\n`);
    return 2;
  }
  const { client, close } = cliRegistryClient(io, flags);
  try {
    const r = await client.ping(registry);
    if (json) io.stdout(`${JSON.stringify(r, null, 2)}\n`);
    else io.stdout(describePing(r));
    return r.credentialSource && r.authenticated === false ? 2 : 0;
  } catch (e) {
    if (json)
      io.stdout(
        `${JSON.stringify({ registry, error: { code: isRegistryError(e) ? e.code : 'error', message: describeFailure(e) } }, null, 2)}\n`,
      );
    else io.stderr(`registry-lens ping: ${describeFailure(e)}\n`);
    return 2;
  } finally {
    await close();
  }
}

function describePing(r: PingResult): string {
  const lines = [
    `${r.registry}: reachable at ${r.url} (GET /v2/ answered ${r.status}${r.apiVersion ? `, ${r.apiVersion}` : ''})`,
  ];
  if (r.auth === 'none') lines.push('  auth:        none required');
  else
    lines.push(
      `  auth:        ${r.auth}${r.realm ? ` (realm ${r.realm}${r.service ? `, service ${r.service}` : ''})` : ''}`,
    );
  if (r.credentialSource) {
    const verdict =
      r.authenticated === undefined
        ? 'not needed here'
        : r.authenticated
          ? 'accepted'
          : 'REJECTED: check the username and the token or password';
    lines.push(`  credential:  ${r.credentialSource} — ${verdict}`);
  } else {
    lines.push(
      `  credential:  none (anonymous)${r.auth !== 'none' ? '; add one with "docker login" or REGISTRY_LENS_USERNAME/PASSWORD/REGISTRY' : ''}`,
    );
  }
  const rl = r.rateLimit;
  if (rl && (rl.limit !== undefined || rl.remaining !== undefined)) {
    const window = rl.windowSeconds ? ` per ${formatSeconds(rl.windowSeconds)}` : '';
    lines.push(
      `  rate limit:  ${rl.remaining ?? '?'} of ${rl.limit ?? '?'} pulls left${window}${rl.source ? ` (counted for ${rl.source})` : ''}`,
    );
  } else {
    lines.push('  rate limit:  not reported');
  }
  return `${lines.join('\n')}\n`;
}

function formatSeconds(s: number): string {
  return s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`;
}
