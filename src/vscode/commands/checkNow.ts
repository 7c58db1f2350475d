import type { Services } from '../services';

/** Registry Lens: Check for Image Updates Now (queued behind a running check). */
export function checkNowCommand(services: Services): Promise<void> {
  return services.checker.checkNow('command');
}
