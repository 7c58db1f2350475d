/**
 * Inline policy comments, read from the source next to an image reference:
 *
 *   # registry-lens: ignore                       (Dockerfile, compose: the line before, or the end of the line)
 *   image: node:20  # registry-lens: allow=patch,minor
 *   // registry-lens: pin=yes                     (devcontainer.json)
 *
 * Directives: `ignore`, `allow=<kinds>` (comma-separated: major, minor, patch, digest, pin), `include=<regex>`,
 * `exclude=<regex>`, `pin=yes|no`; several on one comment separated by spaces. Anything else is reported as a
 * problem with its position (never silently ignored), and the directives that did parse still apply.
 *
 * Note: a Dockerfile has no end-of-line comments (`FROM node:20 # x` passes `#` and `x` to FROM), so there the
 * line before is the place; the end-of-line form is still read so a misplaced directive is not lost.
 */
import {
  commentStyleFor,
  directiveCommentsAt,
  occurrenceDirectiveComments,
  type CommentStyle,
  type DirectiveSite,
} from '../extract/directiveComments';
import type { DirectiveComment, OccurrenceSource } from '../extract/types';
import { compileTagRegex, isPolicyError, parseUpdateKinds, type PolicySettings } from './policy';

export { commentStyleFor, type CommentStyle, type DirectiveSite };

export interface DirectiveProblem {
  /** Zero-based line and character (UTF-16) of the offending word, for a diagnostic. */
  readonly line: number;
  readonly character: number;
  readonly length: number;
  readonly message: string;
  /** Set by {@link findOccurrenceDirective}: the file the problem is in (the tag may come from an `.env`). */
  readonly file?: string;
}

export interface InlineDirective extends PolicySettings {
  /** The text after `registry-lens:`, trimmed, as written. */
  readonly text: string;
}

export interface ParsedDirective {
  readonly directive: InlineDirective;
  /** Problems with `character` relative to the start of the parsed text (and `line` 0). */
  readonly problems: DirectiveProblem[];
}

const MARKER = 'registry-lens:';
const KNOWN = 'ignore, allow=<kinds>, include=<regex>, exclude=<regex>, pin=yes|no';

/**
 * Parses the text of one comment (with or without its `#`/`//` marker). Returns null when the comment is not a
 * `registry-lens:` comment at all; otherwise the directive and any problems.
 */
