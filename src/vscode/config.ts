import * as vscode from 'vscode';
import { normalizeRegistry, type OccurrenceSource, type RegistrySettings } from '../core';
import { Setting, SETTINGS_SECTION, type SettingKey } from './constants';

/**
 * The extension's settings, typed once; mirrors `contributes.configuration` in package.json (names in
 * `Setting`, constants.ts). Security-sensitive ones (CA files, insecure hosts, proxy, the Docker host) are read
 * from user and machine settings only: `inspect()` gives each layer, and workspace and folder values are ignored
 * even if someone writes them, so a cloned repository cannot turn off TLS checks or route credentials elsewhere.
 */
export interface Settings {
  /** Extra globs (relative to each workspace folder) for files to scan beyond the built-in Dockerfile/compose/devcontainer names. */
  include: string[];
  /** Globs (relative to each workspace folder) for files and folders never scanned. */
  exclude: string[];
  /** Extra CA file (PEM) per normalised registry host. User/machine scope only. */
  caFiles: Record<string, string>;
  /** Normalised hosts allowed plain HTTP or unverified TLS. User/machine scope only. */
  insecureRegistries: string[];
  /** Proxy URL for registry traffic ('' : the environment's). User scope only. */
  proxy: string;
  /** Mirrors / pull-through caches per normalised registry, in order. User/machine scope only. */
  registryMirrors: Record<string, string[]>;
  /** Ping the workspace's registries and check for updates when the extension starts. */
  checkOnActivation: boolean;
  /** Minutes between background checks (0: none). */
  checkIntervalMinutes: number;
  /** Check after an image file is saved. */
  checkOnSave: boolean;
  /** Code lenses above image references. */
  codeLens: boolean;
  /** `registryLens.policies` as written (compiled and validated by the core). */
  policies: unknown[];
  /** `registryLens.severity` as written: finding code (or an older key) -> level. */
  severity: Record<string, unknown>;
  /** The Docker engine endpoint ('' : environment, context, default socket). User scope only. */
  dockerHost: string;
  /** The sources the workspace scan reads (`registryLens.sources.*`; Dockerfiles, compose and dev containers always). */
  sources: OccurrenceSource[];
  /** `registryLens.sources.devcontainerFeatures`: dev container features are checked like images. */
  devcontainerFeatures: boolean;
}

/** The `registryLens.sources.*` switch of each optional source. */
const SOURCE_SETTINGS: [OccurrenceSource, SettingKey][] = [
  ['kubernetes', Setting.SourceKubernetes],
  ['helm', Setting.SourceHelm],
  ['kustomize', Setting.SourceKustomize],
  ['github-actions', Setting.SourceGithubActions],
  ['gitlab-ci', Setting.SourceGitlabCi],
];

/** The settings that change which files the workspace scan reads. */
export const SCAN_SETTINGS: readonly SettingKey[] = [
  Setting.Include,
  Setting.Exclude,
  ...SOURCE_SETTINGS.map(([, k]) => k),
  Setting.SourceDevcontainerFeatures,
];

/** The full name of a setting (`registryLens.caFiles`), for `affectsConfiguration` and messages. */
export function settingId(key: SettingKey): string {
  return `${SETTINGS_SECTION}.${key}`;
}

/**
 * Writes a setting in the user's settings (never a workspace's: the security-sensitive settings are read from
 * there only). `undefined` removes it.
 */
export async function updateUserSetting(key: SettingKey, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

/** The value in the user's settings alone (what {@link updateUserSetting} writes over). */
export function userSetting<T>(key: SettingKey): T | undefined {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<T>(key)?.globalValue;
}

/** True when the change touches any of `keys`. */
export function affects(e: vscode.ConfigurationChangeEvent, ...keys: SettingKey[]): boolean {
  return keys.some((k) => e.affectsConfiguration(settingId(k)));
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
}

/** The user (or default) value only: never a workspace's. */
function userValue<T>(c: vscode.WorkspaceConfiguration, key: SettingKey): T | undefined {
  const i = c.inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue;
}

function caFiles(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value || typeof value !== 'object') return out;
  for (const [host, file] of Object.entries(value as Record<string, unknown>)) {
    if (typeof file === 'string' && file.trim()) out[normalizeRegistry(host)] = file.trim();
  }
  return out;
}

/** `{ registry: [mirror, ...] }` as written (hosts normalised; each mirror is checked by the core). */
function mirrorLists(value: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!value || typeof value !== 'object') return out;
  for (const [host, list] of Object.entries(value as Record<string, unknown>)) {
    try {
      out[normalizeRegistry(host)] = strings(list).map((m) => m.trim());
    } catch {
      // not a registry host: ignored here, the manifest's schema already flags it
    }
  }
  return out;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const num = c.get<unknown>(Setting.CheckIntervalMinutes, 60);
  // Severity: the user's and the workspace's keys only (the contributed default documents the table's defaults,
  // and merging it in would hide an older key such as `update` behind the default of `update-available`).
  const sev = c.inspect<unknown>(Setting.Severity);
  const objects = [sev?.globalValue, sev?.workspaceValue, sev?.workspaceFolderValue].filter(
    (v): v is Record<string, unknown> => !!v && typeof v === 'object',
  );
  const severity = Object.assign({}, ...objects) as Record<string, unknown>;
  const policies = c.get<unknown>(Setting.Policies, []);
  const proxy = userValue<unknown>(c, Setting.Proxy);
  return {
    include: strings(c.get(Setting.Include)),
    exclude: strings(c.get(Setting.Exclude)),
    caFiles: caFiles(userValue(c, Setting.CaFiles)),
    insecureRegistries: strings(userValue(c, Setting.InsecureRegistries)).map((h) => normalizeRegistry(h.trim())),
    proxy: typeof proxy === 'string' ? proxy.trim() : '',
    registryMirrors: mirrorLists(userValue(c, Setting.RegistryMirrors)),
    checkOnActivation: c.get<boolean>(Setting.CheckOnActivation, true) !== false,
    checkIntervalMinutes: typeof num === 'number' && Number.isFinite(num) && num > 0 ? num : 0,
    checkOnSave: c.get<boolean>(Setting.CheckOnSave, true) !== false,
    codeLens: c.get<boolean>(Setting.CodeLens, false) === true,
    policies: Array.isArray(policies) ? policies : [],
    severity,
    // The engine receives registry credentials with each pull: user settings only.
    dockerHost: c.inspect<string>(Setting.DockerHost)?.globalValue ?? '',
    sources: [
      'dockerfile',
      'compose',
      'devcontainer',
      ...SOURCE_SETTINGS.filter(([, k]) => c.get<boolean>(k, true) !== false).map(([s]) => s),
    ],
    devcontainerFeatures: c.get<boolean>(Setting.SourceDevcontainerFeatures, true) !== false,
  };
}

/** What the registry client takes from settings: per-host CA file / insecure flag, and the proxy. */
export function registrySettings(s: Pick<Settings, 'caFiles' | 'insecureRegistries' | 'proxy'> = readSettings()): {
  hosts: Record<string, RegistrySettings>;
  proxy?: string;
} {
  const hosts: Record<string, RegistrySettings> = {};
  for (const [host, file] of Object.entries(s.caFiles)) hosts[host] = { ...hosts[host], caFile: file };
  for (const host of s.insecureRegistries) hosts[host] = { ...hosts[host], insecure: true };
  return { hosts, ...(s.proxy ? { proxy: s.proxy } : {}) };
}
