import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { CommandId } from '../../src/vscode/constants';
import { api, render } from './support';

suite('Workspace Images view', () => {
  test('lists every image of the fixture workspace by registry, with the file and line of each use', async () => {
    const a = await api();
    await a.imagesIdle();
    const shown = await render(a.imagesTree);
    assert.deepEqual(
      shown,
      [
        'docker.io (Docker Hub) — 5 repositories',
        '  example/web',
        '    dev — built locally',
        '      compose.yaml:4 — service (web)',
        '  nginx',
        '    1.25.3 — 1 use',
        '      Dockerfile:8 — FROM',
        '  node',
        '    20.11.0-alpine — 1 use',
        '      Dockerfile:3 — FROM (build)',
        '  postgres',
        '    15.6 — 1 use',
        '      compose.yaml:8 — service (db)',
        '  redis',
        '    7.2.4 — 1 use',
        '      compose.yaml:6 — service (cache)',
      ],
      shown.join('\n'),
    );
  });

  test('a use opens the file with the reference selected', async () => {
    const a = await api();
    await a.imagesIdle();
    // Find the nginx use item through the provider and run its command, as a click does.
    const walk = async (node?: unknown): Promise<vscode.TreeItem[]> => {
      const items: vscode.TreeItem[] = [];
      for (const c of (await a.imagesTree.getChildren(node)) ?? []) {
        items.push(await a.imagesTree.getTreeItem(c), ...(await walk(c)));
      }
      return items;
    };
    const use = (await walk()).find((i) => i.label === 'Dockerfile:8');
    assert.ok(use?.command, 'the nginx use has no command');
    await vscode.commands.executeCommand(use.command.command, ...((use.command.arguments ?? []) as unknown[]));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no editor opened');
    assert.ok(editor.document.uri.path.endsWith('/Dockerfile'));
    assert.equal(editor.document.getText(editor.selection), 'nginx:1.25.3');
  });

  test('groups by file and back', async () => {
    const a = await api();
    await vscode.commands.executeCommand(CommandId.GroupImagesByFile);
    const byFile = await render(a.imagesTree);
    assert.deepEqual(
      byFile.filter((l) => !l.startsWith(' ')),
      ['compose.yaml — 3 images', 'Dockerfile — 2 images'],
    );
    assert.ok(byFile.includes('  nginx:1.25.3 — line 8'), byFile.join('\n'));
    await vscode.commands.executeCommand(CommandId.GroupImagesByRegistry);
    assert.equal((await render(a.imagesTree))[0], 'docker.io (Docker Hub) — 5 repositories');
  });

  test('follows edits on disk: a new compose service appears, a removed one goes', async () => {
    const a = await api();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const file = vscode.Uri.joinPath(folder.uri, 'compose.override.yaml');
    await vscode.workspace.fs.writeFile(
      file,
      new TextEncoder().encode('services:\n  mq:\n    image: ghcr.io/acme/queue:3.1.0\n'),
    );
    try {
      const deadline = Date.now() + 15_000;
      let shown: string[] = [];
      while (Date.now() < deadline) {
        await a.imagesIdle();
        shown = await render(a.imagesTree);
        if (shown.includes('ghcr.io — 1 repository')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(shown.includes('      compose.override.yaml:3 — service (mq)'), shown.join('\n'));
    } finally {
      await vscode.workspace.fs.delete(file);
    }
    const deadline = Date.now() + 15_000;
    let shown: string[] = [];
    while (Date.now() < deadline) {
      await a.imagesIdle();
      shown = await render(a.imagesTree);
      if (!shown.some((l) => l.startsWith('ghcr.io'))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(!shown.some((l) => l.startsWith('ghcr.io')), shown.join('\n'));
  });

  test('saving Dockerfile with nginx:1.25.3 edited to nginx:1.25.4 re-extracts that file alone, no workspace rescan', async () => {
    const a = await api();
    await a.imagesIdle();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'Dockerfile'));
    const line = doc.lineAt(7);
    const at = line.text.indexOf('1.25.3');
    assert.ok(at > 0, line.text);
    const before = a.imagesStats();
    const edit = (from: string, to: string): vscode.WorkspaceEdit => {
      const e = new vscode.WorkspaceEdit();
      e.replace(doc.uri, new vscode.Range(7, at, 7, at + from.length), to);
      return e;
    };
    assert.ok(await vscode.workspace.applyEdit(edit('1.25.3', '1.25.4')));
    try {
      assert.ok(await doc.save());
      const deadline = Date.now() + 10_000;
      let shown: string[] = [];
      while (Date.now() < deadline) {
        shown = await render(a.imagesTree);
        if (shown.some((l) => /^ {4}1\.25\.4 — (.* · )?1 use$/.test(l))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(
        shown.some((l) => /^ {4}1\.25\.4 — (.* · )?1 use$/.test(l)),
        shown.join('\n'),
      );
      // Let the file watcher's event for the same save arrive and settle: it must not rescan either.
      await new Promise((r) => setTimeout(r, 1000));
      await a.imagesIdle();
      const after = a.imagesStats();
      assert.equal(after.scans, before.scans, 'the save rescanned the workspace');
      assert.ok(after.fileUpdates > before.fileUpdates, 'the file was not re-extracted');
    } finally {
      await vscode.workspace.applyEdit(edit('1.25.4', '1.25.3'));
      await doc.save();
      await a.imagesIdle();
    }
  });

  test('Refresh Workspace Images rescans on demand', async () => {
    const a = await api();
    await vscode.commands.executeCommand(CommandId.RefreshImages);
    const model = await a.imagesIdle();
    assert.equal(model.imageCount, 4);
    assert.equal(model.fileCount, 2);
  });
});
