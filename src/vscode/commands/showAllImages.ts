import type { Services } from '../services';

/** Workspace Images: every image again. */
export function showAllImagesCommand(services: Services): void {
  services.imagesTree.setOnlyUpdates(false);
}
