// Shared by `npm test` and `npm run demo`: on a fresh machine, install what is missing (scripts/setup.sh:
// Debian packages, npm dependencies, code-server) before anything else runs. Needs the package registries,
// so call it before entering the loopback-only namespace.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');

export function codeServerEntry() {
  const dir =
    process.env.CODE_SERVER_DIR ??
    join(
      process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
      'registry-lens',
      'code-server',
      'node_modules',
      'code-server',
    );
  return join(dir, 'out', 'node', 'entry.js');
}

function ready() {
  return (
    existsSync(join(ROOT, 'node_modules', '.bin', 'esbuild')) &&
    existsSync(codeServerEntry()) &&
    [
      '/usr/bin/docker-registry',
      '/usr/bin/chromium',
      '/usr/bin/htpasswd',
      '/bin/busybox',
      '/usr/bin/docker-credential-pass',
    ].every((f) => existsSync(f))
  );
}

export function ensureSetup(who) {
  if (ready()) return;
  console.log(`${who}: some prerequisites are missing; running scripts/setup.sh first`);
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'setup.sh')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 2);
}
