import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { CredentialResult } from '../../src/vscode/commands/credentialFlow';
import { CommandId } from '../../src/vscode/constants';
import { api, codeOf } from './support';

interface EnvFile {
  registries: Record<'basic' | 'tls', { host: string; username?: string; password?: string; caFile?: string }>;
}

/**
 * The quick-fixes of error findings, against the real registries: the htpasswd registry without a credential
 * (auth-failed) and the TLS registry without its CA (tls-error).
 */
suite('Quick-fixes for registry errors (real registries)', function () {
  let env: EnvFile;
  let file: vscode.Uri;
  const config = () => vscode.workspace.getConfiguration('registryLens');
  const ours = () => vscode.languages.getDiagnostics(file).filter((d) => d.source === 'Registry Lens');
  async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  /** The error diagnostic with `code` on `line`, once a check has produced it. */
  async function diagnostic(code: string, line: number): Promise<vscode.Diagnostic> {
    const a = await api();
    let d: vscode.Diagnostic | undefined;
    await until(`a ${code} diagnostic on line ${line + 1}`, async () => {
      await a.checkNow();
      d = ours().find((x) => codeOf(x) === code && x.range.start.line === line);
      return d !== undefined;
    });
    return d!;
  }
  async function fixes(d: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    return (
      (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', file, d.range)) ??
      []
    );
  }

  suiteSetup(async function () {
    const envFile = process.env.REGISTRY_LENS_TEST_ENV;
    if (!envFile) this.skip();
    env = JSON.parse(readFileSync(envFile, 'utf8')) as EnvFile;
    const { basic, tls } = env.registries;
    // Plain HTTP allowed for the htpasswd registry (so its failure is the missing credential), no CA for TLS yet.
    await config().update('insecureRegistries', [basic.host], vscode.ConfigurationTarget.Global);
    await config().update('caFiles', undefined, vscode.ConfigurationTarget.Global);
    await config().update('policies', [{ match: 'docker.io/**', ignore: true }], vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand(CommandId.RemoveCredential, { host: basic.host, confirm: false });
    // The TLS registry wants a credential too: stored untested (the TLS check would fail now, which is the point).
    const stored = await vscode.commands.executeCommand<CredentialResult>(CommandId.AddCredential, {
      host: tls.host,
      username: tls.username,
      secret: tls.password,
      test: false,
    });
    assert.equal(stored.saved, true);
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    file = vscode.Uri.joinPath(folder, 'errors.Dockerfile');
    await vscode.workspace.fs.writeFile(
      file,
      new TextEncoder().encode(`FROM ${basic.host}/test/app:1.1.0\nFROM ${tls.host}/test/app:1.1.0\n`),
    );
    const a = await api();
    await until('errors.Dockerfile checked', async () => {
      await a.imagesIdle();
      await a.checkNow();
      return ours().length >= 2;
    });
  });

  suiteTeardown(async () => {
    if (!env) return;
    if (file) await vscode.workspace.fs.delete(file);
    await vscode.commands.executeCommand(CommandId.RemoveCredential, { host: env.registries.tls.host, confirm: false });
    for (const key of ['insecureRegistries', 'caFiles', 'policies'])
      await config().update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  test('the htpasswd registry without a credential: "Add credential for <host>" opens the add flow for that host', async () => {
    const host = env.registries.basic.host;
    const d = await diagnostic('auth-failed', 0);
    const fix = (await fixes(d)).find((x) => x.title === `Add credential for ${host}`);
    assert.ok(fix?.command, (await fixes(d)).map((x) => x.title).join(', '));
    assert.equal(fix.isPreferred, true);
    const run = Promise.resolve(
      vscode.commands.executeCommand<CredentialResult>(
        fix.command.command,
        ...((fix.command.arguments ?? []) as unknown[]),
      ),
    );
    let settled = false;
    void run.finally(() => {
      settled = true;
    });
    // The flow now waits in its first prompt; the user presses Escape.
    await until(
      'the add flow to prompt',
      async () => {
        if (!settled) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        return settled;
      },
      15_000,
    );
    const r = await run;
    assert.equal(r.saved, false);
    assert.equal(r.host, host);
    // The host came from the fix: the first thing asked is the user name (no registry pick, no host prompt).
    assert.deepEqual(r.asked, ['username']);
  });

  test('the TLS registry without its CA: "Set a CA file for <host>" writes the user setting and the next check succeeds', async () => {
    const a = await api();
    const { host, caFile } = env.registries.tls;
    const d = await diagnostic('tls-error', 1);
    assert.match(d.message, /unknown authority/);
    const all = await fixes(d);
    const fix = all.find((x) => x.title === `Set a CA file for ${host}`);
    assert.ok(fix?.command, all.map((x) => x.title).join(', '));
    assert.ok(
      all.some((x) => x.title === `Mark ${host} insecure`),
      'no "Mark insecure" fix',
    );
    // The file picker is the user's part; the test hands the command the file it would pick.
    const set = await vscode.commands.executeCommand<boolean>(
      fix.command.command,
      ...((fix.command.arguments ?? []) as unknown[]),
      { file: caFile },
    );
    assert.equal(set, true);
    const inspected = config().inspect<Record<string, string>>('caFiles');
    assert.equal(inspected?.globalValue?.[host], caFile);
    assert.equal(inspected?.workspaceValue, undefined, 'the CA file was written to the workspace');
    await until('the TLS line to check fine', async () => {
      await a.checkNow();
      const tlsLine = ours().filter((x) => x.range.start.line === 1);
      return tlsLine.length > 0 && tlsLine.every((x) => codeOf(x) === 'update-available');
    });
    const state = await vscode.commands.executeCommand<{ status: string }>(CommandId.TestCredential, host, {
      quiet: true,
    });
    assert.equal(state.status, 'signed-in');
  });
});
