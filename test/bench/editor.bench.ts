/**
 * Benchmark: the extension in a real VS Code (code-server's extension host, driven in chromium) on a generated
 * workspace of 10,000 Dockerfiles / compose files holding 50,000 image uses of a real registry (Debian's
 * docker-registry, plain HTTP on loopback, opted in through registryLens.insecureRegistries). Prints, against the
 * targets of issue 16:
 *   - the activation time VS Code reports (Developer: Show Running Extensions: code loading + activate());
 *   - activation -> a populated Workspace Images tree (target < 3 s);
 *   - extension host memory over the same host with a one-file workspace (target < 300 MB extra);
 *   - edit one Dockerfile's tag (unsaved) -> its diagnostics, from the cache (target < 100 ms), two ways: a key typed
 *     in the editor through chromium (the user's path), and `applyEdit` from the extension host (which adds the
 *     host's own round trip through the window); the save afterwards, against the same edit and save of a file
 *     without images, and how many full rescans the edits caused (target 0: the file alone is re-extracted);
 *   - extension host memory after full garbage collections too (what the extension retains);
 *   - the tree at 50,000 uses: first levels, the largest reference's uses, the updates-only filter, group by file.
 *
 *   npm run bench -- editor
 *   node out/test/bench/editor.bench.js [files]        (default 10000; VERBOSE=1 for code-server's output)
 *
 * Set REGISTRY_LENS_BENCH_STRICT=1 to exit 1 when a target is missed (off by default: a loaded machine is slow).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { startCodeServer } from '../harness/codeServer';
import { reexecInLoopbackNamespace } from '../harness/netns';
import { registryClient, startTestEnv } from '../services';
import { buildImage } from '../services/image';
import { Pusher } from '../services/seed';
import type { SeedTag } from '../services/seeds';

const REPOS = 20;
const TAGS: SeedTag[] = ['1.0.0', '1.0.1', '1.1.0', '2.0.0'].map((tag): SeedTag => ({ tag, kind: 'docker' }));
const TARGET = { treeMs: 3000, editMs: 100, extraMb: 300 };

/** 9 in 10 files are Dockerfiles with four FROMs and a COPY --from, the rest compose files with five services. */
function generate(dir: string, files: number, host: string): number {
  let uses = 0;
  const ref = (i: number, k: number): string => `${host}/bench/app-${(i + k) % REPOS}:${TAGS[(i * 7 + k) % 3]!.tag}`;
  for (let i = 0; i < files; i++) {
    const sub = path.join(dir, `svc-${String(i).padStart(5, '0')}`);
    fs.mkdirSync(sub);
    if (i % 10 === 9) {
      const services = [0, 1, 2, 3, 4].map((k) => `  s${k}:\n    image: ${ref(i, k)}\n`);
      fs.writeFileSync(path.join(sub, 'compose.yaml'), `services:\n${services.join('')}`);
    } else {
      // The first FROM is always :1.0.0 (the edit turns it into :1.1.0; both answers are cached by the check).
      const first = `${host}/bench/app-${i % REPOS}:1.0.0`;
      fs.writeFileSync(
        path.join(sub, 'Dockerfile'),
        [
          `FROM ${first} AS base`,
          'RUN echo build',
          `FROM ${ref(i, 1)} AS tools`,
          `FROM ${ref(i, 2)} AS test`,
          `COPY --from=${ref(i, 3)} /bin/tool /bin/tool`,
          `FROM ${ref(i, 4)}`,
          'COPY --from=base /app /app',
          '',
        ].join('\n'),
      );
    }
    uses += 5;
  }
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'a file without images (the edit control)\n');
  return uses;
}

interface HostFigures {
  figures: Record<string, number | string | boolean>;
  activation?: string;
}

