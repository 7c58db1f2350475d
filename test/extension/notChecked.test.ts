import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as vscode from 'vscode';
import { api, render } from './support';

// An image whose registry cannot be reached is "not checked", never "up to date": the check summary counts it and
// the registry's row in the Registries view says how many and why.
suite('Images not checked are never up to date (real registries)', function () {
  let anon = '';
  let down = '';
  let file: vscode.Uri | undefined;

  suiteSetup(async function () {
    const envFile = process.env.REGISTRY_LENS_TEST_ENV;
    if (!envFile) this.skip();
    anon = (JSON.parse(readFileSync(envFile, 'utf8')) as { registries: { anon: { host: string } } }).registries.anon
      .host;
    // A port nothing listens on: a registry that is stopped.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    down = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    await new Promise<void>((r) => server.close(() => r()));
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    file = vscode.Uri.joinPath(folder.uri, 'unreachable.Dockerfile');
    await vscode.workspace.fs.writeFile(
      file,
      new TextEncoder().encode(`FROM ${down}/test/app:1.0.0\nFROM ${anon}/test/app:1.2.0-alpine\n`),
    );
    const a = await api();
    const deadline = Date.now() + 15_000;
    while (!(await render(a.imagesTree)).some((l) => l.startsWith(down))) {
      if (Date.now() > deadline) throw new Error('unreachable.Dockerfile never showed up in the tree');
      await new Promise((r) => setTimeout(r, 200));
      await a.imagesIdle();
    }
  });

  suiteTeardown(async () => {
    if (file) await vscode.workspace.fs.delete(file);
    // Leave the next suite a settled workspace: the file gone from the scan, no check in flight.
    const a = await api();
    await a.imagesIdle();
    await a.checkNow();
  });

  test('a stopped registry: counted as not checked; its row says "1 not checked", the live one says nothing', async () => {
    const a = await api();
    const summary = await a.checkNow();
    assert.ok(summary.notChecked >= 1, JSON.stringify(summary));
    const rows = await render(a.registriesTree);
    const row = rows.find((l) => l.startsWith(down));
    assert.ok(row, rows.join('\n'));
    assert.match(row, /— (.* · )?1 not checked$/);
    assert.doesNotMatch(rows.find((l) => l.startsWith(anon)) ?? '', /\d+ not checked/, rows.join('\n'));
  });
});
