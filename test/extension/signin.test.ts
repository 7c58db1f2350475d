import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { CredentialResult } from '../../src/vscode/commands/credentialFlow';
import { CommandId } from '../../src/vscode/constants';
import type { RegistryLensApi } from '../../src/vscode/extension';
import { api, render } from './support';

interface EnvFile {
  registries: Record<'anon' | 'basic' | 'tls' | 'token', { host: string; username?: string; password?: string }>;
}

/** The Registries view's row for a host: description, then the context value (menus match on it). */
async function registryRow(a: RegistryLensApi, host: string): Promise<string | undefined> {
  for (const node of (await a.registriesTree.getChildren()) ?? []) {
    const item = await a.registriesTree.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    if (label === host) return `${String(item.description ?? '')} | ${item.contextValue ?? ''}`;
  }
  return undefined;
}

/** Polls `probe` until it returns a value, or fails with `what` and the last thing seen. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The tree's lines below `host` (its repositories and tags), as a user reads them. */
async function imageLines(a: RegistryLensApi, host: string): Promise<string[]> {
  const shown = await render(a.imagesTree);
  const at = shown.findIndex((l) => l.startsWith(`${host} —`));
  if (at < 0) return [];
  const end = shown.findIndex((l, i) => i > at && !l.startsWith(' '));
  return shown.slice(at, end < 0 ? undefined : end);
}

