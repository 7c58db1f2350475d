// The check engine's public surface (re-exported by src/core/index.ts).
export {
  checkImages,
  errorFindingCode,
  NotCachedError,
  type CheckOptions,
  type CheckProgress,
  type CheckResult,
  type CheckStats,
  type RegistryLike,
} from './engine';
export {
  checkCacheFile,
  DEFAULT_TTLS,
  defaultCacheDir,
  isCacheEntry,
  JsonFileCacheStore,
  MemoryCacheStore,
  type CacheEntry,
  type CacheStore,
  type CacheTtls,
} from './cache';
export {
  checkLocal,
  LOCAL_STATUSES,
  OUTDATED_STATUSES,
  type CheckLocalOptions,
  type LocalCheckResult,
  type LocalFinding,
  type LocalFindingCode,
  type LocalStatus,
} from './local';
export { imageDetails, type ImageDetails } from './details';
export { hostPlatform, normalizePlatform, samePlatform } from './platform';
export { sarifRegion, toSarif, type SarifOptions, type SarifRegion } from './sarif';
export {
  ALL_FINDING_CODES,
  FINDING_CODES,
  FINDING_STATUSES,
  findingRemedy,
  LEGACY_SEVERITY_KEYS,
  resolveSeverities,
  type Finding,
  type FindingCode,
  type FindingCodeInfo,
  type FindingError,
  type FindingNote,
  type FindingStatus,
  type FindingUpdate,
  type NotChecked,
  type SeverityLevel,
  type StaleInfo,
} from './types';
