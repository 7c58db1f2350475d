import * as vscode from 'vscode';
import { scanWorkspace, type ExtractionError, type ScanResult } from '../../core';
import { affects, readSettings, SCAN_SETTINGS } from '../config';
import { DIAGNOSTIC_SOURCE, toUri } from '../convert';

/**
 * Files whose change can change the set of images: the discovery names, plus `.env` beside compose files, plus
 * every YAML file (Kubernetes manifests are found by content, Helm values by the `Chart.yaml` beside them).
 */
export const WATCH_GLOB = '**/{Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile,Containerfile.*,*.yaml,*.yml,Kustomization,devcontainer.json,.devcontainer.json,.env,.gitignore}';

const EMPTY: ScanResult = { files: [], occurrences: [], errors: [] };

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
  private readonly emitter = new vscode.EventEmitter<ScanResult>();
  /** The scan's file problems (YAML or compose refusing a file, a missing include target, a limit reached). */
  private readonly fileProblems = vscode.languages.createDiagnosticCollection('registry-lens-files');
  private readonly disposables: vscode.Disposable[] = [this.emitter, this.fileProblems];
  /** Fires after each completed scan. */
  readonly onDidChange = this.emitter.event;
  private readonly diskEmitter = new vscode.EventEmitter<ScanResult>();
  /** Fires after a completed scan that followed a change of files on disk (checkout, pull, another editor). */
  readonly onDidChangeOnDisk = this.diskEmitter.event;
  private diskChanged = false;

  constructor(private readonly log: vscode.LogOutputChannel, private readonly debounceMs = 300) {
    const watcher = vscode.workspace.createFileSystemWatcher(WATCH_GLOB);
    this.disposables.push(
      watcher,
      this.diskEmitter,
      watcher.onDidCreate((u) => this.onDisk(`created ${vscode.workspace.asRelativePath(u)}`)),
      watcher.onDidChange((u) => this.onDisk(`changed ${vscode.workspace.asRelativePath(u)}`)),
      watcher.onDidDelete((u) => this.onDisk(`deleted ${vscode.workspace.asRelativePath(u)}`)),
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

  private onDisk(reason: string): void {
    this.diskChanged = true;
    this.schedule(reason);
  }

  /** Rescans after a short quiet period; repeated calls within it coalesce. */
  schedule(reason: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh(reason);
    }, this.debounceMs);
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
    if (!this.timer && !this.running && this.scannedOnce) return Promise.resolve(this.current);
    return new Promise((resolve) => this.idleWaiters.push(() => resolve(this.current)));
  }

  private settleIdle(): void {
    if (this.timer || this.running) return;
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
        ? await scanWorkspace(folders, { include: settings.include, exclude: settings.exclude, sources: settings.sources, signal })
        : EMPTY;
      if (signal.aborted) return;
      if (!settings.devcontainerFeatures) result = { ...result, occurrences: result.occurrences.filter((o) => o.kind !== 'feature') };
      this.current = result;
      this.scannedOnce = true;
      this.log.info(`Scanned ${folders.length} folder(s) (${reason}): ${result.files.length} files, ${result.occurrences.length} image references, ${result.errors.length} problems in ${Date.now() - started} ms`);
      for (const e of result.errors.slice(0, 20)) this.log.warn(`${vscode.workspace.asRelativePath(e.file)}:${e.line + 1}:${e.character + 1}: ${e.message}`);
      this.showFileProblems(result.errors);
      this.emitter.fire(result);
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

  /** One warning per problem, at its line; code `limit` when a bound on hostile input was reached. */
  private showFileProblems(errors: readonly ExtractionError[]): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const e of errors) {
      const at = new vscode.Position(e.line, e.character);
      const d = new vscode.Diagnostic(new vscode.Range(at, at), vscode.l10n.t('{0} (images here are not checked)', e.message), vscode.DiagnosticSeverity.Warning);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = e.limit ? 'limit' : 'file-problem';
      let list = byFile.get(e.file);
      if (!list) byFile.set(e.file, (list = []));
      list.push(d);
    }
    this.fileProblems.clear();
    for (const [file, ds] of byFile) this.fileProblems.set(toUri(file), ds);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.running?.controller.abort();
    for (const d of this.disposables) d.dispose();
    this.settleIdle();
  }
}
