import type { Services } from '../services';

/** Registry Lens: Refresh Local Engine — reconnects and compares with the registries afresh (no cached tag answers). */
export function refreshLocalCommand(services: Services): Promise<void> {
  return services.local.refresh('refresh command', { fresh: true });
}
