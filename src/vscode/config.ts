import * as vscode from 'vscode';

/** The extension's settings, typed once; mirrors `contributes.configuration` in package.json. */
export interface Settings {
  /** Extra globs (relative to each workspace folder) for files to scan beyond the built-in Dockerfile/compose/devcontainer names. */
  include: string[];
  /** Globs (relative to each workspace folder) for files and folders never scanned. */
  exclude: string[];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('registryLens', scope);
  return {
    include: strings(c.get('include')),
    exclude: strings(c.get('exclude')),
  };
}
