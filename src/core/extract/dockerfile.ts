import { expandDockerWord, splitDockerWords } from './dockerWord';
import { scanDockerfile, type DockerInstruction } from './dockerfileScan';
import { checkTime, LIMITS } from './limits';
import { makeOccurrence } from './occurrence';
import { SourceText } from './sourceText';
import { newExpansion, type Expansion, type Lookup } from './substitute';
import type { ExtractResult, Skip, StageInfo } from './types';

type Scope = Map<string, Expansion | undefined>;
type Span = [number, number];

/**
 * The images a Dockerfile names: the `# syntax=` frontend, every `FROM`, `COPY --from=<image>` and
 * `RUN --mount=...,from=<image>`. scanDockerfile finds the parser directives and the instructions as BuildKit
 * does (`# escape=`, continuations, comments inside instructions, heredocs); the arguments are then split and read
 * straight from the source (splitDockerWords, expandDockerWord), so every character keeps its position.
 *
 * Variables follow BuildKit's scoping: `FROM` (and its `--platform`) sees only the `ARG`s before the first
 * `FROM`; inside a stage, `--from` values see the stage's own `ARG`s, where a bare `ARG NAME` imports the global
 * default. Stage names are matched without regard to case; `COPY --from=<n>` names the n-th stage.
 */
export function extractDockerfile(file: string, content: string): ExtractResult {
  const src = new SourceText(file, content);
  const result: ExtractResult = { occurrences: [], errors: [], references: [] };
  const structure = scanDockerfile(src);
  const escape = structure.escape;
  // Every substitution of the file together produces at most LIMITS.expansionBudget characters: a chain of ARGs
  // each using the one before grows quadratically even when each value stays under the limit per value.
  let spent = 0;
  const expand = ([start, end]: Span, scope: Scope): Expansion => {
    checkTime();
    if (spent > LIMITS.expansionBudget && src.text.slice(start, end).includes('$')) {
      const e = newExpansion();
      const line = src.positionAt(start).line + 1;
      e.problem = {
        reason: 'limit',
        detail: `line ${line}: the file's substitutions produce more than ${LIMITS.expansionBudget} characters (the limit per file)`,
      };
      return e;
    }
    const e = expandDockerWord(src, start, end, escape, lookupIn(scope));
    spent += e.value.length;
    return e;
  };

  for (const directive of structure.directives) {
    if (directive.name !== 'syntax') continue;
    const { valueStart: start, valueEnd: end } = directive;
    const expansion = newExpansion();
    expansion.value.append(src.text.slice(start, end), src, start);
    result.occurrences.push(makeOccurrence({ src, source: 'dockerfile', kind: 'syntax', start, end }, expansion));
  }

  const instructions = structure.instructions.map((instruction) => parseInstruction(src, instruction, escape));
  const allStageNames = new Set<string>();
  for (const i of instructions) {
    const alias = i.keyword === 'FROM' ? stageAlias(src, i.args) : null;
    if (alias) allStageNames.add(alias.toLowerCase());
  }

  const globals: Scope = new Map();
  let scope: Scope = globals;
  const stages: StageInfo[] = [];
  const stageNames = new Set<string>();
  let stage: StageInfo | null = null;

  const stageSkip = (value: string, names: Set<string>, byIndex: boolean): Skip | null => {
    if (byIndex && /^\d+$/.test(value)) return { reason: 'stage', detail: `stage ${value}` };
    if (names.has(value.toLowerCase())) return { reason: 'stage', detail: value };
    return null;
  };

  const pushFrom = ([start, end]: Span, kind: 'copy-from' | 'mount-from') => {
    if (end <= start) return;
    const expansion = expand([start, end], scope);
    // --from may name any stage of the file (earlier or later), or a stage by its index.
    const skip = expansion.unresolved.length ? null : stageSkip(expansion.value.toString(), allStageNames, true);
    result.occurrences.push(makeOccurrence({ src, source: 'dockerfile', kind, start, end, stage }, expansion, skip));
  };

  for (const { keyword, start: instructionStart, flags, args } of instructions) {
    if (keyword === 'ARG') {
      for (const [start, end] of args) {
        const eq = src.text.indexOf('=', start);
        const hasValue = eq >= 0 && eq < end;
        const name = src.text.slice(start, hasValue ? eq : end);
        if (hasValue) scope.set(name, argValue(src, name, start, expand([eq + 1, end], scope)));
        else if (scope !== globals) scope.set(name, globals.get(name));
        else if (!scope.has(name)) scope.set(name, undefined);
      }
      continue;
    }
    if (keyword === 'FROM') {
      const alias = stageAlias(src, args);
      stage = { index: stages.length, name: alias, final: false };
      stages.push(stage);
      const image = args[0];
      if (!image) {
        const at = src.positionAt(instructionStart);
        result.errors.push({ file, line: at.line, character: at.character, message: 'FROM without an image' });
      } else {
        const expansion = expand(image, globals);
        const value = expansion.value.toString();
        let skip: Skip | null = null;
        if (expansion.unresolved.length === 0) {
          skip =
            value === 'scratch'
              ? { reason: 'scratch', detail: 'the empty image' }
              : stageSkip(value, stageNames, false);
        }
        const platformFlag = flags.find((f) => f.name === 'platform');
        let platform: string | null = null;
        if (platformFlag?.value) {
          const p = expand(platformFlag.value, globals);
          platform = p.unresolved.length ? src.text.slice(...platformFlag.value) : p.value.toString();
        }
        result.occurrences.push(
          makeOccurrence(
            { src, source: 'dockerfile', kind: 'from', start: image[0], end: image[1], platform, stage },
            expansion,
            skip,
          ),
        );
      }
      if (alias) stageNames.add(alias.toLowerCase());
      scope = new Map();
      continue;
    }
    if (keyword === 'COPY') {
      const from = flags.find((f) => f.name === 'from');
      if (from?.value) pushFrom(from.value, 'copy-from');
      continue;
    }
    if (keyword === 'RUN') {
      for (const flag of flags) {
        if (flag.name === 'mount' && flag.value)
          for (const span of mountFromSpans(src, flag.value)) pushFrom(span, 'mount-from');
      }
    }
  }
  // The final stage is known only at the end.
  const last = stages[stages.length - 1];
  if (last) last.final = true;
  return result;
}

