import * as vscode from 'vscode';
import type { Finding, Location, Position, Range } from '../core';

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
  return (pos.line > start.line || (pos.line === start.line && pos.character >= start.character)) &&
    (pos.line < end.line || (pos.line === end.line && pos.character <= end.character));
}

/** "See also" information pointing at another occurrence. */
export function toRelated(l: Location, message: string): vscode.DiagnosticRelatedInformation {
  return new vscode.DiagnosticRelatedInformation(toLocation(l), message);
}

/** A finding as a diagnostic on its reference: our source, the finding's code. */
export function toDiagnostic(f: Finding, severity: vscode.DiagnosticSeverity, message: string = f.message): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(f.occurrence.range), message, severity);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = f.code;
  return d;
}
