import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { RESULTS_DIR, startCodeServer } from './codeServer';
import { reexecInLoopbackNamespace } from './netns';

/**
 * Extension-host tier in code-server: loads the extension from this folder as "under development",
 * runs out/test/extension/index.js in the real Node extension host, and reports. A host that cannot
 * start, or a suite that hangs, fails with a screenshot in test-results/.
 *
 *   node out/test/harness/runSuite.js        (after `node esbuild.mjs --tests`)
 *   env: REGISTRY_LENS_TEST_TIMEOUT_MS (default 300000), REGISTRY_LENS_TEST_GREP, VERBOSE=1, KEEP_TMP=1
 */
async function main(): Promise<number> {
  reexecInLoopbackNamespace();
  const timeoutMs = Number(process.env.REGISTRY_LENS_TEST_TIMEOUT_MS ?? 300_000);
  const resultsFile = path.join(RESULTS_DIR, 'extension-host-results.json');
  fs.rmSync(resultsFile, { force: true });
  const t0 = Date.now();
  const cs = await startCodeServer({
    name: 'extension-host',
    workspace: path.join(REPO_ROOT, 'test', 'fixtures', 'ext-workspace'),
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: path.join(__dirname, '..', 'extension', 'index.js'),
    resultsDir: RESULTS_DIR,
    env: { REGISTRY_LENS_TEST_RESULTS: resultsFile },
    verbose: process.env.VERBOSE === '1',
  });
  let passed = 0;
  let failed: number;
  try {
    const code = await Promise.race([
      cs.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs)),
    ]);
    for (const line of cs.console)
      if (/^\s*(✔|✓|\d+\) |\d+ (passing|failing|pending))/.test(line)) console.log(`  ${line}`);
    if (code === 'timeout') {
      const shot = await cs.screenshot('extension-host-timeout.png');
      console.log(`[suite] the extension-host suite did not finish within ${timeoutMs} ms; screenshot: ${shot}`);
      failed = 1;
    } else {
      const results = fs.existsSync(resultsFile)
        ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as {
            passed: string[];
            failed: { title: string; error: string }[];
          })
        : undefined;
      if (!results) {
        const shot = await cs.screenshot('extension-host-no-results.png');
        console.log(
          `[suite] VS Code exited with ${code} but the suite wrote no results (host did not start?); screenshot: ${shot}`,
        );
        console.log(
          cs.console
            .filter((l) => /error|fail/i.test(l))
            .slice(-15)
            .join('\n'),
        );
        failed = 1;
      } else {
        for (const f of results.failed)
          console.log(`  FAIL ${f.title}\n       ${f.error.split('\n').slice(0, 4).join('\n       ')}`);
        passed = results.passed.length;
        failed = results.failed.length + (code !== 0 && results.failed.length === 0 ? 1 : 0);
      }
    }
  } finally {
    await cs.stop();
  }
  console.log(`[suite] extension-host tier in code-server took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (c) => process.exit(c),
  (e: unknown) => {
    console.error(`[suite] ${e instanceof Error ? e.stack : String(e)}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
