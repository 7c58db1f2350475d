// npm run demo: a real VS Code (code-server) with Registry Lens installed from its .vsix, on examples/demo,
// against local registries seeded with demo images. Prints the URL and runs until Ctrl+C.
//
//   npm run demo                 listen on 127.0.0.1:8080 (or the next free port)
//   npm run demo -- --check      start everything, check in headless chromium that the Registry Lens container
//                                shows, save test-results/demo.png, stop (used by the test suite)
//   env: REGISTRY_LENS_DEMO_PORT (code-server port, default 8080)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureSetup, ROOT } from './prereq.mjs';

const require = createRequire(import.meta.url);
const check = process.argv.includes('--check');
// --no-build: reuse out/ and registry-lens.vsix as they are (the test run has just built both).
const build = !process.argv.includes('--no-build') || !existsSync(join(ROOT, 'registry-lens.vsix'));
const DEMO = join(ROOT, '.demo');
const say = (m) => console.log(`demo: ${m}`);

function step(what, cmd, args) {
  say(what);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: check ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (r.status !== 0) {
    if (check) process.stdout.write(`${r.stdout}${r.stderr}`);
    console.error(`demo: "${[cmd, ...args].join(' ')}" failed (exit ${r.status})`);
    process.exit(1);
  }
}

/** The first free port at or after `from` on 127.0.0.1. */
async function freePort(from) {
  for (let p = from; p < from + 50; p++) {
    const ok = await new Promise((res) => {
      const s = createServer()
        .once('error', () => res(false))
        .listen(p, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (ok) return p;
  }
  throw new Error(`no free port in ${from}-${from + 49}`);
}

/** Copies examples/demo to .demo/workspace, rewriting the registry hosts when the preferred ports were taken. */
function prepareWorkspace(target, hosts) {
  rmSync(target, { recursive: true, force: true });
  cpSync(join(ROOT, 'examples', 'demo'), target, { recursive: true });
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      let text = readFileSync(p, 'utf8');
      for (const [from, to] of hosts) text = text.split(from).join(to);
      writeFileSync(p, text);
    }
  };
  walk(target);
}

async function main() {
  ensureSetup('demo');
  if (build) {
    step('building the extension and the test services', process.execPath, ['esbuild.mjs', '--tests']);
    step('packaging registry-lens.vsix', 'npm', ['run', '--silent', 'package']);
  }

  const { startTestEnv, sweepStale } = require(join(ROOT, 'out', 'test', 'services', 'index.js'));
  const { launchCodeServer, startCodeServer } = require(join(ROOT, 'out', 'test', 'harness', 'codeServer.js'));
  await sweepStale(() => undefined);

  // Preferred ports keep the demo files as written; when one is taken, use another and rewrite the files.
  const ports = { anon: await freePort(5050), token: await freePort(5054), 'token-server': await freePort(5100) };
  mkdirSync(DEMO, { recursive: true });
  say('starting local registries (anonymous, htpasswd, TLS, token auth) and seeding demo images');
  // dockerd too, when installed, so the Local Engine view has an engine with something out of date in it.
  const engine = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].some((p) => existsSync(p));
  const env = await startTestEnv({
    seed: ['demo'],
    seedRegistries: { demo: ['anon', 'token'] },
    ports,
    engine,
    envFile: join(DEMO, 'services-env.json'),
    handleSignals: false,
  });
  const local = env.docker ? await prepareLocalEngine(env) : undefined;
  const workspace = join(DEMO, 'workspace');
  prepareWorkspace(workspace, [
    ['localhost:5050', `localhost:${env.registries.anon.port}`],
    ['localhost:5054', `localhost:${env.registries.token.port}`],
  ]);

  // The demo registries speak plain HTTP: Registry Lens sends them no credential until the user lists them in
  // registryLens.insecureRegistries (user or machine settings). The demo's own profile gets them preset, as the files
  // name them (localhost:PORT), and says so.
  const r = env.registries;
  const local5 = (reg) => `localhost:${reg.port}`;
  const insecure = [local5(r.anon), local5(r.token), local5(r.basic)];
  say(
    `presetting registryLens.insecureRegistries to ${insecure.join(', ')} in the demo profile's user settings: these demo registries are plain HTTP on loopback`,
  );
  const vsix = join(ROOT, 'registry-lens.vsix');
  const csPort = await freePort(Number(process.env.REGISTRY_LENS_DEMO_PORT ?? 8080));
  const resultsDir = join(ROOT, 'test-results');
  const options = {
    name: 'demo',
    workspace,
    inPlace: true,
    installVsix: vsix,
    resultsDir,
    stateDir: join(DEMO, 'code-server'),
    bindAddr: `127.0.0.1:${check ? 0 : csPort}`,
    // The test harness turns background checks off; the demo shows them.
    settings: {
      'registryLens.checkOnActivation': true,
      'registryLens.insecureRegistries': insecure,
      ...(env.docker ? { 'registryLens.docker.host': env.docker.dockerHost } : {}),
    },
    // The first screen: the demo Dockerfile with its diagnostics, next to the Registry Lens views.
    openFile: join(workspace, 'api', 'Dockerfile'),
  };
  let stopping = false;
  const stopAll = async (server) => {
    if (stopping) return;
    stopping = true;
    await server?.stop();
    await env.stop();
  };

  if (check) {
    const { openContainer } = require(join(ROOT, 'out', 'test', 'harness', 'ui.js'));
    let cs;
    let ok = false;
    try {
      cs = await startCodeServer(options);
      say(`code-server on ${cs.page.url().split('?')[0]}`);
      const sidebar = await openContainer(cs.page);
      await sidebar.locator('.pane-header', { hasText: 'Workspace Images' }).waitFor({ timeout: 30_000 });
      // The background check against the demo registries: update states in the tree, the registries with their state.
      await sidebar.locator('.monaco-list-row', { hasText: '↑' }).first().waitFor({ timeout: 60_000 });
      await sidebar.locator('.monaco-list-row', { hasText: 'anonymous' }).first().waitFor({ timeout: 30_000 });
      await cs.page
        .locator('#status\\.problems, .statusbar-item', { hasText: /image updates?/ })
        .first()
        .waitFor({ timeout: 30_000 });
      // The first screen as a new user sees it: the Dockerfile open with the updates underlined, both trees showing.
      await cs.page.locator('.tabs-container .tab', { hasText: 'Dockerfile' }).first().waitFor({ timeout: 30_000 });
      await cs.page
        .locator('.editor-instance .squiggly-info, .editor-instance .squiggly-warning')
        .first()
        .waitFor({ timeout: 60_000 });
      await sidebar.locator('.monaco-list-row', { hasText: 'localhost:' }).first().waitFor({ timeout: 30_000 });
      await cs.page.waitForTimeout(1000);
      say(`screenshot: ${await cs.screenshot('demo-first-screen.png')}`);
      if (local) {
        // The Local Engine view (collapsed until opened): the running container on an out-of-date image.
        const header = sidebar.locator('.pane-header', { hasText: 'Local Engine' }).first();
        if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
        await sidebar.locator('.monaco-list-row', { hasText: local.container }).first().waitFor({ timeout: 30_000 });
        await sidebar
          .locator('.monaco-list-row', { hasText: 'newer image in the registry' })
          .first()
          .waitFor({ timeout: 30_000 });
        await cs.page.mouse.move(900, 450); // no tooltip over the screenshot
      }
      await cs.page.waitForTimeout(1000);
      say(`screenshot: ${await cs.screenshot('demo.png')}`);
      ok = true;
    } catch (e) {
      console.error(`demo: the Registry Lens container did not show: ${e?.message ?? e}`);
      await cs?.screenshot('demo-FAILED.png').catch(() => undefined);
    } finally {
      await stopAll(cs);
    }
    console.log(ok ? '1 passed, 0 failed' : '0 passed, 1 failed');
    process.exit(ok ? 0 : 1);
  }

  const server = await launchCodeServer(options);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      say('stopping');
      void stopAll(server).then(() => process.exit(0));
    });
  }
  console.log(`
Registry Lens demo is running.

  Open:   ${server.url}
          (the demo Dockerfile opens with its diagnostics, as in test-results/demo-first-screen.png)

  VS Code (code-server ${'4.100.3'}) with registry-lens.vsix installed, on ${workspace}
  Registries (loopback only), as the demo files name them:
    ${local5(r.anon).padEnd(18)} anonymous (HTTP)   demo/node, demo/python, demo/nginx, demo/postgres, demo/redis
    ${local5(r.token).padEnd(18)} token auth (HTTP)  same images; user ${r.token.username} / ${r.token.password}
    ${local5(r.basic).padEnd(18)} htpasswd (HTTP)    user ${r.basic.username} / ${r.basic.password}
    ${local5(r.tls).padEnd(18)} htpasswd over TLS  CA file ${r.tls.caFile}
  registryLens.insecureRegistries is preset to ${insecure.join(', ')} (the plain-HTTP ones) in this profile's user settings.

${
  local
    ? `  Docker engine ${env.docker.dockerHost} (Local Engine view): ${local.images.join(', ')} pulled, container ${local.container}
  running; ${local.moved} has since moved on in the registry.
`
    : ''
}
Press Ctrl+C to stop everything.`);
  if (!existsSync(vsix)) say('warning: registry-lens.vsix is missing');
}

