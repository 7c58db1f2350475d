/**
 * `compute`, with its recent answers kept by input: for pure functions asked the same inputs over and over (a
 * workspace names the same images and the same YAML keys in thousands of files). Bounded: cleared when `max`
 * answers are held. `compute` may throw; nothing is kept then.
 */
export function recentResults<T>(max: number, compute: (input: string) => T): (input: string) => T {
  const answers = new Map<string, T>();
  return (input) => {
    if (answers.has(input)) return answers.get(input) as T;
    const answer = compute(input);
    if (answers.size >= max) answers.clear();
    answers.set(input, answer);
    return answer;
  };
}
