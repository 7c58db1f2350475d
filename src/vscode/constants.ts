/**
 * Every identifier the extension contributes, in one place. A unit test compares these with
 * `contributes` in package.json and checks the `registryLens.` prefix, so a typo cannot ship.
 * This file imports nothing at run time (only the manifest's type), so that test runs under plain Node.
 */
import type manifest from '../../package.json';

export const EXTENSION_ID = 'registry-lens.registry-lens';

export const enum ContainerId {
  Main = 'registryLens',
}

export enum ViewId {
  Registries = 'registryLens.registries',
  Images = 'registryLens.images',
  Local = 'registryLens.local',
}

export enum CommandId {
  /** {@link showLogCommand} */
  ShowLog = 'registryLens.showLog',
  /** Rescans the workspace for image references. */
  RefreshImages = 'registryLens.refreshImages',
  /** Workspace Images grouped by file. */
  GroupImagesByFile = 'registryLens.groupImagesByFile',
  /** Workspace Images grouped by registry and repository. */
  GroupImagesByRegistry = 'registryLens.groupImagesByRegistry',
  AddCredential = 'registryLens.addCredential',
  EditCredential = 'registryLens.editCredential',
  RemoveCredential = 'registryLens.removeCredential',
  TestCredential = 'registryLens.testCredential',
  RefreshRegistries = 'registryLens.refreshRegistries',
  OpenRegistryPage = 'registryLens.openRegistryPage',
  CheckNow = 'registryLens.checkNow',
  ImportDockerCredentials = 'registryLens.importDockerCredentials',
  ShowOnlyUpdates = 'registryLens.showOnlyUpdates',
  ShowAllImages = 'registryLens.showAllImages',
  /** Every update in the workspace as one edit, shown in the refactor preview. */
  UpdateAllImages = 'registryLens.updateAllImages',
  /** Internal (quick-fix): a policies rule that stops offering one update kind for an image. */
  IgnoreUpdateKind = 'registryLens.ignoreUpdateKind',
  /** Internal (code lens): the quick-fix menu at a reference. */
  ShowFixes = 'registryLens.showFixes',
  /** Reconnects to the engine and compares its images and containers again. */
  RefreshLocal = 'registryLens.refreshLocal',
  /** Pulls an image (local image, container's image, workspace reference) with the stored credential. */
  PullImage = 'registryLens.pullImage',
  /** {@link setCaFileCommand}: a CA file for a registry, in user settings (quick-fix of a TLS error). */
  SetCaFile = 'registryLens.setCaFile',
  /** {@link markInsecureCommand}: a registry in `insecureRegistries`, user settings, after a warning. */
  MarkInsecure = 'registryLens.markInsecure',
  /** Internal (quick-fix of a rate-limit error): says when the registry's limit resets. */
  ShowRateLimit = 'registryLens.showRateLimit',
  /** Pulls a running container's image and recreates it (compose, or the engine API), after a modal confirmation. */
  UpdateContainer = 'registryLens.updateContainer',
  /** Lists a plain-HTTP registry in `insecureRegistries` (user settings) so its credential is sent. */
  AllowPlainHttp = 'registryLens.allowPlainHttp',
  /** Internal (after Fix All): says what was changed and where. */
  Announce = 'registryLens.announce',
}

/** All command ids, for the manifest test. */
export const ALL_COMMANDS: readonly string[] = Object.values(CommandId);

/** `when`-clause context keys this extension sets (the manifest test checks package.json names no other). */
export enum ContextKey {
  /** 'registry' | 'file' */
  ImagesGroupBy = 'registryLens.imagesGroupBy',
  /** true while Workspace Images shows only images with updates */
  ImagesOnlyUpdates = 'registryLens.imagesOnlyUpdates',
  /** 'ok' | 'unavailable' once the local Docker engine was looked for (unset before) */
  EngineState = 'registryLens.engineState',
  /** true once the first workspace scan finished (the "no images" welcome waits for it) */
  Scanned = 'registryLens.scanned',
  /** How many credentials Registry Lens stores (the Registries welcome content) */
  StoredCredentials = 'registryLens.storedCredentials',
}

/** Tree item context values, namespaced so menus can match them exactly. */
export const enum ContextValue {
  ImagesRegistry = 'registryLens:images:registry',
  ImagesRepository = 'registryLens:images:repository',
  ImagesReference = 'registryLens:images:reference',
  ImagesFile = 'registryLens:images:file',
  ImagesUse = 'registryLens:images:use',
  /** A registry with a credential stored in Registry Lens (edit/remove/test apply). */
  RegistryStored = 'registryLens:registry:stored',
  /** A registry without a stored credential (add/test apply). */
  RegistryNoCredential = 'registryLens:registry:none',
  LocalImage = 'registryLens:local:image',
  /** A local image whose tag has a newer image in the registry (pull applies). */
  LocalImagePullable = 'registryLens:local:image:pull',
  LocalContainer = 'registryLens:local:container',
  LocalContainerPullable = 'registryLens:local:container:pull',
}
/** All context keys, for the manifest test. */
export const ALL_CONTEXT_KEYS: readonly string[] = Object.values(ContextKey);

/** All view ids, for the manifest test. */
export const ALL_VIEWS: readonly string[] = Object.values(ViewId);

/** The settings section: every setting is `registryLens.<name>`. */
export const SETTINGS_SECTION = 'registryLens';

/** The setting names package.json contributes, without the section (a type-only look at the manifest). */
type ManifestProperties = (typeof manifest)['contributes']['configuration']['properties'];
export type SettingName = {
  [K in keyof ManifestProperties]: K extends `registryLens.${infer N}` ? N : never;
}[keyof ManifestProperties];

/**
 * Every setting's name, in one place. `satisfies` makes a name that package.json does not contribute a compile
 * error; the manifest test checks the other direction (every contributed setting is listed here).
 */
export const Setting = {
  Include: 'include',
  Exclude: 'exclude',
  CaFiles: 'caFiles',
  InsecureRegistries: 'insecureRegistries',
  Proxy: 'proxy',
  RegistryMirrors: 'registryMirrors',
  CheckOnActivation: 'checkOnActivation',
  CheckIntervalMinutes: 'checkIntervalMinutes',
  CheckOnSave: 'checkOnSave',
  CodeLens: 'codeLens',
  Policies: 'policies',
  Severity: 'severity',
  DockerHost: 'docker.host',
  SourceKubernetes: 'sources.kubernetes',
  SourceHelm: 'sources.helm',
  SourceKustomize: 'sources.kustomize',
  SourceGithubActions: 'sources.githubActions',
  SourceGitlabCi: 'sources.gitlabCi',
  SourceDevcontainerFeatures: 'sources.devcontainerFeatures',
} as const satisfies Record<string, SettingName>;

export type SettingKey = (typeof Setting)[keyof typeof Setting];

/** All setting names, for the manifest test. */
export const ALL_SETTINGS: readonly SettingKey[] = Object.values(Setting);

export const LOG_CHANNEL_NAME = 'Registry Lens';
