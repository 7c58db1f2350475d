import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { RESULTS_DIR, startCodeServer, type RunningCodeServer } from './codeServer';
import { reexecInLoopbackNamespace } from './netns';
import { openContainer, runFromPalette, sel } from './ui';
import { dockerRequest, RegistryClient as PushClient, TEST_SEED } from '../services';
import { buildRepo, Pusher } from '../services/seed';

/**
 * UI tier: what a person sees in a real VS Code (code-server in chromium). Each check is one result;
 * screenshots go to test-results/ so a reviewer can look at them.
 *
 *   node out/test/harness/runUi.js            (after `node esbuild.mjs --tests`)
 */

type Check = { name: string; run: (cs: RunningCodeServer) => Promise<void> };

/** Adding a credential through the command palette, as a person would, when the run has real registries. */
function credentialSession(): { name: string; settings?: Record<string, unknown>; checks: Check[] }[] {
  const file = process.env.REGISTRY_LENS_TEST_ENV;
  if (!file) return [];
  const env = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    registries: Record<string, { host: string; username?: string; password?: string }>;
  };
  const basic = env.registries.basic;
  const token = env.registries.token;
  if (!basic?.username || !basic.password) return [];
  /** Add Credential from the palette with the self-hosted preset, as a person types it. */
  const addFromPalette = async (
    cs: RunningCodeServer,
    host: string,
    username: string,
    password: string,
  ): Promise<void> => {
    const { page } = cs;
    await runFromPalette(page, 'Registry Lens: Add Credential…');
    const input = page.locator(sel.commandInput);
    await page.locator(sel.quickPickRow, { hasText: 'Self-hosted registry' }).first().waitFor({ timeout: 15_000 });
    await input.fill('Self-hosted');
    await page.keyboard.press('Enter');
    for (const value of [host, username, password]) {
      await page.waitForTimeout(300);
      await input.fill(value);
      await page.keyboard.press('Enter');
    }
  };
  /** The warning toast that holds `text`: screenshot it, then answer Cancel (nothing is saved). */
  const toastThenCancel = async (cs: RunningCodeServer, text: string | RegExp, shot: string): Promise<void> => {
    const toast = cs.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    await toast.waitFor({ timeout: 30_000 });
    await cs.page.waitForTimeout(300);
    await cs.screenshot(shot);
    // A click that lands while the toast still slides in can be lost: click again until it goes (three tries).
    for (let attempt = 1; ; attempt++) {
      await toast.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
      try {
        await toast.waitFor({ state: 'detached', timeout: 5_000 });
        return;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
  };
  return [
    {
      name: 'ui-credentials',
      // The htpasswd registry is allowed plain HTTP; the token registry (also plain HTTP) is not.
      settings: { 'registryLens.insecureRegistries': [basic.host] },
      checks: [
        {
          name: 'a wrong password the registry received is "rejected" (never "signed in"); nothing is saved',
          run: async (cs) => {
            await openContainer(cs.page);
            await addFromPalette(cs, basic.host, basic.username!, 'not-the-password');
            await toastThenCancel(cs, 'were rejected', 'ui-credential-rejected.png');
          },
        },
        ...(token?.username && token.password
          ? [
              {
                name: 'a credential for a plain-HTTP registry that is not allowed is "not sent", with the button that allows it',
                run: async (cs: RunningCodeServer) => {
                  await addFromPalette(cs, token.host, token.username!, token.password!);
                  const notSent = cs.page
                    .locator('.notifications-toasts .notification-toast', { hasText: 'not sent:' })
                    .first();
                  await notSent.waitFor({ timeout: 30_000 });
                  await notSent
                    .locator('.monaco-button', { hasText: `Allow Plain HTTP for ${token.host}` })
                    .first()
                    .waitFor({ timeout: 5_000 });
                  await toastThenCancel(cs, 'not sent:', 'ui-credential-not-sent.png');
                },
              },
            ]
          : []),
        {
          name: 'Add Credential from the palette: preset, host, user, password; tested, saved, shown as signed in',
          run: async (cs) => {
            const { page } = cs;
            const sidebar = await openContainer(page);
            await runFromPalette(page, 'Registry Lens: Add Credential…');
            const input = page.locator(sel.commandInput);
            await page
              .locator(sel.quickPickRow, { hasText: 'Self-hosted registry' })
              .first()
              .waitFor({ timeout: 15_000 });
            await input.fill('Self-hosted');
            await page.keyboard.press('Enter');
            for (const value of [basic.host, basic.username!, basic.password!]) {
              await page.waitForTimeout(300);
              await input.fill(value);
              await page.keyboard.press('Enter');
            }
            await page
              .locator('.notifications-toasts', { hasText: `credential for ${basic.host} signed in` })
              .first()
              .waitFor({ timeout: 30_000 });
            const row = sidebar.locator(sel.treeRow, { hasText: basic.host }).first();
            await row.waitFor({ timeout: 15_000 });
            await sidebar
              .locator(sel.treeRow, { hasText: 'signed in (Registry Lens)' })
              .first()
              .waitFor({ timeout: 15_000 });
            const text = await page.locator(sel.sidebar).innerText();
            if (text.includes(basic.password!)) throw new Error('the password is visible in the sidebar');
            await row.hover();
            await page.waitForTimeout(500);
            await cs.screenshot('ui-registries-signed-in.png');
          },
        },
      ],
    },
  ];
}

/**
 * For the Local Engine view: an image pulled into the run's dockerd from the anonymous registry, then a newer image
 * pushed to the same tag, so the view has something out of date to show. Undefined when the run has no dockerd.
 */
async function prepareLocalImage(envFile: string): Promise<{ host: string; ref: string } | undefined> {
  const env = JSON.parse(fs.readFileSync(envFile, 'utf8')) as {
    registries: { anon: { host: string; url: string } };
    docker?: { dockerHost: string; socketPath: string };
  };
  if (!env.docker) return undefined;
  const ref = `${env.registries.anon.host}/uitest/app:stable`;
  const push = async (tag: string): Promise<void> => {
    const img = buildRepo(TEST_SEED, 'test/app').find((i) => i.tag === tag);
    if (!img) throw new Error(`no seed tag ${tag}`);
    const client = new PushClient({ url: env.registries.anon.url });
    try {
      await new Pusher(client).pushImage('uitest/app', { ...img, tag: 'stable' });
    } finally {
      client.close();
    }
  };
  await push('1.0.0');
  const pulled = await dockerRequest(
    env.docker.socketPath,
    'POST',
    `/images/create?fromImage=${encodeURIComponent(`${env.registries.anon.host}/uitest/app`)}&tag=stable`,
    { timeoutMs: 60_000 },
  );
  if (pulled.status !== 200 || /"error"/.test(pulled.text()))
    throw new Error(`pulling ${ref} into dockerd failed: ${pulled.text()}`);
  await push('1.1.0');
  return { host: env.docker.dockerHost, ref };
}

async function main(): Promise<number> {
  reexecInLoopbackNamespace();
  const t0 = Date.now();
  const start = (
    name: string,
    settings: Record<string, unknown> = {},
    extraFiles: Record<string, string> = {},
    untrusted = false,
  ) =>
    startCodeServer({
      name,
      untrusted,
      workspace: path.join(REPO_ROOT, 'test', 'fixtures', 'ext-workspace'),
      extensionDevelopmentPath: REPO_ROOT,
      resultsDir: RESULTS_DIR,
      settings,
      extraFiles,
      verbose: process.env.VERBOSE === '1',
    });
  // With the run's registries: a Dockerfile on the anonymous one, checked in the background (docker.io stays offline).
  const envFile = process.env.REGISTRY_LENS_TEST_ENV;
  const anon = envFile
    ? (JSON.parse(fs.readFileSync(envFile, 'utf8')) as { registries: { anon?: { host: string } } }).registries.anon
        ?.host
    : undefined;
  const liveSettings = anon
    ? { 'registryLens.checkOnActivation': true, 'registryLens.policies': [{ match: 'docker.io/**', ignore: true }] }
    : {};
  const liveFiles: Record<string, string> = anon
    ? { 'registry.Dockerfile': `FROM ${anon}/test/app:1.1.0\nFROM ${anon}/test/multi:2.0.0\n` }
    : {};
  const sidebarCheck =
    (theme: 'light' | 'dark') =>
    async (cs: RunningCodeServer): Promise<void> => {
      const sidebar = await openContainer(cs.page);
      await sidebar.locator(sel.paneHeader, { hasText: 'Workspace Images' }).waitFor({ timeout: 30_000 });
      // The Registries view lists the workspace's registries: not contacted while checks are off, checked otherwise.
      const live = theme === 'dark' && anon;
      await sidebar
        .locator(sel.treeRow, { hasText: live ? 'anonymous' : 'not checked yet' })
        .first()
        .waitFor({ timeout: 60_000 });
      // The fixture's images, grouped by registry (the welcome text shows only while a workspace has none).
      // (The dark session's tree holds the live registry too: its last rows are below the fold, not rendered.)
      for (const row of [
        'docker.io (Docker Hub)',
        'nginx',
        '1.25.3',
        ...(theme === 'light' ? ['postgres', '15.6'] : []),
      ]) {
        await sidebar.locator(sel.treeRow, { hasText: row }).first().waitFor({ timeout: 30_000 });
      }
      if (theme === 'dark') await cs.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 30_000 });
      // Real data: update states from the background check, and the registry's state.
      if (theme === 'dark' && anon) {
        await sidebar.locator(sel.treeRow, { hasText: '↑ 1.1.1 patch' }).first().waitFor({ timeout: 60_000 });
        await sidebar.locator(sel.treeRow, { hasText: anon }).first().waitFor({ timeout: 30_000 });
      }
      // Let the views' loading bars finish so the screenshot shows the settled sidebar.
      await cs.page
        .locator(`${sel.sidebar} .monaco-progress-container.active`)
        .first()
        .waitFor({ state: 'detached', timeout: 10_000 })
        .catch(() => undefined);
      await cs.page.waitForTimeout(1000);
      await cs.screenshot(`ui-sidebar-${theme}.png`);
    };
  const docker = anon && envFile ? await prepareLocalImage(envFile) : undefined;
  // Each session is one code-server start; the dark theme gets its own so it is set before the first paint.
  const sessions: {
    name: string;
    settings?: Record<string, unknown>;
    files?: Record<string, string>;
    untrusted?: boolean;
    checks: Check[];
  }[] = [
    {
      name: 'ui-light',
      checks: [
        {
          name: 'the Registry Lens container shows the workspace registries and images (light theme)',
          run: sidebarCheck('light'),
        },
        {
          name: 'clicking an image use opens the Dockerfile at the reference',
          run: async (cs) => {
            const sidebar = await openContainer(cs.page);
            await sidebar.locator(sel.treeRow, { hasText: '1.25.3' }).first().click();
            await sidebar.locator(sel.treeRow, { hasText: 'Dockerfile:8' }).first().click();
            await cs.page
              .locator('.tabs-container .tab', { hasText: 'Dockerfile' })
              .first()
              .waitFor({ timeout: 15_000 });
            await cs.page
              .locator('.editor-instance .view-line', { hasText: /nginx:1\.25\.3/ })
              .first()
              .waitFor({ timeout: 15_000 });
            await cs.page.waitForTimeout(500);
            await cs.screenshot('ui-images-open-use.png');
          },
        },
        {
          name: 'the walkthrough opens from Welcome: Open Walkthrough with its three steps and their media',
          run: async (cs) => {
            const { page } = cs;
            await runFromPalette(page, 'Welcome: Open Walkthrough...');
            await page.locator(sel.quickPickRow, { hasText: 'Get started with Registry Lens' }).first().click();
            const container = page.locator('.gettingStartedContainer');
            for (const step of ['Add a credential', 'Check your images', 'Fix an image']) {
              await container.locator('.getting-started-step', { hasText: step }).first().waitFor({ timeout: 30_000 });
            }
            // The first step's picture is one of ours, loaded (a missing file leaves a broken image).
            const img = container.locator('.getting-started-media img').first();
            await img.waitFor({ timeout: 15_000 });
            const loaded = (): Promise<boolean> =>
              img.evaluate((el) => {
                const i = el as unknown as { complete: boolean; naturalWidth: number };
                return i.complete && i.naturalWidth > 0;
              });
            for (let t = 0; !(await loaded()); t++) {
              if (t > 50) throw new Error(`the walkthrough image ${await img.getAttribute('src')} did not load`);
              await page.waitForTimeout(200);
            }
            await page.waitForTimeout(500);
            await cs.screenshot('ui-walkthrough.png');
            await page.keyboard.press('Control+w');
          },
        },
        {
          name: 'Registry Lens: Show Log from the command palette shows the activation line',
          run: async (cs) => {
            await runFromPalette(cs.page, 'Registry Lens: Show Log');
            await cs.page
              .locator('.panel .monaco-editor .view-line', { hasText: /Registry\sLens\s\d+\.\d+\.\d+\sactivated/ })
              .first()
              .waitFor({ timeout: 30_000 });
            await cs.screenshot('ui-show-log.png');
          },
        },
      ],
    },
    ...credentialSession(),
    {
      name: 'ui-untrusted',
      untrusted: true,
      settings: liveSettings,
      files: liveFiles,
      checks: [
        {
          name: 'in an untrusted workspace images are listed but no registry is contacted',
          run: async (cs) => {
            const sidebar = await openContainer(cs.page);
            await sidebar.locator(sel.treeRow, { hasText: 'nginx' }).first().waitFor({ timeout: 30_000 });
            await sidebar
              .locator(sel.treeRow, { hasText: 'not contacted (untrusted workspace)' })
              .first()
              .waitFor({ timeout: 30_000 });
            await cs.page.waitForTimeout(3000); // time in which a check would have run (checkOnActivation is on when registries exist)
            if (await sidebar.locator(sel.treeRow, { hasText: '↑' }).count())
              throw new Error('an update state appeared: a registry was contacted');
            await cs.page.locator('.statusbar-item', { hasText: 'Registry Lens' }).first().waitFor({ timeout: 10_000 });
            await cs.screenshot('ui-untrusted.png');
          },
        },
      ],
    },
    {
      name: 'ui-dark',
      settings: {
        'workbench.colorTheme': 'Default Dark Modern',
        ...liveSettings,
        ...(docker ? { 'registryLens.docker.host': docker.host } : {}),
      },
      files: liveFiles,
      checks: [
        {
          name: `the activity-bar icon and both views render in a dark theme${anon ? ', with update states from a real registry' : ''}`,
          run: sidebarCheck('dark'),
        },
        ...(anon
          ? [
              {
                name: 'a Dockerfile shows the update as a squiggle; Ctrl+. offers patch / minor / major; the fix edits the tag',
                run: async (cs: RunningCodeServer) => {
                  const { page } = cs;
                  await openContainer(page);
                  await page.locator(sel.sidebar).locator(sel.treeRow, { hasText: '1.1.0' }).first().click();
                  await page
                    .locator(sel.sidebar)
                    .locator(sel.treeRow, { hasText: 'registry.Dockerfile:1' })
                    .first()
                    .click();
                  await page
                    .locator('.editor-instance .squiggly-info, .editor-instance .squiggly-warning')
                    .first()
                    .waitFor({ timeout: 30_000 });
                  await page.locator('.editor-instance .view-line', { hasText: '/test/app:1.1.0' }).first().click();
                  // The hover: what the check found, and the image's platforms and source label read from the registry.
                  await page
                    .locator('.editor-instance .view-line span', { hasText: /test\/app:1\.1\.0/ })
                    .first()
                    .hover();
                  await page
                    .locator('.monaco-hover', { hasText: 'Source and changelog' })
                    .first()
                    .waitFor({ timeout: 20_000 });
                  await cs.screenshot('ui-hover.png');
                  await page.keyboard.press('Escape');
                  await page.mouse.move(0, 0);
                  await page.keyboard.press('Control+.');
                  await page
                    .locator('.action-widget .monaco-list-row', { hasText: 'Update to 1.1.1 (patch)' })
                    .first()
                    .waitFor({ timeout: 15_000 });
                  await page
                    .locator('.action-widget .monaco-list-row', { hasText: 'Update to 2.0.0 (major)' })
                    .first()
                    .waitFor({ timeout: 5_000 });
                  await cs.screenshot('ui-quickfix-menu.png');
                  await page.keyboard.press('Enter'); // the preferred (first) fix: patch
                  await page.keyboard.press('Control+s');
                  const file = path.join(cs.workspace, 'registry.Dockerfile');
                  const deadline = Date.now() + 15_000;
                  while (!fs.readFileSync(file, 'utf8').startsWith(`FROM ${anon}/test/app:1.1.1\n`)) {
                    if (Date.now() > deadline)
                      throw new Error(`the fix did not reach the file: ${fs.readFileSync(file, 'utf8')}`);
                    await page.waitForTimeout(100);
                  }
                  await cs.screenshot('ui-after-fix.png');
                },
              },
              {
                name: 'Update All Images in Workspace shows every change in the refactor preview before applying it',
                run: async (cs: RunningCodeServer) => {
                  const { page } = cs;
                  // The re-check after the saved fix first (the bulk edit is built from the last check's findings).
                  await page
                    .locator(sel.sidebar)
                    .locator(sel.treeRow, { hasText: /1\.1\.1.*↑ 1\.2\.0 minor/ })
                    .first()
                    .waitFor({ timeout: 30_000 });
                  await runFromPalette(page, 'Registry Lens: Update All Images in Workspace');
                  await page.locator(sel.quickPickRow, { hasText: 'All updates, major included' }).first().click();
                  const panel = page.locator('.bulk-edit-panel').first();
                  await panel
                    .locator('.monaco-list-row', { hasText: 'registry.Dockerfile' })
                    .first()
                    .waitFor({ timeout: 30_000 });
                  await panel.locator('.monaco-list-row', { hasText: '2.1.0' }).first().waitFor({ timeout: 15_000 });
                  await panel.locator('.monaco-list-row', { hasText: '2.0.0' }).first().waitFor({ timeout: 15_000 });
                  await page.waitForTimeout(500);
                  await cs.screenshot('ui-update-all-preview.png');
                  // Every proposed update starts ticked: Apply as it opens.
                  await page.locator('.monaco-button', { hasText: 'Apply' }).first().click();
                  await page
                    .locator('.notifications-toasts', { hasText: /updated \d+ references? in \d+ files?/ })
                    .first()
                    .waitFor({ timeout: 15_000 });
                  const file = path.join(cs.workspace, 'registry.Dockerfile');
                  const deadline = Date.now() + 15_000;
                  while (!/test\/app:2\.0\.0\n.*\/test\/multi:2\.1\.0/.test(fs.readFileSync(file, 'utf8'))) {
                    if (Date.now() > deadline)
                      throw new Error(`the update did not reach the file: ${fs.readFileSync(file, 'utf8')}`);
                    await page.waitForTimeout(100);
                  }
                },
              },
            ]
          : []),
        ...(docker
          ? [
              {
                name: 'the Local Engine view flags a local image whose tag has a newer image in the registry',
                run: async (cs: RunningCodeServer) => {
                  const sidebar = await openContainer(cs.page);
                  const header = sidebar.locator(sel.paneHeader, { hasText: 'Local Engine' }).first();
                  await header.waitFor({ timeout: 15_000 });
                  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
                  await sidebar.locator(sel.treeRow, { hasText: docker.ref }).first().waitFor({ timeout: 30_000 });
                  await sidebar
                    .locator(sel.treeRow, { hasText: 'newer image in the registry' })
                    .first()
                    .waitFor({ timeout: 30_000 });
                  await cs.page.waitForTimeout(500);
                  await cs.screenshot('ui-local-engine.png');
                },
              },
            ]
          : []),
      ],
    },
  ];

  let passed = 0;
  let failed = 0;
  for (const session of sessions) {
    let cs: RunningCodeServer;
    try {
      cs = await start(session.name, session.settings, session.files, session.untrusted);
    } catch (e) {
      failed += session.checks.length;
      console.log(`  FAIL ${session.name}: code-server did not start: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    try {
      for (const c of session.checks) {
        const started = Date.now();
        try {
          await c.run(cs);
          passed++;
          console.log(`  ok   ${c.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        } catch (e) {
          failed++;
          const shot = await cs
            .screenshot(`ui-FAILED-${session.name}-${passed + failed}.png`)
            .catch(() => '(no screenshot)');
          console.log(
            `  FAIL ${c.name}\n       ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n       screenshot: ${shot}`,
          );
        }
      }
    } finally {
      await cs.stop();
    }
  }
  console.log(
    `[ui] UI tier took ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${path.relative(process.cwd(), RESULTS_DIR) || '.'}/`,
  );
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (c) => process.exit(c),
  (e: unknown) => {
    console.error(`[ui] ${e instanceof Error ? e.stack : String(e)}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