interface Flag {
  name: string;
  value: Span | null;
}

interface ParsedInstruction {
  keyword: string;
  start: number;
  /** Leading `--name[=value]` words (BuildKit flags are lower case and come before the arguments). */
  flags: Flag[];
  args: Span[];
}

function parseInstruction(
  src: SourceText,
  { keyword, start, argsStart, end }: DockerInstruction,
  escape: string,
): ParsedInstruction {
  // COPY and RUN are read for their flags only.
  const flagsOnly = keyword === 'COPY' || keyword === 'RUN';
  const words =
    flagsOnly || keyword === 'FROM' || keyword === 'ARG'
      ? splitDockerWords(src, argsStart, end, escape, flagsOnly)
      : [];
  const flags: Flag[] = [];
  let i = 0;
  for (; i < words.length; i++) {
    const [s, e] = words[i] ?? [0, 0];
    if (!src.text.startsWith('--', s)) break;
    const eq = src.text.indexOf('=', s);
    flags.push(
      eq >= 0 && eq < e
        ? { name: src.text.slice(s + 2, eq), value: [eq + 1, e] }
        : { name: src.text.slice(s + 2, e), value: null },
    );
  }
  return { keyword, start, flags, args: words.slice(i) };
}

/** `FROM image AS name`: the alias as written, or null. */
function stageAlias(src: SourceText, args: Span[]): string | null {
  const as = args[1];
  const name = args[2];
  if (!as || !name || src.text.slice(as[0], as[1]).toUpperCase() !== 'AS') return null;
  return src.text.slice(name[0], name[1]);
}

/** An `ARG` default as later uses see it; a value over the length limit says which `ARG` it was. */
function argValue(src: SourceText, name: string, at: number, e: Expansion): Expansion {
  if (e.problem?.reason === 'limit' && e.problem.detail.startsWith('expands to')) {
    e.problem = { reason: 'limit', detail: `ARG ${name} on line ${src.positionAt(at).line + 1} ${e.problem.detail}` };
  }
  return e;
}

function lookupIn(scope: Scope): Lookup {
  return (name) => scope.get(name);
}

/**
 * The `from=` values of a `--mount` flag value, as source offsets. The value is CSV (`type=cache,from=img,...`,
 * fields may be double-quoted, the whole value may be quoted for the shell); keys are case-insensitive.
 */
function mountFromSpans(src: SourceText, [valueStart, valueEnd]: Span): Span[] {
  const text = src.text;
  let start = valueStart;
  let end = valueEnd;
  // `--mount="type=cache,from=img"`: the shell quotes go first, then the CSV.
  if (
    end - start >= 2 &&
    text[start] === '"' &&
    text[end - 1] === '"' &&
    !text.slice(start + 1, end - 1).includes('"')
  ) {
    start++;
    end--;
  }
  const out: Span[] = [];
  let fieldStart = start;
  let quoted = false;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text[i] : ',';
    if (c === '"') quoted = !quoted;
    if (c !== ',' || quoted) continue;
    let s = fieldStart;
    let e = i;
    if (text[s] === '"' && text[e - 1] === '"' && e - s >= 2) {
      s++;
      e--;
    }
    const eq = text.indexOf('=', s);
    if (eq >= 0 && eq < e && text.slice(s, eq).trim().toLowerCase() === 'from') out.push([eq + 1, e]);
    fieldStart = i + 1;
  }
  return out;
}
