import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { RegistryLensApi } from '../../../src/vscode/extension';
import { PhaseProfiler } from './profile';

/**
 * The editor bench's side inside VS Code's extension host (loaded as the extension-tests entry; see
 * ../editor.bench.ts). Measures, writes the figures as JSON to REGISTRY_LENS_BENCH_RESULTS, opens Running
 * Extensions for the driver to read VS Code's own activation time, and returns once the driver says it is done.
 */

type Figures = Record<string, number | string | boolean>;

const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** V8's full collection, for the bench alone (the extension host is not started with --expose-gc). */
function garbageCollector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

async function until(what: string, ok: () => boolean, timeoutMs: number, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function withTimeout<T>(what: string, p: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

interface EditRun {
  /** Edit (unsaved) -> its diagnostics. */
  ms: number;
  /** The edit applied (the round trip through the window), and its change event reaching the extension host. */
  appliedMs: number;
  changeEventMs: number;
  /** The save after it resolved (from the save's start), and how many rescans and re-extractions edit and save caused. */
  savedMs: number;
  rescans: number;
  updates: number;
}

/** Every edit turns the first FROM's tag from this into that (both answers are in the cache after the check). */
const FROM_TAG = ':1.0.0';
const TO_TAG = ':1.1.0';

/**
 * `file` open in the editor, with what an edit of its first FROM's tag needs: where the tag is, the reference it
 * becomes, whether that reference's diagnostic shows, and when the document's first change event came (NaN
 * before it: `perf` on performance.now(), `wall` on the clock the driver reads).
 */
async function openTagEdit(file: string) {
  const uri = vscode.Uri.file(file);
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { preserveFocus: false });
  const line = doc.lineAt(0).text;
  const at = line.indexOf(FROM_TAG);
  if (at < 0) throw new Error(`${file}: "${FROM_TAG}" not on line 1 (${line})`);
  const wanted = line.slice('FROM '.length).split(/\s/)[0]!.replace(FROM_TAG, TO_TAG);
  const shown = (): boolean =>
    vscode.languages.getDiagnostics(uri).some((d) => d.range.start.line === 0 && doc.getText(d.range) === wanted);
  const changed = { perf: NaN, wall: NaN };
  const onChange = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.document.uri.fsPath !== uri.fsPath || !Number.isNaN(changed.perf)) return;
    changed.perf = performance.now();
    changed.wall = Date.now();
  });
  return { uri, doc, editor, at, wanted, shown, changed, stopListening: (): void => void onChange.dispose() };
}

/** Saves, and lets the file watcher's event for the save arrive and settle (it must not rescan either). */
async function saveAndSettle(api: RegistryLensApi, doc: vscode.TextDocument): Promise<void> {
  await doc.save();
  await new Promise((r) => setTimeout(r, 500));
  await api.imagesIdle();
}

/**
 * Edits the tag of the first FROM in `file` with `applyEdit` and times until the diagnostics show the new
 * reference's (unsaved); then saves, and checks that neither the edit nor the save rescanned the workspace.
 */
async function editToDiagnostics(api: RegistryLensApi, file: string): Promise<EditRun> {
  const { uri, doc, at, wanted, shown, changed, stopListening } = await openTagEdit(file);
  const before = api.imagesStats();
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(0, at, 0, at + FROM_TAG.length), TO_TAG);
  const t0 = performance.now();
  await vscode.workspace.applyEdit(edit);
  const appliedMs = ms(t0);
  // The unsaved text is re-extracted as it changes: the new reference's diagnostic comes from the cache, no save.
  await until(`a diagnostic for ${wanted} in ${file}`, shown, 10_000);
  const took = ms(t0);
  stopListening();
  const s0 = performance.now();
  await saveAndSettle(api, doc);
  const savedMs = ms(s0);
  if (!shown()) throw new Error(`${file}: the diagnostic for ${wanted} is gone after the save`);
  const after = api.imagesStats();
  return {
    ms: took,
    appliedMs,
    changeEventMs: Math.round((changed.perf - t0) * 10) / 10,
    savedMs,
    rescans: after.scans - before.scans,
    updates: after.fileUpdates - before.fileUpdates,
  };
}

/**
 * A key typed in the window (by the driver, through chromium) -> its diagnostics: the edit as a user makes it, the
 * window's own path to the extension host included and nothing of the extension host's to the window (which
 * `applyEdit` adds). The tag's middle digit of the first FROM is selected here, the driver is asked to type `1`
 * over it (a request file it polls) and answers with the wall-clock time of the window's keydown (and of its own
 * key press); both processes read the same clock, in whole ms. The file is then saved, and neither the keystroke
 * nor the save may have rescanned the workspace.
 */
