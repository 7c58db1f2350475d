import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';
import { REPO_ROOT, tsFiles } from '../support/paths';

/**
 * Every user-facing string of the editor layer goes through `vscode.l10n.t`: a static check over the text of
 * src/vscode/**\/*.ts (parsed with the TypeScript parser, nothing is run). It looks where user-facing text goes —
 * notifications, quick picks, input boxes, tree items, code actions, diagnostics, hovers, the status bar, progress —
 * and fails on a raw string or template literal with words in it. Reasonable, not perfect: text that reaches the
 * user through a helper it does not know about is not seen. Log lines (the output channel) stay English.
 */

/** Properties (object literals and `x.prop = ...`) whose value the user reads (`usernamePrompt`, `hostPlaceholder` too). */
const TEXT_PROPS =
  /^(label|description|detail|title|placeHolder|placeholder|prompt|tooltip|message|text|openLabel|reason|name)$|(Prompt|Placeholder|Label|Title|Message|Text)$/;
/** Local variables that hold user-facing text before it is shown. */
const TEXT_VARS =
  /^(text|message|msg|title|label|description|detail|tooltip|prompt|placeHolder|hint|reason|why|what|when|verdict|expiry|still)$/;
/** Functions whose return value is user-facing text. */
const TEXT_FUNCTIONS = /(title|text|label|describ|message|validate|source|hint|prompt)/i;
/** Calls whose arguments the user reads: callee name -> argument indexes (`all`: every argument). */
const TEXT_CALLS: Record<string, number[] | 'all'> = {
  showInformationMessage: 'all',
  showWarningMessage: 'all',
  showErrorMessage: 'all',
  setStatusBarMessage: [0],
  appendMarkdown: [0],
  appendText: [0],
  toRelated: [1],
  toDiagnostic: [2],
  commandFix: [0],
};
/** Constructors (`new vscode.X(...)`) whose arguments the user reads. */
const TEXT_CONSTRUCTORS: Record<string, number[]> = {
  TreeItem: [0],
  CodeAction: [0],
  Diagnostic: [1],
  DiagnosticRelatedInformation: [1],
  MarkdownString: [0],
  Hover: [0],
  Task: [2],
};

/** Words a translation keeps as they are: the product's and Docker Hub's names. */
const NAMES = /Registry Lens|Docker Hub/g;
/** Codicons (`$(sync~spin)`) are icons, not words. */
const CODICON = /\$\([a-z0-9~-]+\)/g;

/** A host name or a dotted id (`registry.gitlab.com`, `registry.example.com:5000`) is not a sentence. */
const HOST = /^[\w-]+(\.[\w-]+)+(:\d+)?$/;

function hasWords(text: string): boolean {
  if (HOST.test(text.trim())) return false;
  return /\p{L}{2,}/u.test(text.replace(CODICON, '').replace(NAMES, ''));
}

export interface RawString {
  file: string;
  line: number;
  /** The literal's text (a template's static parts joined with `${}`). */
  text: string;
  /** Where it goes: `showWarningMessage`, `label:`, `new TreeItem`, ... */
  sink: string;
}

function calleeName(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

function propName(n: ts.PropertyName | ts.Expression): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n)) return n.text;
  if (ts.isPropertyAccessExpression(n)) return n.name.text;
  return undefined;
}

