import * as vscode from 'vscode';
import {
  isRecreateError,
  releaseNotesLinks,
  safestFirst,
  tryParseReference,
  type ContainerUpdate,
  type Credential,
  type LocalFinding,
  type RecreateResult,
} from '../../core';
import type { LocalEngine } from '../docker/localEngine';
import type { Services } from '../services';
import type { LocalNode } from '../tree/localTree';

type ContainerNode = Extract<LocalNode, { kind: 'container' }>;

export interface UpdateContainerResult {
  /** Per container chosen: what happened (`recreated`, `up-to-date`), or the error message. */
  results: Array<{ name: string; result?: RecreateResult; error?: string }>;
  /** Whether the user confirmed (false: nothing was changed). */
  confirmed: boolean;
}

const none: UpdateContainerResult = { results: [], confirmed: false };

/** The running containers of the last look, with their findings, for the palette's pick. */
function containerNodes(local: LocalEngine): ContainerNode[] {
  const s = local.state;
  if (s.state !== 'ok') return [];
  const byId = new Map((s.result?.containers ?? []).map((f) => [f.container?.id, f]));
  return s.inventory.containers.map((c) => ({
    kind: 'container' as const,
    id: c.id,
    name: c.name,
    ref: c.image,
    finding: byId.get(c.id),
  }));
}

function stateText(f: LocalFinding | undefined): string {
  if (!f) return vscode.l10n.t('not checked');
  if (f.status === 'digest-changed') return vscode.l10n.t('newer image in the registry');
  if (f.status === 'container-outdated') return vscode.l10n.t('runs an older image than its tag');
  if (f.status === 'update')
    return vscode.l10n.t(
      'newer tags: {0}',
      safestFirst(f.updates, true)
        .map((u) => u.tag)
        .join(', '),
    );
  if (f.status === 'current') return vscode.l10n.t('up to date');
  return f.status;
}

/** The containers to update: the node clicked, else the ones the user ticks in a pick (none ticked at first). */
async function chooseContainers(local: LocalEngine, arg: ContainerNode | string | undefined): Promise<ContainerNode[]> {
  if (typeof arg === 'object' && arg.kind === 'container') return [arg];
  if (local.state.state === 'idle' || local.state.state === 'connecting') await local.refresh('update command');
  const nodes = containerNodes(local);
  if (typeof arg === 'string') {
    // Exactly that container: its name, or its id (at least the 12 characters docker shows).
    const found = nodes.find((n) => n.name === arg || (arg.length >= 12 && n.id.startsWith(arg)));
    return found ? [found] : [];
  }
  const s = local.state;
  if (s.state !== 'ok') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Registry Lens: no Docker engine. {0}', s.state === 'unavailable' ? s.message : ''),
    );
    return [];
  }
  if (!nodes.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Registry Lens: no running containers to update.'));
    return [];
  }
  const items = nodes
    .map((n) => ({
      label: n.name,
      description: n.ref,
      detail: stateText(n.finding),
      node: n,
      outdated: n.finding?.outdated === true,
    }))
    .sort((a, b) => Number(b.outdated) - Number(a.outdated) || a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Update Running Containers'),
    placeHolder: vscode.l10n.t('Tick the containers to pull and recreate (nothing changes before you confirm)'),
    canPickMany: true,
  });
  return picked?.map((p) => p.node) ?? [];
}

/**
 * For one container with newer tags (not compose-managed: its file names the tag): the same tag's newest image, or a
 * newer tag, each newer tag with a button opening its release notes (compare page from the image's source label).
 */
