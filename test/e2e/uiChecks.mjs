// Checks that drive the workbench as a user would: keyboard, palette, Problems panel, suggest widget.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { activeTab, openFile, quickInputRows, runCommand, until } from './workbench.mjs';

const TIMEOUT = 30_000;
const templatesDir = resolve(import.meta.dirname, '../../templates');

/** Opens the broken fixture and finds both of its diagnostics in the Problems panel. */
export async function problemsPanelShowsDiagnostics(page) {
  await openFile(page, 'broken.nlp.yaml');
  await runCommand(page, 'View: Focus Problems');
  const rows = page.locator('.markers-panel .monaco-list-row');
  await rows.filter({ hasText: /batch_sise.*Did you mean.*batch_size/i }).first().waitFor({ timeout: TIMEOUT });
  await rows.filter({ hasText: 'adamx' }).first().waitFor({ timeout: TIMEOUT });
}

/** Ctrl+Space at the top level of the valid fixture offers a schema key it does not use yet. */
async function completionOffersSchemaKeys(page) {
  await openFile(page, 'valid.nlp.yaml');
  await page.locator('.editor-instance .monaco-editor textarea').first().focus();
  await page.keyboard.press('Control+End'); // the empty last line: top level
  const suggestion = page.locator('.suggest-widget .monaco-list-row', { hasText: 'backend' }).first();
  await until('"backend" in the suggest widget', async () => {
    await page.keyboard.press('Control+Space');
    try {
      await suggestion.waitFor({ timeout: 3_000 });
      return true;
    } catch {
      await page.keyboard.press('Escape');
      return false;
    }
  }, { timeoutMs: TIMEOUT });
  await page.keyboard.press('Escape');
}

/** The whole "New training config" flow through the palette: pick, a rejected name, a good name. */
function newConfigFromPalette(workspace) {
  return async (page) => {
    await runCommand(page, 'NLP Studio: New training config');
    await quickInputRows(page).filter({ hasText: 'Continue training word vectors' }).first().click({ timeout: TIMEOUT });
    const input = page.locator('.quick-input-widget input.input');
    await until('the suggested file name', async () => (await input.inputValue()) === 'word2vec-continue.nlp.yaml', { timeoutMs: TIMEOUT });
    await input.fill('vectors.yaml');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'must end with .nlp.yaml' }).waitFor({ timeout: TIMEOUT });
    await input.fill('from-palette.nlp.yaml');
    await input.press('Enter');
    await activeTab(page, 'from-palette.nlp.yaml').waitFor({ timeout: TIMEOUT });
    const onDisk = join(workspace, 'from-palette.nlp.yaml');
    const template = readFileSync(join(templatesDir, 'word2vec-continue.nlp.yaml'), 'utf8');
    await until(`${onDisk} with the template`, () => readFileSync(onDisk, 'utf8') === template, { timeoutMs: TIMEOUT });
  };
}

/** @returns {[string, (page: import('playwright-core').Page) => Promise<void>][]} */
export function uiChecks(workspace) {
  return [
    ['Problems panel shows the broken config\'s diagnostics', problemsPanelShowsDiagnostics],
    ['Ctrl+Space suggests schema keys', completionOffersSchemaKeys],
    ['"NLP Studio: New training config" from the palette', newConfigFromPalette(workspace)],
  ];
}
