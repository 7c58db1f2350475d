import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ALL_COMMANDS, ALL_CONTEXT_KEYS, ALL_SETTINGS, ALL_VIEWS, ContainerId } from '../../src/vscode/constants';
import { REPO_ROOT } from '../support/paths';

interface Manifest {
  main: string;
  bin: Record<string, string>;
  engines: { vscode: string };
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    configuration?: { properties: Record<string, { description?: string; markdownDescription?: string }> };
  };
}

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;

void describe('package.json manifest', () => {
  void it('contributes exactly the commands in constants.ts, each prefixed and categorised', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, [...ALL_COMMANDS].sort());
    for (const c of manifest.contributes.commands) {
      assert.match(c.command, /^registryLens\.[a-z][A-Za-z]+$/, `${c.command} breaks the naming scheme`);
      const nls = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
      assert.equal(
        nls[(c.category ?? '').replace(/^%|%$/g, '')] ?? c.category,
        'Registry Lens',
        `${c.command} has no category`,
      );
    }
  });

  void it('contributes exactly the views in constants.ts, in the Registry Lens container', () => {
    const containers = manifest.contributes.viewsContainers.activitybar;
    assert.deepEqual(
      containers.map((c) => c.id),
      [ContainerId.Main],
    );
    const views = manifest.contributes.views[ContainerId.Main]?.map((v) => v.id).sort();
    assert.deepEqual(views, [...ALL_VIEWS].sort());
  });

  void it('never activates on "*" and points main/bin at the bundles', () => {
    assert.ok(manifest.activationEvents.length > 0);
    assert.ok(!manifest.activationEvents.includes('*'), 'activation on * slows every VS Code start');
    assert.equal(manifest.main, './dist/extension.js');
    assert.equal(manifest.bin['registry-lens'], './dist/cli.js');
  });

  void it('accepts VS Code 1.100', () => {
    const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(manifest.engines.vscode);
    assert.ok(m, `engines.vscode "${manifest.engines.vscode}" is not a caret range`);
    assert.ok(Number(m[1]) === 1 && Number(m[2]) <= 100, 'VS Code 1.100 must satisfy engines.vscode');
  });

  void it('when clauses name only context keys the extension sets (constants.ts)', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8');
    const whens = [...text.matchAll(/"when": "([^"]*)"/g)].map((m) => m[1] ?? '');
    const keys = new Set(whens.flatMap((w) => [...w.matchAll(/\bregistryLens\.[A-Za-z]+/g)].map((m) => m[0])));
    const known = new Set<string>([...ALL_CONTEXT_KEYS, ...ALL_VIEWS]);
    for (const k of keys) assert.ok(known.has(k), `a when clause names ${k}, which constants.ts does not set`);
  });

  void it('contributes exactly the settings named in constants.ts', () => {
    const contributed = Object.keys(manifest.contributes.configuration?.properties ?? {}).sort();
    assert.deepEqual(contributed, ALL_SETTINGS.map((k) => `registryLens.${k}`).sort());
  });

  void it('every user-facing string is a %key% of package.nls.json, and every key there is used', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8');
    const nls = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const raw = JSON.parse(text) as Record<string, unknown>;
    const literal: string[] = [];
    const fields = new Set([
      'displayName',
      'description',
      'markdownDescription',
      'title',
      'name',
      'contents',
      'contextualTitle',
      'category',
      'altText',
      'shortTitle',
      'enumDescriptions',
      'markdownEnumDescriptions',
    ]);
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${at}[${i}]`));
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          const here = `${at}.${k}`;
          const strings =
            typeof v === 'string'
              ? [v]
              : Array.isArray(v) && fields.has(k) && v.every((x) => typeof x === 'string')
                ? v
                : [];
          if (fields.has(k) && strings.length)
            for (const str of strings) {
              if (!/^%[^%]+%$/.test(str)) literal.push(`${here}: ${str.slice(0, 60)}`);
            }
          else walk(v, here);
        }
      }
    };
    walk(
      {
        displayName: raw.displayName,
        description: raw.description,
        capabilities: raw.capabilities,
        contributes: raw.contributes,
      },
      '',
    );
    assert.deepEqual(literal, [], 'strings not in package.nls.json');
    const used = new Set([...text.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1] ?? ''));
    assert.deepEqual(
      [...used].filter((k) => !(k in nls)),
      [],
      'keys missing from package.nls.json',
    );
    assert.deepEqual(
      Object.keys(nls).filter((k) => !used.has(k)),
      [],
      'keys package.json does not use',
    );
  });

  void it('describes every setting', () => {
    for (const [key, prop] of Object.entries(manifest.contributes.configuration?.properties ?? {})) {
      assert.match(key, /^registryLens\./);
      assert.ok(prop.description ?? prop.markdownDescription, `${key} has no description`);
    }
  });
});
