export { extractCompose, type ComposeOptions } from './compose';
export { extractDevcontainer } from './devcontainer';
export { classifyFile, discoverFiles, guessSource, type DiscoveredFile, type DiscoveryOptions } from './discovery';
export { extractDockerfile } from './dockerfile';
export { extractGithubActions } from './githubActions';
export { extractGitlabCi, type GitlabCiOptions } from './gitlabCi';
export { extractHelmValues } from './helm';
export { extractKubernetes, looksLikeKubernetes } from './kubernetes';
export { extractKustomize } from './kustomize';
export { compileGlob, parseGlob, type GlobMatcher, type GlobProblem } from './glob';
export { isIgnored, parseGitignore, type IgnoreLevel, type IgnoreNote, type IgnoreRule } from './gitignore';
export { FILE_SIZE_LIMITS, LIMITS, isLimitError, LimitError, type LimitName } from './limits';
export {
  extractFile,
  readDotenvBeside,
  scanWorkspace,
  type DotenvRead,
  type ExtractFileOptions,
  type ScanOptions,
  type ScanResult,
} from './scan';
export { SourceText } from './sourceText';
export {
  OCCURRENCE_SOURCES,
  SKIP_REASONS,
  type DirectiveComment,
  type ExtractionError,
  type ExtractResult,
  type FileReference,
  type Location,
  type Occurrence,
  type OccurrenceKind,
  type OccurrenceSource,
  type Position,
  type Range,
  type Skip,
  type SkipReason,
  type StageInfo,
} from './types';
