import * as vscode from 'vscode';
import {
  formatBytes,
  isAbortError,
  isPullError,
  tryParseReference,
  type PullProgress,
  type PullResult,
} from '../../core';
import type { LocalEngine } from '../docker/localEngine';
import type { Services } from '../services';
import type { LocalNode } from '../tree/localTree';
import type { ImagesNode } from '../tree/imagesModel';

/** Progress in a few words: `3/5 layers · 12.3 MB of 40.1 MB`. */
export function progressText(p: PullProgress): string {
  if (p.phase === 'resolving') return p.status || vscode.l10n.t('resolving…');
  const bytes = p.bytes.total
    ? ` · ${vscode.l10n.t('{0} of {1}', formatBytes(p.bytes.current), formatBytes(p.bytes.total))}`
    : '';
  const layers = vscode.l10n.t('{0}/{1} layers', p.layers.done, p.layers.total);
  return `${layers}${bytes}${p.phase === 'extracting' ? ` · ${vscode.l10n.t('extracting')}` : ''}`;
}

/** The reference a node stands for: a local image's tag, a container's configured image, a workspace reference. */
function refOf(node: LocalNode | ImagesNode | string | undefined): string | undefined {
  if (typeof node === 'string') return node;
  if (!node) return undefined;
  if (node.kind === 'image' || node.kind === 'container') return node.ref;
  if (node.kind === 'reference') return node.builtLocally ? undefined : node.canonical;
  return undefined;
}

/**
 * "Pull Newer Image": pulls with the credential stored for the image's registry (SecretStorage, then the docker
 * config), in a cancellable notification with layers and bytes; an error event in the engine's stream is a
 * failure, said with the engine's words. A container is never restarted: the message says to recreate it.
 * Without an argument, picks among the out-of-date local images and containers.
 */
export async function pullImageCommand(
  services: Services,
  local: LocalEngine,
  arg?: LocalNode | ImagesNode | string,
  options: { quiet?: boolean } = {},
): Promise<PullResult | undefined> {
  let ref = refOf(arg);
  if (!ref) {
    if (local.state.state === 'idle' || local.state.state === 'connecting') await local.refresh('pull command');
    const s = local.state;
    if (s.state !== 'ok') {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Registry Lens: no Docker engine to pull with. {0}', s.state === 'unavailable' ? s.message : ''),
      );
      return undefined;
    }
    const outdated = [...(s.result?.images ?? []), ...(s.result?.containers ?? [])].filter((f) =>
      f.actions.includes('pull'),
    );
    const refs = [...new Set(outdated.map((f) => f.ref))];
    const picked = await vscode.window.showQuickPick(
      refs.length ? refs : s.inventory.images.flatMap((i) => i.repoTags),
      {
        title: vscode.l10n.t('Pull Newer Image'),
        placeHolder: refs.length
          ? vscode.l10n.t('Images with a newer version in their registry')
          : vscode.l10n.t('Nothing is out of date; pull one of the local images again?'),
      },
    );
    if (!picked) return undefined;
    ref = picked;
  }
  const parsed = tryParseReference(ref);
  if (parsed instanceof Error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Registry Lens: cannot pull "{0}": {1}', ref, parsed.message));
    return undefined;
  }
  const container = typeof arg === 'object' && arg.kind === 'container' ? arg.name : undefined;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Pulling {0}', ref), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        try {
          return await local.pull(ref, parsed.registry, {
            signal: controller.signal,
            onProgress: (p) => {
              const fraction = p.bytes.total ? Math.min(1, p.bytes.current / p.bytes.total) : 0;
              const increment = Math.max(0, fraction * 100 - reported);
              reported += increment;
              progress.report({ message: progressText(p), increment });
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
    const what =
      result.outcome === 'downloaded'
        ? vscode.l10n.t('Registry Lens: Pulled a newer {0}.', ref)
        : vscode.l10n.t('Registry Lens: {0} is already the newest.', ref);
    const still = container
      ? ` ${vscode.l10n.t('The container {0} still runs the image it started with: recreate it (docker compose up -d, docker run) when it suits you.', container)}`
      : '';
    if (!options.quiet) void vscode.window.showInformationMessage(`${what}${still}`);
    void local.refresh('pulled', { fresh: true });
    return result;
  } catch (e) {
    if (isAbortError(e)) {
      if (!options.quiet)
        void vscode.window.showInformationMessage(vscode.l10n.t('Registry Lens: pull of {0} cancelled.', ref));
      return undefined;
    }
    const message = isPullError(e) ? e.message : e instanceof Error ? e.message : String(e);
    const hint =
      isPullError(e) && e.kind === 'auth'
        ? ` ${vscode.l10n.t('Check the credential for {0} (Registries view).', parsed.registry)}`
        : '';
    void vscode.window
      .showErrorMessage(
        `${vscode.l10n.t('Registry Lens: pulling {0} failed: {1}.', ref, message)}${hint}`,
        vscode.l10n.t('Show Log'),
      )
      .then((choice) => {
        if (choice) services.log.show();
      });
    if (options.quiet) throw e;
    return undefined;
  }
}