/** Finds raw user-facing strings in one file's text. */
export function findRawStrings(file: string, source: string): RawString[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: RawString[] = [];
  const report = (node: ts.Node, text: string, sink: string): void => {
    found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text, sink });
  };
  /** Looks at an expression that becomes user-facing text: literals, and the branches that choose between them. */
  const check = (e: ts.Expression | undefined, sink: string): void => {
    if (!e) return;
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
      if (hasWords(e.text)) report(e, e.text, sink);
    } else if (ts.isTemplateExpression(e)) {
      const text = [e.head.text, ...e.templateSpans.map((s) => s.literal.text)].join('${}');
      if (hasWords(text)) report(e, text, sink);
      // Text chosen inside a substitution (`${x ? ' · cached' : ''}`) is text too.
      for (const s of e.templateSpans) check(s.expression, sink);
    } else if (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e)) {
      check(e.expression, sink);
    } else if (ts.isConditionalExpression(e)) {
      check(e.whenTrue, sink);
      check(e.whenFalse, sink);
    } else if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.PlusToken) {
        check(e.left, sink);
        check(e.right, sink);
      } else if (
        op === ts.SyntaxKind.QuestionQuestionToken ||
        op === ts.SyntaxKind.BarBarToken ||
        op === ts.SyntaxKind.AmpersandAmpersandToken
      ) {
        check(e.right, sink);
      }
    }
  };
  const visit = (node: ts.Node, fn: string | undefined): void => {
    let inFunction = fn;
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) inFunction = node.name?.getText(sf);
    else if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const p = node.parent;
      if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) inFunction = p.name.getText(sf);
      // An arrow with an expression body returns it.
      if (ts.isArrowFunction(node) && !ts.isBlock(node.body) && inFunction && TEXT_FUNCTIONS.test(inFunction))
        check(node.body, `${inFunction}() returns`);
    }
    if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression);
      const which = name === undefined ? undefined : TEXT_CALLS[name];
      if (name && which) node.arguments.forEach((a, i) => (which === 'all' || which.includes(i)) && check(a, name));
      // A message the bundle cannot list: `vscode.l10n.t(someVariable)`.
      if (
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.getText(sf).replace(/\s/g, '') === 'vscode.l10n.t'
      ) {
        const first = node.arguments[0];
        if (
          first &&
          !ts.isStringLiteral(first) &&
          !ts.isNoSubstitutionTemplateLiteral(first) &&
          !ts.isObjectLiteralExpression(first)
        )
          report(first, first.getText(sf), 'vscode.l10n.t with a message that is not a literal');
      }
    } else if (ts.isNewExpression(node)) {
      const name = calleeName(node.expression);
      const which = name === undefined ? undefined : TEXT_CONSTRUCTORS[name];
      if (name && which) (node.arguments ?? []).forEach((a, i) => which.includes(i) && check(a, `new ${name}`));
    } else if (ts.isPropertyAssignment(node)) {
      const name = propName(node.name);
      if (name && TEXT_PROPS.test(name)) check(node.initializer, `${name}:`);
    } else if (
      ts.isBinaryExpression(node) &&
      (node.operatorToken.kind === ts.SyntaxKind.EqualsToken ||
        node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken)
    ) {
      const name = propName(node.left);
      if (name && (ts.isPropertyAccessExpression(node.left) ? TEXT_PROPS.test(name) : TEXT_VARS.test(name)))
        check(node.right, `${name} =`);
    } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && TEXT_VARS.test(node.name.text)) {
      check(node.initializer, `const ${node.name.text}`);
    } else if (ts.isReturnStatement(node) && inFunction && TEXT_FUNCTIONS.test(inFunction)) {
      check(node.expression, `${inFunction}() returns`);
    }
    ts.forEachChild(node, (c) => visit(c, inFunction));
  };
  visit(sf, undefined);
  return found;
}

/**
 * Justified exceptions: file (under src/vscode) and the literal's text, each with why it is not translated.
 * An entry that no longer matches anything fails the test, so the list cannot go stale.
 */
const PRODUCT = 'a registry product name, the same in every language';
const ALLOWED: { file: string; text: string; why: string }[] = [
  {
    file: 'commands/importDockerCredentials.ts',
    text: 'docker-credential-${} (${})',
    why: "a credential helper's program name and the docker config key naming it (credHelpers, credsStore)",
  },
  { file: 'credentials/presets.ts', text: 'GitHub Container Registry (ghcr.io)', why: PRODUCT },
  { file: 'credentials/presets.ts', text: 'GitLab Container Registry', why: PRODUCT },
  { file: 'credentials/presets.ts', text: 'Amazon ECR', why: PRODUCT },
  { file: 'credentials/presets.ts', text: 'Azure Container Registry', why: PRODUCT },
  { file: 'credentials/presets.ts', text: 'Harbor', why: PRODUCT },
  {
    file: 'tree/imagesModel.ts',
    text: '(no tag)',
    why: 'the model is plain data unit-tested under Node without vscode; the one word-bearing label it makes',
  },
];

