import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

/**
 * Entry of the extension-host suite. VS Code (code-server here, desktop VS Code through test-electron)
 * loads this file in the extension host and awaits run(). Results also go to a JSON file
 * (REGISTRY_LENS_TEST_RESULTS) because the host's console only reaches the launcher indirectly.
 */
export async function run(): Promise<void> {
  // Mocha's reporter passes format arguments separately; the host console wants one string.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(util.format(...args));
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.REGISTRY_LENS_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(path.join(__dirname, f));
  }
  const passed: string[] = [];
  const failed: { title: string; error: string }[] = [];
  const resultsFile = process.env.REGISTRY_LENS_TEST_RESULTS;
  // Every rejection nobody handled while the suite ran, kept when it comes from the extension's code: one more
  // result, so a floating promise (an engine that is not there, a registry that fails) cannot hide in the log.
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) =>
    unhandled.push(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason));
  process.on('unhandledRejection', onUnhandled);
  await new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        process.off('unhandledRejection', onUnhandled);
        const ours = unhandled.filter((u) => /registry-lens|[\\/]dist[\\/](extension|docker)\.js/i.test(u));
        const title = 'the extension left no promise rejection unhandled during the suite';
        if (ours.length) failed.push({ title, error: ours.join('\n---\n') });
        else if (!grep) passed.push(title);
        if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed }, null, 2));
        if (failures > 0 || ours.length)
          reject(new Error(`${failures + (ours.length ? 1 : 0)} extension-host tests failed`));
        else resolve();
      });
      runner.on('pass', (t) => passed.push(t.fullTitle()));
      runner.on('fail', (t, err: Error) => failed.push({ title: t.fullTitle(), error: err.stack ?? String(err) }));
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
