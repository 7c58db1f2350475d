import * as vscode from 'vscode';
import type { Finding } from '../../core';
import type { UpdateChecker } from '../check/updateChecker';
import { editsForUpdate, fixTitle, safestFirst, type TextEdit } from './tagEdits';

export const DIAGNOSTIC_SOURCE = 'Registry Lens';

/** The documents image references live in (diagnostics, quick-fixes, hovers). */
export const IMAGE_DOCUMENTS: vscode.DocumentSelector = [
  { scheme: 'file', language: 'dockerfile' }, { scheme: 'file', language: 'dockercompose' },
  { scheme: 'file', pattern: '**/*.{yaml,yml,json,jsonc}' },
  { scheme: 'file', pattern: '**/{Dockerfile,Containerfile}*' }, { scheme: 'file', pattern: '**/*.{Dockerfile,dockerfile}' },
];

/** The finding kinds whose severity the `registryLens.severity` setting chooses. */
export type SeverityKind = 'update' | 'digestChanged' | 'registryProblem' | 'latest' | 'notPinned';

const DEFAULT_SEVERITY: Record<SeverityKind, string> = { update: 'information', digestChanged: 'warning', registryProblem: 'warning', latest: 'hint', notPinned: 'off' };
const LEVELS: Record<string, vscode.DiagnosticSeverity | undefined> = {
  error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information, hint: vscode.DiagnosticSeverity.Hint, off: undefined,
};

/** Severity per finding kind from settings (`off`: no diagnostic); unknown values fall back to the default. */
function readSeverities(): Record<SeverityKind, vscode.DiagnosticSeverity | undefined> {
  const configured = vscode.workspace.getConfiguration('registryLens').get<Record<string, unknown>>('severity', {});
  const out = {} as Record<SeverityKind, vscode.DiagnosticSeverity | undefined>;
  for (const kind of Object.keys(DEFAULT_SEVERITY) as SeverityKind[]) {
    const v = configured[kind];
    out[kind] = LEVELS[typeof v === 'string' && v in LEVELS ? v : DEFAULT_SEVERITY[kind]];
  }
  return out;
}

const toRange = (r: { start: { line: number; character: number }; end: { line: number; character: number } }): vscode.Range =>
  new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

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

  constructor(private readonly checker: UpdateChecker) {
    this.subscriptions = [
      checker.onDidChange(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('registryLens.severity')) this.refresh(); }),
      vscode.workspace.onDidChangeTextDocument((e) => this.dropStale(e.document)),
    ];
    this.refresh();
  }

  private static key(file: string, d: vscode.Diagnostic): string {
    const r = d.range;
    return `${file}|${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}|${String(typeof d.code === 'object' ? d.code.value : d.code)}`;
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
    const severity = readSeverities();
    const make = (f: Finding, kind: SeverityKind, message = f.message): vscode.Diagnostic | undefined => {
      const level = severity[kind];
      if (level === undefined) return undefined;
      const d = new vscode.Diagnostic(toRange(f.occurrence.range), message, level);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = f.code;
      return d;
    };
    for (const f of this.checker.all()) {
      const o = f.occurrence;
      const ref = o.reference;
      let d: vscode.Diagnostic | undefined;
      if (f.status === 'update') d = make(f, 'update');
      else if (f.status === 'digest-changed') d = make(f, 'digestChanged');
      else if (f.status === 'error' && ref) {
        const key = `${o.file}|${ref.registry}|${f.code}`;
        const first = errorsSeen.get(key);
        if (first) {
          first.relatedInformation = [...(first.relatedInformation ?? []), new vscode.DiagnosticRelatedInformation(
            new vscode.Location(vscode.Uri.file(o.file), toRange(o.range)), `also ${ref.canonical}`)];
          continue;
        }
        d = make(f, 'registryProblem');
        if (d) errorsSeen.set(key, d);
      } else if (ref && !ref.digest && (ref.tag === null || ref.tag === 'latest') && (f.status === 'current' || f.status === 'unpinned')) {
        d = make(f, 'latest', `${ref.canonical}: "${ref.tag ?? 'no tag'}" moves whenever the image is republished; pin a version tag or a digest for repeatable builds`);
      } else if (f.status === 'unpinned') d = make(f, 'notPinned');
      if (d) add(o.file, d, f);
    }
    this.collection.clear();
    for (const [file, list] of byFile) this.collection.set(vscode.Uri.file(file), list);
    for (const doc of vscode.workspace.textDocuments) this.dropStale(doc);
  }

  private dropStale(doc: vscode.TextDocument): void {
    const list = this.collection.get(doc.uri);
    if (!list?.length) return;
    const kept = list.filter((d) => {
      const f = this.finding(doc.uri.fsPath, d);
      return !f || doc.getText(d.range) === f.occurrence.text;
    });
    if (kept.length !== list.length) this.collection.set(doc.uri, kept);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}

/**
 * Quick-fixes for update diagnostics: one per update kind, the safest preferred. Each edits only the tag/digest
 * range (the ARG default or .env value the tag came from, when it did), and only while that range still holds what
 * the check saw: otherwise the action is shown disabled with the reason, and nothing can be changed.
 */
export class UpdateCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: ImageDiagnostics) {}

  async provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: Pick<vscode.CodeActionContext, 'diagnostics'>): Promise<vscode.CodeAction[]> {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const f = this.diagnostics.finding(doc.uri.fsPath, d);
      if (!f) continue;
      const updates = safestFirst(f.updates);
      for (const [i, u] of updates.entries()) {
        const edits = editsForUpdate(f.occurrence, u);
        const action = new vscode.CodeAction(fixTitle(f, u), vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.isPreferred = i === 0;
        if ('refused' in edits) {
          action.disabled = { reason: edits.refused };
        } else {
          const built = await buildEdit(edits);
          if ('changed' in built) action.disabled = { reason: built.changed };
          else action.edit = built;
        }
        actions.push(action);
      }
    }
    return actions;
  }
}

/** A WorkspaceEdit for the edits, or why not: a range no longer holds what the check saw (the file changed). */
export async function buildEdit(edits: TextEdit[]): Promise<vscode.WorkspaceEdit | { changed: string }> {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) {
    const uri = vscode.Uri.file(e.location.file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const range = toRange(e.location.range);
    if (doc.getText(range) !== e.expected) {
      return { changed: `${vscode.workspace.asRelativePath(uri)} changed since the last check (line ${range.start.line + 1} no longer holds "${e.expected}"): run "Check for Image Updates Now"` };
    }
    we.replace(uri, range, e.newText);
  }
  return we;
}
