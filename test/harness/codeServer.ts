import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../support/paths';

/**
 * Runs a real VS Code — code-server from the npm registry — with a fresh profile, drives its workbench in
 * Debian's chromium through playwright-core, and tears everything down by process group.
 *
 * code-server has no CLI flags for extension tests, so the extension under development and the test
 * entry go into the workbench URL's `payload`, as `vscode-remote://<host:port>/abs/path` URIs: that is the
 * only form the server turns back into files it loads in its Node extension host.
 */

export const CODE_SERVER_VERSION = '4.100.3';

export function codeServerDir(): string {
  if (process.env.CODE_SERVER_DIR) return process.env.CODE_SERVER_DIR;
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(cache, 'registry-lens', 'code-server', 'node_modules', 'code-server');
}

export function chromiumPath(): string {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const c of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (fs.existsSync(c)) return c;
  return 'chromium';
}

export interface CodeServerOptions {
  /** Folder copied into a temp dir and opened (tests edit files, so never the original). */
  workspace: string;
  /** Extension folder loaded as "under development"; omit to test an installed VSIX. */
  extensionDevelopmentPath?: string;
  /** CommonJS test entry exporting run(): Promise<void>. */
  extensionTestsPath?: string;
  /** A .vsix installed with `--install-extension` into the fresh extensions dir before start. */
  installVsix?: string;
  /** Extra environment for code-server and therefore its extension host. */
  env?: Record<string, string>;
  /** User settings merged over the defaults. */
  settings?: Record<string, unknown>;
  /** Where logs and screenshots go. */
  resultsDir: string;
  /** Prefix for screenshots and logs of this run. */
  name: string;
  verbose?: boolean;
  /** Address to listen on; default 127.0.0.1:0 (a free port picked by the OS). */
  bindAddr?: string;
  /** Open `workspace` in place instead of a temp copy (the demo keeps the user's edits). */
  inPlace?: boolean;
  /** Keep user data (settings, secrets, installed extensions) here instead of a temp dir. */
  stateDir?: string;
  /** Files written into the workspace copy before start (relative path -> text). */
  extraFiles?: Record<string, string>;
  /** Open the workspace in restricted mode (workspace trust on, the folder not trusted). */
  untrusted?: boolean;
  /** A file (absolute path inside the workspace) the workbench opens in an editor at start. */
  openFile?: string;
}

/** code-server alone, without a browser: what `npm run demo` leaves running for the user. */
export interface LaunchedCodeServer {
  readonly port: number;
  readonly workspace: string;
  readonly tmp: string;
  /** The workbench URL for the workspace, with an optional extension-test payload. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface RunningCodeServer {
  readonly port: number;
  readonly page: Page;
  readonly workspace: string;
  readonly tmp: string;
  /** Lines the page console printed (extension host output arrives here). */
  readonly console: string[];
  /** Resolves with the code VS Code passes to window.codeAutomationExit (test runs). */
  readonly exited: Promise<number>;
  screenshot(file: string): Promise<string>;
  stop(): Promise<void>;
}

const DEFAULT_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  // Tests decide when registries are contacted; the fixture's docker.io images must never trigger a ping.
  'registryLens.checkOnActivation': false,
};

