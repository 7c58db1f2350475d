import { LIMITS } from './limits';
import { MappedString } from './mapped';

/**
 * A variable's value, or undefined when it is unset (never declared, or declared without a value). A value that
 * was itself expanded (an `ARG` default, a `.env` value) comes as its `Expansion`, so what it could not resolve,
 * and any limit or rejected substitution in it, carry over to whatever uses it.
 */
export type Lookup = (name: string) => MappedString | Expansion | undefined;

/**
 * Why an expansion cannot be trusted beyond unresolved variables: a bound was reached (`limit`), or the tool that
 * reads the file rejects the substitution (`bad-substitution`, e.g. BuildKit's "unsupported modifier").
 */
export interface ExpansionProblem {
  reason: 'limit' | 'bad-substitution';
  detail: string;
}

/** The result of expanding a word: the value, every variable used, and those we could not resolve. */
export interface Expansion {
  value: MappedString;
  variables: string[];
  unresolved: string[];
  /** The first problem met (the value is then incomplete); null when none. */
  problem: ExpansionProblem | null;
}

export function newExpansion(): Expansion {
  return { value: new MappedString(), variables: [], unresolved: [], problem: null };
}

export function isExpansion(v: MappedString | Expansion | undefined): v is Expansion {
  return v !== undefined && !(v instanceof MappedString);
}

/** Records `problem` unless one is recorded already (the first one names the cause). */
export function noteProblem(target: Expansion, problem: ExpansionProblem): void {
  target.problem ??= problem;
}

/** Appends `value` unless that makes the value longer than `LIMITS.valueLength` (then a `limit` problem). */
function appendBounded(target: Expansion, value: MappedString): void {
  if (target.problem?.reason === 'limit') return;
  if (target.value.length + value.length > LIMITS.valueLength) {
    noteProblem(target, {
      reason: 'limit',
      detail: `expands to more than ${LIMITS.valueLength} characters (the limit per value)`,
    });
    return;
  }
  target.value.appendMapped(value);
}

export function mergeInto(target: Expansion, part: Expansion): void {
  if (part.problem) noteProblem(target, part.problem);
  appendBounded(target, part.value);
  for (const v of part.variables) if (!target.variables.includes(v)) target.variables.push(v);
  for (const v of part.unresolved) if (!target.unresolved.includes(v)) target.unresolved.push(v);
}

/** Uses a looked-up value: its text, and (for an expanded value) what it could not resolve and its problem. */
function useValue(target: Expansion, value: MappedString | Expansion): void {
  if (value instanceof MappedString) {
    appendBounded(target, value);
    return;
  }
  // The value's own problem first: it names where the value went wrong.
  if (value.problem) noteProblem(target, value.problem);
  appendBounded(target, value.value);
  for (const v of value.unresolved) if (!target.unresolved.includes(v)) target.unresolved.push(v);
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
export function applyModifier(
  target: Expansion,
  name: string,
  modifier: string | null,
  value: MappedString | Expansion | undefined,
  word: Expansion | null,
): void {
  const set = value !== undefined;
  const nonEmpty = set && (isExpansion(value) ? value.value : value).length > 0;
  switch (modifier) {
    case '-':
    case ':-': {
      const chooseValue = modifier === '-' ? set : nonEmpty;
      noteVariable(target, name, true);
      if (chooseValue && value) useValue(target, value);
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
      if (nonEmpty && value) useValue(target, value);
      return;
    default:
      noteVariable(target, name, set);
      if (value) useValue(target, value);
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
