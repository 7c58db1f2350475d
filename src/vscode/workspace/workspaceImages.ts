// Over 400 lines: one model of the workspace's images (scan, per-path indexes, re-extraction, problems).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  extractFile,
  FILE_SIZE_LIMITS,
  looksLikeKubernetes,
  readDotenvBeside,
  replaceFileEntries,
  scanWorkspace,
  type DiscoveredFile,
  type ExtractionError,
  type Occurrence,
  type ScanResult,
} from '../../core';
import { affects, readSettings, SCAN_SETTINGS } from '../config';
import { DIAGNOSTIC_SOURCE, toUri } from '../convert';

/**
 * Files whose change can change the set of images: the discovery names, plus `.env` beside compose files, plus
 * every YAML file (Kubernetes manifests are found by content, Helm values by the `Chart.yaml` beside them).
 */
export const WATCH_GLOB =
  '**/{Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile,Containerfile.*,*.yaml,*.yml,Kustomization,devcontainer.json,.devcontainer.json,.env,.gitignore}';

const EMPTY: ScanResult = { files: [], occurrences: [], errors: [] };

/** More changed files than this in one quiet period (a checkout, a pull) and a full rescan is cheaper. */
const MAX_FILE_UPDATES = 200;

/**
 * The images the workspace uses: the core's scan of every workspace folder, kept current by a file watcher.
 * Rescans are debounced, never more than one runs at a time (a newer request aborts the running one), and
 * `whenIdle()` resolves once no scan is pending or running.
 */
