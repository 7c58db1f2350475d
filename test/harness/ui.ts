import type { Locator, Page } from 'playwright-core';

/** Selectors for VS Code 1.100's workbench DOM, in one place: they are the part most likely to change. */
export const sel = {
  workbench: '.monaco-workbench',
  activityIcon: (title: string) => `.activitybar .action-item a[aria-label^="${title}"]`,
  sidebar: '#workbench\\.parts\\.sidebar',
  paneHeader: '.pane-header',
  welcome: '.welcome-view-content',
  treeRow: '.monaco-list-row',
  commandInput: '.quick-input-widget input',
  quickPickRow: '.quick-input-widget .monaco-list-row',
  outputPanel: '#workbench\\.panel\\.output',
};

/** Opens the Registry Lens container unless its views are already showing (the icon is a toggle). */
export async function openContainer(page: Page, title = 'Registry Lens'): Promise<Locator> {
  await page.locator(sel.workbench).waitFor({ timeout: 90_000 });
  const icon = page.locator(sel.activityIcon(title));
  await icon.waitFor({ timeout: 90_000 });
  const sidebar = page.locator(sel.sidebar);
  const header = sidebar.locator(sel.paneHeader, { hasText: 'Registries' });
  if (!(await header.isVisible().catch(() => false))) {
    await icon.click();
    // The pointer would rest on the icon, whose tooltip (the container's name) then covers the Workspace Images
    // header in every later screenshot: park it over the editor area.
    const viewport = page.viewportSize();
    if (viewport) await page.mouse.move(viewport.width - 40, viewport.height / 2);
  }
  await header.waitFor({ timeout: 30_000 });
  return sidebar;
}

/** Runs a command through the command palette, as a person would. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator(sel.commandInput);
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${title}`);
  await page.locator(sel.quickPickRow, { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}
