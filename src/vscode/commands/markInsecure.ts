import { normalizeRegistry } from '../../core';
import { settingId } from '../config';
import { Setting } from '../constants';
import { allowInsecureRegistry } from '../registry/insecureHosts';
import type { Services } from '../services';
import { pickHost } from './credentialFlow';

/**
 * "Mark <registry> insecure" (a quick-fix of a TLS error): after a modal warning, adds the host to
 * `registryLens.insecureRegistries` in the user's settings (never a workspace's); the settings change re-checks.
 * `options.confirm: false` skips the warning (tests, automation). Resolves with true when the host is listed.
 */
export async function markInsecureCommand(
  s: Services,
  host?: string,
  options: { confirm?: false } = {},
): Promise<boolean> {
  const target = host ?? (await pickHost(s));
  if (!target) return false;
  const key = normalizeRegistry(target);
  const listed = await allowInsecureRegistry(key, 'tls', options.confirm === false ? { confirm: false } : {});
  if (listed)
    s.log.warn(`${settingId(Setting.InsecureRegistries)} (user settings): ${key} marked insecure (TLS not verified)`);
  return listed;
}
