import * as vscode from 'vscode';
import { resolveSeverities, type Finding, type FindingCode, type SeverityLevel } from '../../core';
import type { UpdateChecker } from '../check/updateChecker';
import { affects, readSettings } from '../config';
import { Setting } from '../constants';
import { diagnosticCode, toDiagnostic, toRelated, toUri } from '../convert';

/** Other uses of the same image listed as related information on an update diagnostic (every use has one). */
const RELATED_USES = 5;
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
   * The finding behind each diagnostic, for the code actions. Keyed by file, range and code: the diagnostics a
   * provider receives are copies, not the objects set here.
   */
  private readonly byKey = new Map<string, Finding>();
  /** Every diagnostic of the last refresh per file, including those hidden while their text is edited. */
  private readonly byFile = new Map<string, vscode.Diagnostic[]>();

  /** `docs`: the documentation link of a finding code (each diagnostic's `codeDescription`). */
  constructor(
    private readonly checker: UpdateChecker,
    private readonly docs: (code: FindingCode) => vscode.Uri | undefined = () => undefined,
  ) {
    this.subscriptions = [
      checker.onDidChange((files) => this.refresh(files)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, Setting.Severity)) this.refresh();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.dropStale(e.document)),
    ];
    this.refresh();
  }

  private static key(file: string, d: vscode.Diagnostic): string {
    const r = d.range;
    return `${file}|${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}|${diagnosticCode(d) ?? ''}`;
  }

  finding(file: string, d: vscode.Diagnostic): Finding | undefined {
    return this.byKey.get(ImageDiagnostics.key(file, d));
  }

  /** Rebuilds the diagnostics of `only` these files (after one file was re-extracted), or of every file. */
  private refresh(only?: ReadonlySet<string>): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    if (only) {
      for (const key of this.byKey.keys())
        if (only.has(key.slice(0, key.lastIndexOf('|', key.lastIndexOf('|') - 1)))) this.byKey.delete(key);
    } else this.byKey.clear();
    const add = (file: string, d: vscode.Diagnostic, f: Finding): void => {
      this.byKey.set(ImageDiagnostics.key(file, d), f);
      const list = byFile.get(file);
      if (list) list.push(d);
      else byFile.set(file, [d]);
    };
    const errorsSeen = new Map<string, vscode.Diagnostic>();
    // Severity per finding code (the finding table's default, `registryLens.severity`, or an older key of it).
    const severity: Record<FindingCode, SeverityLevel> = resolveSeverities(readSettings().severity);
    const make = (f: Finding, message = f.message): vscode.Diagnostic | undefined => {
      const level = LEVELS[severity[f.code]];
      return level === undefined ? undefined : toDiagnostic(f, level, message, this.docs(f.code));
    };
    // Other uses of the same image (same canonical reference), for related information on update diagnostics.
    const findings = this.checker.all();
    const uses = new Map<string, Finding[]>();
    for (const f of findings) {
      const c = f.occurrence.reference?.canonical;
      if (!c || (f.status !== 'update' && f.status !== 'digest-changed')) continue;
      const list = uses.get(c);
      if (list) list.push(f);
      else uses.set(c, [f]);
    }
    // The first few other uses (an image used in thousands of files must not cost thousands per diagnostic).
    const related = (f: Finding): vscode.DiagnosticRelatedInformation[] =>
      (uses.get(f.occurrence.reference?.canonical ?? '') ?? [])
        .slice(0, RELATED_USES + 1)
        .filter((x) => x !== f)
        .slice(0, RELATED_USES)
        .map((x) => toRelated(x.occurrence, vscode.l10n.t('also used here: {0}', x.occurrence.text)));
    for (const f of findings) {
      const o = f.occurrence;
      if (only && !only.has(o.file)) continue;
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
            toRelated(o, vscode.l10n.t('also {0}', ref.canonical)),
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
    // Batched set() calls: each is one message to the window, and a workspace has thousands of files. VS Code sends
    // at most 1,100 diagnostics of one call (and drops the rest), so a batch stays under that.
    const entries: [vscode.Uri, vscode.Diagnostic[]][] = [];
    if (only) {
      for (const file of only) {
        this.byFile.delete(file);
        if (!byFile.has(file)) entries.push([toUri(file), []]);
      }
    } else {
      this.collection.clear();
      this.byFile.clear();
    }
    for (const [file, list] of byFile) {
      this.byFile.set(file, list);
      entries.push([toUri(file), list]);
    }
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
