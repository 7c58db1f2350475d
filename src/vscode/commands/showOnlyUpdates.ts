import type { Services } from '../services';

/** Workspace Images: only images with an update or a changed digest. */
export function showOnlyUpdatesCommand(services: Services): void {
  services.imagesTree.setOnlyUpdates(true);
}
