import * as vscode from 'vscode';

/**
 * Guided presets for adding a credential: the right host and user-name hints per registry kind. The hints are
 * user-facing, so they go through `vscode.l10n.t`; product names stay as they are.
 */
export interface CredentialPreset {
  id: string;
  label: string;
  /** The registry host, or undefined when the user types it (self-hosted, Harbor, ECR, Artifact Registry). */
  host?: string;
  hostPrompt?: string;
  hostPlaceholder?: string;
  /** A fixed user name (`_json_key`, `AWS`, `oauth2accesstoken`), or undefined to ask. */
  username?: string;
  usernamePrompt: string;
  secretPrompt: string;
  /** The secret is a JSON key file the user picks (GCR/Artifact Registry). */
  secretFromFile?: boolean;
  /** Short-lived secrets: hours until it stops working (ECR tokens: 12). */
  expiresHours?: number;
  /** The registry's web page for a host, when it has one. */
  webPage?: (host: string) => string | undefined;
}

export const CREDENTIAL_PRESETS: readonly CredentialPreset[] = [
  {
    id: 'dockerhub',
    label: 'Docker Hub',
    host: 'docker.io',
    usernamePrompt: vscode.l10n.t('Docker Hub user name'),
    secretPrompt: vscode.l10n.t(
      'Docker Hub personal access token (Account settings > Personal access tokens), read-only is enough',
    ),
    webPage: () => 'https://hub.docker.com/',
  },
  {
    id: 'ghcr',
    label: 'GitHub Container Registry (ghcr.io)',
    host: 'ghcr.io',
    usernamePrompt: vscode.l10n.t('GitHub user name'),
    secretPrompt: vscode.l10n.t('GitHub personal access token with read:packages'),
    webPage: () => 'https://github.com/',
  },
  {
    id: 'gitlab',
    label: 'GitLab Container Registry',
    hostPrompt: vscode.l10n.t('GitLab registry host'),
    hostPlaceholder: 'registry.gitlab.com',
    usernamePrompt: vscode.l10n.t("GitLab user name (or the deploy token's user name)"),
    secretPrompt: vscode.l10n.t('Personal, project or deploy token with read_registry'),
  },
  {
    id: 'gcp',
    label: vscode.l10n.t('Google Artifact Registry / GCR (JSON key)'),
    hostPrompt: vscode.l10n.t('Registry host'),
    hostPlaceholder: vscode.l10n.t('{0} or {1}', 'europe-docker.pkg.dev', 'gcr.io'),
    username: '_json_key',
    usernamePrompt: vscode.l10n.t('User name'),
    secretPrompt: vscode.l10n.t('Service account JSON key file'),
    secretFromFile: true,
  },
  {
    id: 'ecr',
    label: 'Amazon ECR',
    hostPrompt: vscode.l10n.t('ECR registry host'),
    hostPlaceholder: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    username: 'AWS',
    usernamePrompt: vscode.l10n.t('User name'),
    secretPrompt: vscode.l10n.t('Output of "aws ecr get-login-password" (valid for 12 hours)'),
    expiresHours: 12,
  },
  {
    id: 'acr',
    label: 'Azure Container Registry',
    hostPrompt: vscode.l10n.t('ACR login server'),
    hostPlaceholder: 'myregistry.azurecr.io',
    usernamePrompt: vscode.l10n.t('User name (admin user, token name, or service principal app ID)'),
    secretPrompt: vscode.l10n.t('Password or token password'),
  },
  {
    id: 'quay',
    label: 'Quay.io',
    host: 'quay.io',
    usernamePrompt: vscode.l10n.t('Quay user name or robot account (org+robot)'),
    secretPrompt: vscode.l10n.t("Password, or the robot account's token"),
    webPage: () => 'https://quay.io/',
  },
  {
    id: 'harbor',
    label: 'Harbor',
    hostPrompt: vscode.l10n.t('Harbor host'),
    hostPlaceholder: 'harbor.example.com',
    usernamePrompt: vscode.l10n.t('User name or robot account (robot$project+name)'),
    secretPrompt: vscode.l10n.t('Password or robot account secret'),
    webPage: (host) => `https://${host}/`,
  },
  {
    id: 'generic',
    label: vscode.l10n.t('Self-hosted registry (registry:2, Nexus, Artifactory, ...)'),
    hostPrompt: vscode.l10n.t('Registry host (and port)'),
    hostPlaceholder: 'registry.example.com:5000',
    usernamePrompt: vscode.l10n.t('User name'),
    secretPrompt: vscode.l10n.t('Password or token'),
  },
];

/** The preset that fits a host best (for Edit and for the tree's web-page action). */
export function presetForHost(host: string, kind?: string): CredentialPreset {
  const byKind = kind ? CREDENTIAL_PRESETS.find((p) => p.id === kind) : undefined;
  if (byKind) return byKind;
  const fixed = CREDENTIAL_PRESETS.find((p) => p.host === host);
  if (fixed) return fixed;
  if (/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host)) return preset('ecr');
  if (/(^|\.)gcr\.io$|-docker\.pkg\.dev$/.test(host)) return preset('gcp');
  if (/\.azurecr\.io$/.test(host)) return preset('acr');
  if (/gitlab/.test(host)) return preset('gitlab');
  return preset('generic');
}

function preset(id: string): CredentialPreset {
  const p = CREDENTIAL_PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  return p;
}
