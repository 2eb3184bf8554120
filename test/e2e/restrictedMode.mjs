// A workspace opened in Restricted Mode (workspace trust on, the folder never trusted): the config
// language works, runs are refused. The palette and the title bar do not offer the run commands (their
// `enablement` is isWorkspaceTrusted); a run asked for anyway — here through the user's keybinding to
// `runCommands`, which executes a command whatever its enablement, as other extensions and tasks can — is
// refused by the extension itself with a warning, and nothing is written.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openFile, quickInputRows, until } from './workbench.mjs';

const TIMEOUT = 30_000;
const RUN_TITLES = ['Fine-tune model', 'Pretrain word vectors', 'Continue training word vectors', 'Resume run'];
/** The user's keybinding that asks for a run regardless of the command's enablement (and the keys Playwright presses). */
export const restrictedModeKeybindings = [{ key: 'ctrl+alt+shift+t', command: 'runCommands', args: { commands: ['nlpStudio.pretrainWordVectors'] } }];
const FORCED_RUN_KEYS = 'Control+Alt+Shift+T';

async function windowIsRestricted(page) {
  await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
}

async function paletteOffersNoRun(page) {
  // Retried until a command the extension offers everywhere is listed: then its commands are registered.
  const offered = await until("the extension's commands in the palette", async () => {
    if (!(await page.locator('.quick-input-widget').isVisible())) await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input.input').fill('>NLP Studio:');
    try {
      await quickInputRows(page).filter({ hasText: 'Show training panel' }).first().waitFor({ timeout: 2_000 });
    } catch {
      await page.keyboard.press('Escape');
      return false;
    }
    return quickInputRows(page).allInnerTexts();
  }, { timeoutMs: TIMEOUT });
  await page.keyboard.press('Escape');
  const runs = offered.filter((row) => RUN_TITLES.some((title) => row.includes(title)));
  if (runs.length > 0) throw new Error(`the palette offers runs in Restricted Mode: ${runs.join(' | ')}`);
}

async function runButtonIsDisabled(page) {
  await openFile(page, 'vectors.nlp.yaml');
  // The button appears once the extension has classified the config (it does in Restricted Mode too):
  // wait for it, so the check cannot pass merely because the title bar has not been drawn yet.
  const button = page.locator('.editor-actions .action-label[aria-label^="Pretrain word vectors"]').first();
  await button.waitFor({ timeout: TIMEOUT });
  if (!(await button.evaluate((element) => element.classList.contains('disabled')))) throw new Error('the title bar offers "Pretrain word vectors" enabled in Restricted Mode');
}

function forcedRunIsRefused(workspace) {
  return async (page) => {
    await openFile(page, 'vectors.nlp.yaml');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press(FORCED_RUN_KEYS);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'does not start training runs in a Restricted Mode window' });
    await toast.waitFor({ timeout: TIMEOUT });
    if (!(await toast.getByRole('button', { name: 'Manage Workspace Trust' }).count())) throw new Error('the warning offers no way to trust the workspace');
    const runs = join(workspace, 'runs');
    if (existsSync(runs)) throw new Error(`a refused run wrote ${runs}: ${readdirSync(runs).join(', ')}`);
  };
}

/** @returns {[string, (page: import('playwright-core').Page) => Promise<void>][]} */
export function restrictedModeChecks(workspace) {
  return [
    ['the untrusted workspace opens in Restricted Mode', windowIsRestricted],
    ['Restricted Mode: the palette offers no run command', paletteOffersNoRun],
    ['Restricted Mode: the title bar\'s run button is disabled', runButtonIsDisabled],
    ['Restricted Mode: a run asked for anyway is refused with a warning and writes nothing', forcedRunIsRefused(workspace)],
  ];
}
