// What a keychain resolves: a credential and where it came from. The *source* is what logs, audit lines and the
// UI show; the secret fields never leave the registry client's Authorization headers and token requests.

/** A credential for one registry. Exactly one of the secret shapes is normally set. */
export interface Credential {
  /** Basic / token-request user name (may accompany an identity token). */
  username?: string;
  /** Basic password or personal access token. */
  password?: string;
  /** An OAuth2 refresh token (docker config `identitytoken`, a helper's `<token>` answer). */
  identityToken?: string;
  /** A registry (bearer) token used as-is, with no token request (docker config `registrytoken`). */
  registryToken?: string;
  /** Where it came from, for humans: `docker config /home/u/.docker/config.json`, `docker-credential-pass`, ... */
  source: string;
}

/**
 * Resolves the credential for a registry host key (`docker.io`, `ghcr.io`, `localhost:5000`) and, when the caller
 * knows it, the repository (`acme/app`): keychains with repository-scoped entries use the most specific one.
 */
export interface Keychain {
  /** The credential for `registry` (and `repository`), or `undefined` when this keychain has none (anonymous). */
  resolve(registry: string, signal?: AbortSignal, repository?: string): Promise<Credential | undefined>;
}

/** True when the credential carries any secret at all. */
export function hasSecret(c: Credential | undefined): c is Credential {
  return !!c && !!(c.password || c.identityToken || c.registryToken || c.username);
}

/** A short description safe for logs: user name and source, never the secret. */
export function describeCredential(c: Credential | undefined): string {
  if (!c) return 'anonymous';
  const kind = c.registryToken ? 'registry token' : c.identityToken ? 'identity token' : 'password';
  return `${c.username ? `user ${c.username}, ` : ''}${kind} from ${c.source}`;
}
