// Over 400 lines: one checker over the finding indexes it keeps in step (schedule, run, refresh, cache).
import * as vscode from 'vscode';
import {
  checkCacheFile,
  checkImages,
  compilePolicyRules,
  isPolicyError,
  type CacheStore,
  type Finding,
  type Occurrence,
  type PolicyRule,
} from '../../core';
import { affects, readSettings, settingId } from '../config';
import { Setting } from '../constants';
import type { RegistryClients } from '../registry/registryClients';
import type { WorkspaceImages } from '../workspace/workspaceImages';
import { FindingIndex } from './findingIndex';

/** The key of an occurrence: file and start position (what findings are looked up by). */
export function occurrenceKey(o: Pick<Occurrence, 'file' | 'range'>): string {
  return `${o.file}:${o.range.start.line}:${o.range.start.character}`;
}

export interface CheckSummary {
  /** When the last online check finished (epoch ms), if any. */
  checkedAt?: number;
  updates: number;
  errors: number;
  /** Findings the registries did not answer (unreachable, TLS, rate limited, offline): never "up to date". */
  notChecked: number;
  /** Findings the registries answered "up to date" (current or unpinned): "Images up to date" needs at least one. */
  current: number;
  running: boolean;
  /** True when the findings come from the cache only (right after a reload, before the online check). */
  fromCache: boolean;
}

/**
 * Background update checks: the core engine over the workspace's occurrences, with the registry client and a
 * cache file in the extension's global storage (so a reload shows the last state at once, from that cache, before
 * the network answers). Runs on demand, after saves (debounced) and on an interval; never more than one at a time
 * (a request during a run queues exactly one more); never in an untrusted workspace; the network is never awaited
 * by the editor.
 */
