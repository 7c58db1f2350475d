/**
 * Docker tag versioning: what a tag *is* (a version, a date, a commit hash, `latest`, a word) and how two tags of
 * the same kind compare. Pure and allocation-light: the engine parses every tag a registry lists (thousands for
 * busy repositories), so parsing is one hand-written pass per tag, no backtracking regular expressions.
 *
 * Version grammar (after Renovate's docker versioning, engines.md §1, with the fixes listed in §7):
 *
 *   [v|V] N(.N)* [prerelease] [-BUILD] [-suffix]            suffix = compatibility line, kept verbatim
 *
 * - `prerelease`: letters glued to the numbers (`3.13.0rc1`, `1.2.3b`, `1.0a2`), a `.word` that is a prerelease
 *   word (`1.2.3.rc1`), or a `-word` part that is one (`1.2.3-rc.1`, `2.0-beta2-alpine`). `-dev` is NOT a
 *   prerelease: Chainguard and others publish `20-dev` as a variant, a compatibility line of its own.
 * - `-BUILD`: a purely numeric part right after the version (`4.0.13-24-trixie`) or a trailing `-rN` revision
 *   (`1.25.3-debian-12-r4`, the Bitnami scheme): it orders tags inside one line instead of splitting the line.
 *   Dependabot offered `4.0.13-24-trixie` -> `4-22-trixie` (dependabot-core#15530); here the build is a number.
 * - `-<commit>` as the last part of the suffix (`1.2.3-3f2a9c1`): ignored for compatibility, so CI tags such as
 *   `1.4.0-3f2a9c1` update to `1.5.0-9b8e7d6`; Renovate and Dependabot treat every such tag as its own line.
 * - `.word` that is not a prerelease word (`8.0.1.minimal`) starts the suffix, separator included: it stays
 *   (dependabot-core#10667 dropped `.minimal`).
 */

/** The update kinds of a tag change; `digest` and `pin` are the engine's (a moved tag, adding `@sha256:`). */
export type TagUpdateKind = 'major' | 'minor' | 'patch';
export type UpdateKind = TagUpdateKind | 'digest' | 'pin';
export const UPDATE_KINDS: readonly UpdateKind[] = ['major', 'minor', 'patch', 'digest', 'pin'];

export interface Prerelease {
  /** As written, without the separator: `rc1`, `beta.2`, `b`. */
  readonly text: string;
  /** alpha 1 < beta 2 < milestone 3 < pre/preview 4 < rc 5; 0 for other words (nightly, canary, ...). */
  readonly rank: number;
  readonly word: string;
  readonly numbers: readonly number[];
}

export interface VersionTag {
  readonly type: 'version';
  readonly raw: string;
  /** `v`, `V` or `''`: ignored when comparing, kept in the raw spelling. */
  readonly prefix: string;
  readonly numbers: readonly number[];
  /** Number of numeric segments: `3.12` has 2; a candidate must have the same. */
  readonly precision: number;
  readonly prerelease: Prerelease | null;
  readonly build: number | null;
  /** The compatibility line with its leading separator (`-alpine3.19`, `-slim-bookworm`, `.minimal`), or `''`. */
  readonly suffix: string;
  /** A commit hash trailing the suffix (`-3f2a9c1`), not part of the line. */
  readonly commit: string | null;
}

export interface DateTag {
  readonly type: 'date';
  readonly raw: string;
  /** A word before the date (`bookworm-20240110` -> `bookworm-`), kept as part of the line. */
  readonly lead: string;
  /** `YYYYMMDD`, `YYYY.MM.DD` or `YYYY-MM-DD`: only the same shape is comparable. */
  readonly shape: string;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** What follows the date (`-slim`), or `''`. */
  readonly suffix: string;
}

export interface OpaqueTag {
  /**
   * - `latest`: the rolling default
   * - `hash`: a commit hash (7-40 hex with a letter, optionally `sha-`/`git-` prefixed): never updated by tag
   * - `word`: `bookworm`, `stable`, `alpine3.19`, `lts-alpine`: moves, but has no order
   * - `unparsed`: anything else (`1.2.3_4`, `1.2.3-`)
   */
  readonly type: 'latest' | 'hash' | 'word' | 'unparsed';
  readonly raw: string;
}

export type ParsedTag = VersionTag | DateTag | OpaqueTag;

/** Segment values above this lose precision as numbers; such tags are `unparsed`, never compared wrongly. */
const MAX_SEGMENT_DIGITS = 15;

const PRERELEASE_RANK: Readonly<Record<string, number>> = {
  a: 1,
  alpha: 1,
  b: 2,
  beta: 2,
  m: 3,
  milestone: 3,
  pre: 4,
  preview: 4,
  c: 5,
  rc: 5,
  cr: 5,
  dev: 0,
  snapshot: 0,
  nightly: 0,
  canary: 0,
  unstable: 0,
  next: 0,
  ea: 0,
  insiders: 0,
};
/** Words that mark a prerelease when they stand as their own `-word` or `.word` part (letters glued to the numbers always do). */
const PRERELEASE_PART_WORDS = new Set([
  'alpha',
  'beta',
  'rc',
  'pre',
  'preview',
  'milestone',
  'snapshot',
  'nightly',
  'canary',
  'unstable',
  'ea',
]);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isLowerHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102);

