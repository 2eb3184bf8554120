// Pictures of what the user sees, saved on every run under out/e2e-artifacts/ for a person to look at:
// the training panel, the run comparison, the embedding explorer and the prediction hover, in VS Code's
// own light, dark and high-contrast themes. Taking one waits for the view to be there, never a delay.
import { join } from 'node:path';
import { runCommand, until } from './workbench.mjs';

const TIMEOUT = 30_000;

/** VS Code's built-in themes as "Preferences: Color Theme" lists them, and the class the workbench then wears. */
export const THEMES = [
  { id: 'dark', label: 'Dark Modern', workbenchClass: 'vs-dark', webviewClass: 'vscode-dark' },
  { id: 'light', label: 'Light Modern', workbenchClass: 'vs', webviewClass: 'vscode-light' },
  { id: 'high-contrast', label: 'Dark High Contrast', workbenchClass: 'hc-black', webviewClass: 'vscode-high-contrast' },
];

/** Switches the colour theme through the palette, as a user would, and waits until the workbench wears it. */
export async function setTheme(page, theme) {
  const workbench = page.locator('.monaco-workbench');
  if (await workbench.evaluate((element, name) => element.classList.contains(name), theme.workbenchClass)) return;
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input.input');
  await input.fill(theme.label);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: theme.label }).first();
  await row.waitFor({ timeout: TIMEOUT });
  await row.click();
  await until(`the ${theme.id} theme on the workbench`, () => workbench.evaluate((element, name) => element.classList.contains(name), theme.workbenchClass), { timeoutMs: TIMEOUT });
}

/** The visible webview's iframe element (code-server nests two; the outer one is the panel's box). */
export const webviewElement = (page) => page.locator('iframe.webview.ready').locator('visible=true').first();

/** The page inside the visible webview. */
export const webviewPage = (page) => webviewElement(page).contentFrame().frameLocator('iframe#active-frame');

/** Waits until the webview's page wears `theme` (VS Code swaps its body class and variables). */
export async function webviewWears(page, theme) {
  await webviewPage(page).locator(`body.${theme.webviewClass}`).waitFor({ timeout: TIMEOUT });
}

/** Saves `locator`'s box as out/e2e-artifacts/<name>.png and returns the path. */
export async function shoot(locator, artifactsDir, name) {
  const file = join(artifactsDir, `${name}.png`);
  await locator.screenshot({ path: file, animations: 'disabled' });
  return file;
}
