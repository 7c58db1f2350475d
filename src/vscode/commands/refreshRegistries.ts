import type { Services } from '../services';

/** Registry Lens: Refresh Registries — pings every registry shown again. */
export function refreshRegistriesCommand(services: Services): Promise<void> {
  return services.registryStatus.check();
}
