import { DockerfileParser, type Arg, type Copy, type Flag, type From, type Run } from 'dockerfile-ast';
import { expandDockerWord } from './dockerWord';
import type { MappedString } from './mapped';
import { makeOccurrence } from './occurrence';
import { SourceText } from './sourceText';
import { newExpansion, type Lookup } from './substitute';
import type { ExtractResult, Range, Skip, StageInfo } from './types';

type Scope = Map<string, MappedString | undefined>;

/**
 * The images a Dockerfile names: the `# syntax=` frontend, every `FROM`, `COPY --from=<image>` and
 * `RUN --mount=...,from=<image>`. dockerfile-ast finds the instructions, flags and arguments (honouring
 * `# escape=`, continuations, comments inside instructions and heredocs); the words themselves are read from the
 * source by expandDockerWord so each character keeps its position.
 *
 * Variables follow BuildKit's scoping: `FROM` (and its `--platform`) sees only the `ARG`s before the first
 * `FROM`; inside a stage, `--from` values see the stage's own `ARG`s, where a bare `ARG NAME` imports the global
 * default. Stage names are matched without regard to case; `COPY --from=<n>` names the n-th stage.
 */
export function extractDockerfile(file: string, content: string): ExtractResult {
  const src = new SourceText(file, content);
  const result: ExtractResult = { occurrences: [], errors: [], references: [] };
  const df = DockerfileParser.parse(src.text);
  const escape = df.getEscapeCharacter();
  const offset = (range: Range) => [src.offsetAt(range.start), src.offsetAt(range.end)] as const;
  const expand = (range: Range, scope: Scope) => {
    const [start, end] = offset(range);
    return expandDockerWord(src, start, end, escape, lookupIn(scope));
  };

  for (const directive of df.getDirectives()) {
    if (directive.getName().toLowerCase() !== 'syntax') continue;
    const [start, end] = offset(directive.getValueRange());
    if (end <= start) continue;
    const expansion = newExpansion();
    expansion.value.append(src.text.slice(start, end), src, start);
    result.occurrences.push(makeOccurrence({ src, source: 'dockerfile', kind: 'syntax', start, end }, expansion));
  }

  const globals: Scope = new Map();
  let scope: Scope = globals;
  const stages: StageInfo[] = [];
  const stageNames = new Set<string>();
  let stage: StageInfo | null = null;
  const allStageNames = new Set(
    df.getFROMs().map((f) => f.getBuildStage()?.toLowerCase()).filter((n): n is string => !!n),
  );

  const stageSkip = (value: string, names: Set<string>, byIndex: boolean): Skip | null => {
    if (byIndex && /^\d+$/.test(value)) return { reason: 'stage', detail: `stage ${value}` };
    if (names.has(value.toLowerCase())) return { reason: 'stage', detail: value };
    return null;
  };

  for (const instruction of df.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'ARG') {
      for (const property of (instruction as Arg).getProperties()) {
        const name = property.getName();
        const valueRange = property.getValueRange();
        if (valueRange) scope.set(name, expand(valueRange, scope).value);
        else if (scope !== globals) scope.set(name, globals.get(name));
        else if (!scope.has(name)) scope.set(name, undefined);
      }
      continue;
    }
    if (keyword === 'FROM') {
      const from = instruction as From;
      const args = from.getArguments();
      const image = args[0];
      const alias = args[1]?.getValue().toUpperCase() === 'AS' ? (args[2]?.getValue() ?? null) : null;
      stage = { index: stages.length, name: alias, final: false };
      stages.push(stage);
      if (!image) {
        const at = src.positionAt(offset(instruction.getRange())[0]);
        result.errors.push({ file, line: at.line, character: at.character, message: 'FROM without an image' });
      } else {
        const platformFlag = from.getFlags().find((f) => f.getName() === 'platform');
        const expansion = expand(image.getRange(), globals);
        const value = expansion.value.toString();
        let skip: Skip | null = null;
        if (expansion.unresolved.length === 0) {
          skip = value === 'scratch' ? { reason: 'scratch', detail: 'the empty image' } : stageSkip(value, stageNames, false);
        }
        const [start, end] = offset(image.getRange());
        result.occurrences.push(
          makeOccurrence(
            { src, source: 'dockerfile', kind: 'from', start, end, platform: platformOf(platformFlag, globals), stage },
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
      const flag = (instruction as Copy).getFromFlag();
      if (flag?.getName() === 'from') pushFrom(flag, 'copy-from');
      continue;
    }
    if (keyword === 'RUN') {
      for (const flag of (instruction as Run).getFlags()) {
        if (flag.getName() === 'mount') for (const range of mountFromRanges(src, flag)) pushRange(range, 'mount-from');
      }
    }
  }
  // The final stage is known only at the end.
  const last = stages[stages.length - 1];
  if (last) last.final = true;
  return result;

  function platformOf(flag: Flag | undefined, vars: Scope): string | null {
    const range = flag?.getValueRange();
    if (!flag || !range) return null;
    const expansion = expand(range, vars);
    return expansion.unresolved.length ? (flag.getValue() ?? null) : expansion.value.toString();
  }

  function pushFrom(flag: Flag, kind: 'copy-from' | 'mount-from'): void {
    const range = flag.getValueRange();
    if (range) pushRange(offset(range), kind);
  }

  function pushRange([start, end]: readonly [number, number], kind: 'copy-from' | 'mount-from'): void {
    if (end <= start) return;
    const expansion = expandDockerWord(src, start, end, escape, lookupIn(scope));
    const value = expansion.value.toString();
    // --from may name any stage of the file (earlier or later), or a stage by its index.
    const skip = expansion.unresolved.length ? null : stageSkip(value, allStageNames, true);
    result.occurrences.push(makeOccurrence({ src, source: 'dockerfile', kind, start, end, stage }, expansion, skip));
  }
}

function lookupIn(scope: Scope): Lookup {
  return (name) => scope.get(name);
}

/**
 * The `from=` values of a `--mount` flag, as source offsets. The flag value is CSV (`type=cache,from=img,...`,
 * fields may be double-quoted); keys are case-insensitive. dockerfile-ast's option split does not handle quotes,
 * so we split the raw text ourselves.
 */
function mountFromRanges(src: SourceText, flag: Flag): [number, number][] {
  const range = flag.getValueRange();
  if (!range) return [];
  let start = src.offsetAt(range.start);
  let end = src.offsetAt(range.end);
  const text = src.text;
  // `--mount="type=cache,from=img"`: the shell quotes go first, then the CSV.
  if (end - start >= 2 && text[start] === '"' && text[end - 1] === '"' && !text.slice(start + 1, end - 1).includes('"')) {
    start++;
    end--;
  }
  const out: [number, number][] = [];
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
