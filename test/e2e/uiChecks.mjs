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
    // The template list, not the palette it replaces: the palette also lists "Continue training word vectors".
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'New training config' }).waitFor({ timeout: TIMEOUT });
    await quickInputRows(page).filter({ hasText: 'Start from an earlier word2vec run' }).first().click({ timeout: TIMEOUT });
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

/** The innermost frame of the webview whose page has `selector` (code-server nests each webview twice). */
function webviewFrame(page, selector) {
  return page.frameLocator('iframe.webview').frameLocator('iframe#active-frame').locator(selector);
}

/** "Pretrain word vectors" on the open config: the training panel opens and follows the run to its end. */
export async function pretrainFromPalette(page) {
  await openFile(page, 'vectors.nlp.yaml');
  await runCommand(page, 'NLP Studio: Pretrain word vectors');
  await webviewFrame(page, '#run-title').filter({ hasText: 'e2e-vectors' }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#progress-text').filter({ hasText: '100%' }).waitFor({ timeout: 120_000 });
  await webviewFrame(page, '#eta').filter({ hasText: 'completed' }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#neighbours').filter({ hasText: 'war' }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#loss-chart canvas').first().waitFor({ timeout: TIMEOUT });
}

/** "Explore embeddings" on the vectors just trained: the projection is drawn and says what it shows. */
async function exploreFromPalette(page) {
  await runCommand(page, 'View: Close All Editor Groups'); // one webview on the page, so the frame is unambiguous
  await runCommand(page, 'NLP Studio: Explore embeddings');
  await quickInputRows(page).filter({ hasText: 'e2e-vectors/vectors.bin' }).first().click({ timeout: TIMEOUT });
  await webviewFrame(page, '#info').filter({ hasText: /most frequent of [\d,]+ words/ }).waitFor({ timeout: TIMEOUT });
}

/** "Fine-tune model" on the sentiment config: the panel follows the run and ends with the confusion matrix and per-class table. */
async function fineTuneFromPalette(page) {
  await runCommand(page, 'View: Close All Editor Groups');
  await openFile(page, 'sentiment.nlp.yaml');
  await runCommand(page, 'NLP Studio: Fine-tune model');
  await webviewFrame(page, '#run-title').filter({ hasText: 'e2e-sentiment' }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#confusion-matrix').waitFor({ timeout: 120_000 });
  for (const label of ['neg', 'pos']) {
    await webviewFrame(page, '#confusion-matrix th[scope="row"]').filter({ hasText: label }).waitFor({ timeout: TIMEOUT });
    await webviewFrame(page, '#per-class th[scope="row"]').filter({ hasText: label }).waitFor({ timeout: TIMEOUT });
  }
  await webviewFrame(page, '#report-accuracy').filter({ hasText: /\d\.\d/ }).waitFor({ timeout: TIMEOUT });
}

/** "Predict on selection" on a line of text: the label and its probability follow the selection; the hover lists every class. */
async function predictFromPalette(page) {
  await runCommand(page, 'View: Close All Editor Groups');
  await openFile(page, 'review.txt');
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.locator('textarea').first().focus();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Shift+End');
  await runCommand(page, 'NLP Studio: Predict on selection');
  // An `after` decoration is drawn by a CSS ::after rule on a span of the line, not as text in the DOM.
  const decorationText = () =>
    editor.locator('.view-lines span').evaluateAll((spans) =>
      spans.map((span) => getComputedStyle(span, '::after').content).filter((content) => content && content !== 'none' && content !== 'normal'),
    );
  // The newest finished run (e2e-sentiment) is used without asking; if a model list is shown instead, pick that run.
  await until('the predicted label after the selection', async () => {
    if ((await decorationText()).some((content) => /(neg|pos) \d{1,3}\.\d%/.test(content))) return true;
    const row = quickInputRows(page).filter({ hasText: 'e2e-sentiment' }).first();
    if (await row.isVisible()) await row.click();
    return false;
  }, { timeoutMs: 60_000 });
  await page.keyboard.press('End');
  await editor.locator('.view-line').first().getByText('love', { exact: false }).first().hover();
  const hover = page.locator('.monaco-hover').filter({ hasText: 'neg' }).filter({ hasText: 'pos' });
  await hover.first().waitFor({ timeout: TIMEOUT });
}

/** "Check training environment": a read-only preview of the report, no untitled editor beside it. */
async function environmentReportFromPalette(page) {
  await runCommand(page, 'View: Close All Editor Groups');
  await runCommand(page, 'NLP Studio: Check training environment');
  await webviewFrame(page, 'h1').filter({ hasText: 'NLP Studio training environment' }).waitFor({ timeout: 60_000 });
  await webviewFrame(page, 'p').filter({ hasText: 'Fine-tuning runs on:' }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, 'h2').filter({ hasText: 'GPU through WebGPU' }).waitFor({ timeout: TIMEOUT });
  const untitled = await page.locator('.tabs-container .tab').filter({ hasText: /Untitled/ }).count();
  if (untitled > 0) throw new Error(`the report left ${untitled} untitled editor(s) open`);
  await page.screenshot({ path: resolve(import.meta.dirname, '../../out/e2e-artifacts/environment-report.png') });
}

/** @returns {[string, (page: import('playwright-core').Page) => Promise<void>][]} */
export function uiChecks(workspace) {
  return [
    ['Problems panel shows the broken config\'s diagnostics', problemsPanelShowsDiagnostics],
    ['Ctrl+Space suggests schema keys', completionOffersSchemaKeys],
    ['"NLP Studio: New training config" from the palette', newConfigFromPalette(workspace)],
    ['"NLP Studio: Pretrain word vectors" from the palette updates the training panel', pretrainFromPalette],
    ['"NLP Studio: Explore embeddings" draws the trained vectors', exploreFromPalette],
    ['"NLP Studio: Fine-tune model" ends with the confusion matrix in the panel', fineTuneFromPalette],
    ['"NLP Studio: Predict on selection" labels the selected text, with every class on hover', predictFromPalette],
    ['"NLP Studio: Check training environment" shows the report as a read-only preview', environmentReportFromPalette],
  ];
}