/** 7-40 lower-case hex characters with at least one letter and, when `needDigit`, at least one digit. */
function isHashLike(s: string, needDigit: boolean): boolean {
  if (s.length < 7 || s.length > 40) return false;
  let letter = false;
  let digit = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isLowerHex(c)) return false;
    if (isDigit(c)) digit = true;
    else letter = true;
  }
  return letter && (digit || !needDigit);
}

/** Classifies one tag. Never throws; anything unexpected is `unparsed`. */
export function parseTag(raw: string): ParsedTag {
  if (raw === 'latest') return { type: 'latest', raw };
  if (raw.length === 0 || raw.length > 128) return { type: 'unparsed', raw };
  const c0 = raw.charCodeAt(0);
  if (isHashLike(raw, false)) return { type: 'hash', raw };
  if ((raw.startsWith('sha-') || raw.startsWith('git-')) && /^[0-9a-f]{7,40}$/.test(raw.slice(4)))
    return { type: 'hash', raw };
  const date = parseDate(raw);
  if (date) return date;
  if (isDigit(c0) || ((c0 === 118 || c0 === 86) && raw.length > 1 && isDigit(raw.charCodeAt(1)))) {
    return parseVersion(raw) ?? { type: 'unparsed', raw };
  }
  if (isLetter(c0)) return { type: 'word', raw };
  return { type: 'unparsed', raw };
}

// `lead-` is a word that starts with a letter (`bookworm-`, `nightly-`); the date is 8 digits or dotted/dashed.
const DATE_RE = /^((?:[a-zA-Z][a-zA-Z0-9]*-)?)((?:19|20)\d\d)([.-]?)(\d\d)\3(\d\d)((?:-[a-zA-Z0-9][\w.-]*)?)$/;

function parseDate(raw: string): DateTag | null {
  if (raw.length < 8) return null;
  // Cheap pre-check before the regex: four digits at the start, or right after the first `-` of a word.
  let at = 0;
  if (!isDigit(raw.charCodeAt(0))) {
    at = raw.indexOf('-') + 1;
    if (at === 0) return null;
  }
  for (let k = at; k < at + 4; k++) if (!isDigit(raw.charCodeAt(k))) return null;
  const m = DATE_RE.exec(raw);
  if (!m) return null;
  const [, lead = '', y = '', sep = '', mo = '', d = '', suffix = ''] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const shape = sep === '' ? 'YYYYMMDD' : `YYYY${sep}MM${sep}DD`;
  return { type: 'date', raw, lead, shape, year, month, day, suffix };
}