/** Strips the workbench's `%c` console styling so extension-host lines read as plain text. */
function plain(text: string): string {
  if (!text.startsWith('%c')) return text;
  return text
    .replace(/%c/g, '')
    .replace(/^\s*[A-Z]+\s+color:\s*#\w+\s*/, '')
    .replace(/(\s*color:\s*[\w#]*;?)+\s*$/, '')
    .replace(/^\[Extension Host\]\s*/, '');
}

export async function launchCodeServer(opts: CodeServerOptions): Promise<LaunchedCodeServer> {
  const csDir = codeServerDir();
  const entry = path.join(csDir, 'out', 'node', 'entry.js');
  if (!fs.existsSync(entry)) {
    throw new Error(
      `code-server is not installed at ${csDir}: run scripts/setup-code-server.sh (or set CODE_SERVER_DIR).`,
    );
  }
  fs.mkdirSync(opts.resultsDir, { recursive: true });
  const tmp = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'registry-lens-cs-'));
  const userData = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  const workspace = opts.inPlace ? path.resolve(opts.workspace) : path.join(tmp, 'workspace');
  if (!opts.inPlace) fs.cpSync(opts.workspace, workspace, { recursive: true });
  for (const [rel, text] of Object.entries(opts.extraFiles ?? {})) fs.writeFileSync(path.join(workspace, rel), text);
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(path.join(tmp, 'tmp'), { recursive: true });
  const trust = opts.untrusted
    ? {
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'always',
      }
    : {};
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...trust, ...opts.settings }, null, 2),
  );
  const config = path.join(tmp, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\n');

  // Keep ~ and the shared /tmp clean: code-server, its extension hosts and chromium all honour these.
  const isolatedEnv: Record<string, string> = {
    TMPDIR: path.join(tmp, 'tmp'),
    XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
    XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
    XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'),
  };
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...isolatedEnv,
    // No gallery service URL: the workbench makes no marketplace queries.
    EXTENSIONS_GALLERY: '{}',
    ...opts.env,
  };

  const baseArgs = [
    entry,
    '--config',
    config,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.untrusted ? [] : ['--disable-workspace-trust']),
    '--user-data-dir',
    userData,
    '--extensions-dir',
    extensionsDir,
  ];
  if (opts.installVsix) {
    const r = spawnSync(process.execPath, [...baseArgs, '--install-extension', opts.installVsix], {
      env: childEnv,
      encoding: 'utf8',
      timeout: 120_000,
    });
    fs.writeFileSync(path.join(opts.resultsDir, `${opts.name}-install.log`), `${r.stdout}\n${r.stderr}`);
    if (r.status !== 0)
      throw new Error(
        `code-server --install-extension ${opts.installVsix} failed (${r.status}): ${r.stderr || r.stdout}`,
      );
  }

  const csLog = fs.createWriteStream(path.join(opts.resultsDir, `${opts.name}-code-server.log`));
  const cs: ChildProcess = spawn(process.execPath, [...baseArgs, '--bind-addr', opts.bindAddr ?? '127.0.0.1:0'], {
    detached: true, // its own process group: stop() ends exactly what we started
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv,
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killGroup(cs, 'SIGTERM');
    await waitExit(cs, 3000);
    killGroup(cs, 'SIGKILL');
    csLog.end();
    if (!process.env.KEEP_TMP && !opts.stateDir) fs.rmSync(tmp, { recursive: true, force: true });
  };

  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${out}`)), 60_000);
      const onData = (buf: Buffer): void => {
        csLog.write(buf);
        out += buf.toString();
        if (opts.verbose) process.stdout.write(`[code-server] ${buf.toString()}`);
        const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      cs.stdout?.on('data', onData);
      cs.stderr?.on('data', onData);
      cs.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited with ${code}:\n${out}`));
      });
    });
    const remote = (p: string): string => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload: [string, string][] = [
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    if (opts.extensionDevelopmentPath)
      payload.push(['extensionDevelopmentPath', remote(opts.extensionDevelopmentPath)]);
    if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(opts.extensionTestsPath)]);
    if (opts.openFile) payload.push(['openFile', remote(opts.openFile)]);
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return { port, workspace, tmp, url, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** code-server plus headless chromium on its workbench, for the extension-host, UI and VSIX tiers. */
export async function startCodeServer(opts: CodeServerOptions): Promise<RunningCodeServer> {
  const server = await launchCodeServer(opts);
  const isolatedEnv: Record<string, string> = {
    TMPDIR: path.join(server.tmp, 'tmp'),
    XDG_DATA_HOME: path.join(server.tmp, 'xdg-data'),
    XDG_CONFIG_HOME: path.join(server.tmp, 'xdg-config'),
    XDG_CACHE_HOME: path.join(server.tmp, 'xdg-cache'),
  };
  let browser: Browser | undefined;
  const stop = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await server.stop();
  };
  const { port, workspace, tmp } = server;
  try {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      env: { ...process.env, ...isolatedEnv },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // Belt and braces next to the network namespace: the page may only talk to loopback.
    await context.route(/^(https?|wss?):\/\/(?!127\.0\.0\.1[:/])/, (route) => {
      lines.push(`[driver] blocked non-loopback request ${route.request().url()}`);
      return route.abort();
    });
    const page = await context.newPage();
    const lines: string[] = [];
    let resolveExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((r) => {
      resolveExit = r;
    });
    // Must be exposed before navigation, or VS Code's exit call is lost.
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    await page.exposeFunction('codeAutomationLog', () => undefined);
    const pageLog = fs.createWriteStream(path.join(opts.resultsDir, `${opts.name}-page-console.log`));
    page.on('console', (msg) => {
      const text = plain(msg.text());
      lines.push(text);
      pageLog.write(`[${msg.type()}] ${text}\n`);
      if (opts.verbose) console.log(`[page:${msg.type()}] ${text}`);
      // A test entry VS Code cannot place never calls codeAutomationExit: fail instead of hanging.
      if (text.includes('No extension host found that can launch the test runner')) resolveExit(97);
    });
    page.on('pageerror', (e) => {
      lines.push(`[pageerror] ${e.message}`);
      pageLog.write(`[pageerror] ${e.message}\n`);
    });
    page.on('close', () => pageLog.end());

    await page.goto(server.url, { waitUntil: 'domcontentloaded' });

    return {
      port,
      page,
      workspace,
      tmp,
      console: lines,
      exited,
      async screenshot(file: string) {
        const p = path.join(opts.resultsDir, file);
        await page.screenshot({ path: p });
        return p;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
