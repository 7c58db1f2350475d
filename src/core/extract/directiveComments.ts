// Where the `registry-lens:` comments that apply to an image reference are written. The extractors attach them to
// each occurrence (`Occurrence.directives`) while they hold the file's text, so nothing later reads files again;
// `../versioning/inline.ts` parses them into a policy.
import type { DirectiveComment, OccurrenceSource } from './types';

export type CommentStyle = 'hash' | 'slash';

/** `#` for Dockerfiles and compose files, `//` for devcontainer.json (JSON with comments). */
export function commentStyleFor(source: OccurrenceSource): CommentStyle {
  return source === 'devcontainer' ? 'slash' : 'hash';
}

const MARKER = /registry-lens:/i;

/** True when `text` holds a `registry-lens:` marker anywhere (case-insensitive): the cheap test before any search. */
export function mentionsDirective(text: string): boolean {
  return MARKER.test(text);
}

/**
 * The `registry-lens:` comments for a reference on `line` (zero-based) of a file split into `lines`: the whole-line
 * comments directly above it (a run of them, farthest first: a `registry-lens:` one need not be the last), then an
 * end-of-line comment on the line itself. `character` is where each comment starts; `text` runs to the end of its
 * line. `kind` is the comment style or the occurrence's source; for `dockerfile`, a reference on a continuation
 * line (`FROM --platform=$P \` then `  node:20`) looks above the instruction's first line, where a comment can be.
 */
export function directiveCommentsAt(
  lines: readonly string[],
  line: number,
  kind: CommentStyle | OccurrenceSource,
): { line: number; character: number; text: string }[] {
  const style: CommentStyle = kind === 'hash' || kind === 'slash' ? kind : commentStyleFor(kind);
  const lead = style === 'hash' ? '#' : '//';
  let first = line;
  if (kind === 'dockerfile') while (first > 0 && /[\\`]\s*$/.test(lines[first - 1] ?? '')) first--;
  const above: { line: number; character: number; text: string }[] = [];
  for (let l = first - 1; l >= 0; l--) {
    const text = lines[l] ?? '';
    const trimmed = text.trimStart();
    if (!trimmed.startsWith(lead) && !(style === 'slash' && trimmed.startsWith('/*'))) break;
    if (mentionsDirective(trimmed)) above.push({ line: l, character: text.length - trimmed.length, text: trimmed });
  }
  const found = above.reverse();
  const own = lines[line];
  if (own !== undefined) {
    const at = trailingComment(own, style);
    if (at >= 0 && mentionsDirective(own.slice(at))) found.push({ line, character: at, text: own.slice(at) });
  }
  return found;
}

/**
 * Start of an end-of-line comment on a line that mentions `registry-lens:`: a `#` (YAML: at the start or after
 * whitespace, outside quotes) or `//` (JSONC: outside strings), or -1.
 */
function trailingComment(text: string, style: CommentStyle): number {
  if (!mentionsDirective(text)) return -1;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || (c === "'" && style === 'hash')) {
      // YAML quotes only open a scalar at its start; a `'` inside a plain scalar (`it's`) is a letter.
      if (style === 'slash' || i === 0 || /[\s:[{,-]/.test(text[i - 1] ?? '')) quote = c;
      continue;
    }
    if (style === 'hash' && c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) return i;
    if (style === 'slash' && c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return i;
  }
  return -1;
}

type LineLocation = { readonly file: string; readonly range: { readonly start: { readonly line: number } } };

/** Just what {@link occurrenceDirectiveComments} reads of an occurrence. */
export interface DirectiveSite extends LineLocation {
  readonly source: OccurrenceSource;
  readonly tagLocation: LineLocation | null;
  readonly tagSegments?: readonly { readonly location: LineLocation | null }[] | null;
}

/**
 * Every `registry-lens:` comment for an occurrence, in the order they apply (later ones win field by field): those
 * at the lines its tag came from (`# registry-lens: allow=patch` above `ARG NODE_VERSION=20.11`, or in the `.env`
 * the compose tag came from), then those at the reference itself. `linesOf(file)` gives a file's lines; undefined
 * skips that file. Another file than the occurrence's is an `.env` (or a compose file holding the default): `#`.
 */
export function occurrenceDirectiveComments(
  occ: DirectiveSite,
  linesOf: (file: string) => readonly string[] | undefined,
): DirectiveComment[] {
  const sites: LineLocation[] = [];
  const seen = new Set([`${occ.file}\n${occ.range.start.line}`]);
  for (const loc of [occ.tagLocation, ...(occ.tagSegments ?? []).map((s) => s.location)]) {
    const key = loc && `${loc.file}\n${loc.range.start.line}`;
    if (loc && key && !seen.has(key)) {
      seen.add(key);
      sites.push(loc);
    }
  }
  sites.push(occ);
  const out: DirectiveComment[] = [];
  for (const site of sites) {
    const lines = linesOf(site.file);
    if (!lines) continue;
    for (const c of directiveCommentsAt(lines, site.range.start.line, site.file === occ.file ? occ.source : 'hash'))
      out.push({ file: site.file, ...c });
  }
  return out;
}
