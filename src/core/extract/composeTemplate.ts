import { LIMITS } from './limits';
import type { MappedString } from './mapped';
import {
  applyModifier,
  isNameChar,
  isNameStart,
  newExpansion,
  noteProblem,
  noteVariable,
  type Expansion,
  type Lookup,
} from './substitute';

/**
 * Compose interpolation (compose-spec `interpolation.md`) over a YAML value that remembers where it was written:
 * `$$` is a literal `$`; `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?err}`, `${NAME?err}`,
 * `${NAME:+alt}`, `${NAME+alt}`, with defaults that may nest `${...}`. A `$` followed by anything else stays.
 */
export function interpolateCompose(input: MappedString, lookup: Lookup): Expansion {
  const parser = new TemplateParser(input, lookup);
  return parser.parse(false);
}

class TemplateParser {
  private pos = 0;
  /** `${...}` nesting at the current position. */
  private depth = 0;
  private readonly text: string;

  constructor(
    private readonly input: MappedString,
    private readonly lookup: Lookup,
  ) {
    this.text = input.toString();
  }

  parse(inBraces: boolean): Expansion {
    const out = newExpansion();
    let literalStart = this.pos;
    const flush = (end: number) => {
      if (end > literalStart) out.value.appendMapped(this.input.slice(literalStart, end));
    };
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (inBraces && ch === '}') break;
      if (ch !== '$') {
        this.pos++;
        continue;
      }
      const next = this.text[this.pos + 1];
      if (next === '$') {
        flush(this.pos + 1); // keep the first `$`, drop the second
        this.pos += 2;
        literalStart = this.pos;
        continue;
      }
      if (next === '{') {
        flush(this.pos);
        this.braced(out);
        literalStart = this.pos;
        continue;
      }
      if (isNameStart(next)) {
        flush(this.pos);
        const nameStart = ++this.pos;
        while (isNameChar(this.text[this.pos])) this.pos++;
        const name = this.text.slice(nameStart, this.pos);
        applyModifier(out, name, null, this.lookup(name), null);
        literalStart = this.pos;
        continue;
      }
      this.pos++;
    }
    flush(this.pos);
    return out;
  }

  private braced(out: Expansion): void {
    const start = this.pos;
    this.pos += 2;
    if (this.depth >= LIMITS.substitutionDepth) {
      // Skip to the matching `}` without recursing.
      for (let open = 1; this.pos < this.text.length && open > 0; this.pos++) {
        const c = this.text[this.pos];
        if (c === '{') open++;
        else if (c === '}') open--;
      }
      noteProblem(out, {
        reason: 'limit',
        detail: `substitutions nested deeper than ${LIMITS.substitutionDepth} levels (the limit)`,
      });
      return;
    }
    const nameStart = this.pos;
    while (isNameChar(this.text[this.pos])) this.pos++;
    const name = this.text.slice(nameStart, this.pos);
    let modifier: string | null = null;
    const c = this.text[this.pos];
    if (c === ':' && '-+?'.includes(this.text[this.pos + 1] ?? 'x')) {
      modifier = this.text.slice(this.pos, this.pos + 2);
      this.pos += 2;
    } else if (c !== undefined && '-+?'.includes(c)) {
      modifier = c;
      this.pos++;
    }
    if (name === '' || (modifier === null && this.text[this.pos] !== '}')) {
      // Not a template compose understands: unresolved, named by its text.
      const close = this.text.indexOf('}', this.pos);
      this.pos = close < 0 ? this.text.length : close + 1;
      noteVariable(out, this.text.slice(start, this.pos), false);
      return;
    }
    let word: Expansion | null = null;
    if (modifier !== null) {
      this.depth++;
      word = this.parse(true);
      this.depth--;
    }
    if (this.text[this.pos] !== '}') {
      noteVariable(out, name, false);
      return;
    }
    this.pos++;
    applyModifier(out, name, modifier === '?' ? null : modifier, this.lookup(name), word);
  }
}
