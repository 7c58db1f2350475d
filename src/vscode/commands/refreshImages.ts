import type { Services } from '../services';

/** Registry Lens: Refresh Workspace Images — rescans every workspace folder now. */
export function refreshImagesCommand(services: Services): Promise<void> {
  return services.images.refresh('refresh command');
}
