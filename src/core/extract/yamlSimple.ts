// Over 400 lines: one single-pass reader (a line loop and its state), checked against the yaml library.
import { recentResults } from '../util';
import type { YamlDocument, YamlMap, YamlNode, YamlScalar, YamlSeq, YamlSlot } from './yamlNodes';

/**
 * A fast reader for the YAML most compose files are written in: one document of block mappings and block
 * sequences (a sequence may sit at its key's indentation; a `- ` item may open a compact mapping), one-line plain
 * and quoted scalars, one-line flow sequences of scalars and aliases, one-line flow mappings of them (`{}`,
 * `{cpu: 500m, memory: 256Mi}`: Kubernetes and Helm files are full of them), anchors on values, aliases, `#` comments,
 * an optional leading `---`. It builds the same `YamlNode` tree the `yaml` library's document converts to, with
 * the same offsets and core-schema values, several times faster (no token stream, no CST, no Document).
 *
 * Anything else declines (returns null) and is read by the library, errors and all: tabs, control characters,
 * more documents, directives, tags, block scalars, flow mappings, multi-line or escaped quoted scalars, multi-line
 * plain scalars, anchors or aliases as keys, keys outside a conservative character set, and every construct the
 * library reports an error for. `test/unit/yamlSimple.test.ts` compares both readers on generated files.
 */
export function readSimpleYaml(text: string): YamlDocument[] | null {
  if (UNSUPPORTED_TEXT.test(text)) return null;
  try {
    return [{ root: new SimpleYamlReader(text).read(), errors: [] }];
  } catch (err) {
    // Nesting deep enough to exhaust the stack is left to the library too.
    if (err === DECLINED || err instanceof RangeError) return null;
    throw err;
  }
}

/** Characters the reader leaves to the library: tabs (indentation errors), control characters, a BOM, a lone `\r`. */
// eslint-disable-next-line no-control-regex
const UNSUPPORTED_TEXT = /[\t\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufeff\u2028\u2029]|\r(?!\n)/;

/** Thrown (one instance, no stack needed) when the text leaves the subset. */
const DECLINED = new Error('not simple YAML');
function decline(): never {
  throw DECLINED;
}

/** Characters that cannot start a plain scalar here (YAML indicators, plus `-`, `?`, `:` to keep the rules short). */
const NOT_PLAIN_START = new Set([
  '-',
  '?',
  ':',
  ',',
  '[',
  ']',
  '{',
  '}',
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
]);
/** Plain keys: letters, digits and `_ . - / <` (so `<<`), not starting with `-` or `/`. */
const PLAIN_KEY = /^[A-Za-z0-9_.<][A-Za-z0-9_.\-/<]*$/;

class SimpleYamlReader {
  /** Per line: offset of its first character, of its first non-blank (its end when blank), and of its end (before `\r\n`/`\n`). */
  private readonly starts: number[] = [];
  private readonly firsts: number[] = [];
  private readonly ends: number[] = [];
  /** The line being read. */
  private line = 0;
  /** Anchors so far, registered when their node opens (before its children), as `Alias.resolve` finds them. */
  private readonly anchors = new Map<string, YamlNode>();

