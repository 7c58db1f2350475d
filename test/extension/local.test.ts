import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ContainerInspect, PullResult } from '../../src/core';
import type { UpdateContainerResult } from '../../src/vscode/commands/updateContainer';
import { CommandId } from '../../src/vscode/constants';
import type { LocalNode } from '../../src/vscode/tree/localTree';
import { dockerRequest, RegistryClient as PushClient, TEST_SEED, TEST_USER } from '../services';
import type { BuiltImage } from '../services/image';
import { buildRepo, Pusher } from '../services/seed';
import { api, render } from './support';

interface EnvFile {
  tokenServer: { realm: string };
  registries: Record<
    'anon' | 'basic' | 'tls' | 'token',
    { host: string; url: string; username?: string; password?: string }
  >;
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
    await config().update(
      'insecureRegistries',
      [env.registries.basic.host, env.registries.token.host, new URL(env.tokenServer.realm).host],
      vscode.ConfigurationTarget.Global,
    );
    for (const name of ['basic', 'token'] as const) {
      const r = await vscode.commands.executeCommand<{ saved: boolean }>(CommandId.AddCredential, {
        host: env.registries[name].host,
        username: TEST_USER.username,
        secret: TEST_USER.password,
      });
      assert.ok(r.saved, `credential for ${name} not saved`);
      await push(name, content('1.0.0'));
    }
  });

  suiteTeardown(async () => {
    if (!env?.docker) return;
    for (const id of containers) await dockerRequest(env.docker.socketPath, 'DELETE', `/containers/${id}?force=true`);
    for (const name of ['basic', 'token'] as const) {
      await dockerRequest(
        env.docker.socketPath,
        'DELETE',
        `/images/${encodeURIComponent(`${env.registries[name].host}/${repo}:stable`)}?force=true`,
      );
      await dockerRequest(
        env.docker.socketPath,
        'DELETE',
        `/images/${encodeURIComponent(`${env.registries[name].host}/${repo}:upd`)}?force=true`,
      );
      await vscode.commands.executeCommand(CommandId.RemoveCredential, {
        host: env.registries[name].host,
        confirm: false,
      });
    }
    await config().update('docker.host', undefined, vscode.ConfigurationTarget.Global);
    await config().update('insecureRegistries', undefined, vscode.ConfigurationTarget.Global);
  });

  test('no engine: the view says so calmly and lists nothing', async () => {
    await config().update(
      'docker.host',
      'unix:///nonexistent/registry-lens/docker.sock',
      vscode.ConfigurationTarget.Global,
    );
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
    const result = await vscode.commands.executeCommand<PullResult | undefined>(CommandId.PullImage, ref, {
      quiet: true,
    });
    assert.equal(result?.outcome, 'downloaded');
    assert.ok(result.progress.layers.total >= 1);
    await vscode.commands.executeCommand(CommandId.RefreshLocal);
    const rows = await shown();
    assert.ok(rows.includes(`  ${ref} — up to date`), rows.join('\n'));
  });

  test('a newer image pushed to the same tag flags the image and a running container; pulling again clears the image', async () => {
    const ref = `${env.registries.basic.host}/${repo}:stable`;
    const created = await dockerRequest(
      env.docker!.socketPath,
      'POST',
      `/containers/create?name=rl-local-${process.pid}`,
      {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ Image: ref, Cmd: ['sleep', '600'], HostConfig: { NetworkMode: 'none' } }),
      },
    );
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
    const result = await vscode.commands.executeCommand<PullResult | undefined>(CommandId.PullImage, node, {
      quiet: true,
    });
    assert.equal(result?.outcome, 'downloaded');
    await vscode.commands.executeCommand(CommandId.RefreshLocal);
    rows = await shown();
    assert.ok(rows.includes(`  ${ref} — up to date`), rows.join('\n'));
    // The container still runs the image it started with: it says so, and nothing restarted it.
    assert.ok(
      rows.includes(`  rl-local-${process.pid} — ${ref} · runs an older image than its tag: recreate it`),
      rows.join('\n'),
    );
    const inspect = await dockerRequest(env.docker!.socketPath, 'GET', `/containers/${id}/json`);
    assert.equal(inspect.json<{ State: { Running: boolean; Restarting: boolean } }>().State.Running, true);
  });

  test('Update Container from the view: the confirmation lists the steps; declined, nothing changes; confirmed, the container runs the newer image with its settings', async () => {
    const sock = env.docker!.socketPath;
    const ref = `${env.registries.basic.host}/${repo}:upd`;
    const name = `rl-upd-${process.pid}`;
    await push('basic', { ...content('1.0.0'), tag: 'upd' });
    assert.equal(
      (await vscode.commands.executeCommand<PullResult | undefined>(CommandId.PullImage, ref, { quiet: true }))
        ?.outcome,
      'downloaded',
    );
    const created = await dockerRequest(sock, 'POST', `/containers/create?name=${name}`, {
      headers: { 'Content-Type': 'application/json' },
      // sleep as PID 1 ignores SIGTERM: a short stop timeout keeps the test quick (and shows it is honoured).
      body: JSON.stringify({
        Image: ref,
        Cmd: ['sleep', '600'],
        Env: ['GREETING=kept'],
        Labels: { 'org.example.kept': 'yes' },
        StopTimeout: 2,
        HostConfig: { NetworkMode: 'none' },
      }),
    });
    assert.equal(created.status, 201, created.text());
    const oldId = created.json<{ Id: string }>().Id;
    containers.push(oldId);
    assert.equal((await dockerRequest(sock, 'POST', `/containers/${oldId}/start`)).status, 204);
    await push('basic', { ...content('1.1.0'), tag: 'upd' });
    await vscode.commands.executeCommand(CommandId.RefreshLocal);

    // The container's row, as the inline action gets it.
    const a = await api();
    const groups = (await a.localTree.getChildren()) as LocalNode[];
    const rows = (await a.localTree.getChildren(groups[1])) as LocalNode[];
    const node = rows.find((n) => n.kind === 'container' && n.name === name);
    assert.ok(node, JSON.stringify(rows));
    assert.equal((await a.localTree.getTreeItem(node)).contextValue, 'registryLens:local:container:pull');

    const asked: { message: string; detail: string }[] = [];
    const l = await local();
    try {
      l.answerConfirmationsForTests((message, detail) => {
        asked.push({ message, detail });
        return Promise.resolve(false);
      });
      const declined = await vscode.commands.executeCommand<UpdateContainerResult>(CommandId.UpdateContainer, node);
      assert.equal(declined.confirmed, false);
      assert.equal(asked.length, 1);
      assert.match(asked[0]?.message ?? '', new RegExp(`^Update ${name}\\?`));
      const detail = asked[0]?.detail ?? '';
      assert.match(detail, new RegExp(`1\\. pull ${ref.replace(/[.]/g, '\\.')} with the credential from `));
      assert.match(detail, /1 environment variable \(GREETING\)/);
      assert.match(detail, /stop the old container \(SIGTERM, then SIGKILL after 2 s\)/);
      assert.equal(
        (await dockerRequest(sock, 'GET', `/containers/${name}/json`)).json<ContainerInspect>().Id,
        oldId,
        'declined: the container is untouched',
      );

      l.answerConfirmationsForTests(() => Promise.resolve(true));
      const done = await vscode.commands.executeCommand<UpdateContainerResult>(CommandId.UpdateContainer, node);
      assert.equal(done.confirmed, true);
      assert.equal(done.results.length, 1);
      assert.equal(done.results[0]?.error, undefined, done.results[0]?.error);
      assert.equal(done.results[0]?.result?.outcome, 'recreated');
    } finally {
      l.answerConfirmationsForTests(undefined);
    }
    const now = (await dockerRequest(sock, 'GET', `/containers/${name}/json`)).json<ContainerInspect>();
    containers.push(now.Id);
    assert.notEqual(now.Id, oldId);
    assert.equal(now.State.Running, true);
    assert.ok(now.Config.Env?.includes('GREETING=kept'));
    assert.equal(now.Config.Labels?.['org.example.kept'], 'yes');
    assert.equal(now.HostConfig.NetworkMode, 'none');
    assert.equal(
      now.Image,
      (await dockerRequest(sock, 'GET', `/images/${encodeURIComponent(ref)}/json`)).json<{ Id: string }>().Id,
    );
    assert.equal(
      (await dockerRequest(sock, 'GET', `/containers/${oldId}/json`)).status,
      404,
      'the old container was removed',
    );
    await vscode.commands.executeCommand(CommandId.RefreshLocal);
    const shownRows = await shown();
    assert.ok(shownRows.includes(`  ${name} — ${ref} · up to date`), shownRows.join('\n'));
  });

  test('Update Container on a compose-managed container: docker-compose up -d --no-deps in a task terminal, the service then runs the newer image', async function () {
    if (!existsSync('/usr/bin/docker-compose')) this.skip();
    const sock = env.docker!.socketPath;
    const ref = `${env.registries.basic.host}/${repo}:compose`;
    const project = `rlx${process.pid}`;
    const dir = mkdtempSync(join(tmpdir(), 'rl-compose-ext-'));
    await push('basic', { ...content('1.0.0'), tag: 'compose' });
    assert.equal(
      (await vscode.commands.executeCommand<PullResult | undefined>(CommandId.PullImage, ref, { quiet: true }))
        ?.outcome,
      'downloaded',
    );
    writeFileSync(
      join(dir, 'compose.yaml'),
      `version: "3.7"\nservices:\n  app:\n    image: ${ref}\n    command: ["sleep", "600"]\n    network_mode: none\n    stop_grace_period: 1s\n`,
    );
    const composeEnv = { ...process.env, DOCKER_HOST: env.docker!.dockerHost };
    await new Promise<void>((resolve, reject) =>
      execFile(
        'docker-compose',
        ['-f', 'compose.yaml', '-p', project, 'up', '-d'],
        { cwd: dir, env: composeEnv },
        (e, so, se) => (e ? reject(new Error(`${se}${so}`)) : resolve()),
      ),
    );
    const service = async () =>
      (
        await dockerRequest(
          sock,
          'GET',
          `/containers/json?filters=${encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }))}`,
        )
      ).json<Array<{ Id: string; ImageID: string; Names: string[] }>>();
    try {
      const [old] = await service();
      assert.ok(old);
      containers.push(old.Id);
      const name = (old.Names[0] ?? '').slice(1);
      await push('basic', { ...content('1.1.0'), tag: 'compose' });
      await vscode.commands.executeCommand(CommandId.RefreshLocal);
      const l = await local();
      const asked: string[] = [];
      l.answerConfirmationsForTests((_m, detail) => {
        asked.push(detail);
        return Promise.resolve(true);
      });
      let done: UpdateContainerResult;
      try {
        done = await vscode.commands.executeCommand<UpdateContainerResult>(CommandId.UpdateContainer, name);
      } finally {
        l.answerConfirmationsForTests(undefined);
      }
      assert.match(asked[0] ?? '', new RegExp(`compose project ${project}, service app`));
      assert.match(
        asked[0] ?? '',
        /2\. run `docker-compose -f .*compose\.yaml --project-directory .* -p rlx\d+ up -d --no-deps app`/,
      );
      assert.equal(done.results[0]?.error, undefined, done.results[0]?.error);
      assert.equal(done.results[0]?.result?.outcome, 'recreated');
      assert.deepEqual(done.results[0]?.result?.warnings, []);
      const [now] = await service();
      assert.ok(now);
      containers.push(now.Id);
      assert.notEqual(now.Id, old.Id);
      assert.equal(
        now.ImageID,
        (await dockerRequest(sock, 'GET', `/images/${encodeURIComponent(ref)}/json`)).json<{ Id: string }>().Id,
      );
      assert.ok(
        vscode.window.terminals.some((t) => t.name.includes(`Update ${name}`)),
        vscode.window.terminals.map((t) => t.name).join(', '),
      );
    } finally {
      await new Promise<void>((resolve) =>
        execFile('docker-compose', ['-f', 'compose.yaml', '-p', project, 'down'], { cwd: dir, env: composeEnv }, () =>
          resolve(),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
      await dockerRequest(sock, 'DELETE', `/images/${encodeURIComponent(ref)}?force=true`);
    }
  });

  test('pull from the token registry with its SecretStorage credential; a missing tag is reported, not thrown', async () => {
    const ref = `${env.registries.token.host}/${repo}:stable`;
    const result = await vscode.commands.executeCommand<PullResult | undefined>(CommandId.PullImage, ref, {
      quiet: true,
    });
    assert.equal(result?.outcome, 'downloaded');
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand(CommandId.PullImage, `${env.registries.token.host}/${repo}:nope`, {
          quiet: true,
        }),
      ),
      /nope|not found|manifest unknown/i,
    );
  });
});
