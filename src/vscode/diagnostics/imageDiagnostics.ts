import * as vscode from 'vscode';
import { resolveSeverities, type Finding, type FindingCode, type SeverityLevel } from '../../core';
import type { UpdateChecker } from '../check/updateChecker';
import { affects, readSettings } from '../config';
import { Setting } from '../constants';
import { diagnosticCode, toDiagnostic, toRelated, toUri } from '../convert';

/** Other uses of the same image listed as related information on an update diagnostic (every use has one). */
const RELATED_USES = 5;
/**
 * An image with more uses than this lists none: VS Code converts and sends every diagnostic's related information
 * on its own (a shared list too), and 5 of 50,000 uses tell nothing the Workspace Images view does not. Measured in
 * the editor bench (50,000 uses of 60 images): the first check took 4.9 s with the lists and 2.3 s without, and
 * the extension host's memory 110 MB more.
 */
const MAX_USES_WITH_RELATED = 50;
/** Diagnostics per `DiagnosticCollection.set` call. */
const DIAGNOSTICS_PER_SET = 1000;

/** The documents image references live in (diagnostics, quick-fixes, hovers). */
export const IMAGE_DOCUMENTS: vscode.DocumentSelector = [
  { scheme: 'file', language: 'dockerfile' },
  { scheme: 'file', language: 'dockercompose' },
  { scheme: 'file', pattern: '**/*.{yaml,yml,json,jsonc}' },
  { scheme: 'file', pattern: '**/{Dockerfile,Containerfile}*' },
  { scheme: 'file', pattern: '**/*.{Dockerfile,dockerfile}' },
  { scheme: 'file', pattern: '**/Kustomization' },
];

const LEVELS: Record<SeverityLevel, vscode.DiagnosticSeverity | undefined> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
  off: undefined,
};

/**
 * Findings as diagnostics on the reference: newer tags and changed digests, and registry problems once per file
 * and registry (with the other uses as related information), never the network in the editor: they come from the
 * checker's last results. A diagnostic whose text no longer matches the reference (the line was edited) is dropped.
 */