  constructor(private readonly text: string) {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      const next = end < 0 ? text.length : end + 1;
      if (end < 0) end = text.length;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      let first = start;
      while (first < end && text.charCodeAt(first) === 32) first++;
      this.starts.push(start);
      this.firsts.push(first);
      this.ends.push(end);
      start = next;
    }
  }

  read(): YamlMap {
    let l = this.skipEmpty(0);
    const first = this.firsts[l];
    if (
      first !== undefined &&
      first === this.starts[l] &&
      this.text.startsWith('---', first) &&
      this.isRest(first + 3, l)
    )
      l = this.skipEmpty(l + 1);
    const at = this.firsts[l];
    if (at === undefined || at !== this.starts[l]) decline(); // no content, or a root that is not at column 0
    this.line = l;
    const root = this.mapping(at, 0, undefined);
    if (this.line < this.starts.length) decline();
    return root;
  }

  /** The first line from `l` with content (not blank, not only a comment); the line count when none. */
  private skipEmpty(l: number): number {
    const n = this.starts.length;
    for (; l < n; l++) {
      const first = this.firsts[l] ?? 0;
      if (first < (this.ends[l] ?? 0) && this.text[first] !== '#') break;
    }
    return l;
  }

  private indent(l: number): number {
    return (this.firsts[l] ?? 0) - (this.starts[l] ?? 0);
  }

  private end(): number {
    return this.ends[this.line] ?? this.text.length;
  }

  /** Whether only blanks and a comment follow `at` on line `l`. */
  private isRest(at: number, l: number = this.line): boolean {
    const end = this.ends[l] ?? this.text.length;
    let p = at;
    while (p < end && this.text[p] === ' ') p++;
    return p === end || (this.text[p] === '#' && p > at);
  }

  /** After a value that ends its line: the rest must be blank or a comment; moves to the next line with content. */
  private finishLine(at: number): void {
    if (!this.isRest(at)) decline();
    this.line = this.skipEmpty(this.line + 1);
  }

  private isDash(at: number): boolean {
    return this.text[at] === '-' && (at + 1 === this.end() || this.text[at + 1] === ' ');
  }

  /** A block mapping whose first key is at `at` (column `col`) on the current line. */
  private mapping(at: number, col: number, anchor: string | undefined): YamlMap {
    const map: YamlMap = { kind: 'map', start: at, pairs: [] };
    if (anchor !== undefined) this.anchors.set(anchor, map);
    for (;;) {
      const key = this.key(at) ?? decline();
      const value = this.value(key.valueAt, col, false);
      if (key.text !== null) map.pairs.push({ key: key.text, merge: key.plain && key.text === '<<', value });
      if (this.line >= this.starts.length) return map;
      const indent = this.indent(this.line);
      if (indent < col) return map;
      if (indent > col) decline();
      at = this.firsts[this.line] ?? 0;
    }
  }

  /** A block sequence whose first `-` is at `at` (column `col`); `underKey`: it sits at its key's column. */
  private sequence(at: number, col: number, anchor: string | undefined, underKey: boolean): YamlSeq {
    const seq: YamlSeq = { kind: 'seq', start: at, items: [] };
    if (anchor !== undefined) this.anchors.set(anchor, seq);
    for (;;) {
      seq.items.push(this.value(at + 1, col, true));
      if (this.line >= this.starts.length) return seq;
      const indent = this.indent(this.line);
      if (indent < col) return seq;
      if (indent > col) decline();
      at = this.firsts[this.line] ?? 0;
      if (!this.isDash(at)) return underKey ? seq : decline();
    }
  }

  /**
   * A key at `at`: plain (core-schema value as text; null for a null key, whose pair is dropped) or quoted,
   * then `:` and a blank or the line's end. Undefined when the text there is not such a key.
   */
  private key(at: number): { text: string | null; plain: boolean; valueAt: number } | undefined {
    const text = this.text;
    const end = this.end();
    const c = text[at];
    if (c === '"' || c === "'") {
      const q = this.quotedEnd(at);
      if (q === undefined) return undefined;
      let p = q;
      while (p < end && text[p] === ' ') p++;
      if (text[p] !== ':' || (p + 1 < end && text[p + 1] !== ' ')) return undefined;
      return { text: text.slice(at + 1, q - 1), plain: false, valueAt: p + 1 };
    }
    // The first `:` followed by a blank or the line's end.
    let p = text.indexOf(':', at);
    while (p >= 0 && p < end && p + 1 !== end && text.charCodeAt(p + 1) !== 32) p = text.indexOf(':', p + 1);
    if (p < 0 || p > end) p = end;
    // The library limits implicit keys to 1024 characters.
    if (p === end || p - at > 1000) return undefined;
    const keyText = plainKey(text.slice(at, p));
    if (keyText === false) return undefined;
    return { text: keyText, plain: true, valueAt: p + 1 };
  }

  /**
   * The value after a key's `:` or an item's `-` (at `at`, on the current line): on this line, or on the next
   * lines when only an anchor, a comment or nothing follows. `col` is the owner's column; `inSeq`: a sequence
   * item, where a compact mapping may start. Leaves `this.line` on the next line with content.
   */
  private value(at: number, col: number, inSeq: boolean): YamlSlot {
    const text = this.text;
    const end = this.end();
    let p = at;
    while (p < end && text[p] === ' ') p++;
    let anchor: string | undefined;
    if (text[p] === '&') {
      const nameEnd = this.nameEnd(p + 1, end);
      anchor = text.slice(p + 1, nameEnd);
      p = nameEnd;
      while (p < end && text[p] === ' ') p++;
    }
    if (p === end || text[p] === '#') return this.nested(p, col, inSeq, anchor);
    const c = text[p] ?? '';
    if (c === '*') {
      if (anchor !== undefined) decline();
      const nameEnd = this.nameEnd(p + 1, end);
      const target = this.anchors.get(text.slice(p + 1, nameEnd)) ?? decline(); // an alias naming no anchor: the library reports it
      this.finishLine(nameEnd);
      return target;
    }
    if (inSeq && this.key(p)) {
      if (anchor !== undefined) decline(); // which node the anchor names is not worth the rules
      return this.mapping(p, p - (this.starts[this.line] ?? 0), undefined);
    }
    let node: YamlNode;
    let after: number;
    if (c === '[') [node, after] = this.flowSequence(p, end, anchor);
    else if (c === '{') [node, after] = this.flowMapping(p, end, anchor);
    else {
      if (c === '"' || c === "'") {
        after = this.quotedEnd(p) ?? decline();
        node = {
          kind: 'scalar',
          value: text.slice(p + 1, after - 1),
          style: c === '"' ? 'double' : 'single',
          start: p,
          end: after,
        };
      } else {
        if (NOT_PLAIN_START.has(c)) decline();
        after = this.plainEnd(p, end, false);
        node = { kind: 'scalar', value: plainValue(text.slice(p, after)), style: 'plain', start: p, end: after };
      }
      if (anchor !== undefined) this.anchors.set(anchor, node);
    }
    this.finishLine(after);
    return node;
  }

  /** A value written on the lines below (more indented, or a sequence at a key's column), else an empty scalar at `at`. */
  private nested(at: number, col: number, inSeq: boolean, anchor: string | undefined): YamlSlot {
    const l = this.skipEmpty(this.line + 1);
    if (l < this.starts.length) {
      const first = this.firsts[l] ?? 0;
      const indent = this.indent(l);
      if (indent > col) {
        this.line = l;
        if (this.isDash(first)) return this.sequence(first, indent, anchor, false);
        if (this.key(first)) return this.mapping(first, indent, anchor);
        decline(); // a scalar on the next line, or worse
      }
      this.line = l;
      if (indent === col && !inSeq && this.isDash(first)) return this.sequence(first, col, anchor, true);
    } else {
      this.line = l;
    }
    const empty: YamlScalar = { kind: 'scalar', value: null, style: 'plain', start: at, end: at };
    if (anchor !== undefined) this.anchors.set(anchor, empty);
    return empty;
  }

  /** `[a, "b", *c]` on one line: scalars and aliases only. Returns the sequence and the offset after `]`. */
  private flowSequence(at: number, end: number, anchor: string | undefined): [YamlSeq, number] {
    const text = this.text;
    const seq: YamlSeq = { kind: 'seq', start: at, items: [] };
    if (anchor !== undefined) this.anchors.set(anchor, seq);
    const blanks = (p: number) => {
      while (p < end && text[p] === ' ') p++;
      return p;
    };
    let p = blanks(at + 1);
    if (text[p] === ']') return [seq, p + 1];
    for (;;) {
      const c = text[p] ?? '';
      if (c === '*') {
        const nameEnd = this.nameEnd(p + 1, end, true);
        seq.items.push(this.anchors.get(text.slice(p + 1, nameEnd)) ?? decline());
        p = nameEnd;
      } else if (c === '"' || c === "'") {
        const q = this.quotedEnd(p) ?? decline();
        seq.items.push({
          kind: 'scalar',
          value: text.slice(p + 1, q - 1),
          style: c === '"' ? 'double' : 'single',
          start: p,
          end: q,
        });
        p = q;
      } else {
        if (c === '' || NOT_PLAIN_START.has(c)) decline();
        const q = this.plainEnd(p, end, true);
        seq.items.push({ kind: 'scalar', value: plainValue(text.slice(p, q)), style: 'plain', start: p, end: q });
        p = q;
      }
      p = blanks(p);
      if (text[p] === ']') return [seq, p + 1];
      if (text[p] !== ',') decline();
      p = blanks(p + 1);
      if (text[p] === ']') decline(); // a trailing comma: left to the library
    }
  }

  /**
   * `{k: v, "k2": 'v2', k3: *a}` on one line: plain or quoted keys followed by `: `, scalar or alias values. Returns
   * the mapping and the offset after `}`. Anything else (nesting, `{a:b}`, a key without a value, a trailing comma)
   * is left to the library.
   */
  private flowMapping(at: number, end: number, anchor: string | undefined): [YamlMap, number] {
    const text = this.text;
    const map: YamlMap = { kind: 'map', start: at, pairs: [] };
    if (anchor !== undefined) this.anchors.set(anchor, map);
    const blanks = (p: number) => {
      while (p < end && text[p] === ' ') p++;
      return p;
    };
    let p = blanks(at + 1);
    if (text[p] === '}') return [map, p + 1];
    for (;;) {
      // The key, then `: `.
      let key: string | null;
      let plain = false;
      const k = text[p] ?? '';
      if (k === '"' || k === "'") {
        const q = this.quotedEnd(p) ?? decline();
        key = text.slice(p + 1, q - 1);
        p = q;
      } else {
        let e = p;
        while (e < end && text[e] !== ':' && text[e] !== ',' && text[e] !== '}' && text[e] !== ' ') e++;
        const raw = text.slice(p, e);
        if (!PLAIN_KEY.test(raw)) decline();
        const v = plainValue(raw);
        key = v === null ? null : String(v);
        plain = true;
        p = e;
      }
      if (text[p] !== ':' || text[p + 1] !== ' ') decline();
      p = blanks(p + 2);
      // The value.
      const c = text[p] ?? '';
      let value: YamlSlot;
      if (c === '*') {
        const nameEnd = this.nameEnd(p + 1, end, true);
        value = this.anchors.get(text.slice(p + 1, nameEnd)) ?? decline();
        p = nameEnd;
      } else if (c === '"' || c === "'") {
        const q = this.quotedEnd(p) ?? decline();
        value = {
          kind: 'scalar',
          value: text.slice(p + 1, q - 1),
          style: c === '"' ? 'double' : 'single',
          start: p,
          end: q,
        };
        p = q;
      } else {
        if (c === '' || NOT_PLAIN_START.has(c)) decline();
        const q = this.plainEnd(p, end, true);
        value = { kind: 'scalar', value: plainValue(text.slice(p, q)), style: 'plain', start: p, end: q };
        p = q;
      }
      if (key !== null) map.pairs.push({ key, merge: plain && key === '<<', value });
      p = blanks(p);
      if (text[p] === '}') return [map, p + 1];
      if (text[p] !== ',') decline();
      p = blanks(p + 1);
      if (text[p] === '}') decline(); // a trailing comma: left to the library
    }
  }

  /**
   * The end of a plain scalar starting at `at` (trailing blanks and a ` #` comment excluded). In a flow collection it
   * also ends at `,`, `]` or `}`. Declines where the library would read more than a scalar (`: `, a final `:`, or in
   * flow context any flow indicator or `#`).
   */
  private plainEnd(at: number, end: number, flow: boolean): number {
    const text = this.text;
    let p = at;
    let last = at; // after the last non-blank
    for (; p < end; p++) {
      const c = text.charCodeAt(p);
      if (c === 32 /* space */) continue;
      if (flow && (c === 44 /* , */ || c === 93 /* ] */ || c === 125) /* } */) break;
      if (c === 35 /* # */ && text.charCodeAt(p - 1) === 32) break;
      if (
        c === 58 /* : */ &&
        (p + 1 === end || text.charCodeAt(p + 1) === 32 || (flow && ',]}'.includes(text[p + 1] ?? '')))
      )
        decline();
      if (flow && (c === 91 /* [ */ || c === 123 /* { */ || c === 35) /* # */) decline();
      last = p + 1;
    }
    return last;
  }

  /** The offset after the closing quote of a one-line quoted scalar at `at` without escapes; undefined otherwise. */
  private quotedEnd(at: number): number | undefined {
    const text = this.text;
    const quote = text[at];
    const end = this.end();
    for (let p = at + 1; p < end; p++) {
      const c = text[p];
      if (c === quote) return quote === "'" && text[p + 1] === "'" ? undefined : p + 1;
      if (c === '\\' && quote === '"') return undefined;
    }
    return undefined;
  }

  /** The end of an anchor or alias name at `at`: up to a blank (or `,`/`]` in flow context). Declines on odd names. */
  private nameEnd(at: number, end: number, flow = false): number {
    let p = at;
    while (
      p < end &&
      this.text[p] !== ' ' &&
      !(flow && (this.text[p] === ',' || this.text[p] === ']' || this.text[p] === '}'))
    )
      p++;
    if (p === at || /[,[\]{}:]/.test(this.text.slice(at, p))) decline();
    return p;
  }
}

/**
 * A plain key's value as text (null for a null key), or false when `raw` is not a plain key we read. Keys repeat
 * across a workspace (`image`, `name`, `containers`), so the answers are kept.
 */
const plainKey = recentResults(4096, (raw): string | null | false => {
  if (!PLAIN_KEY.test(raw)) return false;
  const value = plainValue(raw);
  return value === null ? null : String(value);
});

/** A plain scalar's value under the YAML 1.2 core schema, tested in the `yaml` library's order. */
export function plainValue(s: string): string | number | boolean | null {
  // Only these first characters can start a null, a boolean or a number.
  if (s !== '' && !'~nNtTfF0123456789+-.'.includes(s[0] ?? '')) return s;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s))
    return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s))
    return parseFloat(s);
  return s;
}