void describe('l10n: user-facing strings in src/vscode go through vscode.l10n.t', () => {
  void it('the check finds raw strings where the user reads them (and not in vscode.l10n.t or log lines)', () => {
    const bad = [
      "vscode.window.showInformationMessage('Registry Lens: done.');",
      'vscode.window.showWarningMessage(`${host} is gone`, "Retry");',
      "const items = [{ label: 'Patch updates', description: `${n} references` }];",
      "const item = new vscode.TreeItem('Images', vscode.TreeItemCollapsibleState.Expanded);",
      "void vscode.window.withProgress({ title: 'Pulling', location }, run);",
      "void vscode.window.showInputBox({ placeHolder: 'host:port', prompt: 'Registry host' });",
      "item.tooltip = 'Click to refresh';",
      "const a = new vscode.CodeAction('Ignore this image', vscode.CodeActionKind.QuickFix);",
      "function fixTitle(): string { return ok ? 'Pin it' : 'Update it'; }",
      'md.appendMarkdown(`Platforms: ${list}`);',
      'const d = new vscode.Diagnostic(range, `${ref} moves`, severity);',
      'vscode.l10n.t(preset.prompt);',
    ].join('\n');
    const hits = findRawStrings('bad.ts', bad);
    assert.deepEqual(
      hits.map((h) => `${h.line} ${h.sink} ${h.text}`),
      [
        '1 showInformationMessage Registry Lens: done.',
        '2 showWarningMessage ${} is gone',
        '2 showWarningMessage Retry',
        '3 label: Patch updates',
        '3 description: ${} references',
        '4 new TreeItem Images',
        '5 title: Pulling',
        '6 placeHolder: host:port',
        '6 prompt: Registry host',
        '7 tooltip = Click to refresh',
        '8 new CodeAction Ignore this image',
        '9 fixTitle() returns Pin it',
        '9 fixTitle() returns Update it',
        '10 appendMarkdown Platforms: ${}',
        '11 new Diagnostic ${} moves',
        '12 vscode.l10n.t with a message that is not a literal preset.prompt',
      ],
    );
    const good = [
      "vscode.window.showInformationMessage(vscode.l10n.t('Registry Lens: done.'));",
      "vscode.window.showWarningMessage(vscode.l10n.t('{0} is gone', host), vscode.l10n.t('Retry'));",
      "const items = [{ label: vscode.l10n.t('Patch updates'), description: `${n}` }];",
      "this.item.text = '$(sync~spin) Registry Lens';",
      'md.appendMarkdown(`**${name}** — ${state}\\n\\n`);',
      "log.info('Checked 3 images');",
      "const id = 'registryLens.status';",
      "const item = new vscode.TreeItem(node.label, C.None); item.description = `${count}${x ? ` · ${vscode.l10n.t('cached')}` : ''}`;",
    ].join('\n');
    assert.deepEqual(findRawStrings('good.ts', good), []);
  });

  void it('src/vscode shows no raw string literal to the user (beyond the justified exceptions)', () => {
    const root = path.join(REPO_ROOT, 'src', 'vscode');
    const hits = tsFiles(root).flatMap((f) =>
      findRawStrings(path.relative(root, f).split(path.sep).join('/'), readFileSync(f, 'utf8')),
    );
    const used = new Set<number>();
    const raw = hits.filter((h) => {
      const i = ALLOWED.findIndex((a) => a.file === h.file && a.text === h.text);
      if (i >= 0) used.add(i);
      return i < 0;
    });
    assert.deepEqual(
      raw.map((h) => `src/vscode/${h.file}:${h.line} ${h.sink} ${JSON.stringify(h.text)}`),
      [],
      'wrap these in vscode.l10n.t (placeholders {0}, not concatenation), or justify them in ALLOWED',
    );
    const stale = ALLOWED.filter((_, i) => !used.has(i)).map((a) => `${a.file}: ${JSON.stringify(a.text)}`);
    assert.deepEqual(stale, [], 'allow-list entries that match nothing any more');
  });
});

void describe('l10n: the default bundle', () => {
  void it('l10n/bundle.l10n.json lists exactly the vscode.l10n.t messages of src/vscode (node scripts/l10n.mjs)', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'l10n.mjs'), '--check'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  void it('package.json names the bundle folder and the VSIX ships it', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { l10n?: string };
    assert.equal(manifest.l10n, './l10n');
    const ignore = readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('!l10n/*.json'), '.vscodeignore lets l10n/*.json into the VSIX');
  });
});
