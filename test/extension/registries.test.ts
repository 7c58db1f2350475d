import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CredentialResult } from '../../src/vscode/commands/credentialFlow';
import { CommandId } from '../../src/vscode/constants';
import type { RegistryLensApi } from '../../src/vscode/extension';
import { api } from './support';

interface EnvFile {
  tokenServer: { realm: string };
  registries: Record<
    'anon' | 'basic' | 'tls' | 'token',
    { host: string; username?: string; password?: string; caFile?: string }
  >;
}

/** Every string the Registries view shows for a host: label, description, tooltip. */
async function rows(a: RegistryLensApi): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const node of (await a.registriesTree.getChildren()) ?? []) {
    const item = await a.registriesTree.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
    out.set(label, `${String(item.description ?? '')}\n${tooltip}\n${item.contextValue ?? ''}`);
  }
  return out;
}

suite('Registries view and credentials (real registries)', function () {
  let env: EnvFile;
  const config = () => vscode.workspace.getConfiguration('registryLens');

  suiteSetup(async function () {
    const file = process.env.REGISTRY_LENS_TEST_ENV;
    if (!file) this.skip();
    env = JSON.parse(readFileSync(file, 'utf8')) as EnvFile;
    // User settings (never workspace): plain HTTP allowed for the loopback test registries, the per-run CA for TLS.
    // The token server is the realm on its own host:port: it is marked insecure on its own (credentials go there).
    await config().update(
      'insecureRegistries',
      [env.registries.basic.host, env.registries.token.host, new URL(env.tokenServer.realm).host],
      vscode.ConfigurationTarget.Global,
    );
    await config().update(
      'caFiles',
      { [env.registries.tls.host]: env.registries.tls.caFile },
      vscode.ConfigurationTarget.Global,
    );
  });

  suiteTeardown(async () => {
    if (!env) return;
    for (const r of Object.values(env.registries))
      await vscode.commands.executeCommand(CommandId.RemoveCredential, { host: r.host, confirm: false });
    await config().update('insecureRegistries', undefined, vscode.ConfigurationTarget.Global);
    await config().update('caFiles', undefined, vscode.ConfigurationTarget.Global);
  });

  test('a wrong password is tested before saving and not stored', async () => {
    const a = await api();
    const { host, username } = env.registries.basic;
    const r = await vscode.commands.executeCommand<CredentialResult>(CommandId.AddCredential, {
      host,
      username,
      secret: 'not-the-password',
    });
    assert.equal(r.saved, false);
    assert.equal(r.state?.status, 'rejected');
    assert.match(r.state?.message ?? '', /were rejected/);
    assert.ok(!(await rows(a)).has(host), 'a rejected credential shows up in the view');
  });

  test('credentials for the htpasswd, TLS and token registries are stored, tested and shown as signed in', async () => {
    const a = await api();
    for (const name of ['basic', 'tls', 'token'] as const) {
      const { host, username, password } = env.registries[name];
      const r = await vscode.commands.executeCommand<CredentialResult>(CommandId.AddCredential, {
        host,
        username,
        secret: password,
      });
      assert.equal(r.saved, true, `${name}: ${r.state?.message ?? ''}`);
      assert.equal(r.state?.status, 'signed-in');
    }
    await a.registriesIdle();
    const shown = await rows(a);
    for (const name of ['basic', 'tls', 'token'] as const) {
      const row = shown.get(env.registries[name].host);
      assert.ok(row, `${name} is not listed: ${[...shown.keys()].join(', ')}`);
      assert.match(row, /^signed in \(Registry Lens\)/);
      assert.match(row, /registryLens:registry:stored/);
      assert.ok(!row.includes(env.registries[name].password!), 'the password appears in the view');
    }
  });

  test('Test Credential re-checks a registry and reports the credential source', async () => {
    const { host } = env.registries.token;
    const state = await vscode.commands.executeCommand<{ status: string; credentialSource?: string }>(
      CommandId.TestCredential,
      host,
      { quiet: true },
    );
    assert.equal(state.status, 'signed-in');
    assert.match(state.credentialSource ?? '', /Registry Lens \(SecretStorage\)/);
  });

  test('without the CA setting the TLS registry is a TLS problem that says what to do', async () => {
    const a = await api();
    const { host } = env.registries.tls;
    await config().update('caFiles', undefined, vscode.ConfigurationTarget.Global);
    try {
      const state = await vscode.commands.executeCommand<{ status: string; message?: string }>(
        CommandId.TestCredential,
        host,
        { quiet: true },
      );
      assert.equal(state.status, 'tls');
      assert.match(state.message ?? '', /unknown authority/);
      assert.match((await rows(a)).get(host) ?? '', /^TLS problem/);
    } finally {
      await config().update('caFiles', { [host]: env.registries.tls.caFile }, vscode.ConfigurationTarget.Global);
    }
  });

  test('Import from the docker config copies what it holds into SecretStorage; a missing helper is reported, not fatal', async () => {
    const a = await api();
    const { host: basic, username, password } = env.registries.basic;
    const token = env.registries.token.host;
    await vscode.commands.executeCommand(CommandId.RemoveCredential, { host: basic, confirm: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'rl-import-'));
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        auths: { [basic]: { auth: Buffer.from(`${username!}:${password!}`).toString('base64') }, [token]: {} },
        credHelpers: { [token]: 'registry-lens-no-such-helper' },
      }),
    );
    const previous = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = dir; // the extension host is this process: the keychain reads it at call time
    try {
      const r = await vscode.commands.executeCommand<{
        imported: string[];
        failed: { host: string; reason: string }[];
      }>(CommandId.ImportDockerCredentials, { hosts: [basic, token] });
      assert.deepEqual(r.imported, [basic]);
      assert.equal(r.failed.length, 1);
      assert.equal(r.failed[0]?.host, token);
      assert.match(r.failed[0]?.reason ?? '', /docker-credential-registry-lens-no-such-helper not found/);
    } finally {
      if (previous === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = previous;
      rmSync(dir, { recursive: true, force: true });
    }
    // Now it is Registry Lens's own credential, used without the docker config.
    const state = await vscode.commands.executeCommand<{ status: string; credentialSource?: string }>(
      CommandId.TestCredential,
      basic,
      { quiet: true },
    );
    assert.equal(state.status, 'signed-in');
    assert.match(state.credentialSource ?? '', /Registry Lens \(SecretStorage\)/);
    assert.match((await rows(a)).get(basic) ?? '', /^signed in \(Registry Lens\)/);
  });

  test('no secret in global state, settings or the log', async () => {
    const a = await api();
    const secrets = Object.values(env.registries).flatMap((r) => (r.password ? [r.password] : []));
    const state = a.globalStateSnapshot();
    assert.match(state, /registryLens\.credentials/); // the metadata is there...
    for (const s of secrets) assert.ok(!state.includes(s), 'a password is in global state'); // ...the secret is not
    const settings = JSON.stringify(vscode.workspace.getConfiguration('registryLens'));
    for (const s of secrets) assert.ok(!settings.includes(s), 'a password is in the settings');
    await vscode.commands.executeCommand(CommandId.ShowLog);
    // The output document opens a moment after the panel shows (at once when an earlier suite opened it).
    const find = () =>
      vscode.workspace.textDocuments.find(
        (d) => d.uri.scheme === 'output' && /Registry Lens/i.test(d.uri.toString(true)),
      );
    const opened = Date.now() + 5_000;
    while (!find() && Date.now() < opened) await new Promise((r) => setTimeout(r, 100));
    const log = find();
    assert.ok(log, 'the log document is not open');
    const deadline = Date.now() + 5_000;
    while (!/Stored a credential/.test(log.getText()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(log.getText(), /Stored a credential for/);
    for (const s of secrets) assert.ok(!log.getText().includes(s), 'a password is in the log');
  });

  test('Remove Credential deletes it from SecretStorage; the registry is then anonymous', async () => {
    const a = await api();
    const { host } = env.registries.basic;
    assert.equal(
      await vscode.commands.executeCommand<boolean>(CommandId.RemoveCredential, { host, confirm: false }),
      true,
    );
    await a.registriesIdle();
    assert.ok(!(await rows(a)).has(host));
    const state = await vscode.commands.executeCommand<{ status: string }>(CommandId.TestCredential, host, {
      quiet: true,
    });
    assert.equal(state.status, 'auth-required');
  });

  test('a token registry answers pings anonymously; when it refuses the workspace\'s images it shows "sign-in required"', async () => {
    const a = await api();
    const host = env.registries.token.host;
    await vscode.commands.executeCommand(CommandId.RemoveCredential, { host, confirm: false });
    await config().update('policies', [{ match: 'docker.io/**', ignore: true }], vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const file = vscode.Uri.joinPath(folder, 'token.Dockerfile');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(`FROM ${host}/test/app:1.0.0\n`));
    try {
      const deadline = Date.now() + 15_000;
      while (!(await a.imagesIdle(), await rows(a)).has(host)) {
        if (Date.now() > deadline) throw new Error('token.Dockerfile never reached the scan');
        await new Promise((r) => setTimeout(r, 200));
      }
      await vscode.commands.executeCommand(CommandId.RefreshRegistries);
      await a.registriesIdle();
      await a.checkNow();
      const row = (await rows(a)).get(host) ?? '';
      assert.match(row, /^sign-in required\n.*test\/app needs a credential/s);
    } finally {
      await vscode.workspace.fs.delete(file);
      await config().update('policies', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