/**
 * Puts the demo engine in the state a busy developer's engine is in: demo images pulled a while ago, a container
 * running one of them, and since then a newer image pushed to that tag (and newer tags published).
 */
async function prepareLocalEngine(env) {
  const { dockerRequest, RegistryClient, DEMO_SEED } = require(join(ROOT, 'out', 'test', 'services', 'index.js'));
  const { buildRepo, Pusher } = require(join(ROOT, 'out', 'test', 'services', 'seed.js'));
  const sock = env.docker.socketPath;
  const host = env.registries.anon.host;
  const images = [`${host}/demo/nginx:stable`, `${host}/demo/postgres:15.6`];
  for (const ref of images) {
    const [name, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
    const r = await dockerRequest(sock, 'POST', `/images/create?fromImage=${encodeURIComponent(name)}&tag=${tag}`, {
      timeoutMs: 60_000,
    });
    if (r.status !== 200 || /"error"/.test(r.text()))
      throw new Error(`demo: pulling ${ref} into the demo engine failed: ${r.text()}`);
  }
  const container = 'demo-web';
  const created = await dockerRequest(sock, 'POST', `/containers/create?name=${container}`, {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ Image: images[0], Cmd: ['sleep', '86400'], HostConfig: { NetworkMode: 'none' } }),
  });
  if (created.status !== 201) throw new Error(`demo: creating the demo container failed: ${created.text()}`);
  await dockerRequest(sock, 'POST', `/containers/${JSON.parse(created.text()).Id}/start`);
  // demo/nginx:stable moves on: the 1.27.1 image is pushed under it.
  const newer = buildRepo(DEMO_SEED, 'demo/nginx').find((i) => i.tag === '1.27.1');
  const client = new RegistryClient({ url: env.registries.anon.url });
  try {
    await new Pusher(client).pushImage('demo/nginx', { ...newer, tag: 'stable' });
  } finally {
    client.close();
  }
  return { images, container, moved: images[0] };
}

main().catch((e) => {
  console.error(`demo: ${e?.stack ?? e}`);
  process.exit(1);
});
