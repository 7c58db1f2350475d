import type { Services } from '../services';

/** Workspace Images grouped by file. */
export function groupImagesByFileCommand(services: Services): void {
  services.imagesTree.setGrouping('file');
}
