import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { CommandId } from '../../src/vscode/constants';
import { api, codeOf, render } from './support';

type Source = 'kubernetes' | 'helm' | 'kustomize' | 'githubActions' | 'gitlabCi' | 'feature';

/**
 * Diagnostics and quick-fixes in a Kubernetes manifest, a Helm chart's values, a Kustomize file, a GitHub workflow,
 * a GitLab CI file and a devcontainer feature, against the real anonymous registry (test/app has 1.0.0, 1.1.0,
 * 1.1.1, 1.2.0, 2.0.0): each fix edits exactly the tag where it is written, and a setting turns a source off.
 */
suite(
  'Images in Kubernetes, Helm, Kustomize, GitHub Actions, GitLab CI, devcontainer features (real registries)',
  function () {
    let anon = '';
    let folder: vscode.Uri;
    const files = {} as Record<Source, { uri: vscode.Uri; text: string }>;
    const extra: vscode.Uri[] = [];
    const config = () => vscode.workspace.getConfiguration('registryLens');
    const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Registry Lens');
    const text = async (uri: vscode.Uri) => (await vscode.workspace.openTextDocument(uri)).getText();
    async function until(
      what: string | (() => string),
      ok: () => boolean | Promise<boolean>,
      ms = 60_000,
    ): Promise<void> {
      const deadline = Date.now() + ms;
      while (!(await ok())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    }
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
    const write = (uri: vscode.Uri, t: string) => vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(t));
    /** Every file as written, unsaved changes dropped, and the diagnostics back (after a scan and a check). */
    async function restore(): Promise<void> {
      for (const f of Object.values(files)) {
        const doc = await vscode.workspace.openTextDocument(f.uri);
        if (doc.isDirty) {
          await vscode.window.showTextDocument(doc);
          await vscode.commands.executeCommand('workbench.action.files.revert');
        }
        if (new TextDecoder().decode(await vscode.workspace.fs.readFile(f.uri)) !== f.text) await write(f.uri, f.text);
      }
      await settle();
    }
    async function settle(): Promise<void> {
      const a = await api();
      const missing = () =>
        `a diagnostic in every fixture (none yet in ${Object.values(files)
          .filter((f) => ours(f.uri).length === 0)
          .map((f) => vscode.workspace.asRelativePath(f.uri))
          .join(', ')})`;
      await until(missing, async () => {
        await a.imagesIdle();
        await a.checkNow();
        return Object.values(files).every((f) => ours(f.uri).length > 0);
      });
    }
    /** Applies the quick-fix titled `title` on the file's one diagnostic and returns the document's text. */
    async function fix(source: Source, title: string): Promise<string> {
      const f = files[source];
      const [d, ...more] = ours(f.uri);
      assert.ok(
        d && more.length === 0,
        `${source}: ${ours(f.uri)
          .map((x) => x.message)
          .join(' | ')}`,
      );
      assert.equal(codeOf(d), 'update-available', d.message);
      const actions = await actionsAt(f.uri, d.range);
      const action = actions.find((x) => x.title === title);
      assert.ok(action?.edit, `${source}: ${actions.map((x) => x.title).join(' | ')}`);
      assert.ok(await vscode.workspace.applyEdit(action.edit));
      return text(f.uri);
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
      const at = (...p: string[]) => vscode.Uri.joinPath(folder, ...p);
      files.kubernetes = {
        uri: at('sources-k8s', 'app.yaml'),
        text: [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: app',
          'spec:',
          '  template:',
          '    spec:',
          '      containers:',
          '        - name: app',
          `          image: ${anon}/test/app:1.1.1`,
          '',
        ].join('\n'),
      };
      files.helm = {
        uri: at('sources-chart', 'values.yaml'),
        text: [
          'image:',
          `  registry: ${anon}`,
          '  repository: test/app',
          '  tag: "1.1.0"',
          '  pullPolicy: IfNotPresent',
          '',
        ].join('\n'),
      };
      files.kustomize = {
        uri: at('sources-overlay', 'kustomization.yaml'),
        text: [
          'resources: [../sources-k8s]',
          'images:',
          '  - name: app',
          `    newName: ${anon}/test/app`,
          '    newTag: 1.0.0',
          '',
        ].join('\n'),
      };
      files.githubActions = {
        uri: at('.github', 'workflows', 'sources.yml'),
        text: [
          'on: push',
          'jobs:',
          '  test:',
          '    runs-on: ubuntu-latest',
          `    container: ${anon}/test/app:1.1.1`,
          '    steps:',
          '      - run: make test',
          '',
        ].join('\n'),
      };
      files.gitlabCi = {
        uri: at('.gitlab-ci.yml'),
        text: [
          'variables:',
          '  APP_TAG: "1.1.0"',
          'test:',
          `  image: ${anon}/test/app:$APP_TAG`,
          '  script: [make test]',
          '',
        ].join('\n'),
      };
      files.feature = {
        uri: at('.devcontainer', 'devcontainer.json'),
        text: ['{', '  "name": "sources",', '  "features": {', `    "${anon}/test/app:1.1.1": {}`, '  }', '}', ''].join(
          '\n',
        ),
      };
      const chart = at('sources-chart', 'Chart.yaml');
      extra.push(chart);
      await write(chart, 'apiVersion: v2\nname: sources\nversion: 0.1.0\n');
      for (const f of Object.values(files)) await write(f.uri, f.text);
      await settle();
    });

    // Update All runs last: the suite's teardown deletes the files it rewrote.
    teardown(function () {
      return this.currentTest?.title.startsWith('Update All') ? undefined : restore();
    });

    suiteTeardown(async () => {
      if (!folder) return;
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      for (const uri of [...Object.values(files).map((f) => f.uri), ...extra])
        await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
      for (const dir of [
        'sources-k8s',
        'sources-chart',
        'sources-overlay',
        'sources-env',
        '.github',
        '.devcontainer',
      ]) {
        await vscode.workspace.fs
          .delete(vscode.Uri.joinPath(folder, dir), { recursive: true })
          .then(undefined, () => undefined);
      }
      await config().update('policies', undefined, vscode.ConfigurationTarget.Global);
      await config().update('sources.helm', undefined, vscode.ConfigurationTarget.Global);
      const a = await api();
      await until(
        'the fixtures to leave the scan',
        async () => !JSON.stringify(await a.imagesIdle()).includes('sources-chart'),
      );
    });

    test('a diagnostic on each reference: Kubernetes image, Helm repository, Kustomize newName, job container, GitLab image, feature key', () => {
      const start = (s: Source) => {
        const d = ours(files[s].uri)[0]!;
        return [d.range.start.line, d.range.start.character];
      };
      assert.deepEqual(start('kubernetes'), [9, 17]);
      assert.deepEqual(start('helm'), [2, 14]);
      assert.deepEqual(start('kustomize'), [3, 13]);
      assert.deepEqual(start('githubActions'), [4, 15]);
      assert.deepEqual(start('gitlabCi'), [3, 9]);
      assert.deepEqual(start('feature'), [3, 5]);
      assert.match(ours(files.helm.uri)[0]!.message, /1\.1\.1 \(patch\)/);
    });

    test('Kubernetes: the fix edits the tag in image:', async () => {
      assert.equal(
        await fix('kubernetes', 'Update to 1.2.0 (minor)'),
        files.kubernetes.text.replace('test/app:1.1.1', 'test/app:1.2.0'),
      );
    });

    test('Helm: the fix on the repository edits the tag: value', async () => {
      assert.equal(
        await fix('helm', 'Update to 1.1.1 (patch)'),
        files.helm.text.replace('tag: "1.1.0"', 'tag: "1.1.1"'),
      );
    });

    test('Kustomize: the fix edits newTag', async () => {
      assert.equal(
        await fix('kustomize', 'Update to 2.0.0 (major)'),
        files.kustomize.text.replace('newTag: 1.0.0', 'newTag: 2.0.0'),
      );
    });

    test('GitHub Actions: the fix edits the job container tag', async () => {
      assert.equal(
        await fix('githubActions', 'Update to 2.0.0 (major)'),
        files.githubActions.text.replace('test/app:1.1.1', 'test/app:2.0.0'),
      );
    });

    test('GitLab CI: the fix edits the variable the tag comes from', async () => {
      assert.equal(
        await fix('gitlabCi', 'Update to 1.1.1 (patch)'),
        files.gitlabCi.text.replace('APP_TAG: "1.1.0"', 'APP_TAG: "1.1.1"'),
      );
    });

    test('devcontainer feature: the fix edits the feature key tag', async () => {
      assert.equal(
        await fix('feature', 'Update to 1.2.0 (minor)'),
        files.feature.text.replace('test/app:1.1.1', 'test/app:1.2.0'),
      );
    });

    test('Fix All in a Helm values file writes the safest update', async () => {
      const actions = await actionsAt(files.helm.uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll.registryLens');
      const fixAll = actions.filter((x) => x.kind?.value === 'source.fixAll.registryLens');
      assert.equal(fixAll.length, 1, actions.map((x) => `${x.kind?.value}: ${x.title}`).join(' | '));
      assert.ok(await vscode.workspace.applyEdit(fixAll[0]!.edit!));
      assert.equal(await text(files.helm.uri), files.helm.text.replace('tag: "1.1.0"', 'tag: "1.1.1"'));
    });

    test('the Workspace Images tree lists each use with what names it', async () => {
      const a = await api();
      await a.imagesIdle();
      const lines = (await render(a.imagesTree)).map((l) => l.trim());
      for (const expected of [
        'sources-k8s/app.yaml:10 — container (Deployment/app/app)',
        'sources-chart/values.yaml:3 — Helm values (image)',
        'sources-overlay/kustomization.yaml:4 — Kustomize images (app)',
        '.github/workflows/sources.yml:5 — job container (test)',
        '.gitlab-ci.yml:4 — GitLab CI image (test)',
        '.devcontainer/devcontainer.json:4 — devcontainer feature',
      ]) {
        assert.ok(lines.includes(expected), `${expected} not in:\n${lines.join('\n')}`);
      }
    });

    test('registryLens.sources.helm off: the values file leaves the scan and its diagnostics go', async () => {
      await config().update('sources.helm', false, vscode.ConfigurationTarget.Global);
      await until('the Helm diagnostics to go', async () => {
        const a = await api();
        await a.imagesIdle();
        await a.checkNow();
        return ours(files.helm.uri).length === 0;
      });
      assert.ok(ours(files.kubernetes.uri).length > 0);
      await config().update('sources.helm', undefined, vscode.ConfigurationTarget.Global);
    });
    test('Kubernetes: an unsaved edit moves the diagnostic at once and its save keeps it, with no rescan; a manifest edited into something else is rescanned at its save', async () => {
      const a = await api();
      const f = files.kubernetes;
      const doc = await vscode.workspace.openTextDocument(f.uri);
      await vscode.window.showTextDocument(doc);
      const lines = () =>
        ours(f.uri)
          .filter((d) => codeOf(d) === 'update-available')
          .map((d) => d.range.start.line);
      assert.deepEqual(lines(), [9]);
      await a.imagesIdle();
      const scans = a.imagesStats().scans;
      const edit = new vscode.WorkspaceEdit();
      edit.insert(f.uri, new vscode.Position(0, 0), '# the app\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await until(
        () => `the diagnostic to move down a line (${JSON.stringify(lines())})`,
        () => lines()[0] === 10,
        5_000,
      );
      assert.ok(await doc.save());
      await new Promise((r) => setTimeout(r, 800)); // the file watcher's event for the save
      await a.imagesIdle();
      assert.deepEqual(lines(), [10]);
      assert.equal(a.imagesStats().scans, scans, 'an edit and a save of a manifest must not rescan the workspace');
      // Without its kind it is no longer a manifest: the save rescans, and the file leaves the scan.
      assert.equal(doc.lineAt(2).text, 'kind: Deployment');
      const unkind = new vscode.WorkspaceEdit();
      unkind.delete(f.uri, new vscode.Range(2, 0, 3, 0));
      assert.ok(await vscode.workspace.applyEdit(unkind));
      assert.ok(await doc.save());
      await until('the rescan to drop the file', async () => {
        await a.imagesIdle();
        return a.imagesStats().scans > scans && ours(f.uri).length === 0;
      });
    });

    test('a changed .env re-extracts the compose file beside it alone, with no rescan', async () => {
      const a = await api();
      const dir = vscode.Uri.joinPath(folder, 'sources-env');
      const compose = vscode.Uri.joinPath(dir, 'compose.yaml');
      const env = vscode.Uri.joinPath(dir, '.env');
      extra.push(compose, env);
      await write(env, 'APP_TAG=1.1.0\n');
      await write(compose, `services:\n  app:\n    image: ${anon}/test/app:\${APP_TAG}\n`);
      const updates = () => ours(compose).filter((d) => codeOf(d) === 'update-available');
      await until('an update diagnostic for the tag from the .env', async () => {
        await a.imagesIdle();
        await a.checkNow();
        return updates().length === 1;
      });
      assert.equal(updates()[0]!.range.start.line, 2);
      const before = a.imagesStats();
      await write(env, 'APP_TAG=2.0.0\n');
      // 2.0.0 is the newest tag: the compose file's re-extraction (from the cache, no check) drops the update.
      await until(
        'the compose file to read the new .env',
        async () => {
          await a.imagesIdle();
          return updates().length === 0;
        },
        10_000,
      );
      const after = a.imagesStats();
      assert.equal(after.scans, before.scans, 'a .env change must not rescan the workspace');
      assert.equal(after.fileUpdates, before.fileUpdates + 1, 'the compose file beside it alone is re-extracted');
    });

    test('a .env over its 256 KiB limit beside a compose file being edited stays unread, as the scan left it', async () => {
      const a = await api();
      const dir = vscode.Uri.joinPath(folder, 'sources-env-large');
      const compose = vscode.Uri.joinPath(dir, 'compose.yaml');
      const env = vscode.Uri.joinPath(dir, '.env');
      extra.push(compose, env);
      // 290 KB: the scan reports it and reads none of it, so APP_TAG is unresolved and nothing is checked.
      await write(env, 'APP_TAG=1.1.0\n' + '# padding past the size limit\n'.repeat(10_000));
      await write(compose, `services:\n  app:\n    image: ${anon}/test/app:\${APP_TAG}\n`);
      const limit = () => vscode.languages.getDiagnostics(env).filter((d) => codeOf(d) === 'limit');
      await until('the scan to report the .env over its limit', async () => {
        await a.imagesIdle();
        return limit().length === 1;
      });
      const updates = () => ours(compose).filter((d) => codeOf(d) === 'update-available');
      const doc = await vscode.workspace.openTextDocument(compose);
      await vscode.window.showTextDocument(doc);
      const before = a.imagesStats();
      const edit = new vscode.WorkspaceEdit();
      edit.insert(compose, new vscode.Position(0, 0), '# edited\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await until('the edited compose file to be re-extracted', async () => {
        await a.imagesIdle();
        return a.imagesStats().fileUpdates > before.fileUpdates;
      });
      await a.checkNow();
      assert.deepEqual(
        updates().map((d) => d.message),
        [],
        'the re-extraction read the .env the scan did not (APP_TAG=1.1.0 has an update)',
      );
      assert.equal(limit().length, 1, 'the .env is still reported');
      // Control: under the limit, the same .env is read and its tag has an update.
      await write(env, 'APP_TAG=1.1.0\n');
      await until('the compose file to read the .env under its limit', async () => {
        await a.imagesIdle();
        await a.checkNow();
        return updates().length === 1;
      });
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    // Found on public repositories: compose refuses these files, and the editor showed nothing on them.
    test('compose files YAML or compose refuses (image: *img with no anchor, ports: under services) and a missing extends file: a warning at the line of each', async () => {
      const a = await api();
      const dir = vscode.Uri.joinPath(folder, 'sources-refused');
      const alias = vscode.Uri.joinPath(dir, 'compose.yaml');
      const indent = vscode.Uri.joinPath(dir, 'compose-indent.yaml');
      const extendsGone = vscode.Uri.joinPath(dir, 'compose-extends.yaml');
      extra.push(alias, indent, extendsGone);
      await write(alias, `services:\n  web:\n    image: ${anon}/test/app:1.1.0\n  db:\n    image: *img\n`);
      await write(indent, `services:\n  web:\n    image: ${anon}/test/app:1.1.0\n  ports:\n    - "80:80"\n`);
      await write(extendsGone, 'services:\n  app:\n    extends:\n      file: gone.yaml\n      service: base\n');
      const problems = (uri: vscode.Uri) =>
        vscode.languages
          .getDiagnostics(uri)
          .filter((d) => codeOf(d) === 'file-problem')
          .map((d) => `${d.range.start.line}: ${d.message}`);
      const all = () => [alias, indent, extendsGone].map(problems);
      await until(
        () => `a file-problem warning in each refused file (now ${JSON.stringify(all())})`,
        async () => {
          await a.imagesIdle();
          return all().every((p) => p.length > 0);
        },
      );
      assert.deepEqual(all(), [
        ['4: YAML: Unresolved alias *img: no anchor &img before it (the other images in this file are checked)'],
        [
          '4: services.ports must be a mapping (compose refuses this file; is a key indented under the wrong parent?) (the other images in this file are checked)',
        ],
        ['3: gone.yaml: no such file (named here) (images here are not checked)'],
      ]);
      const warning = vscode.languages.getDiagnostics(alias).find((d) => codeOf(d) === 'file-problem');
      assert.equal(warning?.severity, vscode.DiagnosticSeverity.Warning);
    });

    test('Update All Images (major) updates every new source in one edit', async () => {
      const result = await vscode.commands.executeCommand<{ updated: number; skipped: string[]; applied: boolean }>(
        CommandId.UpdateAllImages,
        'major',
        { preview: false },
      );
      assert.ok(result.applied, result.skipped.join('\n'));
      assert.equal(await text(files.kubernetes.uri), files.kubernetes.text.replace('test/app:1.1.1', 'test/app:2.0.0'));
      assert.equal(await text(files.helm.uri), files.helm.text.replace('tag: "1.1.0"', 'tag: "2.0.0"'));
      assert.equal(await text(files.kustomize.uri), files.kustomize.text.replace('newTag: 1.0.0', 'newTag: 2.0.0'));
      assert.equal(
        await text(files.githubActions.uri),
        files.githubActions.text.replace('test/app:1.1.1', 'test/app:2.0.0'),
      );
      assert.equal(await text(files.gitlabCi.uri), files.gitlabCi.text.replace('APP_TAG: "1.1.0"', 'APP_TAG: "2.0.0"'));
      assert.equal(await text(files.feature.uri), files.feature.text.replace('test/app:1.1.1', 'test/app:2.0.0'));
    });
  },
);