function parseVersion(raw: string): VersionTag | null {
  const n = raw.length;
  let i = 0;
  let prefix = '';
  if (raw[0] === 'v' || raw[0] === 'V') {
    prefix = raw[0];
    i = 1;
  }
  const numbers: number[] = [];
  for (;;) {
    const start = i;
    while (i < n && isDigit(raw.charCodeAt(i))) i++;
    if (i === start || i - start > MAX_SEGMENT_DIGITS) return null;
    numbers.push(Number(raw.slice(start, i)));
    if (i < n && raw[i] === '.' && i + 1 < n && isDigit(raw.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    break;
  }

  let prerelease: Prerelease | null = null;
  let build: number | null = null;
  let suffix = '';
  let commit: string | null = null;

  // Letters glued to the numbers: always a prerelease (`3.13.0rc1`, `1.2.3b`, `1.0a2`, `1.0.0-rc.1` is below).
  if (i < n && isLetter(raw.charCodeAt(i))) {
    const end = partEnd(raw, i);
    prerelease = parsePrerelease(raw.slice(i, end), true);
    if (!prerelease) return null;
    i = end;
  } else if (i < n && (raw[i] === '.' || raw[i] === '_') && i + 1 < n && isLetter(raw.charCodeAt(i + 1))) {
    const end = partEnd(raw, i + 1);
    const pre = raw[i] === '.' ? parsePrerelease(raw.slice(i + 1, end), false) : null;
    if (pre) {
      prerelease = pre;
      i = end;
    } else {
      // `.minimal`, `_jdk`: the rest is the line, separator included.
      suffix = raw.slice(i);
      i = n;
    }
  }

  if (i < n && raw[i] === '-') {
    // `-rc.1`, `-beta2`: a prerelease part (only when none is glued on).
    let end = partEnd(raw, i + 1);
    if (!prerelease) {
      const pre = parsePrerelease(raw.slice(i + 1, end), false);
      if (pre) {
        prerelease = pre;
        i = end;
        end = i < n ? partEnd(raw, i + 1) : i;
      }
    }
    // `-24`: a build number right after the version.
    if (i < n && raw[i] === '-' && end > i + 1 && allDigits(raw, i + 1, end)) {
      if (end - i - 1 > MAX_SEGMENT_DIGITS) return null;
      build = Number(raw.slice(i + 1, end));
      i = end;
    }
    if (i < n) {
      if (raw[i] !== '-') return null;
      suffix = raw.slice(i);
      i = n;
    }
  }
  if (i < n) return null;

  if (suffix !== '') {
    if (suffix.length === 1 || suffix.endsWith('-') || suffix.endsWith('.') || suffix.includes('--')) return null;
    const lastDash = suffix.lastIndexOf('-');
    if (lastDash >= 0) {
      const last = suffix.slice(lastDash + 1);
      if (isHashLike(last, true)) {
        commit = last;
        suffix = suffix.slice(0, lastDash);
      } else if (build === null && last[0] === 'r' && /^r\d{1,9}$/.test(last)) {
        build = Number(last.slice(1));
        suffix = suffix.slice(0, lastDash);
      }
    }
  }
  return { type: 'version', raw, prefix, numbers, precision: numbers.length, prerelease, build, suffix, commit };
}

function partEnd(s: string, from: number): number {
  const j = s.indexOf('-', from);
  return j < 0 ? s.length : j;
}

function allDigits(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isDigit(s.charCodeAt(k))) return false;
  return true;
}

/**
 * `rc1`, `beta.2`, `b`, `alpha-`: a word then optional numbers. `glued` (letters right after the version) accepts
 * any word; a separate `-word`/`.word` part only a known prerelease word, so `-alpine`, `-dev`, `.minimal` stay lines.
 */
function parsePrerelease(text: string, glued: boolean): Prerelease | null {
  if (!glued) {
    // Most `-word` parts are lines (`-alpine3.19`, `-slim`): rule them out before the regex.
    let k = 0;
    while (k < text.length && isLetter(text.charCodeAt(k))) k++;
    if (!PRERELEASE_PART_WORDS.has(text.slice(0, k).toLowerCase())) return null;
  }
  const m = /^([a-zA-Z]+)((?:\.?\d+)*)$/.exec(text);
  if (!m) return null;
  const word = (m[1] ?? '').toLowerCase();
  if (!glued && !PRERELEASE_PART_WORDS.has(word)) return null;
  const digits = m[2] ?? '';
  const numbers =
    digits === ''
      ? []
      : digits
          .split('.')
          .filter((x) => x !== '')
          .map(Number);
  if (numbers.some((x) => !Number.isSafeInteger(x))) return null;
  return { text, word, rank: PRERELEASE_RANK[word] ?? 0, numbers };
}

/** Whether a parsed tag takes part in tag updates (versions and dates do; the opaque kinds get digest checks only). */
export function isOrderedTag(t: ParsedTag): t is VersionTag | DateTag {
  return t.type === 'version' || t.type === 'date';
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  const len = Math.max(a.length, b.length);
  for (let k = 0; k < len; k++) {
    const x = a[k] ?? -1;
    const y = b[k] ?? -1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function comparePrerelease(a: Prerelease | null, b: Prerelease | null): number {
  if (a === b) return 0;
  if (a === null) return 1; // a release is above its prereleases
  if (b === null) return -1;
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  if (a.word !== b.word) return a.word < b.word ? -1 : 1;
  return compareNumbers(a.numbers, b.numbers);
}

/**
 * Orders two versions numerically (`1.10.0` > `1.9.0`), then prerelease (a release above its prereleases), then
 * build. Ignores prefix, suffix and commit: call it on tags of one compatibility line ({@link lineKey}).
 */
export function compareVersions(a: VersionTag, b: VersionTag): number {
  return (
    compareNumbers(a.numbers, b.numbers) ||
    comparePrerelease(a.prerelease, b.prerelease) ||
    (a.build ?? -1) - (b.build ?? -1)
  );
}

export function compareDates(a: DateTag, b: DateTag): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/**
 * Tags with the same key may replace each other: the same suffix (line), precision, build and commit presence for
 * versions; the same lead, shape and suffix for dates. The `v` prefix and prereleases are not part of the line.
 */
export function lineKey(t: VersionTag | DateTag): string {
  if (t.type === 'date') return `d|${t.lead}|${t.shape}|${t.suffix}`;
  return `v|${t.precision}|${t.build === null ? '' : 'b'}|${t.commit === null ? '' : 'h'}|${t.suffix}`;
}

/** `major` if the first number differs, `minor` if the second does, else `patch` (dates: year, month, day). */
export function updateKind(from: VersionTag | DateTag, to: VersionTag | DateTag): TagUpdateKind {
  if (from.type === 'date' || to.type === 'date') {
    if (from.type !== 'date' || to.type !== 'date') return 'major';
    return from.year !== to.year ? 'major' : from.month !== to.month ? 'minor' : 'patch';
  }
  if (from.numbers[0] !== to.numbers[0]) return 'major';
  if (from.precision >= 2 && from.numbers[1] !== to.numbers[1]) return 'minor';
  return 'patch';
}
