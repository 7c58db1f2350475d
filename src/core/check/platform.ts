// Platforms as `os/architecture[/variant]`, matched the way the engine picks an index child: `linux/arm64` is
// `linux/arm64/v8`, `linux/arm` is `linux/arm/v7` (containerd's normalisation), case-insensitive.

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  x86: '386',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
};
const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7' };

/** `linux/arm64` -> `linux/arm64/v8`; null for text that is not a platform (or holds a variable). */
export function normalizePlatform(text: string): string | null {
  const t = text.trim().toLowerCase();
  if (t === '' || t.includes('$')) return null;
  const [os, archRaw, variantRaw, ...rest] = t.split('/');
  if (!os || !archRaw || rest.length > 0) return null;
  const arch = ARCH_ALIASES[archRaw] ?? archRaw;
  let variant = variantRaw ?? DEFAULT_VARIANT[arch] ?? '';
  if (arch === 'arm64' && variant === '8') variant = 'v8';
  return [os, arch, ...(variant ? [variant] : [])].join('/');
}

export function samePlatform(a: string, b: string): boolean {
  const x = normalizePlatform(a);
  return x !== null && x === normalizePlatform(b);
}

/** What docker builds for when a Dockerfile names no platform: the machine's own (`linux/amd64` on x64). */
export function hostPlatform(arch: string = process.arch): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
  };
  return normalizePlatform(`linux/${map[arch] ?? arch}`) ?? 'linux/amd64';
}
