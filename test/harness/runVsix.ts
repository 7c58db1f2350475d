import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { RESULTS_DIR, startCodeServer, type RunningCodeServer } from './codeServer';
import { reexecInLoopbackNamespace } from './netns';
import { openContainer, runFromPalette, sel } from './ui';
import { listZip, readZipText } from './zip';

/**
 * VSIX tier: the package we ship, not the dev folder. Checks the .vsix built by `npm run package`
 * (size, contents), installs it into a fresh code-server with --install-extension, and checks that
 * it activates and shows its container.
 *
 *   npm run package && node out/test/harness/runVsix.js [path/to.vsix]
 */

const MAX_BYTES = 2 * 1024 * 1024;
// No source maps (.vscodeignore keeps them out: they would double the download and hold no sources).
const ALLOWED =
  /^(\[Content_Types\]\.xml|extension\.vsixmanifest|extension\/(package\.json|package\.nls\.json|l10n\/bundle\.l10n(\.[a-z-]+)?\.json|readme\.md|README\.md|LICENSE(\.txt)?|changelog\.md|CHANGELOG\.md|docs\/findings\.md|dist\/[^/]+\.(js|txt|LEGAL\.txt)|media\/[^/]+))$/;

async function main(): Promise<number> {
  reexecInLoopbackNamespace();
  const vsix = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, 'registry-lens.vsix'));
  let passed = 0;
  let failed = 0;
  const check = async (name: string, fn: () => Promise<void> | void): Promise<void> => {
    try {
      await fn();
      passed++;
      console.log(`  ok   ${name}`);
    } catch (e) {
      failed++;
      console.log(
        `  FAIL ${name}\n       ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 6).join('\n       ')}`,
      );
    }
  };

  if (!fs.existsSync(vsix)) {
    console.log(`[vsix] ${vsix} does not exist: run "npm run package" first`);
    console.log('0 passed, 1 failed');
    return 1;
  }
  const size = fs.statSync(vsix).size;
  const entries = listZip(vsix);
  await check(`the .vsix is under 2 MB (${(size / 1024).toFixed(0)} KB, ${entries.length} files)`, () => {
    if (size >= MAX_BYTES) throw new Error(`${vsix} is ${size} bytes`);
  });
  await check(
    'the .vsix ships only dist/, media/, package.json, l10n/, README, LICENSE, CHANGELOG and docs/findings.md',
    () => {
      const stray = entries.map((e) => e.name).filter((n) => !ALLOWED.test(n));
      if (stray.length) throw new Error(`unexpected files: ${stray.slice(0, 10).join(', ')}`);
      for (const must of [
        'extension/dist/extension.js',
        'extension/dist/cli.js',
        'extension/dist/undici.js',
        'extension/dist/yaml.js',
        'extension/dist/docker.js',
        'extension/package.json',
        'extension/l10n/bundle.l10n.json',
        'extension/media/registry-lens.svg',
        'extension/docs/findings.md',
      ]) {
        if (!entries.some((e) => e.name === must)) throw new Error(`${must} is missing`);
      }
    },
  );

  await check(
    'the manifest is ready for the Marketplace and Open VSX: no made-up repository, banner, categories, keywords, walkthrough media shipped',
    () => {
      const manifest = JSON.parse(readZipText(vsix, 'extension/package.json')) as {
        repository?: unknown;
        galleryBanner?: { color?: string; theme?: string };
        categories?: string[];
        keywords?: string[];
        icon?: string;
        contributes?: { walkthroughs?: { steps: { media: { image?: string } }[] }[] };
      };
      const repo = JSON.stringify(manifest.repository ?? '');
      if (/example\.(invalid|com|org)|localhost/.test(repo)) throw new Error(`repository is a made-up URL: ${repo}`);
      if (!manifest.galleryBanner?.color || !/^(dark|light)$/.test(manifest.galleryBanner.theme ?? ''))
        throw new Error('galleryBanner needs a color and a theme');
      const known = [
        'AI',
        'Azure',
        'Chat',
        'Data Science',
        'Debuggers',
        'Education',
        'Extension Packs',
        'Formatters',
        'Keymaps',
        'Language Packs',
        'Linters',
        'Machine Learning',
        'Notebooks',
        'Other',
        'Programming Languages',
        'SCM Providers',
        'Snippets',
        'Testing',
        'Themes',
        'Visualization',
      ];
      const bad = (manifest.categories ?? []).filter((c) => !known.includes(c));
      if (!manifest.categories?.length || bad.length)
        throw new Error(`categories must be Marketplace categories: ${bad.join(', ') || 'none given'}`);
      if (!manifest.keywords?.length || manifest.keywords.length > 30)
        throw new Error(`1 to 30 keywords, not ${manifest.keywords?.length ?? 0}`);
      if (!manifest.icon?.endsWith('.png') || !entries.some((e) => e.name === `extension/${manifest.icon}`))
        throw new Error(`the icon must be a shipped PNG: ${manifest.icon}`);
      const media = (manifest.contributes?.walkthroughs ?? []).flatMap((w) =>
        w.steps.flatMap((st) => (st.media.image ? [st.media.image] : [])),
      );
      if (!media.length) throw new Error('no walkthrough');
      const missing = media.filter((m) => !entries.some((e) => e.name === `extension/${m}`));
      if (missing.length) throw new Error(`walkthrough media not in the .vsix: ${missing.join(', ')}`);
    },
  );

  let cs: RunningCodeServer | undefined;
  await check('code-server installs the .vsix (--install-extension)', async () => {
    cs = await startCodeServer({
      name: 'vsix',
      workspace: path.join(REPO_ROOT, 'test', 'fixtures', 'ext-workspace'),
      installVsix: vsix,
      resultsDir: RESULTS_DIR,
      verbose: process.env.VERBOSE === '1',
    });
  });
  if (cs) {
    const running = cs;
    try {
      await check('the installed extension activates and shows its container', async () => {
        const sidebar = await openContainer(running.page);
        await sidebar.locator(sel.paneHeader, { hasText: 'Workspace Images' }).waitFor({ timeout: 30_000 });
        await runFromPalette(running.page, 'Registry Lens: Show Log');
        // Installed, not under development: the log says "mode Production".
        await running.page
          .locator('.panel .monaco-editor .view-line', {
            hasText: /Registry\sLens\s\d+\.\d+\.\d+\sactivated.*mode\sProduction/,
          })
          .first()
          .waitFor({ timeout: 30_000 });
        await running.screenshot('vsix-installed.png');
      });
    } finally {
      await running.stop();
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (c) => process.exit(c),
  (e: unknown) => {
    console.error(`[vsix] ${e instanceof Error ? e.stack : String(e)}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