async function typeToDiagnostics(
  api: RegistryLensApi,
  out: string,
  file: string,
): Promise<{ ms: number; changeEventMs: number; fromPressMs: number; rescans: number }> {
  const { doc, editor, at, wanted, shown, changed, stopListening } = await openTagEdit(file);
  editor.selection = new vscode.Selection(0, at + 3, 0, at + 4); // the middle 0 of 1.0.0
  const before = api.imagesStats();
  // Let the selection and the focus reach the window before the key is pressed.
  await new Promise((r) => setTimeout(r, 300));
  fs.rmSync(`${out}.typed`, { force: true });
  fs.writeFileSync(`${out}.type`, '1');
  await until(`a diagnostic for ${wanted} in ${file} after the typed key`, shown, 15_000, 1);
  const shownAt = Date.now();
  await until('the driver to say when it pressed the key', () => fs.existsSync(`${out}.typed`), 5_000);
  const typed = JSON.parse(fs.readFileSync(`${out}.typed`, 'utf8')) as { pressedAt: number; keydownAt?: number };
  if (typeof typed.keydownAt !== 'number') throw new Error(`${file}: the window saw no keydown for the typed key`);
  const typedAt = typed.keydownAt;
  fs.rmSync(`${out}.typed`, { force: true });
  stopListening();
  await saveAndSettle(api, doc);
  return {
    ms: shownAt - typedAt,
    changeEventMs: changed.wall - typedAt,
    fromPressMs: shownAt - typed.pressedAt,
    rescans: api.imagesStats().scans - before.scans,
  };
}

