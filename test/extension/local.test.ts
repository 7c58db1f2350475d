import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { PullResult } from '../../src/core';
import { CommandId } from '../../src/vscode/constants';
import type { LocalNode } from '../../src/vscode/tree/localTree';
import { dockerRequest, RegistryClient as PushClient, TEST_SEED, TEST_USER } from '../services';
import type { BuiltImage } from '../services/image';
import { buildRepo, Pusher } from '../services/seed';
import { api, render } from './support';

interface EnvFile {
  tokenServer: { realm: string };
  registries: Record<'anon' | 'basic' | 'tls' | 'token', { host: string; url: string; username?: string; password?: string }>;
  docker?: { dockerHost: string; socketPath: string };
}

/**
 * The Local Engine view against the test environment's real dockerd and registries: pull with a credential stored
 * in SecretStorage (htpasswd and token registries), a newer image pushed to the same tag flags the local image and
 * a running container, pulling again clears the image; no engine is a calm message.
 */
suite('Local Engine view (real dockerd and registries)', function () {
  let env: EnvFile;
  const config = () => vscode.workspace.getConfiguration('registryLens');
  const repo = `localtest/app-${process.pid}`;
  const containers: string[] = [];

  function content(tag: string): BuiltImage {
    const img = buildRepo(TEST_SEED, 'test/app').find((i) => i.tag === tag);
    assert.ok(img);
    return { ...img, tag: 'stable' };
  }
  async function push(name: 'basic' | 'token', img: BuiltImage): Promise<void> {
    const info = env.registries[name];
    const client = new PushClient({ url: info.url, username: TEST_USER.username, password: TEST_USER.password });
    try {
      await new Pusher(client).pushImage(repo, img);
    } finally {
      client.close();
    }
  }
  const local = async () => (await api()).local;
  /** The view as a user reads it (children of the groups included). */
  const shown = async () => render((await api()).localTree);

  suiteSetup(async function () {
    const file = process.env.REGISTRY_LENS_TEST_ENV;
    if (!file) this.skip();
    env = JSON.parse(readFileSync(file, 'utf8')) as EnvFile;
    if (!env.docker) this.skip();
    // The token server is the realm on its own host:port: it is marked insecure on its own (credentials go there).
    await config().update('insecureRegistries', [env.registries.basic.host, env.registries.token.host, new URL(env.tokenServer.realm).host], vscode.ConfigurationTarget.Global);
    for (const name of ['basic', 'token'] as const) {
      const r = await vscode.commands.executeCommand<{ saved: boolean }>(CommandId.AddCredential, { host: env.registries[name].host, username: TEST_USER.username, secret: TEST_USER.password });
      assert.ok(r.saved, `credential for ${name} not saved`);
      await push(name, content('1.0.0'));
    }
  });

  suiteTeardown(async () => {
    if (!env?.docker) return;
    for (const id of containers) await dockerRequest(env.docker.socketPath, 'DELETE', `/containers/${id}?force=true`);
    for (const name of ['basic', 'token'] as const) {
      await dockerRequest(env.docker.socketPath, 'DELETE', `/images/${encodeURIComponent(`${env.registries[name].host}/${repo}:stable`)}?force=true`);
      await vscode.commands.executeCommand(CommandId.RemoveCredential, { host: env.registries[name].host, confirm: false });
    }
    await config().update('docker.host', undefined, vscode.ConfigurationTarget.Global);
    await config().update('insecureRegistries', undefined, vscode.ConfigurationTarget.Global);
  });

  test('no engine: the view says so calmly and lists nothing', async () => {
    await config().update('docker.host', 'unix:///nonexistent/registry-lens/docker.sock', vscode.ConfigurationTarget.Global);
    const l = await local();
    await vscode.commands.executeCommand(CommandId.RefreshLocal);
    assert.equal(l.state.state, 'unavailable');
    assert.match(l.state.state === 'unavailable' ? l.state.message : '', /nonexistent\/registry-lens\/docker\.sock/);
    assert.deepEqual(await shown(), []);
  });

  test('pull with the SecretStorage credential (htpasswd): progress reported, the image listed and up to date', async () => {
    await config().update('docker.host', env.docker!.dockerHost, vscode.ConfigurationTarget.Global);
    const l = await local();
    await vscode.commands.executeCommand(CommandId.RefreshLocal);
    assert.equal(l.state.state, 'ok', JSON.stringify(l.state));
    const ref = `${env.registries.basic.host}/${repo}:stable`;
    const result = await vscode.commands.executeCommand<PullResult | undefined>(CommandId.PullImage, ref, { quiet: true });
    assert.equal(result?.outcome, 'downloaded');
    assert.ok(result.progress.layers.total >= 1);
    await vscode.commands.executeCommand(CommandId.RefreshLocal);
    const rows = await shown();
    assert.ok(rows.includes(`  ${ref} — up to date`), rows.join('\n'));
  });

  test('a newer image pushed to the same tag flags the image and a running container; pulling again clears the image', async () => {
    const ref = `${env.registries.basic.host}/${repo}:stable`;
    const created = await dockerRequest(env.docker!.socketPath, 'POST', `/containers/create?name=rl-local-${process.pid}`, {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Image: ref, Cmd: ['sleep', '600'], HostConfig: { NetworkMode: 'none' } }),
    });
    assert.equal(created.status, 201, created.text());
    const id = created.json<{ Id: string }>().Id;
    containers.push(id);
    assert.equal((await dockerRequest(env.docker!.socketPath, 'POST', `/containers/${id}/start`)).status, 204);
    await push('basic', content('1.1.0'));
    await vscode.commands.executeCommand(CommandId.RefreshLocal);
    let rows = await shown();
    assert.ok(rows.includes(`  ${ref} — newer image in the registry`), rows.join('\n'));
    assert.ok(rows.includes(`  rl-local-${process.pid} — ${ref} · newer image in the registry`), rows.join('\n'));
    assert.match(rows[0] ?? '', /^Images — \d+ · \d+ out of date$/);

    // Pull from the tree node, as the inline action does.
    const a = await api();
    const groups = (await a.localTree.getChildren()) as LocalNode[];
    const images = (await a.localTree.getChildren(groups[0])) as LocalNode[];
    const node = images.find((n) => n.kind === 'image' && n.ref === ref);
    assert.ok(node);
    assert.equal((await a.localTree.getTreeItem(node)).contextValue, 'registryLens:local:image:pull');
    const result = await vscode.commands.executeCommand<PullResult | undefined>(CommandId.PullImage, node, { quiet: true });
    assert.equal(result?.outcome, 'downloaded');
    await vscode.commands.executeCommand(CommandId.RefreshLocal);
    rows = await shown();
    assert.ok(rows.includes(`  ${ref} — up to date`), rows.join('\n'));
    // The container still runs the image it started with: it says so, and nothing restarted it.
    assert.ok(rows.includes(`  rl-local-${process.pid} — ${ref} · runs an older image than its tag: recreate it`), rows.join('\n'));
    const inspect = await dockerRequest(env.docker!.socketPath, 'GET', `/containers/${id}/json`);
    assert.equal(inspect.json<{ State: { Running: boolean; Restarting: boolean } }>().State.Running, true);
  });

  test('pull from the token registry with its SecretStorage credential; a missing tag is reported, not thrown', async () => {
    const ref = `${env.registries.token.host}/${repo}:stable`;
    const result = await vscode.commands.executeCommand<PullResult | undefined>(CommandId.PullImage, ref, { quiet: true });
    assert.equal(result?.outcome, 'downloaded');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand(CommandId.PullImage, `${env.registries.token.host}/${repo}:nope`, { quiet: true })),
      /nope|not found|manifest unknown/i,
    );
  });
});