suite(
  'Sign-in tells the truth: not sent, rejected, signed in; every change re-checks (real plain-HTTP registries)',
  function () {
    let env: EnvFile;
    let file: vscode.Uri | undefined;
    const config = () => vscode.workspace.getConfiguration('registryLens');
    const removeAll = async () => {
      for (const r of Object.values(env.registries))
        await vscode.commands.executeCommand(CommandId.RemoveCredential, { host: r.host, confirm: false });
    };

    suiteSetup(async function () {
      const envFile = process.env.REGISTRY_LENS_TEST_ENV;
      if (!envFile) this.skip();
      env = JSON.parse(readFileSync(envFile, 'utf8')) as EnvFile;
      // As a new user has it: no insecure hosts, no credentials; the fixture's docker.io images are ignored (offline).
      await config().update('insecureRegistries', undefined, vscode.ConfigurationTarget.Global);
      await config().update('policies', [{ match: 'docker.io/**', ignore: true }], vscode.ConfigurationTarget.Global);
      await removeAll();
      const folder = vscode.workspace.workspaceFolders?.[0];
      assert.ok(folder);
      file = vscode.Uri.joinPath(folder.uri, 'signin.Dockerfile');
      await vscode.workspace.fs.writeFile(
        file,
        new TextEncoder().encode(
          `FROM ${env.registries.basic.host}/test/app:1.1.0\nFROM ${env.registries.token.host}/test/app:1.2.0-alpine\n`,
        ),
      );
      const a = await api();
      await until('signin.Dockerfile in the tree', async () =>
        (await imageLines(a, env.registries.basic.host)).length ? true : (await a.imagesIdle(), undefined),
      );
    });

    suiteTeardown(async () => {
      if (!env) return;
      if (file) await vscode.workspace.fs.delete(file);
      await removeAll();
      await config().update('insecureRegistries', undefined, vscode.ConfigurationTarget.Global);
      await config().update('policies', undefined, vscode.ConfigurationTarget.Global);
    });

    test('a wrong password for the plain-HTTP token registry is never "signed in": the test says "not sent", and nothing is saved', async () => {
      const a = await api();
      const { host, username } = env.registries.token;
      const r = await vscode.commands.executeCommand<CredentialResult>(CommandId.AddCredential, {
        host,
        username,
        secret: 'wrong-password-1',
      });
      assert.equal(r.saved, false);
      assert.equal(r.state?.status, 'not-sent', r.state?.message);
      assert.match(r.state?.message ?? '', new RegExp(`^not sent: ${host.replace(/\./g, '\\.')} is plain HTTP`));
      const row = await registryRow(a, host);
      assert.ok(!row?.startsWith('signed in'), `shown as ${row}`);
    });

    test('the same on the htpasswd registry: "not sent", never "rejected"; saved anyway, the row and Test Credential say not sent and offer the fix', async () => {
      const a = await api();
      const { host, username, password } = env.registries.basic;
      const r = await vscode.commands.executeCommand<CredentialResult>(CommandId.AddCredential, {
        host,
        username,
        secret: password,
        saveIfTestFails: true,
      });
      assert.equal(r.saved, true);
      assert.equal(r.state?.status, 'not-sent', r.state?.message);
      assert.ok(!/rejected|check the user name/.test(r.state?.message ?? ''), r.state?.message);
      const tested = await vscode.commands.executeCommand<{ status: string; offered: string[] }>(
        CommandId.TestCredential,
        host,
        { quiet: true },
      );
      assert.equal(tested.status, 'not-sent');
      assert.deepEqual(tested.offered, [`Allow Plain HTTP for ${host}`, 'Show Log']);
      await a.registriesIdle();
      const row = await registryRow(a, host);
      assert.match(row ?? '', /^not sent: plain HTTP \| registryLens:registry:stored:plainHttp/);
    });

    test('the images and the diagnostics say "not sent" too, with the quick-fix "Allow plain HTTP for <host>"', async () => {
      const a = await api();
      const { host } = env.registries.basic;
      await a.checkNow();
      const lines = await imageLines(a, host);
      assert.ok(
        lines.some((l) => /^ {4}1\.1\.0 — not sent: plain HTTP · 1 use/.test(l)),
        lines.join('\n'),
      );
      const diag = vscode.languages
        .getDiagnostics(file!)
        .find(
          (d) =>
            d.code === 'credential-not-sent' || (typeof d.code === 'object' && d.code.value === 'credential-not-sent'),
        );
      assert.ok(diag, JSON.stringify(vscode.languages.getDiagnostics(file!).map((d) => [d.code, d.message])));
      assert.match(diag.message, new RegExp(`not sent: ${host.replace(/\./g, '\\.')} is plain HTTP`));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file!));
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        file!,
        diag.range,
      );
      const fix = actions.find((x) => x.title === `Allow plain HTTP for ${host}`);
      assert.ok(fix?.command, actions.map((x) => x.title).join(', '));
      assert.equal(fix.command.command, CommandId.AllowPlainHttp);
    });

    test('allowing plain HTTP writes the user setting and the next check succeeds with no Check Now: signed in, the image checked', async () => {
      const a = await api();
      const { host } = env.registries.basic;
      assert.equal(
        await vscode.commands.executeCommand<boolean>(CommandId.AllowPlainHttp, { host, confirm: false }),
        true,
      );
      const inspected = config().inspect<string[]>('insecureRegistries');
      assert.deepEqual(inspected?.globalValue, [host]);
      assert.equal(inspected?.workspaceValue, undefined);
      // No Check Now: the setting change re-checks the registry and the images by itself.
      const row = await until('the basic registry signed in', async () => {
        const r = await registryRow(a, host);
        return r?.startsWith('signed in') ? r : undefined;
      });
      assert.match(row, /^signed in \(Registry Lens\)/);
      const lines = await until('the basic image checked', async () => {
        const l = await imageLines(a, host);
        return l.some((x) => /^ {4}1\.1\.0 — ↑ 1\.1\.1 patch \(\+2\) · 1 use/.test(x)) ? l : undefined;
      });
      assert.ok(!lines.some((l) => /not sent/.test(l)), lines.join('\n'));
    });

    test('a credential the registry received and refused is "rejected", and Test Credential offers Edit Credential', async () => {
      const a = await api();
      const { host, username } = env.registries.basic;
      const r = await vscode.commands.executeCommand<CredentialResult>(CommandId.AddCredential, {
        host,
        username,
        secret: 'wrong-password-2',
        saveIfTestFails: true,
      });
      assert.equal(r.state?.status, 'rejected', r.state?.message);
      assert.match(r.state?.message ?? '', /rejected/);
      assert.ok(!(r.state?.message ?? '').includes('UNAUTHORIZED:'), r.state?.message);
      const tested = await vscode.commands.executeCommand<{ status: string; offered: string[] }>(
        CommandId.TestCredential,
        host,
        { quiet: true },
      );
      assert.equal(tested.status, 'rejected');
      assert.deepEqual(tested.offered, ['Edit Credential', 'Show Log']);
      await a.registriesIdle();
      assert.match((await registryRow(a, host)) ?? '', /^credentials rejected/);
      // Put the right one back (for the next test): the edit re-checks the images by itself.
      const fixed = await vscode.commands.executeCommand<CredentialResult>(CommandId.AddCredential, {
        host,
        username,
        secret: env.registries.basic.password,
      });
      assert.equal(fixed.state?.status, 'signed-in');
    });

    test("a file changed on disk is re-checked by itself and never shows another tag's result", async () => {
      const a = await api();
      const { host } = env.registries.basic;
      await until('the 1.1.0 update', async () =>
        (await imageLines(a, host)).some((l) => l.includes('1.1.0 — ↑ 1.1.1 patch')) ? true : undefined,
      );
      // Another tag at the same place, written to disk as a checkout would.
      await vscode.workspace.fs.writeFile(
        file!,
        new TextEncoder().encode(
          `FROM ${host}/test/app:2.0.0\nFROM ${env.registries.token.host}/test/app:1.2.0-alpine\n`,
        ),
      );
      const seen: string[] = [];
      await until('2.0.0 checked', async () => {
        const line = (await imageLines(a, host)).find((l) => l.startsWith('    2.0.0'));
        if (line) seen.push(line);
        return line && /up to date/.test(line) ? line : undefined;
      });
      // Before its own answer arrived the row said "checking…" (or nothing yet), never 1.1.0's updates.
      assert.ok(
        seen.every((l) => !/1\.1\.1|1\.2\.0 minor/.test(l)),
        seen.join('\n'),
      );
    });
  },
);