export async function run(): Promise<void> {
  const out = process.env.REGISTRY_LENS_BENCH_RESULTS;
  if (!out) throw new Error('REGISTRY_LENS_BENCH_RESULTS is not set');
  const figures: Figures = {};
  const write = (phase: string): void => fs.writeFileSync(out, JSON.stringify({ phase, figures }, null, 2));
  const entered = Date.now();
  const profiler = new PhaseProfiler();
  await profiler.start();
  try {
    const ext = vscode.extensions.getExtension<RegistryLensApi>('registry-lens.registry-lens');
    if (!ext) throw new Error('the extension is not installed');
    const api = ext.isActive ? ext.exports : await ext.activate();
    // activatedAt is Date.now() at the end of activate(); performance.now() keeps the later timings monotonic.
    const sinceActivation = (): number => Date.now() - api.activatedAt;
    // Positive when the extension was activated before this entry ran (the profiles miss what happened before).
    figures.enteredAfterActivationMs = entered - api.activatedAt;
    const model = await api.imagesIdle();
    const roots = await api.imagesTree.getChildren();
    figures.treeMs = sinceActivation();
    figures.files = model.fileCount;
    figures.images = model.imageCount;
    figures.roots = roots?.length ?? 0;
    figures.rssAfterTreeMb = mb(process.memoryUsage().rss);
    figures.heapAfterTreeMb = mb(process.memoryUsage().heapUsed);
    write('tree');
    await profiler.phase('tree');

    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const large = fs.existsSync(path.join(folder, 'svc-00042', 'Dockerfile'));
    if (large) {
      let t0 = performance.now();
      write('checking');
      const summary = await withTimeout('the first online check', api.checkNow(), 300_000);
      figures.checkMs = ms(t0);
      figures.checkUpdates = summary.updates;
      figures.checkErrors = summary.errors;
      figures.rssAfterCheckMb = mb(process.memoryUsage().rss);
      figures.heapAfterCheckMb = mb(process.memoryUsage().heapUsed);
      write('checked');
      await profiler.phase('check');

      // The tree at 50,000 uses: the first level, a repository's references, one reference's uses, the filter.
      const tree = api.imagesTree;
      t0 = performance.now();
      const top = (await tree.getChildren()) ?? [];
      for (const n of top) tree.getTreeItem(n);
      const repos = (await tree.getChildren(top[0])) ?? [];
      for (const n of repos) tree.getTreeItem(n);
      const refs = (await tree.getChildren(repos[0])) ?? [];
      for (const n of refs) tree.getTreeItem(n);
      figures.treeLevelsMs = ms(t0);
      t0 = performance.now();
      const uses = (await tree.getChildren(refs[0])) ?? [];
      for (const n of uses) tree.getTreeItem(n);
      figures.largestUsesRow = uses.length;
      figures.expandReferenceMs = ms(t0);
      t0 = performance.now();
      await vscode.commands.executeCommand('registryLens.showOnlyUpdates');
      const filtered = (await tree.getChildren()) ?? [];
      for (const n of filtered) tree.getTreeItem(n);
      figures.filterMs = ms(t0);
      await vscode.commands.executeCommand('registryLens.showAllImages');
      t0 = performance.now();
      await vscode.commands.executeCommand('registryLens.groupImagesByFile');
      const byFile = (await tree.getChildren()) ?? [];
      for (const n of byFile) tree.getTreeItem(n);
      figures.groupByFileRoots = byFile.length;
      figures.groupByFileMs = ms(t0);
      await vscode.commands.executeCommand('registryLens.groupImagesByRegistry');
      write('tree at scale');
      await profiler.phase('tree-at-scale');

      // The control: the same edit and save of a file without images, so VS Code's own save round trip (through
      // code-server and the file watcher) is told apart from what the extension adds.
      const control: number[] = [];
      const notes = vscode.Uri.file(path.join(folder, 'notes.txt'));
      if (fs.existsSync(notes.fsPath)) {
        const doc = await vscode.workspace.openTextDocument(notes);
        await vscode.window.showTextDocument(doc);
        for (let i = 0; i < 3; i++) {
          const edit = new vscode.WorkspaceEdit();
          edit.insert(notes, new vscode.Position(0, 0), 'x');
          const t0 = performance.now();
          await vscode.workspace.applyEdit(edit);
          await doc.save();
          control.push(ms(t0));
        }
      }
      figures.controlSaveMs = median(control);

      // Edit -> diagnostics, five times on different files (each tag's answer is in the cache after the check).
      const runs: number[] = [];
      const steps: { appliedMs: number[]; changeEventMs: number[]; savedMs: number[] } = {
        appliedMs: [],
        changeEventMs: [],
        savedMs: [],
      };
      let rescans = 0;
      let updates = 0;
      for (let i = 0; i < 5; i++) {
        // Spread over the workspace; an index ending in 2 is a Dockerfile (see the generator).
        const step = Math.max(10, Math.floor(model.fileCount / 50) * 10);
        const file = path.join(folder, `svc-${String(42 + i * step).padStart(5, '0')}`, 'Dockerfile');
        write(`edit ${i + 1}`);
        const r = await withTimeout(`edit ${i + 1} (${file})`, editToDiagnostics(api, file), 30_000);
        runs.push(r.ms);
        for (const k of ['appliedMs', 'changeEventMs', 'savedMs'] as const) steps[k].push(r[k]);
        rescans += r.rescans;
        updates += r.updates;
      }
      figures.editToDiagnosticsMs = median(runs);
      figures.editToDiagnosticsWorstMs = Math.max(...runs);
      figures.editAppliedMs = median(steps.appliedMs);
      figures.editChangeEventMs = median(steps.changeEventMs);
      figures.editSavedMs = median(steps.savedMs);
      figures.editRunsMs = runs.join(' ');
      figures.editChangeEventRunsMs = steps.changeEventMs.join(' ');
      figures.editFullRescans = rescans;
      figures.editFileUpdates = updates;
      await profiler.phase('edits');

      // A key typed in the window -> its diagnostics, five times on files the edits above did not touch.
      const typed: number[] = [];
      const typedEvents: number[] = [];
      const typedFromPress: number[] = [];
      for (let i = 0; i < 5; i++) {
        const step = Math.max(10, Math.floor(model.fileCount / 50) * 10);
        const file = path.join(folder, `svc-${String(42 + step / 2 + i * step).padStart(5, '0')}`, 'Dockerfile');
        write(`typing ${i + 1}`);
        const r = await withTimeout(`typing ${i + 1} (${file})`, typeToDiagnostics(api, out, file), 30_000);
        typed.push(r.ms);
        typedEvents.push(r.changeEventMs);
        typedFromPress.push(r.fromPressMs);
        rescans += r.rescans;
      }
      figures.typedToDiagnosticsMs = median(typed);
      figures.typedToDiagnosticsWorstMs = Math.max(...typed);
      figures.typedChangeEventMs = median(typedEvents);
      figures.typedRunsMs = typed.join(' ');
      figures.typedFromPressMs = median(typedFromPress);
      figures.editFullRescans = rescans;
    }
    figures.rssMb = mb(process.memoryUsage().rss);
    figures.heapTotalMb = mb(process.memoryUsage().heapTotal);
    // What stays once garbage is collected (the figure above includes whatever garbage the host had not collected).
    const gc = garbageCollector();
    if (gc) {
      for (let i = 0; i < 3; i++) gc();
      await new Promise((r) => setTimeout(r, 100));
      figures.settledRssMb = mb(process.memoryUsage().rss);
      const m = process.memoryUsage();
      figures.settledHeapMb = mb(m.heapUsed);
      figures.settledHeapTotalMb = mb(m.heapTotal);
      figures.settledExternalMb = mb(m.external);
      figures.settledArrayBuffersMb = mb(m.arrayBuffers);
    }
    write('measured');
  } catch (e) {
    figures.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    write('measured');
  }
  // VS Code's own figure, shown by Developer: Show Running Extensions: the driver reads it from the page.
  await vscode.commands.executeCommand('workbench.action.showRuntimeExtensions');
  const done = `${out}.done`;
  await until('the driver', () => fs.existsSync(done), 60_000).catch(() => undefined);
}