export class ImageDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('registry-lens');
  private readonly subscriptions: vscode.Disposable[];
  /**
   * The finding behind each diagnostic, for the code actions, per file. Keyed by range and code: the diagnostics a
   * provider receives are copies, not the objects set here.
   */
  private readonly byKey = new Map<string, Map<string, Finding>>();
  /** Every diagnostic of the last refresh per file, including those hidden while their text is edited. */
  private readonly byFile = new Map<string, vscode.Diagnostic[]>();
  /** The checker's findings version the diagnostics show (a state-only change of the checker rebuilds nothing). */
  private shown: number | undefined;
  /** One Uri per file and per docs link, shared by every diagnostic and related information pointing there. */
  private readonly uris = new Map<string, vscode.Uri>();
  private readonly docsUris = new Map<FindingCode, vscode.Uri | undefined>();

  /** `docs`: the documentation link of a finding code (each diagnostic's `codeDescription`). */
  constructor(
    private readonly checker: UpdateChecker,
    private readonly docs: (code: FindingCode) => vscode.Uri | undefined = () => undefined,
  ) {
    this.subscriptions = [
      checker.onDidChange((files) => {
        if (files || this.shown !== checker.version) this.refresh(files);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, Setting.Severity)) this.refresh(undefined, true);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.dropStale(e.document)),
    ];
    this.refresh();
  }

  private static key(d: vscode.Diagnostic): string {
    const r = d.range;
    return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}|${diagnosticCode(d) ?? ''}`;
  }

  finding(file: string, d: vscode.Diagnostic): Finding | undefined {
    return this.byKey.get(file)?.get(ImageDiagnostics.key(d));
  }

  private uri(file: string): vscode.Uri {
    let u = this.uris.get(file);
    if (!u) this.uris.set(file, (u = toUri(file)));
    return u;
  }

  private docsUri(code: FindingCode): vscode.Uri | undefined {
    if (!this.docsUris.has(code)) this.docsUris.set(code, this.docs(code));
    return this.docsUris.get(code);
  }

  /**
   * Rebuilds the diagnostics of `only` these files (after one file was re-extracted), or of every file; only files
   * whose diagnostics differ from what is shown are sent to the window (`all`: every file, after a severity change).
   */
  private refresh(only?: ReadonlySet<string>, all = false): void {
    this.shown = this.checker.version;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const keys = new Map<string, Map<string, Finding>>();
    const add = (file: string, d: vscode.Diagnostic, f: Finding): void => {
      let map = keys.get(file);
      if (!map) keys.set(file, (map = new Map<string, Finding>()));
      map.set(ImageDiagnostics.key(d), f);
      const list = byFile.get(file);
      if (list) list.push(d);
      else byFile.set(file, [d]);
    };
    const errorsSeen = new Map<string, vscode.Diagnostic>();
    // Severity per finding code (the finding table's default, `registryLens.severity`, or an older key of it).
    const severity: Record<FindingCode, SeverityLevel> = resolveSeverities(readSettings().severity);
    const make = (f: Finding, message = f.message): vscode.Diagnostic | undefined => {
      const level = LEVELS[severity[f.code]];
      return level === undefined ? undefined : toDiagnostic(f, level, message, this.docsUri(f.code));
    };
    const related = this.relatedUses();
    // One file's refresh reads that file's findings only (the checker indexes them per file).
    const source = only ? [...only].flatMap((file) => [...this.checker.findingsOf(file)]) : this.checker.values();
    for (const f of source) {
      const o = f.occurrence;
      const ref = o.reference;
      let d: vscode.Diagnostic | undefined;
      if (f.status === 'update' || f.status === 'digest-changed') {
        d = make(f);
        const others = d && related(f);
        if (d && others?.length) d.relatedInformation = others;
      } else if (f.status === 'error' && ref) {
        const key = `${o.file}|${ref.registry}|${f.code}`;
        const first = errorsSeen.get(key);
        if (first) {
          first.relatedInformation = [
            ...(first.relatedInformation ?? []),
            this.related(o, vscode.l10n.t('also {0}', ref.canonical)),
          ];
          continue;
        }
        d = make(f);
        if (d) errorsSeen.set(key, d);
      } else if (f.status === 'unpinned') {
        const rolling = ref && !ref.digest && (ref.tag === null || ref.tag === 'latest');
        d = rolling
          ? make(
              f,
              vscode.l10n.t(
                '{0}: "{1}" moves whenever the image is republished; pin a version tag or a digest for repeatable builds',
                ref.canonical,
                ref.tag ?? vscode.l10n.t('no tag'),
              ),
            )
          : make(f);
      }
      if (d) add(o.file, d, f);
    }
    // Only what changed goes to the window: a re-check that finds what the last one found sends nothing.
    const entries: [vscode.Uri, vscode.Diagnostic[]][] = [];
    const files = only ?? new Set([...this.byFile.keys(), ...byFile.keys()]);
    for (const file of files) {
      const next = byFile.get(file);
      const prev = this.byFile.get(file);
      if (next) {
        this.byKey.set(file, keys.get(file)!);
        this.byFile.set(file, next);
      } else {
        this.byKey.delete(file);
        this.byFile.delete(file);
      }
      if (!all && sameDiagnostics(prev ?? [], next ?? [])) {
        // Same content: keep showing the objects already set (their finding is the new one, by key).
        if (prev && next) this.byFile.set(file, prev);
        continue;
      }
      entries.push([this.uri(file), next ?? []]);
    }
    // Batched set() calls: each is one message to the window, and a workspace has thousands of files. VS Code sends
    // at most 1,100 diagnostics of one call (and drops the rest), so a batch stays under that.
    let batch: typeof entries = [];
    let count = 0;
    for (const entry of entries) {
      if (batch.length && count + entry[1].length > DIAGNOSTICS_PER_SET) {
        this.collection.set(batch);
        batch = [];
        count = 0;
      }
      batch.push(entry);
      count += entry[1].length;
    }
    if (batch.length) this.collection.set(batch);
    for (const doc of vscode.workspace.textDocuments) if (!only || only.has(doc.uri.fsPath)) this.dropStale(doc);
  }

  private related(o: Finding['occurrence'], message: string): vscode.DiagnosticRelatedInformation {
    return toRelated(o, message, this.uri(o.file));
  }

  /**
   * Other uses of the same image (same canonical reference) for an update diagnostic: the first few uses of it,
   * without the diagnostic's own. Every use past the first few gets the same list, so it is built once per image
   * (an image used in thousands of files must not cost thousands of locations per diagnostic); an image used more
   * than MAX_USES_WITH_RELATED times gets none.
   */
  private relatedUses(): (f: Finding) => vscode.DiagnosticRelatedInformation[] {
    // The first few uses of each image, from the checker's index (no pass over every finding).
    const firstUses = new Map<string, Finding[]>();
    const usesOf = (c: string): Finding[] => {
      let first = firstUses.get(c);
      if (!first) {
        first = [];
        for (const x of this.checker.updatesOf(c)) {
          first.push(x);
          if (first.length > RELATED_USES) break;
        }
        firstUses.set(c, first);
      }
      return first;
    };
    const items = new Map<Finding, vscode.DiagnosticRelatedInformation>();
    const item = (x: Finding): vscode.DiagnosticRelatedInformation => {
      let r = items.get(x);
      if (!r) items.set(x, (r = this.related(x.occurrence, vscode.l10n.t('also used here: {0}', x.occurrence.text))));
      return r;
    };
    const shared = new Map<string, vscode.DiagnosticRelatedInformation[]>();
    return (f) => {
      const c = f.occurrence.reference?.canonical ?? '';
      if (this.checker.updatesOf(c).size > MAX_USES_WITH_RELATED) return [];
      const first = usesOf(c);
      if (first.includes(f))
        return first
          .filter((x) => x !== f)
          .slice(0, RELATED_USES)
          .map(item);
      let list = shared.get(c);
      if (!list) shared.set(c, (list = first.slice(0, RELATED_USES).map(item)));
      return list;
    };
  }

  /**
   * Shows only the diagnostics whose range still holds the text the check saw: an edited reference loses its
   * diagnostic at once, and gets it back if the edit is undone (or the file reverted) before the next check.
   */
  private dropStale(doc: vscode.TextDocument): void {
    const list = this.byFile.get(doc.uri.fsPath);
    if (!list?.length) return;
    const kept = list.filter((d) => {
      const f = this.finding(doc.uri.fsPath, d);
      return !f || doc.getText(d.range) === f.occurrence.text;
    });
    const shown = this.collection.get(doc.uri) ?? [];
    if (kept.length !== shown.length || kept.some((d, i) => d !== shown[i])) this.collection.set(doc.uri, kept);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}

/** Two lists of diagnostics that would show the same (range, message, severity, code, related locations). */
function sameDiagnostics(a: readonly vscode.Diagnostic[], b: readonly vscode.Diagnostic[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.message !== y.message ||
      x.severity !== y.severity ||
      !x.range.isEqual(y.range) ||
      diagnosticCode(x) !== diagnosticCode(y) ||
      !sameRelated(x.relatedInformation, y.relatedInformation)
    )
      return false;
  }
  return true;
}

function sameRelated(
  a: readonly vscode.DiagnosticRelatedInformation[] | undefined,
  b: readonly vscode.DiagnosticRelatedInformation[] | undefined,
): boolean {
  if (a === b) return true;
  if ((a?.length ?? 0) !== (b?.length ?? 0)) return false;
  return (a ?? []).every((r, i) => {
    const s = b![i]!;
    return (
      r.message === s.message &&
      r.location.uri.toString() === s.location.uri.toString() &&
      r.location.range.isEqual(s.location.range)
    );
  });
}
