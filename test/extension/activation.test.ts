import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RegistryLensApi } from '../../src/vscode/extension';
import { ALL_COMMANDS, CommandId, ContainerId, EXTENSION_ID, ViewId } from '../../src/vscode/constants';

async function until<T>(what: string, fn: () => T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('Activation', () => {
  const ext = (): vscode.Extension<RegistryLensApi> => {
    const e = vscode.extensions.getExtension<RegistryLensApi>(EXTENSION_ID);
    assert.ok(e, `extension ${EXTENSION_ID} is not loaded`);
    return e;
  };

  test('activates by itself in a workspace with a Dockerfile (no "*" activation)', async () => {
    // The test entry does not activate it: workspaceContains:**/Dockerfile must.
    await until('activation', () => ext().isActive);
    const api = ext().exports;
    const pkg = JSON.parse(readFileSync(path.join(ext().extensionPath, 'package.json'), 'utf8')) as { version: string };
    assert.equal(api.version, pkg.version);
  });

  test('runs in a Node extension host (what the core needs)', () => {
    assert.equal(ext().extensionKind, vscode.ExtensionKind.Workspace);
    assert.match(process.version, /^v\d+\./);
  });

  test('registers every command it contributes', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const c of ALL_COMMANDS) assert.ok(all.has(c), `${c} is not registered`);
  });

  test('opens its activity-bar container and both views', async () => {
    await vscode.commands.executeCommand(`workbench.view.extension.${ContainerId.Main}`);
    await vscode.commands.executeCommand(`${ViewId.Registries}.focus`);
    await vscode.commands.executeCommand(`${ViewId.Images}.focus`);
  });

  test('Show Log opens the Registry Lens log channel', async () => {
    await vscode.commands.executeCommand(CommandId.ShowLog);
    // The output view shows the channel; its document is readable through the workspace.
    // The output view shows the channel; its document is readable through the workspace once loaded.
    const isLog = (d: vscode.TextDocument): boolean =>
      d.uri.scheme === 'output' && /Registry Lens/i.test(d.uri.toString(true));
    const doc = await until('the log document', () => vscode.workspace.textDocuments.find(isLog));
    await until(
      'the activation line in the log',
      () => /Registry Lens \d+\.\d+\.\d+ activated/.test(doc.getText()),
      10_000,
    ).catch(() =>
      assert.fail(
        `log channel ${doc.uri.toString(true)} does not show the activation line; it holds: ${JSON.stringify(doc.getText().slice(0, 300))}`,
      ),
    );
  });
});