async function chooseTarget(local: LocalEngine, node: ContainerNode): Promise<string | null | undefined> {
  const f = node.finding;
  const tags = safestFirst(f?.updates ?? [], true);
  if (!f || !tags.length) return null;
  const s = local.state;
  const container = s.state === 'ok' ? s.inventory.containers.find((c) => c.id === node.id) : undefined;
  if (container?.compose) return null;
  const parsed = tryParseReference(node.ref);
  if (parsed instanceof Error || parsed.digest) return null;
  const current = parsed.tag ?? 'latest';
  const base = node.ref.endsWith(`:${current}`) ? node.ref.slice(0, -current.length - 1) : node.ref;
  const image = await local.inspectImage(node.ref).catch(() => null);
  const source = image?.Config?.Labels?.['org.opencontainers.image.source'];
  type Item = vscode.QuickPickItem & { ref: string | null; notes?: string };
  const notesButton: vscode.QuickInputButton = {
    iconPath: new vscode.ThemeIcon('book'),
    tooltip: vscode.l10n.t('Release notes'),
  };
  const items: Item[] = [
    {
      label: vscode.l10n.t('{0} (newest image of the same tag)', current),
      description:
        f.digestChanged || f.status === 'container-outdated'
          ? vscode.l10n.t('newer image')
          : vscode.l10n.t('no newer image known'),
      ref: null,
    },
    ...tags.map((u): Item => {
      const notes = releaseNotesLinks(source, current, u.tag);
      return {
        label: u.tag,
        description: u.kind,
        ref: `${base}:${u.tag}`,
        ...(notes?.compare
          ? { notes: notes.compare, detail: vscode.l10n.t('Release notes: {0}', notes.compare), buttons: [notesButton] }
          : {}),
      };
    }),
  ];
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = vscode.l10n.t('Update {0} to', node.name);
  qp.placeholder = vscode.l10n.t('The same tag, or a newer one (the book button opens its release notes)');
  qp.items = items;
  return new Promise<string | null | undefined>((resolve) => {
    let chosen: Item | undefined;
    qp.onDidTriggerItemButton((e) => {
      if (e.item.notes) void vscode.env.openExternal(vscode.Uri.parse(e.item.notes));
    });
    qp.onDidAccept(() => {
      chosen = qp.selectedItems[0];
      qp.hide();
    });
    qp.onDidHide(() => {
      qp.dispose();
      resolve(chosen ? chosen.ref : undefined);
    });
    qp.show();
  });
}

/**
 * "Update Container": pulls the image of each chosen running container with the stored credential and recreates it
 * (compose-managed ones through compose in a visible terminal), after a modal confirmation that lists every step.
 * Only the containers the user chose are touched; a failure restores the old container and says what happened.
 */
export async function updateContainerCommand(
  services: Services,
  arg?: ContainerNode | string,
): Promise<UpdateContainerResult> {
  const local = services.local;
  const chosen = await chooseContainers(local, arg);
  if (!chosen.length) return none;
  let target: string | null | undefined = null;
  if (chosen.length === 1 && chosen[0]) {
    target = await chooseTarget(local, chosen[0]);
    if (target === undefined) return none;
  }
  const prepared: Array<{ node: ContainerNode; update: ContainerUpdate; auth: Credential | undefined }> = [];
  const problems: string[] = [];
  for (const node of chosen) {
    try {
      const { update, auth } = await local.prepareUpdate(node.id, target ?? undefined);
      if (update.blockers.length)
        problems.push(vscode.l10n.t('{0} cannot be updated: {1}.', node.name, update.blockers.join('; ')));
      else prepared.push({ node, update, auth });
    } catch (e) {
      problems.push(`${node.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (!prepared.length) {
    void vscode.window.showErrorMessage(`Registry Lens: ${problems.join(' ')}`);
    return none;
  }
  const detail = [
    ...prepared.map(({ update }) =>
      [
        `${update.plan.name}${update.path === 'compose' ? ` (${vscode.l10n.t('compose project {0}, service {1}', update.plan.compose?.project ?? '', update.plan.compose?.service ?? '')})` : ''}:`,
        ...update.steps.map((s, i) => `${i + 1}. ${s}`),
        ...update.warnings.map((w) => `⚠ ${w}`),
      ].join('\n'),
    ),
    ...(problems.length ? [problems.join('\n')] : []),
  ].join('\n\n');
  const names = prepared.map((p) => p.update.plan.name).join(', ');
  const action = vscode.l10n.t('Update');
  const ok = await local.confirm(
    vscode.l10n.t('Update {0}? The container is stopped and recreated.', names),
    detail,
    action,
  );
  if (!ok) return none;

  const results: UpdateContainerResult['results'] = [];
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Updating {0}', names), cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      try {
        for (const { update, auth } of prepared) {
          const name = update.plan.name;
          try {
            const result = await local.runUpdate(update, auth, {
              signal: controller.signal,
              onStep: (s) => progress.report({ message: `${name}: ${s}` }),
            });
            results.push({ name, result });
          } catch (e) {
            results.push({ name, error: isRecreateError(e) || e instanceof Error ? e.message : String(e) });
          }
        }
      } finally {
        sub.dispose();
      }
    },
  );
  for (const r of results) {
    if (r.error) {
      void vscode.window
        .showErrorMessage(`Registry Lens: ${r.error}`, vscode.l10n.t('Show Log'))
        .then((c) => c && services.log.show());
    } else if (r.result) {
      const msg =
        r.result.outcome === 'up-to-date'
          ? vscode.l10n.t('Registry Lens: {0} already runs the newest image.', r.name)
          : vscode.l10n.t('Registry Lens: {0} was recreated on {1}.', r.name, r.result.newImageId.slice(7, 19));
      void vscode.window.showInformationMessage([msg, ...r.result.warnings].join(' '));
    }
  }
  return { results, confirmed: true };
}
