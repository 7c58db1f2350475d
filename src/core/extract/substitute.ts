import { MappedString } from './mapped';

/** A variable's value, or undefined when it is unset (never declared, or declared without a value). */
export type Lookup = (name: string) => MappedString | undefined;

/** The result of expanding a word: the value, every variable used, and those we could not resolve. */
export interface Expansion {
  value: MappedString;
  variables: string[];
  unresolved: string[];
}

export function newExpansion(): Expansion {
  return { value: new MappedString(), variables: [], unresolved: [] };
}

export function mergeInto(target: Expansion, part: Expansion): void {
  target.value.appendMapped(part.value);
  for (const v of part.variables) if (!target.variables.includes(v)) target.variables.push(v);
  for (const v of part.unresolved) if (!target.unresolved.includes(v)) target.unresolved.push(v);
}

export function noteVariable(target: Expansion, name: string, resolved: boolean): void {
  if (!target.variables.includes(name)) target.variables.push(name);
  if (!resolved && !target.unresolved.includes(name)) target.unresolved.push(name);
}

/**
 * `${NAME<modifier>word}` as the shells, BuildKit and compose define it, with `word` already expanded:
 * - no modifier (and `?`/`:?`): the value; unresolved when unset (and for `:?`, when empty)
 * - `-`: the value when set, else word; `:-`: the value when set and not empty, else word
 * - `+`: word when set, else empty; `:+`: word when set and not empty, else empty
 * A plain `$NAME` that is unset is *unresolved* here (BuildKit and compose substitute an empty string): we will not
 * guess an image name, we say which variable is missing.
 */
export function applyModifier(target: Expansion, name: string, modifier: string | null, value: MappedString | undefined, word: Expansion | null): void {
  const set = value !== undefined;
  const nonEmpty = set && value.length > 0;
  switch (modifier) {
    case '-':
    case ':-': {
      const useValue = modifier === '-' ? set : nonEmpty;
      noteVariable(target, name, true);
      if (useValue && value) target.value.appendMapped(value);
      else if (word) mergeInto(target, word);
      return;
    }
    case '+':
    case ':+': {
      const useWord = modifier === '+' ? set : nonEmpty;
      noteVariable(target, name, true);
      if (useWord && word) mergeInto(target, word);
      return;
    }
    case ':?':
      noteVariable(target, name, nonEmpty);
      if (nonEmpty) target.value.appendMapped(value);
      return;
    default:
      noteVariable(target, name, set);
      if (value) target.value.appendMapped(value);
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

export function isNameStart(ch: string | undefined): boolean {
  return ch !== undefined && NAME_START.test(ch);
}

export function isNameChar(ch: string | undefined): boolean {
  return ch !== undefined && NAME_CHAR.test(ch);
}
