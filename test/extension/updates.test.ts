import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { CommandId } from '../../src/vscode/constants';
import { api, codeOf, render } from './support';

suite('Update checks in the Workspace Images view (real registries)', function () {
  let anon = '';
  let file: vscode.Uri | undefined;
  const config = () => vscode.workspace.getConfiguration('registryLens');

  suiteSetup(async function () {
    const envFile = process.env.REGISTRY_LENS_TEST_ENV;
    if (!envFile) this.skip();
    anon = (JSON.parse(readFileSync(envFile, 'utf8')) as { registries: { anon: { host: string } } }).registries.anon
      .host;
    // The fixture's docker.io images stay offline: a policy ignores them (and proves policies reach the engine).
    await config().update('policies', [{ match: 'docker.io/**', ignore: true }], vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    file = vscode.Uri.joinPath(folder.uri, 'checks.Dockerfile');
    await vscode.workspace.fs.writeFile(
      file,
      new TextEncoder().encode(
        [
          `FROM ${anon}/test/app:1.1.0 AS old`,
          `FROM ${anon}/test/app:1.2.0-alpine AS alpine`,
          `FROM ${anon}/test/nothere:1.0.0`,
          '',
        ].join('\n'),
      ),
    );
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
    assert.deepEqual(
      shown.slice(at, at + 8).map((l) => l.replace(/ \(.*?\)$/, '')),
      [
        `${anon} — 2 repositories`,
        '  test/app',
        '    1.1.0 — ↑ 1.1.1 patch (+2) · 1 use',
        '      checks.Dockerfile:1 — FROM',
        '    1.2.0-alpine — up to date · 1 use',
        '      checks.Dockerfile:2 — FROM',
        '  test/nothere',
        '    1.0.0 — not found · 1 use',
      ],
      shown.join('\n'),
    );
    assert.ok(shown.includes('    1.25.3 — ignored by policy · 1 use'), shown.join('\n'));
  });

  test('Show Only Images with Updates filters the tree; Show All Images restores it', async () => {
    const a = await api();
    await vscode.commands.executeCommand(CommandId.ShowOnlyUpdates);
    try {
      const shown = await render(a.imagesTree);
      assert.deepEqual(
        shown.filter((l) => !l.startsWith('      ')),
        [`${anon} — 1 repository`, '  test/app', '    1.1.0 — ↑ 1.1.1 patch (+2) · 1 use'],
      );
    } finally {
      await vscode.commands.executeCommand(CommandId.ShowAllImages);
    }
    assert.ok((await render(a.imagesTree)).some((l) => l.startsWith('docker.io')));
  });

  test('a hover on a reference shows what the check found: updates per kind and when it was checked', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file!));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      file!,
      new vscode.Position(0, 12),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, new RegExp(`registry \`${anon.replace(/\./g, '\\.')}\`, repository \`test/app\``));
    assert.match(text, /- patch: `1\.1\.1`\n- minor: `1\.2\.0`\n- major: `2\.0\.0`/);
    assert.match(text, /checked /);
    const current = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      file!,
      new vscode.Position(1, 12),
    );
    assert.match(
      current.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'),
      /1\.2\.0-alpine/,
    );
  });

  test('diagnostics sit on the reference with a code and message; each update kind is a quick-fix that edits only the tag', async () => {
    const a = await api();
    await a.checkNow();
    const diags = vscode.languages.getDiagnostics(file!).filter((d) => d.source === 'Registry Lens');
    const update = diags.find((d) => codeOf(d) === 'update-available');
    assert.ok(update, JSON.stringify(diags.map((d) => [codeOf(d), d.message])));
    const ref = `${anon}/test/app:1.1.0`;
    assert.deepEqual(
      [update.range.start.line, update.range.start.character, update.range.end.character],
      [0, 5, 5 + ref.length],
    );
    assert.match(update.message, /1\.1\.1 \(patch\), 1\.2\.0 \(minor\), 2\.0\.0 \(major\)/);
    // The code links to its section of docs/findings.md, shipped with the extension.
    const target = typeof update.code === 'object' ? update.code.target : undefined;
    assert.ok(target, 'the diagnostic has no codeDescription');
    assert.ok(target.path.endsWith('/docs/findings.md'), target.toString());
    assert.equal(target.fragment, 'update-available');
    assert.match(
      new TextDecoder().decode(await vscode.workspace.fs.readFile(target.with({ fragment: '' }))),
      /^## update-available$/m,
    );
    const notFound = diags.find((d) => codeOf(d) === 'not-found');
    assert.equal(notFound?.range.start.line, 2);
    assert.equal(diags.length, 2, 'the current 1.2.0-alpine line has a diagnostic');

    // As in the editor: the document is open (the code-action command needs its model).
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file!));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      file!,
      update.range,
    );
    // (The command's results do not carry `diagnostics` back; ours are the quick-fixes with our titles.)
    const ours = actions.filter(
      (x) => x.kind?.value === 'quickfix' && /^(Update to|Refresh the digest|Pin )/.test(x.title),
    );
    assert.deepEqual(
      ours.map((x) => x.title),
      ['Update to 1.1.1 (patch)', 'Update to 1.2.0 (minor)', 'Update to 2.0.0 (major)'],
    );
    assert.deepEqual(
      ours.map((x) => x.isPreferred === true),
      [true, false, false],
    );
    const before = (await vscode.workspace.openTextDocument(file!)).getText().split('\n');
    const minor = ours[1]!.edit;
    assert.ok(minor, 'the minor fix has no edit');
    assert.deepEqual(
      minor.entries().map(([uri, edits]) => [uri.path.endsWith('/checks.Dockerfile'), edits.length]),
      [[true, 1]],
    );
    assert.ok(await vscode.workspace.applyEdit(minor));
    const after = (await vscode.workspace.openTextDocument(file!)).getText().split('\n');
    assert.equal(after[0], `FROM ${anon}/test/app:1.2.0 AS old`);
    assert.deepEqual(after.slice(1), before.slice(1));
    await (await vscode.workspace.openTextDocument(file!)).save();
  });

  test('a fix is refused, and changes nothing, when the text changed since the check', async () => {
    const a = await api();
    // The saved bump reaches the scan through the file watcher; check once the tree shows it.
    const deadline = Date.now() + 15_000;
    while (!(await render(a.imagesTree)).some((l) => l.startsWith('    1.2.0 —'))) {
      if (Date.now() > deadline) throw new Error('the bumped tag never reached the scan');
      await new Promise((r) => setTimeout(r, 200));
      await a.imagesIdle();
    }
    await a.checkNow();
    const doc = await vscode.workspace.openTextDocument(file!);
    const update = vscode.languages.getDiagnostics(file!).find((d) => codeOf(d) === 'update-available');
    assert.ok(update, 'no update diagnostic after the bump to 1.2.0');
    const range = update.range;
    // The user edits the tag by hand; the fix computed now must refuse (disabled, with the reason) instead of editing.
    const edit = new vscode.WorkspaceEdit();
    const at = doc.lineAt(0).text.indexOf('1.2.0');
    assert.ok(at > 0, doc.lineAt(0).text);
    edit.replace(file!, new vscode.Range(0, at, 0, at + '1.2.0'.length), '1.2.5');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const provider = (await api()).codeActions;
    const actions = await provider.provideCodeActions(doc, range, { diagnostics: [update] });
    const major = actions.find((x) => x.title === 'Update to 2.0.0 (major)');
    assert.ok(major, 'no major fix offered');
    assert.equal(major.edit, undefined);
    assert.match(major.disabled?.reason ?? '', /changed since the last check/);
    assert.equal(doc.lineAt(0).text, `FROM ${anon}/test/app:1.2.5 AS old`);
    // The diagnostic of the edited line is dropped at once (its text no longer matches the check).
    assert.ok(
      !vscode.languages.getDiagnostics(file!).some((d) => codeOf(d) === 'update-available' && d.range.start.line === 0),
    );
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test("registryLens.severity sets each finding kind's severity, or turns it off", async () => {
    const a = await api();
    await a.checkNow();
    const updateDiag = () => vscode.languages.getDiagnostics(file!).find((d) => codeOf(d) === 'update-available');
    assert.equal(updateDiag()?.severity, vscode.DiagnosticSeverity.Information);
    const wait = async (ok: () => boolean): Promise<void> => {
      const deadline = Date.now() + 5_000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error('the diagnostics did not follow the setting');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await config().update('severity', { update: 'warning' }, vscode.ConfigurationTarget.Global);
      await wait(() => updateDiag()?.severity === vscode.DiagnosticSeverity.Warning);
      await config().update('severity', { update: 'off' }, vscode.ConfigurationTarget.Global);
      await wait(() => updateDiag() === undefined);
      assert.ok(
        vscode.languages.getDiagnostics(file!).some((d) => codeOf(d) === 'not-found'),
        'other kinds keep their diagnostics',
      );
    } finally {
      await config().update('severity', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('an unsaved edit moves the diagnostics with their lines at once, and a revert moves them back', async () => {
    const a = await api();
    await a.checkNow();
    const lines = (code: string) =>
      vscode.languages
        .getDiagnostics(file!)
        .filter((d) => codeOf(d) === code)
        .map((d) => d.range.start.line);
    assert.deepEqual([lines('update-available'), lines('not-found')], [[0], [2]]);
    const doc = await vscode.workspace.openTextDocument(file!);
    await vscode.window.showTextDocument(doc);
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      const deadline = Date.now() + 5_000;
      while (!ok()) {
        if (Date.now() > deadline)
          throw new Error(`${what}: ${JSON.stringify(vscode.languages.getDiagnostics(file!))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const scans = a.imagesStats().scans;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(file!, new vscode.Position(0, 0), '# pinned below\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    // No save: the document's own text is re-extracted; both answers (the error too) follow their references.
    await until(
      'the diagnostics moved down a line',
      () => lines('update-available')[0] === 1 && lines('not-found')[0] === 3,
    );
    assert.ok(doc.isDirty);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await until('the diagnostics moved back', () => lines('update-available')[0] === 0 && lines('not-found')[0] === 2);
    assert.equal(a.imagesStats().scans, scans, 'an edit must not rescan the workspace');
  });

  test('a warm re-check answers from the cache: the same findings, at once', async () => {
    const a = await api();
    const started = Date.now();
    const summary = await a.checkNow();
    assert.equal(summary.updates, 1);
    assert.equal(summary.errors, 1);
    assert.ok(Date.now() - started < 5_000);
  });
});