export class UpdateChecker implements vscode.Disposable {
  private findings = new Map<string, Finding>();
  /** Per file: its findings, so one file's refresh touches only its own. */
  private readonly byFile = new FindingIndex((f) => f.occurrence.file);
  /** Per image (canonical reference): its findings with an update or a moved digest. */
  private readonly updatesByImage = new FindingIndex((f) =>
    f.status === 'update' || f.status === 'digest-changed' ? f.occurrence.reference?.canonical : undefined,
  );
  /** Per registry: the findings it refused, by why (a credential withheld from it, or rejected by it). */
  private readonly withheldByRegistry = new FindingIndex((f) =>
    f.code === 'credential-not-sent' ? f.occurrence.reference?.registry : undefined,
  );
  private readonly rejectedByRegistry = new FindingIndex((f) =>
    f.code === 'auth-failed' ? f.occurrence.reference?.registry : undefined,
  );
  /** Per registry: the findings it did not answer. */
  private readonly notCheckedByRegistry = new FindingIndex((f) =>
    f.notChecked ? f.occurrence.reference?.registry : undefined,
  );
  private readonly indexes = [
    this.byFile,
    this.updatesByImage,
    this.withheldByRegistry,
    this.rejectedByRegistry,
    this.notCheckedByRegistry,
  ];
  /** Bumped whenever the findings change (not when only the running state does): listeners skip rebuilds by it. */
  private findingsVersion = 0;
  /** Fires when findings change: with the files concerned when only they changed, else undefined (all of them). */
  private readonly emitter = new vscode.EventEmitter<ReadonlySet<string> | undefined>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private cache: CacheStore | undefined;
  /** The next check asks the registries again instead of answering from fresh cache entries. */
  private refreshNext = false;
  /** The newest `refreshFiles` call per file (an older one finishing later must not win). */
  private readonly fileGenerations = new Map<string, number>();
  private fileGeneration = 0;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private state: CheckSummary = { updates: 0, errors: 0, notChecked: 0, current: 0, running: false, fromCache: false };

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly images: WorkspaceImages,
    private readonly clients: RegistryClients,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (!readSettings().checkOnSave) return;
        if (this.images.result.files.some((f) => f.file === doc.uri.fsPath)) this.schedule('saved', 1500);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, Setting.CheckIntervalMinutes)) this.startInterval();
        if (affects(e, Setting.Policies)) this.schedule('policies changed', 500);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.schedule('workspace trusted', 0)),
      images.onDidUpdateFiles((files) => void this.refreshFiles(files)),
    );
    this.startInterval();
  }

  private startInterval(): void {
    if (this.interval) clearInterval(this.interval);
    const minutes = readSettings().checkIntervalMinutes;
    this.interval = minutes > 0 ? setInterval(() => this.schedule('interval', 0), minutes * 60_000) : undefined;
    this.interval?.unref();
  }

  get summary(): CheckSummary {
    return this.state;
  }

  /**
   * The finding for an occurrence, if the last check produced one for that very text: a reference edited (in the
   * editor or on disk) since the check has no finding until its own answer arrives, never its predecessor's.
   */
  finding(o: Pick<Occurrence, 'file' | 'range'> & Partial<Pick<Occurrence, 'text'>>): Finding | undefined {
    const f = this.findings.get(occurrenceKey(o));
    return f && (o.text === undefined || f.occurrence.text === o.text) ? f : undefined;
  }

  /** True while a check runs or is scheduled: rows without their own answer yet read "checking…". */
  get busy(): boolean {
    return this.running !== undefined || this.timer !== undefined;
  }

  /** The findings of one file, in the order `values()` gives them. */
  findingsOf(file: string): IterableIterator<Finding> {
    return this.byFile.get(file).values();
  }

  /**
   * The findings with an update or a moved digest for one image, in the order they were set (a diagnostic lists a
   * few other uses of its image without a pass over every finding).
   */
  updatesOf(canonical: string): ReadonlySet<Finding> {
    return this.updatesByImage.get(canonical);
  }

  /**
   * The findings a registry refused, in the order they were set: `credential-not-sent` ones, else `auth-failed`
   * ones (a withheld credential explains every refusal of its registry).
   */
  refusalsOf(registry: string): ReadonlySet<Finding> {
    const withheld = this.withheldByRegistry.get(registry);
    return withheld.size ? withheld : this.rejectedByRegistry.get(registry);
  }

  /** The findings a registry did not answer, in the order they were set. */
  notCheckedOf(registry: string): ReadonlySet<Finding> {
    return this.notCheckedByRegistry.get(registry);
  }

  private indexFinding(f: Finding, add: boolean): void {
    for (const index of this.indexes) {
      if (add) index.add(f);
      else index.delete(f);
    }
  }

  private setFinding(f: Finding): void {
    const key = occurrenceKey(f.occurrence);
    const old = this.findings.get(key);
    if (old) this.indexFinding(old, false);
    this.indexFinding(f, true);
    this.findings.delete(key); // a re-set key moves to the end, as in the indexes
    this.findings.set(key, f);
  }

  all(): Finding[] {
    return [...this.findings.values()];
  }

  /** Every finding, without copying them into an array (a workspace has tens of thousands). */
  values(): IterableIterator<Finding> {
    return this.findings.values();
  }

  /** Changes whenever the findings do; the same number means the same findings. */
  get version(): number {
    return this.findingsVersion;
  }

  /** Policy rules from the `registryLens.policies` setting; a bad rule is reported once and the rest still apply. */
  rules(): PolicyRule[] {
    const raw = readSettings().policies;
    try {
      return compilePolicyRules(raw, settingId(Setting.Policies));
    } catch (e) {
      if (!isPolicyError(e)) throw e;
      this.log.error(`${e.message} — fix it in settings (registryLens.policies); checking without policies meanwhile`);
      return [];
    }
  }

  /** The cache file shared by every check (workspace files and the local engine). */
  cacheStore(): CacheStore {
    this.cache ??= checkCacheFile(this.context.globalStorageUri.fsPath);
    return this.cache;
  }

  /** Checks after `delayMs` of quiet; repeated calls coalesce. */
  schedule(reason: string, delayMs = 1000, opts: { refresh?: boolean } = {}): void {
    if (this.timer) clearTimeout(this.timer);
    // A change of how registries are reached or who we are there (settings, credentials) asks them again.
    if (opts.refresh) this.refreshNext = true;
    const first = this.timer === undefined && this.running === undefined;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.checkNow(reason);
    }, delayMs);
    if (first) this.emitter.fire(undefined); // rows waiting for their answer show "checking…" from now on
  }

  /** Findings from the cache alone, no network: what a reload shows at once. */
  async loadFromCache(): Promise<void> {
    await this.images.whenIdle();
    const occurrences = this.images.result.occurrences;
    if (!occurrences.length) return;
    try {
      const { findings } = await checkImages(occurrences, {
        client: this.clients.client,
        cache: this.cacheStore(),
        rules: this.rules(),
        offline: true,
      });
      // Only cached answers count here; "not cached" is not news for the user.
      this.apply(
        findings.filter((f) => f.code !== 'not-cached'),
        true,
      );
    } catch (e) {
      this.log.warn(`Reading cached check results failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * Findings for re-extracted files from the cache alone, no network: an edited reference whose answer is cached
   * gets its diagnostics at once; one that is not shows none until the next online check answers for it.
   */
  private async refreshFiles(files: readonly string[]): Promise<void> {
    const set = new Set(files);
    // Edits come faster than the cache answers: only the newest refresh of a file may set its findings.
    const generation = ++this.fileGeneration;
    for (const f of files) this.fileGenerations.set(f, generation);
    const occurrences = files.flatMap((f) => this.images.occurrencesOf(f));
    try {
      const { findings } = occurrences.length
        ? await checkImages(occurrences, {
            client: this.clients.client,
            cache: this.cacheStore(),
            rules: this.rules(),
            offline: true,
          })
        : { findings: [] };
      for (const f of files) if (this.fileGenerations.get(f) !== generation) set.delete(f);
      if (!set.size) return;
      // Only these files' findings are touched (through the per-file index). A reference the edit left as it was
      // keeps its answer (an error is not cached, yet still the answer); what changed waits for the cache or a check.
      const before = new Map<string, Finding>();
      const removed: Finding[] = [];
      for (const file of set) {
        for (const f of [...this.byFile.get(file)]) {
          this.findings.delete(occurrenceKey(f.occurrence));
          this.indexFinding(f, false);
          removed.push(f);
          const question = questionKey(f.occurrence);
          if (!before.has(question)) before.set(question, f);
        }
      }
      const added: Finding[] = [];
      for (const f of findings) {
        if (!set.has(f.occurrence.file)) continue;
        const answer = f.code === 'not-cached' ? before.get(questionKey(f.occurrence)) : f;
        if (!answer) continue;
        const found = { ...answer, occurrence: f.occurrence };
        this.setFinding(found);
        added.push(found);
      }
      const minus = counts(removed);
      const plus = counts(added);
      this.state = {
        ...this.state,
        updates: this.state.updates - minus.updates + plus.updates,
        errors: this.state.errors - minus.errors + plus.errors,
        notChecked: this.state.notChecked - minus.notChecked + plus.notChecked,
      };
      this.findingsVersion++;
      this.emitter.fire(set);
    } catch (e) {
      this.log.warn(
        `Reading cached check results for ${files.length} changed file(s) failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** Runs a check now (or right after the running one); resolves when the requested check has finished. */
  async checkNow(reason = 'command', opts: { refresh?: boolean } = {}): Promise<void> {
    if (opts.refresh) this.refreshNext = true;
    if (!vscode.workspace.isTrusted) {
      this.log.info(`Update check skipped (${reason}): the workspace is not trusted`);
      return;
    }
    if (this.running) {
      // One more run after the current one, shared by every request made meanwhile.
      this.queued ??= this.running.then(() => {
        this.queued = undefined;
        return this.checkNow('queued');
      });
      return this.queued;
    }
    const refresh = this.refreshNext;
    this.refreshNext = false;
    this.running = this.run(reason, refresh).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(reason: string, refresh = false): Promise<void> {
    await this.images.whenIdle();
    const occurrences = this.images.result.occurrences;
    this.controller = new AbortController();
    this.state = { ...this.state, running: true };
    this.emitter.fire(undefined);
    const started = Date.now();
    const client = this.clients.client;
    const before = { ...client.stats };
    try {
      const { findings, stats } = await checkImages(occurrences, {
        client,
        cache: this.cacheStore(),
        rules: this.rules(),
        signal: this.controller.signal,
        refresh,
      });
      await this.cache?.flush?.();
      this.apply(findings, false);
      const registries = new Set(occurrences.flatMap((o) => (o.reference && !o.skip ? [o.reference.registry] : [])));
      const d = (k: keyof typeof before): number => client.stats[k] - before[k];
      this.log.info(
        `Checked ${stats.checked} image references on ${registries.size} registries (${[...registries].join(', ')}) (${reason}) in ${Date.now() - started} ms: ` +
          `${this.state.updates} with updates, ${this.state.errors} errors; requests: ${d('ping')} ping, ${d('token')} token, ${d('tags')} tag lists, ` +
          `${d('head')} HEAD, ${d('get')} GET, ${d('retries')} retries; lookups ${stats.cache.fetched} fetched, ${stats.cache.fresh} from cache`,
      );
    } catch (e) {
      if (this.controller.signal.aborted) return;
      this.log.error(`Update check failed (${reason}): ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.state = { ...this.state, running: false };
      this.emitter.fire(undefined);
    }
  }

  private apply(findings: Finding[], fromCache: boolean): void {
    if (fromCache && findings.length === 0) return; // nothing cached: claim nothing
    this.findings = new Map();
    for (const index of this.indexes) index.clear();
    for (const f of findings) this.setFinding(f);
    this.findingsVersion++;
    const { updates, errors, notChecked, current } = counts(findings);
    this.state = {
      ...this.state,
      updates,
      errors,
      notChecked,
      current,
      fromCache,
      ...(fromCache ? {} : { checkedAt: Date.now() }),
    };
    this.emitter.fire(undefined);
  }

  dispose(): void {
    this.controller?.abort();
    if (this.timer) clearTimeout(this.timer);
    if (this.interval) clearInterval(this.interval);
    void this.cache?.flush?.();
    for (const d of this.disposables) d.dispose();
  }
}

/** What a finding answers, wherever the reference sits in its file: its text, expansion, platform and directives. */
function questionKey(o: Occurrence): string {
  return JSON.stringify([o.text, o.value, o.platform, o.skip?.reason ?? null, o.directives]);
}

/** The summary's counts over findings, in one pass. */
function counts(findings: Iterable<Finding>): Pick<CheckSummary, 'updates' | 'errors' | 'notChecked' | 'current'> {
  let updates = 0;
  let errors = 0;
  let notChecked = 0;
  let current = 0;
  for (const f of findings) {
    if (f.status === 'update' || f.status === 'digest-changed') updates++;
    else if (f.status === 'error') errors++;
    if (f.notChecked) notChecked++;
    else if (f.status === 'current' || f.status === 'unpinned') current++;
  }
  return { updates, errors, notChecked, current };
}
