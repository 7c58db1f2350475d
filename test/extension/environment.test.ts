import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';

/**
 * The extension host reaches the real registries the test run started (inside the same loopback-only
 * namespace). Later suites build on this; here it proves the plumbing: env file -> code-server -> host.
 */
suite('Test environment', () => {
  test('the anonymous registry answers /v2/ from inside the extension host', async function () {
    const file = process.env.REGISTRY_LENS_TEST_ENV;
    if (!file) this.skip(); // desktop VS Code via test-electron without services
    const env = JSON.parse(readFileSync(file, 'utf8')) as { registries: Record<string, { url: string; host: string }> };
    const anon = env.registries.anon;
    assert.ok(anon, 'the env file names no anonymous registry');
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(`${anon.url}/v2/`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    assert.equal(status, 200);
  });
});