export function parseDirectiveComment(comment: string): ParsedDirective | null {
  const at = findMarker(comment);
  if (at < 0) return null;
  const bodyStart = at + MARKER.length;
  // A block comment's close (`/* registry-lens: ignore */`) is not a directive.
  const close = comment.indexOf('*/', bodyStart);
  const body = comment.slice(bodyStart, close < 0 ? undefined : close);
  const directive: { -readonly [K in keyof InlineDirective]: InlineDirective[K] } = { text: body.trim() };
  const problems: DirectiveProblem[] = [];
  const where = 'inline directive';
  const word = /\S+/g;
  let m: RegExpExecArray | null;
  let any = false;
  while ((m = word.exec(body)) !== null) {
    any = true;
    const token = m[0];
    const character = bodyStart + m.index;
    const fail = (message: string) => problems.push({ line: 0, character, length: token.length, message });
    const eq = token.indexOf('=');
    const key = (eq < 0 ? token : token.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? null : token.slice(eq + 1);
    try {
      if (key === 'ignore' && value === null) directive.ignore = true;
      else if (key === 'allow' && value !== null) directive.allow = parseUpdateKinds(value, where);
      else if ((key === 'include' || key === 'exclude') && value !== null)
        directive[key] = compileTagRegex(value, where, key);
      else if ((key === 'pin' || key === 'pin-digests') && value !== null) {
        const v = value.toLowerCase();
        if (v === 'yes' || v === 'true') directive.pinDigests = true;
        else if (v === 'no' || v === 'false') directive.pinDigests = false;
        else fail(`registry-lens: pin must be yes or no, not ${JSON.stringify(value)}`);
      } else if (['ignore', 'allow', 'include', 'exclude', 'pin', 'pin-digests'].includes(key)) {
        fail(
          key === 'ignore'
            ? 'registry-lens: ignore takes no value'
            : `registry-lens: ${key} needs a value (${key}=...)`,
        );
      } else {
        fail(`unknown registry-lens directive ${JSON.stringify(token)} (known: ${KNOWN})`);
      }
    } catch (e) {
      if (!isPolicyError(e)) throw e;
      fail(`registry-lens: ${e.message.replace(/^inline directive: /, '')}`);
    }
  }
  if (!any)
    problems.push({
      line: 0,
      character: bodyStart,
      length: 0,
      message: `empty registry-lens directive (known: ${KNOWN})`,
    });
  return { directive, problems };
}

/** Case-insensitive position of `registry-lens:`, or -1. */
function findMarker(s: string): number {
  return s.toLowerCase().indexOf(MARKER);
}

export interface FoundDirective extends ParsedDirective {
  /** The zero-based lines the directive was read from (the comment lines above, then the reference's own line). */
  readonly lines: readonly number[];
}

/**
 * Finds the directive that applies to a reference on `line` (zero-based) of a file split into `lines`: whole-line
 * comments directly above it (a run of them: `# registry-lens:` need not be the last), then an end-of-line comment
 * on the line itself. When both exist they merge, the end-of-line one winning field by field. Returns null when
 * there is none. Problem positions are absolute (line and character in the file).
 *
 * `kind` is the comment style or the occurrence's source. For `dockerfile`, a reference on a continuation line
 * (`FROM --platform=$P \` then `  node:20`) looks above the instruction's first line, where a comment can be.
 */
export function findInlineDirective(
  lines: readonly string[],
  line: number,
  kind: CommentStyle | OccurrenceSource,
): FoundDirective | null {
  return mergeDirectiveComments(directiveCommentsAt(lines, line, kind));
}

/**
 * The directive of the comments an extractor attached to an occurrence (`Occurrence.directives`): merged in their
 * order, later ones winning field by field; problems name their file. Null when there are none.
 */
export function occurrenceDirective(occ: { readonly directives: readonly DirectiveComment[] }): FoundDirective | null {
  return mergeDirectiveComments(occ.directives);
}

/**
 * The directive for an occurrence read from files' lines: the one at the reference, merged over those at the lines
 * its tag came from (`# registry-lens: allow=patch` above `ARG NODE_VERSION=20.11`, or in the `.env` file the
 * compose tag came from): the reference's own directive wins field by field. `readLines(file)` gives a file's lines;
 * undefined skips that file. Extracted occurrences carry these comments already: see {@link occurrenceDirective}.
 */
export function findOccurrenceDirective(
  occ: DirectiveSite,
  readLines: (file: string) => readonly string[] | undefined,
): FoundDirective | null {
  return mergeDirectiveComments(occurrenceDirectiveComments(occ, readLines));
}

/** Parses comments in order and merges them, later ones winning field by field; null for none. */
function mergeDirectiveComments(
  comments: readonly { line: number; character: number; text: string; file?: string }[],
): FoundDirective | null {
  if (comments.length === 0) return null;
  const merged: { -readonly [K in keyof InlineDirective]: InlineDirective[K] } = { text: '' };
  const problems: DirectiveProblem[] = [];
  const lines: number[] = [];
  for (const c of comments) {
    const parsed = parseDirectiveComment(c.text);
    if (!parsed) continue;
    const { text, ...settings } = parsed.directive;
    merged.text = merged.text ? `${merged.text} ${text}` : text;
    for (const [k, v] of Object.entries(settings)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    for (const p of parsed.problems)
      problems.push({
        ...p,
        line: c.line,
        character: c.character + p.character,
        ...(c.file !== undefined ? { file: c.file } : {}),
      });
    lines.push(c.line);
  }
  return lines.length === 0 ? null : { directive: merged, problems, lines };
}