async function session(name: string, workspace: string, settings: Record<string, unknown>): Promise<HostFigures> {
  const results = path.join(os.tmpdir(), `rl-editor-bench-${process.pid}-${name}.json`);
  fs.rmSync(results, { force: true });
  fs.rmSync(`${results}.done`, { force: true });
  fs.rmSync(`${results}.type`, { force: true });
  const cs = await startCodeServer({
    name: `bench-${name}`,
    workspace,
    inPlace: true,
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: path.join(__dirname, 'editor', 'hostEntry.js'),
    resultsDir: path.resolve(REPO_ROOT, process.env.REGISTRY_LENS_RESULTS ?? 'test-results'),
    env: { REGISTRY_LENS_BENCH_RESULTS: results },
    settings,
    verbose: process.env.VERBOSE === '1',
  });
  try {
    const deadline = Date.now() + 480_000;
    const phase = (): string | undefined => {
      try {
        return (JSON.parse(fs.readFileSync(results, 'utf8')) as { phase: string }).phase;
      } catch {
        return undefined;
      }
    };
    while (phase() !== 'measured') {
      // The host asks for a key to be typed in the focused editor. The answer is when the window saw the key (its
      // keydown's wall-clock time, the clock the host reads too) and when the driver pressed it: chromium's input
      // channel takes a few hundred ms to deliver a key to a page left idle, which no user's keyboard goes through.
      if (fs.existsSync(`${results}.type`)) {
        const key = fs.readFileSync(`${results}.type`, 'utf8');
        fs.rmSync(`${results}.type`);
        // Run in the page (a string: this file is compiled without the DOM's types).
        await cs.page.evaluate(
          "globalThis.registryLensKeydown = undefined; document.addEventListener('keydown', () => { globalThis.registryLensKeydown = Date.now(); }, { capture: true, once: true })",
        );
        const pressedAt = Date.now();
        await cs.page.keyboard.press(key);
        const keydownAt = await cs.page.evaluate<number | undefined>('globalThis.registryLensKeydown');
        fs.writeFileSync(`${results}.typed`, JSON.stringify({ pressedAt, keydownAt }));
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(
          `${name}: the extension host did not finish within 8 minutes (last phase: ${phase() ?? 'none'})`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    const { figures } = JSON.parse(fs.readFileSync(results, 'utf8')) as HostFigures;
    // Running Extensions: the row of this extension, its "Activation: N ms" (code loading + activate()).
    let activation: string | undefined;
    try {
      const row = cs.page.locator('.runtime-extensions-editor .extension', { hasText: 'registry-lens' }).first();
      const time = row.locator('.activation-time');
      await time.filter({ hasText: /\d+ms/ }).waitFor({ timeout: 30_000 });
      activation = (await time.innerText()).trim();
      await cs.screenshot(`bench-${name}-running-extensions.png`);
    } catch (e) {
      activation = `not read (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
    }
    fs.writeFileSync(`${results}.done`, '');
    await Promise.race([cs.exited, new Promise((r) => setTimeout(r, 15_000))]);
    return { figures, activation };
  } finally {
    await cs.stop();
    fs.rmSync(results, { force: true });
    fs.rmSync(`${results}.done`, { force: true });
  }
}

async function main(): Promise<number> {
  reexecInLoopbackNamespace();
  const files = Number(process.argv[2] ?? 10_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-editor-bench-'));
  const env = await startTestEnv({ registries: ['anon'], seed: 'none' });
  try {
    const t0 = Date.now();
    const pusher = new Pusher(registryClient(env, 'anon'));
    for (let r = 0; r < REPOS; r++) {
      const repository = `bench/app-${r}`;
      for (const t of TAGS) await pusher.pushImage(repository, buildImage(repository, t, TAGS));
    }
    const host = env.registries.anon.host;
    const large = path.join(tmp, 'large');
    const small = path.join(tmp, 'small');
    fs.mkdirSync(large);
    fs.mkdirSync(small);
    const uses = generate(large, files, host);
    fs.writeFileSync(path.join(small, 'Dockerfile'), `FROM ${host}/bench/app-0:1.0.0\n`);
    console.log(
      `setup: ${REPOS} repositories x ${TAGS.length} tags pushed; ${files} files with ${uses} image uses generated (${Date.now() - t0} ms)`,
    );

    const settings = {
      'registryLens.checkOnActivation': false,
      'registryLens.checkIntervalMinutes': 0,
      // The online check a save schedules would run during the next edits and block the host: the edit figure is
      // the cache path alone (the first check's time is printed on its own).
      'registryLens.checkOnSave': false,
      'registryLens.insecureRegistries': [host],
      'files.watcherExclude': {},
    };
    const base = await session('baseline', small, settings);
    const big = await session('large', large, settings);
    const f = big.figures;
    if (process.env.REGISTRY_LENS_BENCH_FIGURES === '1') console.log(JSON.stringify({ base: base.figures, large: f }));
    const failed = f.error ?? base.figures.error;
    if (failed)
      console.log(
        `the extension host stopped early (the figures below are what it measured before):\n${String(failed)}`,
      );
    const n = (k: string): number => Number(f[k]);
    const extra = n('rssMb') - Number(base.figures.rssMb);
    const mark = (ok: boolean): string => (ok ? 'met' : 'MISSED');
    console.log(
      `activation as VS Code reports it (Running Extensions, code loading + activate()): one-file workspace ${base.activation}; ${files} files ${big.activation}`,
    );
    console.log(`extension activated ${n('enteredAfterActivationMs')} ms before the bench's entry ran`);
    console.log(
      `activation -> populated Workspace Images tree: ${n('treeMs')} ms for ${n('files')} files, ${n('images')} images, ${uses} uses (target < ${TARGET.treeMs} ms: ${mark(n('treeMs') < TARGET.treeMs)})`,
    );
    console.log(
      `extension host memory: ${n('rssMb')} MB rss (heap ${n('heapAfterTreeMb')} MB with the tree, ${n('heapAfterCheckMb')} MB after the check) vs ${base.figures.rssMb} MB with one file: +${extra} MB (target < ${TARGET.extraMb} MB extra: ${mark(extra < TARGET.extraMb)})`,
    );
    const settled = n('settledRssMb') - Number(base.figures.settledRssMb);
    console.log(
      `after full garbage collections: ${n('settledRssMb')} MB rss, heap ${n('settledHeapMb')} MB used of ${n('settledHeapTotalMb')} MB (${n('heapTotalMb')} MB before them), external ${n('settledExternalMb')} MB, vs ${base.figures.settledRssMb} MB rss and heap ${base.figures.settledHeapMb} MB with one file: +${settled} MB retained (target < ${TARGET.extraMb} MB extra: ${mark(settled < TARGET.extraMb)})`,
    );
    console.log(
      `first online check of ${uses} uses: ${n('checkMs')} ms (${n('checkUpdates')} with updates, ${n('checkErrors')} errors)`,
    );
    console.log(
      `edit one Dockerfile's tag (unsaved) -> its diagnostics from the cache: median ${n('editToDiagnosticsMs')} ms, worst ${n('editToDiagnosticsWorstMs')} ms over 5 files (target < ${TARGET.editMs} ms: ${mark(n('editToDiagnosticsMs') < TARGET.editMs)}); ` +
        `runs ${f.editRunsMs} (of which VS Code's change event ${f.editChangeEventRunsMs}); medians: the edit applied ${n('editAppliedMs')} ms, its change event in the host ${n('editChangeEventMs')} ms; ` +
        `the save afterwards resolved in ${n('editSavedMs')} ms (an edit and save of a file without images: ${n('controlSaveMs')} ms); ` +
        `full rescans by the edits and saves ${n('editFullRescans')} (target 0: ${mark(n('editFullRescans') === 0)}), files re-extracted ${n('editFileUpdates')}`,
    );
    console.log(
      `a key typed in the editor (from the window's keydown) -> its diagnostics: median ${n('typedToDiagnosticsMs')} ms, worst ${n('typedToDiagnosticsWorstMs')} ms over 5 files (target < ${TARGET.editMs} ms: ${mark(n('typedToDiagnosticsMs') < TARGET.editMs)}); ` +
        `runs ${f.typedRunsMs}; medians: keydown -> change event in the host ${n('typedChangeEventMs')} ms, from the driver's key press through chromium's input channel ${n('typedFromPressMs')} ms`,
    );
    console.log(
      `tree at ${uses} uses: registry/repository/reference levels ${n('treeLevelsMs')} ms; one reference's ${n('largestUsesRow')} uses ${n('expandReferenceMs')} ms; ` +
        `updates-only filter ${n('filterMs')} ms; group by file (${n('groupByFileRoots')} collapsed files) ${n('groupByFileMs')} ms`,
    );
    const missed =
      n('treeMs') >= TARGET.treeMs ||
      extra >= TARGET.extraMb ||
      n('editToDiagnosticsMs') >= TARGET.editMs ||
      n('typedToDiagnosticsMs') >= TARGET.editMs ||
      n('editFullRescans') !== 0;
    return failed || (missed && process.env.REGISTRY_LENS_BENCH_STRICT === '1') ? 1 : 0;
  } finally {
    await env.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (c) => process.exit(c),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