export class WorkspaceImages implements vscode.Disposable {
  private current: ScanResult = EMPTY;
  private scannedOnce = false;
  private running: { controller: AbortController; done: Promise<void> } | undefined;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  /** Known files changed on disk since the last quiet period: re-extracted alone unless a rescan is due anyway. */
  private changed = new Set<string>();
  private rescanDue = false;
  /** The last scan's files and occurrences by path (kept current by the re-extractions), and `.env` texts read. */
  private entries = new Map<string, DiscoveredFile>();
  private byFile = new Map<string, Occurrence[]>();
  private readonly dotenvs = new Map<string, { file: string; content: string } | null>();
  /** How many checked references (not skipped) name each registry, kept current by the re-extractions. */
  private readonly registryUses = new Map<string, number>();
  /** Documents edited since their last re-extraction, re-extracted together on the next turn of the event loop. */
  private readonly editedDocs = new Map<string, vscode.TextDocument>();
  private editTimer: NodeJS.Immediate | undefined;
  /** Files whose occurrences come from unsaved editor text. */
  private readonly live = new Set<string>();
  private counts = { scans: 0, fileUpdates: 0 };
  private readonly emitter = new vscode.EventEmitter<ScanResult>();
  private readonly filesEmitter = new vscode.EventEmitter<readonly string[]>();
  /** The scan's file problems (YAML or compose refusing a file, a missing include target, a limit reached). */
  private readonly fileProblems = vscode.languages.createDiagnosticCollection('registry-lens-files');
  private readonly disposables: vscode.Disposable[] = [this.emitter, this.filesEmitter, this.fileProblems];
  /** Fires after each completed scan, and after a file was re-extracted on its own. */
  readonly onDidChange = this.emitter.event;
  /** Fires after `onDidChange` when only these files were re-extracted (the rest of the scan is unchanged). */
  readonly onDidUpdateFiles = this.filesEmitter.event;
  private readonly diskEmitter = new vscode.EventEmitter<ScanResult>();
  /** Fires after a completed scan that followed a change of files on disk (checkout, pull, another editor). */
  readonly onDidChangeOnDisk = this.diskEmitter.event;
  private diskChanged = false;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly debounceMs = 300,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(WATCH_GLOB);
    this.disposables.push(
      watcher,
      this.diskEmitter,
      watcher.onDidCreate((u) => this.onDisk(`created ${vscode.workspace.asRelativePath(u)}`)),
      watcher.onDidChange((u) => this.fileChanged(u.fsPath)),
      watcher.onDidDelete((u) => this.onDisk(`deleted ${vscode.workspace.asRelativePath(u)}`)),
      // A saved image file is re-extracted from the editor's text at once: its diagnostics need no rescan.
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc.uri.scheme !== 'file' || !this.isKnown(doc.uri.fsPath)) return;
        this.live.delete(doc.uri.fsPath);
        this.updateFiles([doc.uri.fsPath], doc.getText());
      }),
      // An edited image file is re-extracted from its unsaved text as it is typed (no rescan, no save needed).
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && e.document.uri.scheme === 'file' && this.isKnown(e.document.uri.fsPath))
          this.edited(e.document);
      }),
      // Closed without saving: the file's images are its disk text's again.
      vscode.workspace.onDidCloseTextDocument((doc) => {
        const file = doc.uri.fsPath;
        if (doc.uri.scheme !== 'file' || !this.live.delete(file) || !this.isKnown(file)) return;
        this.updateFiles([file]);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule('workspace folders changed')),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, ...SCAN_SETTINGS)) this.schedule('settings changed');
      }),
    );
  }

  /** The last completed scan (empty before the first). */
  get result(): ScanResult {
    return this.current;
  }

  get hasScanned(): boolean {
    return this.scannedOnce;
  }

  /** The folders scanned: every `file:` workspace folder. */
  folders(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /** How many full scans and single-file re-extractions ran (the editor bench reads them). */
  get stats(): { scans: number; fileUpdates: number } {
    return { ...this.counts };
  }

  private onDisk(reason: string): void {
    this.diskChanged = true;
    this.schedule(reason);
  }

  /** Rescans after a short quiet period; repeated calls within it coalesce. */
  schedule(reason: string): void {
    this.rescanDue = true;
    this.arm(reason);
  }

  private arm(reason: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const files = [...this.changed];
      this.changed.clear();
      if (this.rescanDue || files.length > MAX_FILE_UPDATES || !files.every((f) => this.isKnown(f))) {
        this.rescanDue = false;
        void this.refresh(reason);
      } else {
        // A file open with unsaved edits keeps the editor's text (its save re-extracts it).
        const updated = this.updateFiles(files.filter((f) => !this.live.has(f)));
        if (this.diskChanged && updated) {
          this.diskChanged = false;
          this.diskEmitter.fire(this.current);
        }
        this.settleIdle();
      }
    }, this.debounceMs);
  }

  /**
   * A file the last scan read, whose content alone decides its images (not `.env`, `.gitignore`, `Chart.yaml`). A
   * Kubernetes manifest is one too while its text still reads as a manifest (`updateFiles` checks that).
   */
  private isKnown(file: string): boolean {
    const base = path.basename(file);
    return (
      this.scannedOnce &&
      !this.running &&
      base !== '.env' &&
      base !== '.gitignore' &&
      base !== 'Chart.yaml' &&
      this.entries.has(file)
    );
  }

  /**
   * Re-extracts an edited document from its text. Edits that arrive while the event loop is busy coalesce into one
   * re-extraction per document (no fixed delay: the first edit of a burst is shown at once). A text that now names
   * a file the scan has not read (a half-typed `include:`) keeps the last occurrences until it is saved.
   */
  private edited(doc: vscode.TextDocument): void {
    this.editedDocs.set(doc.uri.fsPath, doc);
    this.editTimer ??= setImmediate(() => {
      this.editTimer = undefined;
      const docs = [...this.editedDocs.values()];
      this.editedDocs.clear();
      for (const d of docs) {
        if (d.isClosed || !this.isKnown(d.uri.fsPath)) continue;
        if (d.isDirty) this.live.add(d.uri.fsPath);
        else this.live.delete(d.uri.fsPath);
        this.updateFiles([d.uri.fsPath], d.getText(), { live: true });
      }
      this.settleIdle();
    });
  }

  private fileChanged(file: string): void {
    if (path.basename(file) === '.env' && this.dotenvChanged(file)) return;
    if (!this.isKnown(file)) {
      this.onDisk(`changed ${vscode.workspace.asRelativePath(file)}`);
      return;
    }
    this.diskChanged = true;
    this.changed.add(file);
    this.arm(`changed ${vscode.workspace.asRelativePath(file)}`);
  }

  /**
   * A changed `.env` is read by the compose files beside it alone: those are re-extracted (none, and nothing is
   * done). False when a rescan must decide instead: while one runs, before the first, or for a `.env` over its size
   * limit (the scan reports that).
   */
  private dotenvChanged(envFile: string): boolean {
    if (!this.scannedOnce || this.running) return false;
    try {
      if (fs.statSync(envFile).size > (FILE_SIZE_LIMITS.dotenv ?? Infinity)) return false;
    } catch {
      return false;
    }
    const dir = path.dirname(envFile);
    const composeFiles = [...this.entries.values()]
      .filter((f) => f.source === 'compose' && path.dirname(f.file) === dir)
      .map((f) => f.file);
    this.dotenvs.delete(envFile);
    if (!composeFiles.length) return true;
    this.diskChanged = true;
    for (const f of composeFiles) this.changed.add(f);
    this.arm(`changed ${vscode.workspace.asRelativePath(envFile)}`);
    return true;
  }

  /** The occurrences of one file in the last scan (with its re-extractions since), as `result` lists them. */
  occurrencesOf(file: string): readonly Occurrence[] {
    return this.byFile.get(file) ?? [];
  }

  /** A new full scan: the per-file indexes are rebuilt, and `.env` files are read again when next needed. */
  private setScanned(result: ScanResult): void {
    this.current = result;
    this.entries = new Map(result.files.map((f) => [f.file, f]));
    this.byFile = new Map();
    for (const o of result.occurrences) {
      const list = this.byFile.get(o.file);
      if (list) list.push(o);
      else this.byFile.set(o.file, [o]);
    }
    this.registryUses.clear();
    this.countRegistries(result.occurrences, 1);
    this.dotenvs.clear();
  }

  /** The registries the images name (checked references only), without a pass over every occurrence. */
  registries(): IterableIterator<string> {
    return this.registryUses.keys();
  }

  private countRegistries(occurrences: readonly Occurrence[], by: 1 | -1): void {
    for (const o of occurrences) {
      if (!o.reference || o.skip) continue;
      const host = o.reference.registry;
      const n = (this.registryUses.get(host) ?? 0) + by;
      if (n > 0) this.registryUses.set(host, n);
      else this.registryUses.delete(host);
    }
  }

  /**
   * The `.env` beside a compose file, read once per scan (an edited compose file is re-extracted at every
   * keystroke) and by the scan's own rules: one over its size limit is not read, as the scan did not (it reported
   * it). A change of the `.env` itself drops its entry (and re-extracts the compose files beside it); a rescan
   * clears all.
   */
  private dotenvBeside(file: string): { file: string; content: string } | null {
    const envFile = path.join(path.dirname(file), '.env');
    let entry = this.dotenvs.get(envFile);
    if (entry === undefined) {
      entry = readDotenvBeside(file).dotenv;
      this.dotenvs.set(envFile, entry);
    }
    return entry;
  }

  /**
   * Re-extracts known files on their own (from `text` when given, else from disk) and splices their occurrences
   * into the last scan. A file that now names another file to read (a compose `include:`, a dev container's
   * Dockerfile) the scan has not seen, or that cannot be read, falls back to a full rescan.
   */
  updateFiles(files: readonly string[], text?: string, opts: { live?: boolean } = {}): boolean {
    let occurrences = this.current.occurrences;
    let errors = this.current.errors;
    const updated: string[] = [];
    let problemsChanged = false;
    for (const file of files) {
      const entry = this.entries.get(file);
      if (!entry) continue;
      let content = text;
      try {
        content ??= fs.readFileSync(file, 'utf8');
      } catch {
        this.schedule(`cannot read ${vscode.workspace.asRelativePath(file)}`);
        return false;
      }
      // A manifest is known by its content: one edited into something else waits for the save, which rescans.
      if (entry.source === 'kubernetes' && !looksLikeKubernetes(content)) {
        if (!opts.live) this.schedule(`${vscode.workspace.asRelativePath(file)} is no longer a Kubernetes manifest`);
        return false;
      }
      const dotenv = entry.source === 'compose' ? this.dotenvBeside(file) : null;
      const r = extractFile(file, content, entry.source, {
        dotenv,
        ...(entry.root !== undefined ? { root: entry.root } : {}),
      });
      if (!readSettings().devcontainerFeatures) r.occurrences = r.occurrences.filter((o) => o.kind !== 'feature');
      if (r.references.some((ref) => !this.entries.has(ref.file))) {
        // Unsaved text: the rescan (which reads the disk) waits for the save.
        if (!opts.live) this.schedule(`${vscode.workspace.asRelativePath(file)} names a new file`);
        return false;
      }
      const before = this.byFile.get(file) ?? [];
      const sameErrors = JSON.stringify(errors.filter((e) => e.file === file)) === JSON.stringify(r.errors);
      if (sameErrors && JSON.stringify(before) === JSON.stringify(r.occurrences)) continue;
      occurrences = replaceFileEntries(occurrences, file, r.occurrences);
      this.countRegistries(before, -1);
      this.countRegistries(r.occurrences, 1);
      if (!sameErrors) {
        errors = replaceFileEntries(errors, file, r.errors);
        problemsChanged = true;
      }
      // A problem's warning says whether the file's other images are checked: redraw it when that changes.
      if (r.errors.length && before.length > 0 !== r.occurrences.length > 0) problemsChanged = true;
      if (r.occurrences.length) this.byFile.set(file, r.occurrences);
      else this.byFile.delete(file);
      updated.push(file);
    }
    if (!updated.length) return false;
    this.counts.fileUpdates += updated.length;
    this.current = { files: this.current.files, occurrences, errors };
    if (problemsChanged) this.showFileProblems(errors);
    // Not logged per keystroke: an edited document is re-extracted as it is typed.
    if (!opts.live)
      this.log.info(
        `Re-extracted ${updated.map((f) => vscode.workspace.asRelativePath(f)).join(', ')}: ${occurrences.length} image references in the workspace`,
      );
    this.emitter.fire(this.current);
    this.filesEmitter.fire(updated);
    return true;
  }

  /** Rescans now; a scan already running is aborted and replaced. */
  async refresh(reason = 'refresh'): Promise<void> {
    // Newest wins: abort what runs, and chain behind it so two scans never overlap.
    this.running?.controller.abort();
    const controller = new AbortController();
    const done = this.chain.then(() => (controller.signal.aborted ? undefined : this.scan(controller.signal, reason)));
    this.chain = done;
    this.running = { controller, done };
    await done;
    if (this.running?.done === done) this.running = undefined;
    this.settleIdle();
  }

  /** Resolves when no scan is scheduled or running (for tests and for callers that need fresh results). */
  whenIdle(): Promise<ScanResult> {
    if (!this.timer && !this.running && !this.editTimer && this.scannedOnce) return Promise.resolve(this.current);
    return new Promise((resolve) => this.idleWaiters.push(() => resolve(this.current)));
  }

  private settleIdle(): void {
    if (this.timer || this.running || this.editTimer) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async scan(signal: AbortSignal, reason: string): Promise<void> {
    const folders = this.folders();
    const settings = readSettings();
    const started = Date.now();
    try {
      let result = folders.length
        ? await scanWorkspace(folders, {
            include: settings.include,
            exclude: settings.exclude,
            sources: settings.sources,
            signal,
          })
        : EMPTY;
      if (signal.aborted) return;
      if (!settings.devcontainerFeatures)
        result = { ...result, occurrences: result.occurrences.filter((o) => o.kind !== 'feature') };
      this.setScanned(result);
      this.scannedOnce = true;
      this.counts.scans++;
      this.log.info(
        `Scanned ${folders.length} folder(s) (${reason}): ${result.files.length} files, ${result.occurrences.length} image references, ${result.errors.length} problems in ${Date.now() - started} ms`,
      );
      for (const e of result.errors.slice(0, 20))
        this.log.warn(`${vscode.workspace.asRelativePath(e.file)}:${e.line + 1}:${e.character + 1}: ${e.message}`);
      this.showFileProblems(result.errors);
      this.emitter.fire(result);
      // The scan read the disk: documents with unsaved edits are theirs again.
      for (const doc of vscode.workspace.textDocuments)
        if (doc.isDirty && this.live.has(doc.uri.fsPath)) this.edited(doc);
      if (this.diskChanged) {
        this.diskChanged = false;
        this.diskEmitter.fire(result);
      }
    } catch (e) {
      if (signal.aborted) return;
      this.scannedOnce = true;
      this.log.error(`Scanning the workspace failed (${reason}): ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * One warning per problem, at its line; code `limit` when a bound on hostile input was reached. It says whether
   * the file's other images are still checked (a compose file with one bad alias still names its other images).
   */
  private showFileProblems(errors: readonly ExtractionError[]): void {
    const perFile = new Map<string, vscode.Diagnostic[]>();
    for (const e of errors) {
      const at = new vscode.Position(e.line, e.character);
      const d = new vscode.Diagnostic(
        new vscode.Range(at, at),
        this.byFile.has(e.file)
          ? vscode.l10n.t('{0} (the other images in this file are checked)', e.message)
          : vscode.l10n.t('{0} (images here are not checked)', e.message),
        vscode.DiagnosticSeverity.Warning,
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = e.limit ? 'limit' : 'file-problem';
      let list = perFile.get(e.file);
      if (!list) perFile.set(e.file, (list = []));
      list.push(d);
    }
    this.fileProblems.clear();
    for (const [file, ds] of perFile) this.fileProblems.set(toUri(file), ds);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.editTimer) clearImmediate(this.editTimer);
    this.editTimer = undefined;
    this.running?.controller.abort();
    for (const d of this.disposables) d.dispose();
    this.settleIdle();
  }
}
