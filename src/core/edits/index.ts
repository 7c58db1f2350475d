// Text edits as plain data: what a fix writes (tag, digest, ARG default, ignore comment), merged for bulk fixes,
// and the policies rule that stops offering one update kind. The editor turns them into WorkspaceEdits.
export { applyEdits, editsForUpdate, type TextEdit } from './tagEdits';
export { bulkUpdate, safestFirst, type BulkLevel } from './updates';
export { mergeEdits } from './merge';
export { ignoreCommentEdit } from './ignoreComment';
export { rulesIgnoringKind } from './ignoreKind';
