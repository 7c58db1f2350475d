import * as vscode from 'vscode';
import {
  DOCKER_HUB,
  familiarName,
  imageDetails,
  releaseNotesLinks,
  safestFirst,
  type Finding,
  type ImageDetails,
  type Occurrence,
} from '../../core';
import type { RegistryClients } from '../registry/registryClients';
import type { UpdateChecker } from '../check/updateChecker';
import { presetForHost } from '../credentials/presets';
import type { RegistryStatus } from '../registry/registryStatus';
import type { WorkspaceImages } from '../workspace/workspaceImages';
import { rangeContains, toRange } from '../convert';

/** A web page for an image, where the registry has one. */
function imagePage(o: Occurrence): string | undefined {
  const ref = o.reference;
  if (!ref) return undefined;
  if (ref.registry === DOCKER_HUB) {
    return ref.repository.startsWith('library/')
      ? `https://hub.docker.com/_/${ref.repository.slice(8)}`
      : `https://hub.docker.com/r/${ref.repository}`;
  }
  if (ref.registry === 'ghcr.io' || ref.registry === 'quay.io') return `https://${ref.registry}/${ref.repository}`;
  return presetForHost(ref.registry).webPage?.(ref.registry);
}

/** How long a hover waits for an image's platforms and labels before showing what it has (they keep loading). */
const DETAILS_WAIT_MS = 1500;

/** The promise's value, or undefined after `ms` or on cancellation (the promise itself goes on). */
async function waitAtMost<T>(p: Promise<T>, ms: number, token?: vscode.CancellationToken): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let listener: vscode.Disposable | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
        listener = token?.onCancellationRequested(() => resolve(undefined));
      }),
    ]);
  } finally {
    clearTimeout(timer);
    listener?.dispose();
  }
}

/**
 * Hover on an image reference: what the last check found (from its results) — registry and repository, the
 * tag's digest, the newest tag of each update kind, when it was checked, which credential the registry uses, and
 * links. The one thing read on demand is the image's platforms and `org.opencontainers.image.source` label (an
 * index and a config blob, at most 3 small requests), waited for at most {@link DETAILS_WAIT_MS}, only in a trusted
 * workspace after a check, and cached (by digest: for the session, content is immutable; by tag: until the next check).
 */
export class ImageHoverProvider implements vscode.HoverProvider, vscode.Disposable {
  private readonly details = new Map<string, Promise<ImageDetails | undefined>>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly images: WorkspaceImages,
    private readonly checker: UpdateChecker,
    private readonly status: RegistryStatus,
    private readonly clients: RegistryClients,
  ) {
    this.subscription = checker.onDidChange(() => {
      for (const key of this.details.keys()) if (!key.includes('@')) this.details.delete(key);
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private detailsFor(f: Finding): Promise<ImageDetails | undefined> | undefined {
    const ref = f.occurrence.reference;
    // A digest names immutable content; a tag can move, so its entry lasts until the next check.
    const target = f.currentDigest ?? ref?.digest ?? ref?.tag;
    if (!ref || !target || f.status === 'error' || !vscode.workspace.isTrusted) return undefined;
    const key = `${ref.registry}/${ref.repository}${target.includes(':') ? '@' : ':'}${target}`;
    let p = this.details.get(key);
    if (!p) {
      p = imageDetails(
        this.clients.client,
        ref.registry,
        ref.repository,
        target,
        f.occurrence.platform ? { platform: f.occurrence.platform } : {},
      ).catch(() => {
        this.details.delete(key); // a failure is not immutable: try again on the next hover
        return undefined;
      });
      this.details.set(key, p);
    }
    return p;
  }

  async provideHover(
    doc: vscode.TextDocument,
    pos: vscode.Position,
    token?: vscode.CancellationToken,
  ): Promise<vscode.Hover | undefined> {
    const o = this.images.result.occurrences.find((x) => x.file === doc.uri.fsPath && rangeContains(x.range, pos));
    if (!o || (o.skip && o.skip.reason !== 'built-locally')) return undefined;
    const range = toRange(o.range);
    if (doc.getText(range) !== o.text) return undefined; // edited since the scan: say nothing rather than something stale
    const ref = o.reference;
    if (!ref) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(
      `**${familiarName(ref)}** — ${vscode.l10n.t('registry `{0}`, repository `{1}`', ref.registry, ref.repository)}\n\n`,
    );
    if (o.skip?.reason === 'built-locally')
      md.appendMarkdown(`${vscode.l10n.t('Built locally (the compose service has `build:`): not looked up.')}\n\n`);
    const f: Finding | undefined = this.checker.finding(o);
    if (f) {
      md.appendMarkdown(`${f.message}\n\n`);
      const tagUpdates = safestFirst(f.updates, true);
      if (tagUpdates.length) md.appendMarkdown(`${tagUpdates.map((u) => `- ${u.kind}: \`${u.tag}\``).join('\n')}\n\n`);
      if (f.currentDigest)
        md.appendMarkdown(
          `${vscode.l10n.t('Digest of `{0}`: `{1}`', ref.tag ?? 'latest', f.currentDigest)}${f.platform ? ` (${f.platform})` : ''}\n\n`,
        );
      for (const n of f.notes) md.appendMarkdown(`_${n.message}_\n\n`);
      const pending = this.detailsFor(f);
      const details = pending && (await waitAtMost(pending, DETAILS_WAIT_MS, token));
      if (details) {
        if (details.platforms.length)
          md.appendMarkdown(
            `${vscode.l10n.t('Platforms: {0}', details.platforms.map((p) => `\`${p}\``).join(', '))}\n\n`,
          );
        else if (details.configPlatform)
          md.appendMarkdown(`${vscode.l10n.t('Platform: `{0}` (single-platform image)', details.configPlatform)}\n\n`);
        const facts = [
          details.version && vscode.l10n.t('version `{0}`', details.version),
          details.revision && vscode.l10n.t('revision `{0}`', details.revision.slice(0, 12)),
          details.created && vscode.l10n.t('built {0}', details.created.slice(0, 10)),
        ].filter(Boolean);
        if (facts.length) md.appendMarkdown(`${facts.join(' · ')}\n\n`);
        if (details.source)
          md.appendMarkdown(
            `${vscode.l10n.t('[Source and changelog]({0}) ({1})', details.source, '`org.opencontainers.image.source`')}\n\n`,
          );
        const notes = releaseNotesLinks(details.source, ref.tag, tagUpdates[0]?.tag);
        if (notes?.compare)
          md.appendMarkdown(
            `[${vscode.l10n.t('Changes {0} → {1}', notes.from ?? '', notes.to ?? '')}](${notes.compare}) · [${vscode.l10n.t('Releases')}](${notes.releases}) (${notes.repository})\n\n`,
          );
      }
    } else if (!o.skip) {
      md.appendMarkdown(`${vscode.l10n.t('Not checked yet: run **Registry Lens: Check for Image Updates Now**.')}\n\n`);
    }
    const s = this.checker.summary;
    const reg = this.status.state(ref.registry);
    const when = s.checkedAt
      ? vscode.l10n.t('checked {0}', new Date(s.checkedAt).toLocaleString())
      : s.fromCache
        ? vscode.l10n.t('from the cache of an earlier check')
        : vscode.l10n.t('not checked in this session');
    md.appendMarkdown(
      `${when}${reg.credentialSource ? ` · ${vscode.l10n.t('credential: {0}', reg.credentialSource)}` : ''}`,
    );
    const page = imagePage(o);
    if (page) md.appendMarkdown(` · [${vscode.l10n.t('registry page')}](${page})`);
    return new vscode.Hover(md, range);
  }
}
