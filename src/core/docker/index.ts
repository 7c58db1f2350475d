// The local Docker engine's public surface (re-exported by src/core/index.ts). dockerode itself is loaded only
// when an Engine method first runs.
export {
  contextDirName,
  DEFAULT_DOCKER_SOCKET,
  describeEndpoint,
  resolveEngine,
  type EngineEndpoint,
  type EngineSource,
  type EngineTls,
  type ResolveEngineOptions,
} from './endpoint';
export {
  demuxLogs,
  Engine,
  registryAuthValue,
  type EngineOptions,
  type EngineState,
  type LocalContainer,
  type LocalImage,
  type LocalInventory,
  type PullOptions,
  type PullResult,
} from './engine';
export {
  classifyEngineError,
  DockerEngineError,
  EngineRequestError,
  EngineUnavailableError,
  isAbortError,
  isDockerEngineError,
  isEngineRequestError,
  isEngineUnavailableError,
  isPullError,
  PullError,
  pullErrorKind,
  type DockerEngineErrorName,
  type EngineUnavailableReason,
} from './errors';
export {
  eventError,
  formatBytes,
  PullStreamParser,
  PullTracker,
  type LayerPhase,
  type LayerProgress,
  type PullEvent,
  type PullProgress,
} from './progress';
export type {
  ContainerConfig,
  ContainerCreateBody,
  ContainerInspect,
  EndpointSettings,
  HostConfigLike,
  ImageInspect,
} from './inspect';
export {
  bindTarget,
  DEFAULT_STOP_TIMEOUT,
  describePlan,
  isRecreateError,
  planRecreate,
  recreateContainer,
  RecreateError,
  type RecreateOptions,
  type RecreatePlan,
  type RecreateResult,
  type RecreateStage,
} from './recreate';
export {
  COMPOSE_LABELS,
  composeCommandLine,
  composeProblems,
  composeProjectOf,
  composeUpArgs,
  engineEnv,
  findCompose,
  runCompose,
  type ComposeCommand,
  type ComposeProject,
} from './compose';
export {
  prepareUpdate,
  updateWithCompose,
  type ComposeRunOptions,
  type ContainerUpdate,
  type PrepareOptions,
} from './update';
export { releaseNotesLinks, sourceVersionOf, type ReleaseNotesLinks } from './releaseNotes';
