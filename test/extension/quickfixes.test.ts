import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { CommandId } from '../../src/vscode/constants';
import { api, codeOf } from './support';

/**
 * Quick-fixes, bulk fixes, code lens and hover details on a Dockerfile (a tag from an ARG default, a moved pinned
 * tag, a multi-platform image), a compose file and a devcontainer.json, against the real anonymous registry.
 */
suite('Quick-fixes, Fix All, Update All, code lens (real registries)', function () {
  let anon = '';
  let folder: vscode.Uri;
  const files: Record<'dockerfile' | 'compose' | 'devcontainer', { uri: vscode.Uri; text: string }> = {} as never;
  const digests: Record<string, string> = {};
  const config = () => vscode.workspace.getConfiguration('registryLens');

  async function digestOf(repo: string, tag: string): Promise<string> {
    const res = await fetch(`http://${anon}/v2/${repo}/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        accept:
          'application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json',
      },
    });
    const d = res.headers.get('docker-content-digest');
    assert.ok(d, `no digest for ${repo}:${tag}`);
    return d;
  }

  const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Registry Lens');
  const text = async (uri: vscode.Uri) => (await vscode.workspace.openTextDocument(uri)).getText();
  async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  /** Opens the file (the code-action command needs its model) and asks for the actions on a range. */
  async function actionsAt(uri: vscode.Uri, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    return (
      (await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        uri,
        range,
        kind,
      )) ?? []
    );
  }
  /** Throws away unsaved changes (each test starts from the files on disk) and waits for the diagnostics to return. */
  async function revert(...uris: vscode.Uri[]): Promise<void> {
    for (const uri of uris.length ? uris : Object.values(files).map((f) => f.uri)) {
      const doc = await vscode.workspace.openTextDocument(uri);
      if (!doc.isDirty) continue;
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await until(`${uri.path} reverted`, () => !doc.isDirty && ours(uri).length > 0, 5_000);
    }
  }
  /**
   * Puts every fixture back as written: a refactoring edit (Update All) is saved by VS Code itself
   * (`files.refactoring.autoSave`), so files may have changed on disk; then the scan and a check catch up.
   */
  async function restore(): Promise<void> {
    let rewritten = false;
    for (const f of Object.values(files)) {
      const disk = new TextDecoder().decode(await vscode.workspace.fs.readFile(f.uri));
      if (disk !== f.text) {
        await vscode.workspace.fs.writeFile(f.uri, new TextEncoder().encode(f.text));
        rewritten = true;
      }
    }
    await revert();
    if (rewritten) {
      await until('the scan to see the restored files', async () => {
        const a = await api();
        await a.imagesIdle();
        await a.checkNow();
        return Object.values(files).every((f) => ours(f.uri).length > 0);
      });
    }
  }
  teardown(() => restore());
  /** Writes the fixtures, waits for the scan, checks, and waits for each file's diagnostics. */
  async function settle(): Promise<void> {
    const a = await api();
    await until('the fixtures in the scan', async () => {
      const m = await a.imagesIdle();
      void m;
      await a.checkNow();
      return Object.values(files).every((f) => ours(f.uri).length > 0);
    });
  }

  suiteSetup(async function () {
    const envFile = process.env.REGISTRY_LENS_TEST_ENV;
    if (!envFile) this.skip();
    anon = (JSON.parse(readFileSync(envFile, 'utf8')) as { registries: { anon: { host: string } } }).registries.anon
      .host;
    await config().update('policies', [{ match: 'docker.io/**', ignore: true }], vscode.ConfigurationTarget.Global);
    const root = vscode.workspace.workspaceFolders?.[0];
    assert.ok(root);
    folder = root.uri;
    digests.old = await digestOf('test/app', '1.0.0');
    digests.latest = await digestOf('test/app', 'latest');
    files.dockerfile = {
      uri: vscode.Uri.joinPath(folder, 'fixes.Dockerfile'),
      text: [
        'ARG APP_VERSION=1.1.0',
        `FROM ${anon}/test/app:\${APP_VERSION} AS build`,
        `FROM ${anon}/test/app:latest@${digests.old} AS moved`,
        `FROM ${anon}/test/multi:2.0.0`,
        '',
      ].join('\n'),
    };
    files.compose = {
      uri: vscode.Uri.joinPath(folder, 'compose.fixes.yaml'),
      text: ['services:', '  app:', `    image: ${anon}/test/app:1.1.1`, ''].join('\n'),
    };
    files.devcontainer = {
      uri: vscode.Uri.joinPath(folder, '.devcontainer.json'),
      text: ['{', '  "name": "fixes",', `  "image": "${anon}/test/app:1.1.1"`, '}', ''].join('\n'),
    };
    for (const f of Object.values(files)) await vscode.workspace.fs.writeFile(f.uri, new TextEncoder().encode(f.text));
    await settle();
  });

  suiteTeardown(async () => {
    if (!folder) return;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const f of Object.values(files)) await vscode.workspace.fs.delete(f.uri).then(undefined, () => undefined);
    await config().update('policies', undefined, vscode.ConfigurationTarget.Global);
    await config().update('codeLens', undefined, vscode.ConfigurationTarget.Global);
    const a = await api();
    await until('the fixtures to leave the scan', async () => {
      const m = await a.imagesIdle();
      return !JSON.stringify(m).includes('fixes.Dockerfile');
    });
  });

  test('diagnostics in a Dockerfile, a compose file and a devcontainer.json: ranges, codes, messages', () => {
    const df = ours(files.dockerfile.uri).sort((a, b) => a.range.start.line - b.range.start.line);
    assert.deepEqual(
      df.map((d) => [d.range.start.line, codeOf(d)]),
      [
        [1, 'update-available'],
        [2, 'digest-changed'],
        [3, 'update-available'],
      ],
      JSON.stringify(df.map((d) => d.message)),
    );
    const argRef = `${anon}/test/app:\${APP_VERSION}`;
    assert.deepEqual([df[0]!.range.start.character, df[0]!.range.end.character], [5, 5 + argRef.length]);
    assert.match(df[0]!.message, /1\.1\.1 \(patch\), 1\.2\.0 \(minor\), 2\.0\.0 \(major\)/);
    assert.match(df[2]!.message, /2\.1\.0 \(minor\)/);
    const [c] = ours(files.compose.uri);
    assert.ok(c);
    assert.equal(codeOf(c), 'update-available');
    assert.deepEqual(
      [c.range.start.line, c.range.start.character, c.range.end.character],
      [2, 11, 11 + `${anon}/test/app:1.1.1`.length],
    );
    const [dc] = ours(files.devcontainer.uri);
    assert.ok(dc);
    assert.equal(codeOf(dc), 'update-available');
    assert.deepEqual([dc.range.start.line, dc.range.start.character], [2, 12]);
    assert.match(dc.message, /2\.0\.0 \(major\)/);
    // The same image in two files: each diagnostic points at the other use.
    const rel = (d: vscode.Diagnostic) =>
      (d.relatedInformation ?? []).map((r) => `${r.location.uri.path.split('/').pop()}:${r.location.range.start.line}`);
    assert.deepEqual(rel(dc), ['compose.fixes.yaml:2']);
    assert.deepEqual(rel(c), ['.devcontainer.json:2']);
  });

  test('related uses: an image used in up to 50 places lists 5 others on each diagnostic, one used in more lists none', async () => {
    const a = await api();
    const many = vscode.Uri.joinPath(folder, 'many.Dockerfile');
    const rel = (d: vscode.Diagnostic) => d.relatedInformation?.length ?? 0;
    const compose = () => ours(files.compose.uri)[0];
    // test/app:1.1.1 is in the compose file and the devcontainer.json already: 48 more make 50 uses, 49 make 51.
    const write = async (uses: number) => {
      const lines = Array.from({ length: uses }, (_, i) => `FROM ${anon}/test/app:1.1.1 AS s${i}`);
      await vscode.workspace.fs.writeFile(many, new TextEncoder().encode(`${lines.join('\n')}\n`));
      await until(`${uses} diagnostics in many.Dockerfile`, async () => {
        await a.imagesIdle();
        await a.checkNow();
        return ours(many).filter((d) => codeOf(d) === 'update-available').length === uses;
      });
    };
    try {
      await write(48);
      assert.deepEqual([...new Set(ours(many).map(rel))], [5]);
      assert.equal(rel(compose()!), 5);
      await write(49);
      assert.deepEqual([...new Set(ours(many).map(rel))], [0]);
      assert.equal(rel(compose()!), 0);
    } finally {
      await vscode.workspace.fs.delete(many).then(undefined, () => undefined);
    }
    await until('the compose file to point at the devcontainer.json again', async () => {
      await a.imagesIdle();
      await a.checkNow();
      return rel(compose()!) === 1;
    });
  });

  test('a tag from an ARG default: the fix edits the ARG line only', async () => {
    const d = ours(files.dockerfile.uri).find((x) => x.range.start.line === 1)!;
    const actions = await actionsAt(files.dockerfile.uri, d.range);
    const patch = actions.find((x) => x.title === 'Update to 1.1.1 (patch)');
    assert.ok(patch?.edit, actions.map((x) => x.title).join(' | '));
    assert.ok(await vscode.workspace.applyEdit(patch.edit));
    const lines = files.dockerfile.text.split('\n');
    assert.equal(await text(files.dockerfile.uri), ['ARG APP_VERSION=1.1.1', ...lines.slice(1)].join('\n'));
    await revert(files.dockerfile.uri);
  });

  test('a moved tag: "Refresh the digest" writes the tag\'s current digest in place of the old one', async () => {
    const d = ours(files.dockerfile.uri).find((x) => codeOf(x) === 'digest-changed')!;
    const actions = await actionsAt(files.dockerfile.uri, d.range);
    const refresh = actions.find((x) => x.title.startsWith('Refresh the digest'));
    assert.ok(refresh?.edit, actions.map((x) => x.title).join(' | '));
    assert.ok(await vscode.workspace.applyEdit(refresh.edit));
    assert.equal(await text(files.dockerfile.uri), files.dockerfile.text.replace(digests.old!, digests.latest!));
    await revert(files.dockerfile.uri);
  });

  test('compose and devcontainer.json: each fix edits only the tag', async () => {
    const c = ours(files.compose.uri)[0]!;
    const minor = (await actionsAt(files.compose.uri, c.range)).find((x) => x.title === 'Update to 1.2.0 (minor)');
    assert.ok(minor?.edit);
    assert.ok(await vscode.workspace.applyEdit(minor.edit));
    assert.equal(await text(files.compose.uri), files.compose.text.replace(':1.1.1', ':1.2.0'));
    const dc = ours(files.devcontainer.uri)[0]!;
    const major = (await actionsAt(files.devcontainer.uri, dc.range)).find(
      (x) => x.title === 'Update to 2.0.0 (major)',
    );
    assert.ok(major?.edit);
    assert.ok(await vscode.workspace.applyEdit(major.edit));
    assert.equal(await text(files.devcontainer.uri), files.devcontainer.text.replace(':1.1.1', ':2.0.0'));
    await revert(files.compose.uri, files.devcontainer.uri);
  });

  test('Fix All (source.fixAll.registryLens): the safest update of every reference in the file, one edit', async () => {
    const actions = await actionsAt(files.dockerfile.uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll.registryLens');
    const fixAll = actions.filter((x) => x.kind?.value === 'source.fixAll.registryLens');
    assert.equal(fixAll.length, 1, actions.map((x) => `${x.kind?.value}: ${x.title}`).join(' | '));
    assert.match(fixAll[0]!.title, /3 image references/);
    assert.ok(await vscode.workspace.applyEdit(fixAll[0]!.edit!));
    assert.equal(
      await text(files.dockerfile.uri),
      files.dockerfile.text
        .replace('APP_VERSION=1.1.0', 'APP_VERSION=1.1.1')
        .replace(digests.old!, digests.latest!)
        .replace('multi:2.0.0', 'multi:2.1.0'),
    );
    await revert(files.dockerfile.uri);
  });

  test('Update All Images (major): one WorkspaceEdit across the three files', async () => {
    const result = await vscode.commands.executeCommand<{ updated: number; skipped: string[]; applied: boolean }>(
      CommandId.UpdateAllImages,
      'major',
      { preview: false },
    );
    assert.ok(result.applied);
    assert.equal(result.updated, 5, result.skipped.join('\n'));
    assert.deepEqual(result.skipped, []);
    assert.equal(
      await text(files.dockerfile.uri),
      files.dockerfile.text
        .replace('APP_VERSION=1.1.0', 'APP_VERSION=2.0.0')
        .replace(digests.old!, digests.latest!)
        .replace('multi:2.0.0', 'multi:2.1.0'),
    );
    assert.equal(await text(files.compose.uri), files.compose.text.replace(':1.1.1', ':2.0.0'));
    assert.equal(await text(files.devcontainer.uri), files.devcontainer.text.replace(':1.1.1', ':2.0.0'));
    await restore();
    // Patch level: only the ARG's patch and the moved digest (the others have no patch update).
    const patch = await vscode.commands.executeCommand<{ updated: number; skipped: string[]; applied: boolean }>(
      CommandId.UpdateAllImages,
      'patch',
      { preview: false },
    );
    assert.equal(patch.updated, 2, patch.skipped.join('\n'));
  });

  test('a fix is refused when the text changed since the check; the bulk update leaves that reference out', async () => {
    const d = ours(files.compose.uri)[0]!;
    const doc = await vscode.workspace.openTextDocument(files.compose.uri);
    const provider = (await api()).codeActions;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(
      files.compose.uri,
      new vscode.Range(2, doc.lineAt(2).text.length - 5, 2, doc.lineAt(2).text.length),
      '1.1.9',
    );
    assert.ok(await vscode.workspace.applyEdit(edit));
    const actions = await provider.provideCodeActions(doc, d.range, { diagnostics: [d] });
    const minor = actions.find((x) => x.title === 'Update to 1.2.0 (minor)');
    assert.equal(minor?.edit, undefined);
    assert.match(minor?.disabled?.reason ?? '', /changed since the last check/);
    const result = await vscode.commands.executeCommand<{ updated: number; skipped: string[] }>(
      CommandId.UpdateAllImages,
      'minor',
      { preview: false },
    );
    assert.ok(
      result.skipped.some((s) => s.includes('compose.fixes.yaml:3') && s.includes('changed since the last check')),
      result.skipped.join('\n'),
    );
    assert.ok(doc.getText().includes(':1.1.9'));
  });

  test("the code lens (off by default) shows each reference's state and opens its fixes", async () => {
    const lenses = async () =>
      (
        (await vscode.commands.executeCommand<vscode.CodeLens[]>(
          'vscode.executeCodeLensProvider',
          files.dockerfile.uri,
          10,
        )) ?? []
      ).filter((l) => l.command?.command === CommandId.ShowFixes || l.command?.command === CommandId.CheckNow);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(files.dockerfile.uri));
    assert.equal((await lenses()).length, 0);
    await config().update('codeLens', true, vscode.ConfigurationTarget.Global);
    const shown = (await lenses()).sort((a, b) => a.range.start.line - b.range.start.line);
    assert.deepEqual(
      shown.map((l) => [l.range.start.line, l.command?.title, l.command?.command]),
      [
        [1, '$(arrow-circle-up) 1.1.1 patch · 1.2.0 minor · 2.0.0 major', CommandId.ShowFixes],
        [2, '$(sync) digest changed: refresh the pin', CommandId.ShowFixes],
        [3, '$(arrow-circle-up) 2.1.0 minor', CommandId.ShowFixes],
      ],
    );
    await config().update('codeLens', undefined, vscode.ConfigurationTarget.Global);
  });

  test('the hover reads the platforms of an index and links the org.opencontainers.image.source label', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(files.dockerfile.uri));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      files.dockerfile.uri,
      new vscode.Position(3, 12),
    );
    const md = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(md, /Platforms: `linux\/amd64`, `linux\/arm64\/v8`/);
    assert.match(md, /\[Source and changelog\]\(https:\/\/example\.invalid\/test\/multi\)/);
  });

  test('"Ignore here" writes a registry-lens comment; the next check ignores the image', async () => {
    const d = ours(files.dockerfile.uri).find((x) => x.range.start.line === 3)!;
    const actions = await actionsAt(files.dockerfile.uri, d.range);
    const ignore = actions.find((x) => x.title === `Ignore ${anon}/test/multi here (# registry-lens: ignore)`);
    assert.ok(ignore?.edit, actions.map((x) => x.title).join(' | '));
    assert.ok(await vscode.workspace.applyEdit(ignore.edit));
    const lines = files.dockerfile.text.split('\n');
    assert.equal(
      await text(files.dockerfile.uri),
      [...lines.slice(0, 3), '# registry-lens: ignore', ...lines.slice(3)].join('\n'),
    );
    await (await vscode.workspace.openTextDocument(files.dockerfile.uri)).save();
    const a = await api();
    await until('the ignored image to lose its diagnostic', async () => {
      await a.imagesIdle();
      await a.checkNow();
      return !ours(files.dockerfile.uri).some((x) => x.message.includes('test/multi'));
    });
    await vscode.workspace.fs.writeFile(files.dockerfile.uri, new TextEncoder().encode(files.dockerfile.text));
    await revert(files.dockerfile.uri);
    await settle();
  });

  test('"Ignore major updates" writes a registryLens.policies rule; the major update is no longer offered', async () => {
    const c = ours(files.compose.uri)[0]!;
    const actions = await actionsAt(files.compose.uri, c.range);
    const ignore = actions.find((x) => x.title === `Ignore major updates of ${anon}/test/app (registryLens.policies)`);
    assert.ok(ignore?.command, actions.map((x) => x.title).join(' | '));
    assert.equal(
      await vscode.commands.executeCommand(ignore.command.command, ...((ignore.command.arguments ?? []) as unknown[])),
      true,
    );
    assert.deepEqual(config().inspect('policies')?.globalValue, [
      { match: 'docker.io/**', ignore: true },
      { match: `${anon}/test/app`, allow: ['minor', 'patch', 'digest', 'pin'] },
    ]);
    const a = await api();
    await until('the check to drop the major update', async () => {
      await a.checkNow();
      const m = ours(files.compose.uri)[0]?.message ?? '';
      return m.includes('1.2.0 (minor)') && !m.includes('major');
    });
    await config().update('policies', [{ match: 'docker.io/**', ignore: true }], vscode.ConfigurationTarget.Global);
  });
});
