import { InvalidReferenceError } from './errors';
import { DOMAIN_AND_PORT } from './grammar';

/** The one key Docker Hub has everywhere in Registry Lens (references, credentials, caches). */
export const DOCKER_HUB = 'docker.io';

/** Every host name that means Docker Hub (docker/cli and distribution accept them all). */
export const DOCKER_HUB_ALIASES: readonly string[] = [
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
];

/** Lower-cases a host[:port] taken from a reference and folds the Docker Hub aliases into `docker.io`. */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.includes(lower) ? DOCKER_HUB : lower;
}

export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_ALIASES.includes(registry.toLowerCase());
}

/**
 * The host key for a registry as users type it: in settings, in `docker login`, as a docker config `auths` key.
 * Strips an `http://` or `https://` scheme and any path (`https://index.docker.io/v1/` -> `docker.io`), drops a
 * trailing slash, lower-cases, keeps the port, folds the Hub aliases. Throws InvalidReferenceError (`registry`)
 * when what remains is not a host[:port].
 */
export function normalizeRegistry(input: string): string {
  let rest = input.trim();
  const scheme = /^(https?):\/\//i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash);
  if (rest === '') throw new InvalidReferenceError('registry', input, 'no registry host');
  if (!DOMAIN_AND_PORT.test(rest)) {
    throw new InvalidReferenceError('registry', input, `"${rest}" is not a registry host[:port]`);
  }
  return normalizeHost(rest);
}
