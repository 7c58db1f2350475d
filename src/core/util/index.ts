// Small utilities shared by every core folder (and the CLI): no imports from the rest of the core.
export { abortError, abortReason, sleep } from './abort';
export { hasName, isAbortError } from './errorName';
export { Limiter, mapLimit } from './limiter';
export { recentResults } from './recent';
export { replaceFileEntries } from './byFile';
export { detachString } from './strings';
