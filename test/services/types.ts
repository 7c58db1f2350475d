// Shapes shared by the test environment, its env JSON file and the tests that read it. Pure types.

export type RegistryName = 'anon' | 'basic' | 'tls' | 'token';
export const ALL_REGISTRIES: readonly RegistryName[] = ['anon', 'basic', 'tls', 'token'];

export type SeedSetName = 'test' | 'demo';

export interface RegistryInfo {
  name: RegistryName;
  /** '127.0.0.1:PORT' — what users write in image references. */
  host: string;
  /** 'http://127.0.0.1:PORT', or 'https://localhost:PORT' for tls (SAN: localhost, 127.0.0.1, ::1). */
  url: string;
  port: number;
  username?: string;
  password?: string;
  /** tls: PEM file of the CA generated for this run. */
  caFile?: string;
  /** token: the token server's realm URL and the registry's service name. */
  tokenRealm?: string;
  service?: string;
  pid: number;
  /** The registry's config and log files (debugging). */
  configFile: string;
  logFile: string;
}

export interface TokenServerInfo {
  /** Base URL, 'http://127.0.0.1:PORT'. */
  url: string;
  /** `${url}/token` — GET (Basic or anonymous) and OAuth2 form POST. */
  realm: string;
  /** GET → JSON array of TokenLogEntry; DELETE → clears it. */
  logUrl: string;
  /** GET → current TokenServerConfig; POST a partial JSON TokenServerConfig → merged, returns it. */
  configUrl: string;
  service: string;
  issuer: string;
  /** The token server runs inside the process that started the env (that process's PID). */
  pid?: number;
  /** The signing certificate (the token registry's rootcertbundle) and its libtrust key id. */
  certFile: string;
  kid: string;
}

export interface TokenServerConfig {
  /** expires_in of new tokens, seconds. */
  expiresIn: number;
  /** false: POST /token answers `postDisabledStatus` (so clients must fall back to GET). */
  oauth: boolean;
  postDisabledStatus: number;
}

export interface TokenLogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  /** 'basic' (GET with Basic), 'anonymous' (GET without), 'password' / 'refresh_token' (POST form), or what was sent. */
  grantType: string;
  /** '' when anonymous or rejected before a user was known. */
  user: string;
  service: string;
  /** Scopes as requested (each space-separated item separately). */
  scopes: string[];
  /** What the token grants, 'type:name:actions'. */
  granted: string[];
  status: number;
  offline: boolean;
  clientId?: string;
  /** Did the response include a refresh_token. */
  refreshToken: boolean;
}

export interface DockerInfo {
  socketPath: string;
  /** 'unix:///…/docker.sock' */
  dockerHost: string;
  pid: number;
  storageDriver: string;
  logFile: string;
}

export interface SeededChild {
  platform: string;
  digest: string;
  mediaType: string;
  size: number;
}

export interface SeededImage {
  registry: RegistryName;
  /** '127.0.0.1:PORT' */
  host: string;
  repository: string;
  tag: string;
  /** `${host}/${repository}:${tag}` */
  reference: string;
  digest: string;
  mediaType: string;
  size: number;
  /** 'linux/amd64', 'linux/arm64/v8' */
  platforms: string[];
  /** Manifest list / index children (pushed by digest, untagged). */
  children?: SeededChild[];
  /** The tag this one has identical content with (e.g. latest → 2.0.0), if any. */
  sameAs?: string;
  seedSet: SeedSetName;
}

export interface Timings {
  certsMs: number;
  servicesMs: number;
  seedMs: number;
  engineMs: number;
  totalMs: number;
}

/** Everything about a running environment that can go to JSON (the env file). */
export interface TestEnvData {
  stateDir: string;
  registries: Partial<Record<RegistryName, RegistryInfo>>;
  tokenServer: TokenServerInfo;
  docker?: DockerInfo;
  seeded: SeededImage[];
  envFile: string;
  /** PID of the process that started the env (it owns the token server and stops everything). */
  ownerPid: number;
  users: { username: string; password: string; access: 'all' | 'pull' }[];
  timings: Timings;
}

export interface TestEnv extends Omit<TestEnvData, 'registries'> {
  /**
   * Every started registry. Typed as a full record for convenience; with `registries: [...]` only the
   * started ones are present (use `registry(env, name)` for a checked lookup).
   */
  registries: Record<RegistryName, RegistryInfo>;
  /** Stops everything this env started (by PID), unmounts dockerd leftovers, removes stateDir. Idempotent. */
  stop(): Promise<void>;
}
