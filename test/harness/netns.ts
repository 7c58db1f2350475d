import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Tests must never reach anything but loopback. The surest way is a network namespace that has
 * nothing else: `unshare -n` with `lo` brought up. These helpers tell whether we are in one and
 * re-run the current command inside one.
 */

/** True when the only network interface is `lo` (a fresh namespace), so nothing can leave the machine. */
export function isLoopbackOnly(): boolean {
  try {
    // /proc/self/net is per network namespace (/sys/class/net is not: it shows the mounter's namespace).
    const lines = readFileSync('/proc/self/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .filter((l) => l.trim());
    return lines.every((l) => l.trim().startsWith('lo:'));
  } catch {
    return false;
  }
}

/**
 * Re-executes `process.argv` inside a new loopback-only network namespace and exits with its status.
 * Returns normally (without re-executing) when already isolated or when REGISTRY_LENS_NO_NETNS=1.
 * As root `unshare -n` is enough; otherwise `unshare -r -n` maps us to root in a user namespace.
 */
export function reexecInLoopbackNamespace(): void {
  if (isLoopbackOnly() || process.env.REGISTRY_LENS_NO_NETNS === '1') return;
  if (process.env.REGISTRY_LENS_IN_NETNS === '1') {
    console.error('Inside the new network namespace but interfaces other than lo are visible; refusing to loop.');
    process.exit(2);
  }
  const root = process.getuid?.() === 0;
  const quoted = process.argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('unshare', [...(root ? [] : ['-r']), '-n', 'sh', '-c', `ip link set lo up && exec ${quoted}`], {
    stdio: 'inherit',
    env: { ...process.env, REGISTRY_LENS_IN_NETNS: '1' },
  });
  if (r.error || r.status === null) {
    console.error(`Could not create a loopback-only network namespace (${r.error?.message ?? `signal ${r.signal}`}).`);
    console.error(
      'Install util-linux and iproute2 (scripts/install-system.sh), or set REGISTRY_LENS_NO_NETNS=1 to run without isolation.',
    );
    process.exit(2);
  }
  process.exit(r.status);
}
