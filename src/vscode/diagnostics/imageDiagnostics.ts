import * as vscode from 'vscode';
import { resolveSeverities, type Finding, type FindingCode, type SeverityLevel } from '../../core';
import type { UpdateChecker } from '../check/updateChecker';
import { affects, readSettings } from '../config';
import { Setting } from '../constants';
import { diagnosticCode, toDiagnostic, toRelated, toUri } from '../convert';

/** The documents image references live in (diagnostics, quick-fixes, hovers). */
export const IMAGE_DOCUMENTS: vscode.DocumentSelector = [
  { scheme: 'file', language: 'dockerfile' }, { scheme: 'file', language: 'dockercompose' },
  { scheme: 'file', pattern: '**/*.{yaml,yml,json,jsonc}' },
  { scheme: 'file', pattern: '**/{Dockerfile,Containerfile}*' }, { scheme: 'file', pattern: '**/*.{Dockerfile,dockerfile}' },
  { scheme: 'file', pattern: '**/Kustomization' },
];

const LEVELS: Record<SeverityLevel, vscode.DiagnosticSeverity | undefined> = {
  error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information, hint: vscode.DiagnosticSeverity.Hint, off: undefined,
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
  constructor(private readonly checker: UpdateChecker, private readonly docs: (code: FindingCode) => vscode.Uri | undefined = () => undefined) {
    this.subscriptions = [
      checker.onDidChange(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, Setting.Severity)) this.refresh(); }),
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

  private refresh(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    this.byKey.clear();
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
      if (c && (f.status === 'update' || f.status === 'digest-changed')) uses.set(c, [...(uses.get(c) ?? []), f]);
    }
    const related = (f: Finding): vscode.DiagnosticRelatedInformation[] => (uses.get(f.occurrence.reference?.canonical ?? '') ?? [])
      .filter((x) => x !== f)
      .slice(0, 20)
      .map((x) => toRelated(x.occurrence, `also used here: ${x.occurrence.text}`));
    for (const f of findings) {
      const o = f.occurrence;
      const ref = o.reference;
      let d: vscode.Diagnostic | undefined;
      if (f.status === 'update' || f.status === 'digest-changed') {
        d = make(f);
        const others = d && related(f);
        if (d && others?.length) d.relatedInformation = others;
      }
      else if (f.status === 'error' && ref) {
        const key = `${o.file}|${ref.registry}|${f.code}`;
        const first = errorsSeen.get(key);
        if (first) {
          first.relatedInformation = [...(first.relatedInformation ?? []), toRelated(o, `also ${ref.canonical}`)];
          continue;
        }
        d = make(f);
        if (d) errorsSeen.set(key, d);
      } else if (f.status === 'unpinned') {
        const rolling = ref && !ref.digest && (ref.tag === null || ref.tag === 'latest');
        d = rolling ? make(f, `${ref.canonical}: "${ref.tag ?? 'no tag'}" moves whenever the image is republished; pin a version tag or a digest for repeatable builds`) : make(f);
      }
      if (d) add(o.file, d, f);
    }
    this.collection.clear();
    this.byFile.clear();
    for (const [file, list] of byFile) {
      this.byFile.set(file, list);
      this.collection.set(toUri(file), list);
    }
    for (const doc of vscode.workspace.textDocuments) this.dropStale(doc);
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
