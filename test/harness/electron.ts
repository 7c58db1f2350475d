import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from '../support/paths';

/**
 * The same extension-host suite in desktop VS Code, through @vscode/test-electron, for machines with
 * internet access (it downloads VS Code). Without internet use the code-server tier (`npm test`).
 *
 *   npm run test:electron                           VS Code 1.100.3, the oldest we support
 *   REGISTRY_LENS_VSCODE_VERSION=stable npm run test:electron
 *
 * Set REGISTRY_LENS_TEST_ENV to an env file from `node out/test/services/cli.js up --env-out FILE` to run the
 * tests that need registries too; without it they are skipped.
 */
async function main(): Promise<number> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-lens-electron-'));
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'ext-workspace'), workspace, { recursive: true });
  // The fixture names docker.io images: the suite must not ping Docker Hub on a machine with internet access.
  fs.mkdirSync(path.join(tmp, 'user-data', 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(tmp, 'user-data', 'User', 'settings.json'),
    JSON.stringify({ 'registryLens.checkOnActivation': false }),
  );
  const results = path.join(REPO_ROOT, 'test-results', 'electron-results.json');
  fs.mkdirSync(path.dirname(results), { recursive: true });
  try {
    await runTests({
      version: process.env.REGISTRY_LENS_VSCODE_VERSION ?? '1.100.3',
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(__dirname, '..', 'extension', 'index.js'),
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        path.join(tmp, 'user-data'),
        '--extensions-dir',
        path.join(tmp, 'extensions'),
      ],
      extensionTestsEnv: { REGISTRY_LENS_TEST_RESULTS: results },
    });
    return 0;
  } catch (e) {
    console.error(`[electron] ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    const r = fs.existsSync(results)
      ? (JSON.parse(fs.readFileSync(results, 'utf8')) as { passed: string[]; failed: unknown[] })
      : undefined;
    console.log(`${r?.passed.length ?? 0} passed, ${r ? r.failed.length : 1} failed`);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
