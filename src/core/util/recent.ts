import { detachString } from './strings';

/**
 * `compute`, with its recent answers kept by input: for pure functions asked the same inputs over and over (a
 * workspace names the same images and the same YAML keys in thousands of files). Bounded: cleared when `max`
 * answers are held. `compute` may throw; nothing is kept then. An input kept is a copy (see `detachString`), and
 * `compute` is given that copy: an input sliced from a file's text, kept as a key or sliced again into the answer,
 * would keep the whole file's text alive for as long as the answer is held.
 */
export function recentResults<T>(max: number, compute: (input: string) => T): (input: string) => T {
  const answers = new Map<string, T>();
  return (input) => {
    const known = answers.get(input);
    if (known !== undefined || answers.has(input)) return known as T;
    const key = detachString(input);
    const answer = compute(key);
    if (answers.size >= max) answers.clear();
    answers.set(key, answer);
    return answer;
  };
}
