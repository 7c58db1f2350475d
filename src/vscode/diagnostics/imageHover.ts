import * as vscode from 'vscode';
import { DOCKER_HUB, familiarName, type Finding, type Occurrence } from '../../core';
import type { UpdateChecker } from '../check/updateChecker';
import { presetForHost } from '../credentials/presets';
import type { RegistryStatus } from '../registry/registryStatus';
import type { WorkspaceImages } from '../workspace/workspaceImages';
import { safestFirst } from './tagEdits';

const within = (o: Occurrence, pos: vscode.Position): boolean => {
  const { start, end } = o.range;
  return (pos.line > start.line || (pos.line === start.line && pos.character >= start.character)) &&
    (pos.line < end.line || (pos.line === end.line && pos.character <= end.character));
};

/** A web page for an image, where the registry has one. */
function imagePage(o: Occurrence): string | undefined {
  const ref = o.reference;
  if (!ref) return undefined;
  if (ref.registry === DOCKER_HUB) {
    return ref.repository.startsWith('library/') ? `https://hub.docker.com/_/${ref.repository.slice(8)}` : `https://hub.docker.com/r/${ref.repository}`;
  }
  if (ref.registry === 'ghcr.io' || ref.registry === 'quay.io') return `https://${ref.registry}/${ref.repository}`;
  return presetForHost(ref.registry).webPage?.(ref.registry);
}

/**
 * Hover on an image reference: what the last check found (from its results, never a request while typing) —
 * registry and repository, the tag's digest, the newest tag of each update kind, when it was checked, which
 * credential the registry uses, and links.
 */
export class ImageHoverProvider implements vscode.HoverProvider {
  constructor(private readonly images: WorkspaceImages, private readonly checker: UpdateChecker, private readonly status: RegistryStatus) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const o = this.images.result.occurrences.find((x) => x.file === doc.uri.fsPath && within(x, pos));
    if (!o || (o.skip && o.skip.reason !== 'built-locally')) return undefined;
    const range = new vscode.Range(o.range.start.line, o.range.start.character, o.range.end.line, o.range.end.character);
    if (doc.getText(range) !== o.text) return undefined; // edited since the scan: say nothing rather than something stale
    const ref = o.reference;
    if (!ref) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${familiarName(ref)}** — registry \`${ref.registry}\`, repository \`${ref.repository}\`\n\n`);
    if (o.skip?.reason === 'built-locally') md.appendMarkdown('Built locally (the compose service has `build:`): not looked up.\n\n');
    const f: Finding | undefined = this.checker.finding(o);
    if (f) {
      md.appendMarkdown(`${f.message}\n\n`);
      const tagUpdates = safestFirst(f.updates, true);
      if (tagUpdates.length) md.appendMarkdown(`${tagUpdates.map((u) => `- ${u.kind}: \`${u.tag}\``).join('\n')}\n\n`);
      if (f.currentDigest) md.appendMarkdown(`Digest of \`${ref.tag ?? 'latest'}\`: \`${f.currentDigest}\`${f.platform ? ` (${f.platform})` : ''}\n\n`);
      for (const n of f.notes) md.appendMarkdown(`_${n.message}_\n\n`);
    } else if (!o.skip) {
      md.appendMarkdown('Not checked yet: run **Registry Lens: Check for Image Updates Now**.\n\n');
    }
    const s = this.checker.summary;
    const reg = this.status.state(ref.registry);
    const when = s.checkedAt ? `checked ${new Date(s.checkedAt).toLocaleString()}` : s.fromCache ? 'from the cache of an earlier check' : 'not checked in this session';
    md.appendMarkdown(`${when}${reg.credentialSource ? ` · credential: ${reg.credentialSource}` : ''}`);
    const page = imagePage(o);
    if (page) md.appendMarkdown(` · [registry page](${page})`);
    return new vscode.Hover(md, range);
  }
}
