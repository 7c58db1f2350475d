/**
 * Every identifier the extension contributes, in one place. A unit test compares these with
 * `contributes` in package.json and checks the `registryLens.` prefix, so a typo cannot ship.
 * This file imports nothing, so that test runs under plain Node.
 */

export const EXTENSION_ID = 'registry-lens.registry-lens';

export const enum ContainerId {
  Main = 'registryLens',
}

export const enum ViewId {
  Registries = 'registryLens.registries',
  Images = 'registryLens.images',
}

export const enum CommandId {
  /** {@link showLogCommand} */
  ShowLog = 'registryLens.showLog',
}

/** All command ids, for the manifest test (const enums vanish at run time). */
export const ALL_COMMANDS: readonly string[] = [CommandId.ShowLog];
/** All view ids, for the manifest test. */
export const ALL_VIEWS: readonly string[] = [ViewId.Registries, ViewId.Images];

export const LOG_CHANNEL_NAME = 'Registry Lens';
