// Host rules: where a registry's API lives, which hosts count as loopback or private (for the plain-HTTP fallback
// and the realm SSRF guard), and origin comparisons for redirects and pagination.
import { isIPv4, isIPv6 } from 'node:net';
import { DOCKER_HUB } from '../reference/registry';

/** The API host of a registry key: Docker Hub's API is `registry-1.docker.io`; everything else is itself. */
export function endpointHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

function bareHostname(hostname: string): string {
  const h = hostname.toLowerCase();
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** localhost, *.localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHostname(hostname: string): boolean {
  const h = bareHostname(hostname);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/** Loopback, RFC 1918, link-local, unique-local IPv6: addresses a public registry must not point us at. */
export function isPrivateHostname(hostname: string): boolean {
  if (isLoopbackHostname(hostname)) return true;
  const h = bareHostname(hostname);
  if (isIPv4(h)) {
    const [a, b] = h.split('.').map((x) => Number.parseInt(x, 10));
    return (
      a === 10 ||
      (a === 172 && b !== undefined && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      a === 0
    );
  }
  if (isIPv6(h)) return /^f[cd]/.test(h) || /^fe[89ab]/.test(h) || h === '::';
  return false;
}

/** The hostname part of `host[:port]` (IPv6 brackets kept off). */
export function hostnameOf(hostPort: string): string {
  try {
    return new URL(`http://${hostPort}`).hostname;
  } catch {
    return hostPort;
  }
}

export function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host === b.host;
}
