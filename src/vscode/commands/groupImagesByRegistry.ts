import type { Services } from '../services';

/** Workspace Images grouped by registry and repository. */
export function groupImagesByRegistryCommand(services: Services): void {
  services.imagesTree.setGrouping('registry');
}
