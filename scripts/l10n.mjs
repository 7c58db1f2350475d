// The default (English) l10n bundle: every `vscode.l10n.t` message of src/vscode, in l10n/bundle.l10n.json, in the
// format `@vscode/l10n-dev export` writes (message -> message; `{ message, comment }` -> "message/comment" ->
// { message, comment: [...] }). Translators copy it to bundle.l10n.<locale>.json.
//
//   node scripts/l10n.mjs          writes the bundle
//   node scripts/l10n.mjs --check  exits 1 when the bundle is out of date (test/unit/l10n.test.ts runs this)
//
// A message that is not a literal cannot be listed: the script says where and exits 1.
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src', 'vscode');
const BUNDLE = join(ROOT, 'l10n', 'bundle.l10n.json');

function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

/** The text of a string literal or a template without substitutions, else undefined. */
function literal(node) {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

/** Every message in `files`: { entries: Map<key, value>, problems: string[] }. */
export function extract(files) {
  const entries = new Map();
  const problems = [];
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const where = (node) =>
      `${relative(ROOT, file).split(sep).join('/')}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
    const visit = (node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.getText(sf).replace(/\s/g, '') === 'vscode.l10n.t'
      ) {
        const first = node.arguments[0];
        const text = literal(first);
        if (text !== undefined) entries.set(text, text);
        else if (first && ts.isObjectLiteralExpression(first)) {
          const prop = (name) =>
            first.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText(sf) === name);
          const message = literal(prop('message')?.initializer);
          const c = prop('comment')?.initializer;
          const comment = c && ts.isArrayLiteralExpression(c) ? c.elements.map(literal) : [literal(c)];
          if (message === undefined || comment.some((x) => x === undefined))
            problems.push(`${where(first)}: the message and comment must be literals`);
          else entries.set(`${message}/${comment.join('')}`, { message, comment });
        } else problems.push(`${where(node)}: vscode.l10n.t needs a literal message, not ${first?.getText(sf)}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { entries, problems };
}

/** The bundle's JSON text: keys sorted (stable under moves of code between files), two-space indent. */
export function bundleText(entries) {
  const sorted = Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const { entries, problems } = extract(tsFiles(SRC));
  for (const p of problems) console.error(`l10n: ${p}`);
  const text = bundleText(entries);
  if (process.argv.includes('--check')) {
    const current = existsSync(BUNDLE) ? readFileSync(BUNDLE, 'utf8') : '';
    if (current !== text) {
      const have = current ? Object.keys(JSON.parse(current)) : [];
      const want = [...entries.keys()];
      const missing = want.filter((k) => !have.includes(k));
      const stale = have.filter((k) => !entries.has(k));
      console.error(
        `l10n: ${relative(ROOT, BUNDLE)} is out of date (run: node scripts/l10n.mjs)` +
          `${
            missing.length
              ? `\n  missing: ${missing
                  .slice(0, 10)
                  .map((k) => JSON.stringify(k))
                  .join(', ')}`
              : ''
          }` +
          `${
            stale.length
              ? `\n  no longer used: ${stale
                  .slice(0, 10)
                  .map((k) => JSON.stringify(k))
                  .join(', ')}`
              : ''
          }`,
      );
      process.exit(1);
    }
    if (problems.length) process.exit(1);
    console.log(`l10n: ${relative(ROOT, BUNDLE)} is up to date (${entries.size} messages)`);
  } else {
    mkdirSync(dirname(BUNDLE), { recursive: true });
    writeFileSync(BUNDLE, text);
    console.log(`l10n: wrote ${relative(ROOT, BUNDLE)} (${entries.size} messages)`);
    if (problems.length) process.exit(1);
  }
}
