// The registry client's public surface (re-exported by src/core/index.ts). Low-level helpers stay internal.
export {
  AuthError,
  classifyTransportError,
  describeErrors,
  isAuthError,
  isNetworkError,
  isNotFoundError,
  isProtocolError,
  isRateLimitError,
  isRegistryError,
  isTlsError,
  NetworkError,
  NotFoundError,
  parseErrorBody,
  ProtocolError,
  RateLimitError,
  redactUrl,
  RegistryError,
  TlsError,
  type RegistryErrorDetail,
  type RegistryErrorInit,
  type RegistryErrorKind,
  type RegistryErrorName,
} from './errors';
export { challengeScopes, findChallenge, parseWwwAuthenticate, type Challenge } from './challenge';
export {
  nextLink,
  parseLinkHeader,
  parseRateLimit,
  parseRetryAfter,
  type LinkValue,
  type RateLimitInfo,
} from './headers';
export {
  credentialIdentity,
  MIN_TOKEN_SECONDS,
  parseTokenResponse,
  TokenCache,
  tokenKey,
  type TokenKey,
  type TokenResponse,
} from './tokens';
export { baseMediaType, INDEX_MEDIA_TYPES, isIndexMediaType, MANIFEST_MEDIA_TYPES, MEDIA_TYPES } from './mediaTypes';
export { endpointHost, isLoopbackHostname, isPrivateHostname } from './hosts';
export {
  RegistryClient,
  type AuthScheme,
  type ClientStats,
  indexOf,
  type DispatcherSource,
  type ImageIndex,
  type Manifest,
  type ManifestDescriptor,
  type PingResult,
  type PlatformEntry,
  type RegistryClientOptions,
  type RegistryHostOptions,
  type RequestOptions,
  type RetryOptions,
  type TagList,
  type TagListOptions,
} from './client';
export {
  buildMirrorTable,
  daemonConfigFiles,
  type Mirror,
  mirroredRepository,
  MirrorTable,
  parseMirror,
  readDaemonMirrors,
  throughMirrors,
} from './mirrors';
export {
  createRegistryClient,
  matchesNoProxy,
  RegistryTransport,
  type CreateClientOptions,
  type RegistrySettings,
  type TransportChoice,
  type TransportHostOptions,
  type TransportOptions,
} from './transport';
