// The Registries view against the vendor emulators (test/services/vendors), started inside this extension host on
// loopback and reached under the vendors' own host names (REGISTRY_LENS_TEST_RESOLVE; their CA through the
// caFiles user setting): signed in from each kind of source, sign-in required, login expired.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CredentialResult } from '../../src/vscode/commands/credentialFlow';
import { CommandId } from '../../src/vscode/constants';
import type { RegistryLensApi } from '../../src/vscode/extension';
import { CREDENTIAL_ORIGINS, ECR_HOST, startVendors, type VendorName, type Vendors } from '../services/vendors';
import { api, render } from './support';

async function rows(a: RegistryLensApi): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const node of (await a.registriesTree.getChildren()) ?? []) {
    const item = await a.registriesTree.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
    out.set(label, `${String(item.description ?? '')}\n${tooltip}`);
  }
  return out;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ENV_KEYS = ['REGISTRY_LENS_TEST_RESOLVE', 'DOCKER_CONFIG', 'REGISTRY_AUTH_FILE'] as const;

suite('Registries view across vendors (vendor emulators)', function () {
  let v: Vendors | undefined;
  let tmp: string;
  let dockerfile: vscode.Uri;
  const saved: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
  const config = () => vscode.workspace.getConfiguration('registryLens');

  suiteSetup(async function () {
    this.timeout(120_000);
    tmp = mkdtempSync(path.join(tmpdir(), 'rl-ext-vendors-'));
    v = await startVendors(path.join(tmp, 'certs'));
    for (const k of ENV_KEYS) if (process.env[k] !== undefined) saved[k] = process.env[k];
    const hub = v.get('dockerHub').spec.credential!;
    const harbor = v.get('harbor').spec.credential!;
    const gitlab = v.get('gitlab').spec.credential!;
    const acr = v.get('acr').spec.credential!;
    // Docker Hub in the docker config under docker/cli's key, ECR with an expired 12 h token, GitLab's CI token and
    // what `az acr login` writes for ACR (empty password, identitytoken); Harbor's robot in Podman's auth file. The
    // client is rebuilt below (caFiles changes), and reads these then.
    mkdirSync(path.join(tmp, 'docker'), { recursive: true });
    writeFileSync(
      path.join(tmp, 'docker', 'config.json'),
      JSON.stringify({
        auths: {
          [hub.key]: { auth: b64(`${hub.username}:${hub.password}`) },
          [ECR_HOST]: { auth: b64('AWS:ecr-token-expired') },
          [gitlab.key]: { auth: b64(`${gitlab.username}:${gitlab.password}`) },
          [acr.key]: { auth: b64(`${acr.username}:${acr.password}`), identitytoken: acr.identitytoken },
        },
      }),
    );
    writeFileSync(
      path.join(tmp, 'auth.json'),
      JSON.stringify({ auths: { [harbor.key]: { auth: b64(`${harbor.username}:${harbor.password}`) } } }),
    );
    process.env.REGISTRY_LENS_TEST_RESOLVE = v.resolve;
    process.env.DOCKER_CONFIG = path.join(tmp, 'docker');
    process.env.REGISTRY_AUTH_FILE = path.join(tmp, 'auth.json');
    const caFiles = Object.fromEntries(
      v
        .all()
        .flatMap((r) => r.spec.httpsHosts.concat(r.spec.registry))
        .map((h) => [h, v!.certs.caFile]),
    );
    await config().update('caFiles', caFiles, vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    dockerfile = vscode.Uri.joinPath(folder, 'vendors.Dockerfile');
    await vscode.workspace.fs.writeFile(
      dockerfile,
      new TextEncoder().encode(
        [
          'FROM alpine:3.19.0',
          'FROM ghcr.io/acme/private-app:2.0.0',
          `FROM ${ECR_HOST}/team/app:1.0.0`,
          'FROM quay.io/acme/app:v1.0.0',
          'FROM harbor.example/acme/app:2.0.0',
          '',
        ].join('\n'),
      ),
    );
  });

  suiteTeardown(async () => {
    if (dockerfile) await vscode.workspace.fs.delete(dockerfile).then(undefined, () => undefined);
    await vscode.commands.executeCommand(CommandId.RemoveCredential, { host: 'quay.io', confirm: false });
    await vscode.commands.executeCommand(CommandId.RemoveCredential, { host: 'europe-docker.pkg.dev', confirm: false });
    for (const k of ENV_KEYS) {
      if (saved[k] !== undefined) process.env[k] = saved[k];
      else delete process.env[k];
    }
    await config().update('caFiles', undefined, vscode.ConfigurationTarget.Global);
    await v?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('signed in (docker config, Registry Lens, containers auth file), sign-in required, login expired', async function () {
    this.timeout(120_000);
    const a = await api();
    const quay = v!.get('quay').spec.credential!;
    const added = await vscode.commands.executeCommand<CredentialResult>(CommandId.AddCredential, {
      host: 'quay.io',
      username: quay.username,
      secret: quay.password,
    });
    assert.equal(added.saved, true, added.state?.message ?? '');
    assert.equal(added.state?.status, 'signed-in');

    const deadline = Date.now() + 20_000;
    while (!(await a.imagesIdle(), await rows(a)).has('ghcr.io')) {
      if (Date.now() > deadline) throw new Error('vendors.Dockerfile never reached the scan');
      await new Promise((r) => setTimeout(r, 200));
    }
    await a.checkNow();
    await vscode.commands.executeCommand(CommandId.RefreshRegistries);
    await a.registriesIdle();
    const shown = await rows(a);
    const row = (host: string): string => shown.get(host) ?? `(not listed: ${[...shown.keys()].join(', ')})`;
    assert.match(row('docker.io (Docker Hub)'), /^signed in \(docker config\)/);
    assert.match(row('quay.io'), /^signed in \(Registry Lens\)/);
    assert.match(row('harbor.example'), /^signed in \(containers auth file\)/);
    assert.match(
      row('harbor.example'),
      /Credential in use: containers auth file .*auth\.json \(auths "harbor\.example"\)/,
    );
    assert.match(row('ghcr.io'), /^sign-in required\n.*acme\/private-app needs a credential/s);
    assert.match(row(ECR_HOST), /^login expired/);
    assert.match(
      row(ECR_HOST),
      /aws ecr get-login-password --region us-east-1 \| docker login --username AWS --password-stdin/,
    );
    for (const [host, text] of shown) {
      for (const secret of [
        'ecr-token-expired',
        quay.password,
        v!.get('harbor').spec.credential!.password,
        v!.get('dockerHub').spec.credential!.password,
      ]) {
        assert.ok(!text.includes(secret), `${host}: a secret appears in the view`);
      }
    }
    // Credentials went only where they belong.
    for (const r of v!.all()) {
      for (const s of r.seen)
        if (s.authorization !== undefined)
          assert.ok(
            r.spec.httpsHosts.includes(s.host) && s.scheme === 'https',
            `${r.spec.name}: Authorization reached ${s.scheme}://${s.host}`,
          );
    }
  });

  test('GitLab (realm on another host), ACR (identity token), Artifact Registry (access token), Red Hat, Artifactory, Nexus', async function () {
    this.timeout(120_000);
    const a = await api();
    const gar = 'europe-docker.pkg.dev';
    const accessToken = 'ya29.gar-access-token';
    const added = await vscode.commands.executeCommand<CredentialResult>(CommandId.AddCredential, {
      host: gar,
      username: 'oauth2accesstoken',
      secret: accessToken,
    });
    assert.equal(added.saved, true, added.state?.message ?? '');
    assert.equal(added.state?.status, 'signed-in');
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const more = vscode.Uri.joinPath(folder, 'vendors-more.Dockerfile');
    const hosts = [
      'registry.gitlab.example',
      'acme.azurecr.io',
      gar,
      'registry.access.redhat.com',
      'acme.jfrog.io',
      'nexus.example',
    ];
    await vscode.workspace.fs.writeFile(
      more,
      new TextEncoder().encode(
        [
          'FROM registry.gitlab.example/group/project/app:1.4.0',
          'FROM acme.azurecr.io/team/app:5.0.0',
          `FROM ${gar}/acme/images/app:0.9.0`,
          'FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4',
          'FROM acme.jfrog.io/docker-local/app:1.0.0',
          'FROM nexus.example/acme/nolink:4.0.0',
          '',
        ].join('\n'),
      ),
    );
    try {
      const deadline = Date.now() + 20_000;
      let shownNow = (await a.imagesIdle(), await rows(a));
      while (!hosts.every((h) => shownNow.has(h))) {
        if (Date.now() > deadline)
          throw new Error(`vendors-more.Dockerfile never reached the scan: ${[...shownNow.keys()].join(', ')}`);
        await new Promise((r) => setTimeout(r, 200));
        await a.imagesIdle();
        shownNow = await rows(a);
      }
      await a.checkNow();
      await vscode.commands.executeCommand(CommandId.RefreshRegistries);
      await a.registriesIdle();
      const shown = await rows(a);
      const row = (host: string): string => shown.get(host) ?? `(not listed: ${[...shown.keys()].join(', ')})`;
      assert.match(row('registry.gitlab.example'), /^signed in \(docker config\)/);
      assert.match(row('registry.gitlab.example'), /auths "registry\.gitlab\.example"/);
      assert.match(row('acme.azurecr.io'), /^signed in \(docker config\)/);
      assert.match(row(gar), /^signed in \(Registry Lens\)/);
      assert.match(row(gar), /user `oauth2accesstoken`/);
      for (const h of ['registry.access.redhat.com', 'acme.jfrog.io', 'nexus.example'])
        assert.match(row(h), /^anonymous/, `${h}: ${row(h)}`);
      const secrets = [
        accessToken,
        v!.get('gitlab').spec.credential!.password,
        v!.get('acr').spec.credential!.identitytoken!,
      ];
      for (const [host, text] of shown)
        for (const secret of secrets) assert.ok(!text.includes(secret), `${host}: a secret appears in the view`);
      // GitLab's credential went to its realm on gitlab.example for a token, ACR's refresh token was exchanged.
      assert.ok(
        v!.get('gitlab').seen.some((s) => s.host === 'gitlab.example' && s.authorization !== undefined),
        'GitLab: no credential reached the realm',
      );
      assert.ok(
        v!.get('acr').seen.some((s) => s.path.startsWith('/oauth2/token') && s.method === 'POST'),
        'ACR: no refresh-token exchange',
      );
      for (const n of Object.keys(CREDENTIAL_ORIGINS) as VendorName[]) {
        for (const s of v!.get(n).seen) {
          if (s.authorization !== undefined)
            assert.ok(
              CREDENTIAL_ORIGINS[n].includes(`${s.scheme}://${s.host}`),
              `${n}: Authorization reached ${s.scheme}://${s.host}${s.path}`,
            );
        }
      }
    } finally {
      await vscode.workspace.fs.delete(more).then(undefined, () => undefined);
    }
  });

  test('a registry checked through a mirror (a real distribution registry): the tree says via which, the reference text stays', async function () {
    this.timeout(120_000);
    const file = process.env.REGISTRY_LENS_TEST_ENV;
    if (!file) this.skip();
    const env = JSON.parse((await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString()) as {
      registries: Record<'anon' | 'basic', { host: string }>;
    };
    const { anon, basic } = env.registries;
    const a = await api();
    // The htpasswd registry refuses anonymous reads; its mirror (the anonymous registry, same seed) answers.
    await config().update('registryMirrors', { [basic.host]: [anon.host] }, vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const mirrored = vscode.Uri.joinPath(folder, 'mirrored.Dockerfile');
    const text = `${basic.host}/test/app:1.0.0`;
    await vscode.workspace.fs.writeFile(mirrored, new TextEncoder().encode(`FROM ${text}\n`));
    try {
      const deadline = Date.now() + 20_000;
      while (!(await a.imagesIdle(), await render(a.imagesTree)).some((l) => l.includes(basic.host))) {
        if (Date.now() > deadline) throw new Error('mirrored.Dockerfile never reached the scan');
        await new Promise((r) => setTimeout(r, 200));
      }
      // Asked again (not from answers cached by earlier suites for the same repository without the mirror).
      await a.checkNow({ refresh: true });
      const lines = await render(a.imagesTree);
      const i = lines.findIndex((l) => l.trim() === basic.host || l.trim().startsWith(`${basic.host} —`));
      assert.ok(i >= 0, lines.join('\n'));
      const ref = lines.slice(i).find((l) => /^\s+1\.0\.0 — /.test(l)) ?? '';
      assert.match(
        ref,
        new RegExp(` · via ${anon.host.replace(/\./g, '\\.')} · 1 use`),
        lines.slice(i, i + 6).join('\n'),
      );
      const doc = await vscode.workspace.openTextDocument(mirrored);
      assert.equal(doc.getText(), `FROM ${text}\n`);
    } finally {
      await vscode.workspace.fs.delete(mirrored);
      await config().update('registryMirrors', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
