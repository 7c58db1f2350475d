import * as path from 'node:path';

/**
 * The repository root. Tests are transpiled one-to-one into out/test/**, so walk up from this
 * file (out/test/support/paths.js) rather than trusting process.cwd().
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** A fixture under test/fixtures (fixtures are not transpiled; they stay where they are). */
export function fixture(...parts: string[]): string {
  return path.join(REPO_ROOT, 'test', 'fixtures', ...parts);
}
