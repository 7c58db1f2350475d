/**
 * Compatibility-line families: `-alpine3.19` and `-alpine3.20` are two lines of one family (`-alpine#`), ordered by
 * their numbers; `-slim-bookworm` and `-slim-trixie` are two lines of the family `-slim-<debian>`, ordered by the
 * Debian release. A tag never moves to another line on its own (that would change the OS under the user), but the
 * engine says when a newer line exists: Renovate never does (immich-app/immich PR #30411), Dependabot neither.
 */

/** Release order of distribution codenames seen in image tags (oldest first). Unknown words stay literal. */
const CODENAMES: Readonly<Record<string, readonly [family: string, rank: number]>> = Object.fromEntries([
  ...['stretch', 'buster', 'bullseye', 'bookworm', 'trixie', 'forky', 'duke'].map((w, i) => [
    w,
    ['debian', i + 9] as const,
  ]),
  ...['xenial', 'bionic', 'focal', 'jammy', 'noble'].map((w, i) => [w, ['ubuntu-lts', i] as const]),
]) as Record<string, readonly [string, number]>;

export interface LineFamily {
  /** The line with numbers replaced by `#` and codenames by `<family>`: lines with equal skeletons are comparable. */
  readonly skeleton: string;
  /** The numbers and codename ranks in order; empty when the line has nothing to order by. */
  readonly vector: readonly number[];
}

const cache = new Map<string, LineFamily>();

/** The family of a suffix (`-alpine3.19`) or of a whole word tag (`bookworm`, `alpine3.19`). */
export function lineFamily(text: string): LineFamily {
  const hit = cache.get(text);
  if (hit) return hit;
  let skeleton = '';
  const vector: number[] = [];
  // Parts split by `-`, keeping the separators; each part is a codename or letters with number runs.
  for (const part of text.split(/(-)/)) {
    const code = CODENAMES[part.toLowerCase()];
    if (code) {
      skeleton += `<${code[0]}>`;
      vector.push(code[1]);
      continue;
    }
    skeleton += part.replace(/\d+(?:\.\d+)*/g, (run) => {
      for (const x of run.split('.')) vector.push(Number(x));
      return '#';
    });
  }
  const family = { skeleton, vector };
  if (cache.size > 10_000) cache.clear();
  cache.set(text, family);
  return family;
}

/** Orders two vectors of one family: positive when `a` is the newer line. */
export function compareLines(a: readonly number[], b: readonly number[]): number {
  const len = Math.max(a.length, b.length);
  for (let k = 0; k < len; k++) {
    const x = a[k] ?? -1;
    const y = b[k] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}
