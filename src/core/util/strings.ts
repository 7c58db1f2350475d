/**
 * A copy of `s` that shares no memory with a larger string. V8 keeps the whole parent alive behind a slice (or a
 * concatenation) of it: an image reference sliced from a 20 KB manifest keeps the manifest's text in memory for as
 * long as the reference is kept. Strings under 13 characters are copies already (V8 slices and concatenates only
 * longer ones), and are returned as they are.
 */
export function detachString(s: string): string {
  // The concatenation is flattened into a new string by the slice, which then slices only that copy.
  return s.length < 13 ? s : (' ' + s).slice(1);
}
