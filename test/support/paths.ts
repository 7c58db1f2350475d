import { readdirSync, statSync } from 'node:fs';
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

/** Every .ts file under `dir`, recursively, sorted (the source-reading tests: layering, l10n). */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}
