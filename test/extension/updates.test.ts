import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { CommandId } from '../../src/vscode/constants';
import { api, render } from './support';

suite('Update checks in the Workspace Images view (real registries)', function () {
  let anon = '';
  let file: vscode.Uri | undefined;
  const config = () => vscode.workspace.getConfiguration('registryLens');

  suiteSetup(async function () {
    const envFile = process.env.REGISTRY_LENS_TEST_ENV;
    if (!envFile) this.skip();
    anon = (JSON.parse(readFileSync(envFile, 'utf8')) as { registries: { anon: { host: string } } }).registries.anon.host;
    // The fixture's docker.io images stay offline: a policy ignores them (and proves policies reach the engine).
    await config().update('policies', [{ match: 'docker.io/**', ignore: true }], vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    file = vscode.Uri.joinPath(folder.uri, 'checks.Dockerfile');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode([
      `FROM ${anon}/test/app:1.1.0 AS old`,
      `FROM ${anon}/test/app:1.2.0-alpine AS alpine`,
      `FROM ${anon}/test/nothere:1.0.0`,
      '',
    ].join('\n')));
    const a = await api();
    const deadline = Date.now() + 15_000;
    while (!(await render(a.imagesTree)).some((l) => l.startsWith(anon))) {
      if (Date.now() > deadline) throw new Error('checks.Dockerfile never showed up in the tree');
      await new Promise((r) => setTimeout(r, 200));
      await a.imagesIdle();
    }
  });

  suiteTeardown(async () => {
    if (file) await vscode.workspace.fs.delete(file);
    await config().update('policies', undefined, vscode.ConfigurationTarget.Global);
  });

  test('Check Now: newest patch/minor/major per image, suffix lines kept, not-found said plainly, ignored images marked', async () => {
    const a = await api();
    await vscode.commands.executeCommand(CommandId.CheckNow);
    const summary = await a.checkNow();
    assert.equal(summary.updates, 1);
    assert.equal(summary.errors, 1);
    assert.ok(summary.checkedAt);
    const shown = await render(a.imagesTree);
    const at = shown.findIndex((l) => l.startsWith(anon));
    assert.deepEqual(shown.slice(at, at + 8).map((l) => l.replace(/ \(.*?\)$/, '')), [
      `${anon} — 2 repositories`,
      '  test/app',
      '    1.1.0 — → 1.1.1 patch, 1.2.0 minor, 2.0.0 major · 1 use',
      '      checks.Dockerfile:1 — FROM',
      '    1.2.0-alpine — up to date · 1 use',
      '      checks.Dockerfile:2 — FROM',
      '  test/nothere',
      '    1.0.0 — not found · 1 use',
    ], shown.join('\n'));
    assert.ok(shown.includes('    1.25.3 — ignored by policy · 1 use'), shown.join('\n'));
  });

  test('Show Only Images with Updates filters the tree; Show All Images restores it', async () => {
    const a = await api();
    await vscode.commands.executeCommand(CommandId.ShowOnlyUpdates);
    try {
      const shown = await render(a.imagesTree);
      assert.deepEqual(shown.filter((l) => !l.startsWith('      ')), [
        `${anon} — 1 repository`,
        '  test/app',
        '    1.1.0 — → 1.1.1 patch, 1.2.0 minor, 2.0.0 major · 1 use',
      ]);
    } finally {
      await vscode.commands.executeCommand(CommandId.ShowAllImages);
    }
    assert.ok((await render(a.imagesTree)).some((l) => l.startsWith('docker.io')));
  });

  test('a warm re-check answers from the cache: the same findings, at once', async () => {
    const a = await api();
    const started = Date.now();
    const summary = await a.checkNow();
    assert.equal(summary.updates, 1);
    assert.ok(Date.now() - started < 5_000);
  });
});
