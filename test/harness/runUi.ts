import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { RESULTS_DIR, startCodeServer, type RunningCodeServer } from './codeServer';
import { reexecInLoopbackNamespace } from './netns';
import { openContainer, runFromPalette, sel } from './ui';

/**
 * UI tier: what a person sees in a real VS Code (code-server in chromium). Each check is one result;
 * screenshots go to test-results/ so a reviewer can look at them.
 *
 *   node out/test/harness/runUi.js            (after `node esbuild.mjs --tests`)
 */

type Check = { name: string; run: (cs: RunningCodeServer) => Promise<void> };

async function main(): Promise<number> {
  reexecInLoopbackNamespace();
  const t0 = Date.now();
  const start = (name: string, settings: Record<string, unknown> = {}) => startCodeServer({
    name,
    workspace: path.join(REPO_ROOT, 'test', 'fixtures', 'ext-workspace'),
    extensionDevelopmentPath: REPO_ROOT,
    resultsDir: RESULTS_DIR,
    settings,
    verbose: process.env.VERBOSE === '1',
  });
  const sidebarCheck = (theme: 'light' | 'dark') => async (cs: RunningCodeServer): Promise<void> => {
    const sidebar = await openContainer(cs.page);
    await sidebar.locator(sel.paneHeader, { hasText: 'Workspace Images' }).waitFor({ timeout: 30_000 });
    await sidebar.locator(sel.welcome, { hasText: 'No registries yet' }).waitFor({ timeout: 30_000 });
    // The fixture's images, grouped by registry (the welcome text shows only while a workspace has none).
    for (const row of ['docker.io (Docker Hub)', 'nginx', '1.25.3', 'postgres', '15.6']) {
      await sidebar.locator(sel.treeRow, { hasText: row }).first().waitFor({ timeout: 30_000 });
    }
    if (theme === 'dark') await cs.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 30_000 });
    // Let the views' loading bars finish so the screenshot shows the settled sidebar.
    await cs.page.locator(`${sel.sidebar} .monaco-progress-container.active`).first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
    await cs.page.waitForTimeout(1000);
    await cs.screenshot(`ui-sidebar-${theme}.png`);
  };
  // Each session is one code-server start; the dark theme gets its own so it is set before the first paint.
  const sessions: { name: string; settings?: Record<string, unknown>; checks: Check[] }[] = [
    {
      name: 'ui-light',
      checks: [
        { name: 'the Registry Lens container shows the Registries welcome and the workspace images tree (light theme)', run: sidebarCheck('light') },
        {
          name: 'clicking an image use opens the Dockerfile at the reference',
          run: async (cs) => {
            const sidebar = await openContainer(cs.page);
            await sidebar.locator(sel.treeRow, { hasText: '1.25.3' }).first().click();
            await sidebar.locator(sel.treeRow, { hasText: 'Dockerfile:8' }).first().click();
            await cs.page.locator('.tabs-container .tab', { hasText: 'Dockerfile' }).first().waitFor({ timeout: 15_000 });
            await cs.page.locator('.editor-instance .view-line', { hasText: /nginx:1\.25\.3/ }).first().waitFor({ timeout: 15_000 });
            await cs.page.waitForTimeout(500);
            await cs.screenshot('ui-images-open-use.png');
          },
        },
        {
          name: 'Registry Lens: Show Log from the command palette shows the activation line',
          run: async (cs) => {
            await runFromPalette(cs.page, 'Registry Lens: Show Log');
            await cs.page.locator('.panel .monaco-editor .view-line', { hasText: /Registry\sLens\s\d+\.\d+\.\d+\sactivated/ }).first().waitFor({ timeout: 30_000 });
            await cs.screenshot('ui-show-log.png');
          },
        },
      ],
    },
    {
      name: 'ui-dark',
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
      checks: [{ name: 'the activity-bar icon and both views render in a dark theme', run: sidebarCheck('dark') }],
    },
  ];

  let passed = 0;
  let failed = 0;
  for (const session of sessions) {
    let cs: RunningCodeServer;
    try {
      cs = await start(session.name, session.settings);
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
          const shot = await cs.screenshot(`ui-FAILED-${session.name}-${passed + failed}.png`).catch(() => '(no screenshot)');
          console.log(`  FAIL ${c.name}\n       ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n       screenshot: ${shot}`);
        }
      }
    } finally {
      await cs.stop();
    }
  }
  console.log(`[ui] UI tier took ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${path.relative(process.cwd(), RESULTS_DIR) || '.'}/`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then((c) => process.exit(c), (e: unknown) => {
  console.error(`[ui] ${e instanceof Error ? e.stack : String(e)}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
