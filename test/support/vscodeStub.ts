import { readFileSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

/**
 * Makes `require('vscode')` return a stand-in, for loading the built bundle outside VS Code (the activation bench,
 * the bundle tests): every name the API declares (read from @types/vscode), each a callable, constructible, endlessly
 * deep object, so module-level code (enum lookups, `new EventEmitter()`) runs. Only for loading, not for activating.
 */
export function installVscodeStub(): void {
  const dts = readFileSync(path.join(REPO_ROOT, 'node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8');
  const names = new Set(
    [...dts.matchAll(/^\s{0,4}export (?:enum|class|namespace|const|function|let) ([A-Za-z_][A-Za-z0-9_]*)/gm)].map(
      (m) => m[1] as string,
    ),
  );
  const deep = (): unknown =>
    new Proxy(
      function stub() {
        /* stand-in */
      },
      {
        get: (_t, k) => (k === Symbol.toPrimitive ? () => 0 : k === 'prototype' ? {} : deep()),
        apply: () => deep(),
        construct: () => deep() as object,
      },
    );
  const stub = Object.fromEntries([...names].map((n) => [n, deep()]));
  const m = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = m._load;
  m._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? stub : load.call(this, request, ...rest);
  };
}
