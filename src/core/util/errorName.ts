// Error guards by `name`, not `instanceof`: errors cross bundles (extension, CLI, tests) where classes differ.

/** True when `e` is an object whose `name` is one of `names`. */
export function hasName(e: unknown, names: readonly string[]): boolean {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { name?: unknown }).name === 'string' &&
    names.includes((e as { name: string }).name)
  );
}

/** A cancelled operation (an aborted signal): the one `AbortError` the registry client, check engine and engine use. */
export const isAbortError = (e: unknown): boolean => hasName(e, ['AbortError']);
