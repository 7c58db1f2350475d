import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Temporary folders for tests that need real files: `tree(files)` writes `files` (relative path -> content) into a
 * new folder and returns its path; `cleanup()` removes every folder made so far (call it from `after`).
 */
export function tempTrees(prefix = 'rl-test-') {
  const roots: string[] = [];
  return {
    tree: (files: Record<string, string | Buffer>): string => {
      const root = mkdtempSync(path.join(tmpdir(), prefix));
      roots.push(root);
      for (const [rel, content] of Object.entries(files)) {
        const abs = path.join(root, rel);
        mkdirSync(path.dirname(abs), { recursive: true });
        writeFileSync(abs, content);
      }
      return root;
    },
    cleanup: (): void => {
      for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
    },
  };
}
