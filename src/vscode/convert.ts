import * as vscode from 'vscode';
import { FINDING_CODES, type Finding, type FindingCode, type Location, type Position, type Range } from '../core';

/**
 * Core data -> `vscode` objects, in one place: the core's ranges are plain zero-based data (end exclusive, UTF-16
 * characters, as VS Code counts), and this is the only module that builds a `vscode.Range`, `Location` or
 * `Diagnostic` from them.
 */

/** `source` of every diagnostic this extension sets. */
export const DIAGNOSTIC_SOURCE = 'Registry Lens';

export function toPosition(p: Position): vscode.Position {
  return new vscode.Position(p.line, p.character);
}

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** An empty range at the start of `r` (where a cursor goes). */
export function toStart(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.start.line, r.start.character);
}

export function toUri(file: string): vscode.Uri {
  return vscode.Uri.file(file);
}

export function toLocation(l: Location): vscode.Location {
  return new vscode.Location(toUri(l.file), toRange(l.range));
}

/** True when `pos` lies in `r`, both ends included (a hover at the reference's last character counts). */
export function rangeContains(r: Range, pos: vscode.Position): boolean {
  const { start, end } = r;
  return (
    (pos.line > start.line || (pos.line === start.line && pos.character >= start.character)) &&
    (pos.line < end.line || (pos.line === end.line && pos.character <= end.character))
  );
}

/** "See also" information pointing at another occurrence (`uri`: the file's, when the caller shares one per file). */
export function toRelated(
  l: Location,
  message: string,
  uri: vscode.Uri = toUri(l.file),
): vscode.DiagnosticRelatedInformation {
  return new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(l.range)), message);
}

/**
 * Where a finding code is documented: its heading in docs/findings.md. The package names no public repository, so
 * the link points at the copy shipped inside the extension (the VSIX includes docs/findings.md).
 */
export function findingDocsUri(extensionUri: vscode.Uri, code: FindingCode): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'docs', 'findings.md').with({ fragment: FINDING_CODES[code].anchor });
}

/** The finding code of one of our diagnostics (a string, or `{ value, target }` when it links to the docs). */
export function diagnosticCode(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  return c === undefined ? undefined : typeof c === 'object' ? String(c.value) : String(c);
}

/** A finding as a diagnostic on its reference: our source, the finding's code (linked to its docs when given). */
export function toDiagnostic(
  f: Finding,
  severity: vscode.DiagnosticSeverity,
  message: string = f.message,
  docs?: vscode.Uri,
): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(f.occurrence.range), message, severity);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = docs ? { value: f.code, target: docs } : f.code;
  return d;
}
