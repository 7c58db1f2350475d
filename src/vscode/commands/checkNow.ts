import type { Services } from '../services';

/** Registry Lens: Check for Image Updates Now (queued behind a running check); the Registries view is re-checked too. */
export async function checkNowCommand(services: Services): Promise<void> {
  await Promise.all([services.checker.checkNow('command'), services.registryStatus.check()]);
}
