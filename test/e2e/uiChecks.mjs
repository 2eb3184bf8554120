// Checks that drive the workbench as a user would: keyboard, palette, Problems panel, suggest widget,
// the panels; and screenshots of what the user sees, in every theme, for a person to review.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTheme, shoot, THEMES, webviewElement, webviewPage, webviewWears } from './screenshots.mjs';
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
  return webviewPage(page).locator(selector);
}

/** One editor group and no side bar, bottom panel or toasts: the view the screenshots show. */
async function clearTheStage(page) {
  await runCommand(page, 'View: Close All Editor Groups'); // one webview on the page, so the frame is unambiguous
  // The palette offers these only while there is something to close.
  if (await page.locator('.part.sidebar').isVisible()) await runCommand(page, 'View: Close Primary Side Bar');
  if (await page.locator('.part.panel').isVisible()) await runCommand(page, 'View: Hide Panel');
  if (await page.locator('.notifications-toasts .notification-toast').count()) await runCommand(page, 'Notifications: Clear All Notifications');
}

/** "Pretrain word vectors" on the open config: the training panel opens and follows the run to its end. */
export async function pretrainFromPalette(page) {
  await openFile(page, 'vectors.nlp.yaml');
  await runCommand(page, 'NLP Studio: Pretrain word vectors');
  await webviewFrame(page, '#run-title').filter({ hasText: 'e2e-vectors' }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#progress-text').filter({ hasText: '100%' }).waitFor({ timeout: 120_000 });
  await webviewFrame(page, '#run-state').filter({ hasText: 'Completed' }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#neighbours').filter({ hasText: 'war' }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#loss-chart canvas').first().waitFor({ timeout: TIMEOUT });
}

/** The ▷ in a config's title bar runs what the config trains. */
async function runButtonFitsTheConfig(page) {
  for (const [file, title] of [['sentiment.nlp.yaml', 'Fine-tune model'], ['vectors.nlp.yaml', 'Pretrain word vectors'], ['continue-vectors.nlp.yaml', 'Continue training word vectors']]) {
    await openFile(page, file);
    await page.locator(`.editor-actions .action-label[aria-label^="${title}"]`).first().waitFor({ timeout: TIMEOUT });
    const others = ['Fine-tune model', 'Pretrain word vectors', 'Continue training word vectors'].filter((other) => other !== title);
    for (const other of others) {
      if (await page.locator(`.editor-actions .action-label[aria-label^="${other}"]`).count()) throw new Error(`${file} shows "${other}" in its title bar`);
    }
  }
}

/** "Explore embeddings" on the vectors just trained, then a search: the word and its neighbours. */
async function exploreAndSearch(page) {
  await runCommand(page, 'NLP Studio: Explore embeddings');
  await quickInputRows(page).filter({ hasText: 'e2e-vectors' }).filter({ hasText: 'word vectors' }).first().click({ timeout: TIMEOUT });
  await webviewFrame(page, '#info').filter({ hasText: /words · \d+ dimensions/ }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#search').fill('war');
  await webviewFrame(page, '#search').press('Enter');
  await webviewFrame(page, '#neighbours-list li:nth-child(10) .rank').waitFor({ timeout: TIMEOUT });
}

/** "Fine-tune model" on `config`: the panel follows the run and ends with the confusion matrix and per-class table. */
async function fineTune(page, config, name) {
  await runCommand(page, 'View: Close All Editor Groups');
  await openFile(page, config);
  await runCommand(page, 'NLP Studio: Fine-tune model');
  await webviewFrame(page, '#run-title').filter({ hasText: new RegExp(`^${name}$`) }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#confusion-matrix').waitFor({ timeout: 120_000 });
}

export async function fineTuneFromPalette(page) {
  await fineTune(page, 'sentiment.nlp.yaml', 'e2e-sentiment');
  for (const label of ['neg', 'pos']) {
    await webviewFrame(page, '#confusion-matrix th[scope="row"]').filter({ hasText: label }).waitFor({ timeout: TIMEOUT });
    await webviewFrame(page, '#per-class th[scope="row"]').filter({ hasText: label }).waitFor({ timeout: TIMEOUT });
  }
  await webviewFrame(page, '#report-accuracy').filter({ hasText: /\d\.\d/ }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#judged-card').filter({ hasText: /Validation loss\s*\d\.\d{3}/i }).waitFor({ timeout: TIMEOUT });
  if (await page.locator('.notifications-toasts .notification-toast', { hasText: 'e2e-sentiment finished' }).count()) {
    throw new Error('a toast covers the panel that already says the run finished');
  }
}

/** A second, shorter run of the same task, then both checked in the history: curves on epochs, configs side by side. */
async function compareTwoRuns(page) {
  await fineTune(page, 'sentiment-fast.nlp.yaml', 'e2e-sentiment-fast');
  await showComparison(page);
  await webviewFrame(page, '#compare .axis-note').filter({ hasText: 'counts epochs' }).waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '.config-diff tr.differs').filter({ hasText: 'training.stages[head].learning_rate' }).waitFor({ timeout: TIMEOUT });
}

/** The history with e2e-sentiment and e2e-sentiment-fast checked, scrolled into view. */
async function showComparison(page) {
  for (const run of ['e2e-sentiment', 'e2e-sentiment-fast']) {
    const box = webviewPage(page).getByRole('checkbox', { name: `Compare ${run}`, exact: true });
    await box.waitFor({ timeout: TIMEOUT });
    if (!(await box.isChecked())) await box.check();
  }
  await webviewFrame(page, '#compare-metric-chart canvas').waitFor({ timeout: TIMEOUT });
  await webviewFrame(page, '#history').evaluate((history) => history.scrollIntoView({ block: 'start' }));
}

const statusBarItem = (page, text) => page.locator('.statusbar-item', { hasText: text });

/** "Select model for predictions" lists each model by kind; the pick shows in the status bar and answers the selection. */
async function selectPredictionModel(page) {
  await runCommand(page, 'NLP Studio: Select model for predictions');
  await quickInputRows(page).filter({ hasText: 'e2e-vectors' }).filter({ hasText: 'word vectors' }).first().waitFor({ timeout: TIMEOUT });
  await quickInputRows(page).filter({ hasText: /e2e-sentiment(?!-)/ }).filter({ hasText: 'BERT classifier' }).first().click({ timeout: TIMEOUT });
  await statusBarItem(page, 'e2e-sentiment').first().waitFor({ timeout: TIMEOUT });
}

/** Selects the review's line and predicts on it: the label follows the selection; the hover lists every class. */
async function predictAndHover(page) {
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
  await until('the predicted label after the selection', async () => (await decorationText()).some((content) => /(neg|pos) \d{1,3}\.\d%/.test(content)), { timeoutMs: 60_000 });
  await page.keyboard.press('End');
  await editor.locator('.view-line').first().getByText('love', { exact: false }).first().hover();
  const hover = page.locator('.monaco-hover').filter({ hasText: 'neg' }).filter({ hasText: 'pos' }).filter({ hasText: 'BERT classifier' });
  await hover.first().waitFor({ timeout: TIMEOUT });
  return { editor, hover: hover.first() };
}

export async function predictFromPalette(page) {
  await selectPredictionModel(page);
  await predictAndHover(page);
}

/** The pick is kept per workspace: after a reload of the window the status bar still names it. */
async function predictionModelSurvivesAReload(page) {
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await runCommand(page, 'NLP Studio: Show training panel'); // activates the extension
  await statusBarItem(page, 'e2e-sentiment').first().waitFor({ timeout: TIMEOUT });
}

/** The hover and the line it explains, with a margin. */
async function shootHover(page, artifactsDir, name) {
  const { editor, hover } = await predictAndHover(page);
  const line = await editor.locator('.view-line').first().boundingBox();
  const box = await hover.boundingBox();
  const left = Math.max(0, (await editor.boundingBox()).x); // the line numbers too
  const top = Math.max(0, Math.min(line.y, box.y) - 8);
  const right = Math.max(box.x + box.width, line.x + 520) + 16;
  const bottom = box.y + box.height + 16;
  const file = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, clip: { x: left, y: top, width: right - left, height: bottom - top } });
}

/** The four views a user reads, in each of VS Code's own light, dark and high-contrast themes. */
function screenshotsInEveryTheme(artifactsDir) {
  return async (page) => {
    await clearTheStage(page);
    for (const theme of [THEMES[0], THEMES[1], THEMES[2]]) {
      await setTheme(page, theme);
      await runCommand(page, 'View: Close All Editor Groups');
      await runCommand(page, 'NLP Studio: Show training panel');
      await webviewWears(page, theme);
      await webviewFrame(page, '#run-title').filter({ hasText: 'e2e-sentiment-fast' }).waitFor({ timeout: TIMEOUT });
      await webviewFrame(page, '#metric-chart canvas').waitFor({ timeout: TIMEOUT });
      await shoot(webviewElement(page), artifactsDir, `training-panel-${theme.id}`);
      await showComparison(page);
      await shoot(webviewElement(page), artifactsDir, `run-comparison-${theme.id}`);
      await runCommand(page, 'View: Close All Editor Groups');
      await exploreAndSearch(page);
      await webviewWears(page, theme);
      await shoot(webviewElement(page), artifactsDir, `embedding-explorer-${theme.id}`);
      await shootHover(page, artifactsDir, `prediction-hover-${theme.id}`);
      await page.keyboard.press('Escape');
    }
    await setTheme(page, THEMES[0]);
  };
}

/** At 800 px the panel keeps its layout: nothing runs off its right edge. */
function panelAt800px(artifactsDir) {
  return async (page) => {
    const before = page.viewportSize();
    await clearTheStage(page);
    await page.setViewportSize({ width: 848, height: 900 }); // 48 px of activity bar: the panel gets 800
    try {
      await runCommand(page, 'NLP Studio: Show training panel');
      await webviewFrame(page, '#metric-chart canvas').waitFor({ timeout: TIMEOUT });
      const width = (await webviewElement(page).boundingBox()).width;
      if (Math.abs(width - 800) > 4) throw new Error(`the panel is ${width} px wide, not 800`);
      await showComparison(page);
      const overflow = await webviewFrame(page, 'html').evaluate((html) => html.scrollWidth - html.clientWidth);
      if (overflow > 0) throw new Error(`at 800 px the panel scrolls sideways by ${overflow} px`);
      await webviewFrame(page, '#run-title').evaluate((title) => title.scrollIntoView({ block: 'start' }));
      await shoot(webviewElement(page), artifactsDir, 'training-panel-800px');
    } finally {
      await page.setViewportSize(before);
    }
  };
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
export function uiChecks(workspace, artifactsDir) {
  return [
    ['Problems panel shows the broken config\'s diagnostics', problemsPanelShowsDiagnostics],
    ['Ctrl+Space suggests schema keys', completionOffersSchemaKeys],
    ['"NLP Studio: New training config" from the palette', newConfigFromPalette(workspace)],
    ['the ▷ in a config\'s title bar runs what the config trains', runButtonFitsTheConfig],
    ['"NLP Studio: Pretrain word vectors" from the palette updates the training panel', pretrainFromPalette],
    ['"NLP Studio: Explore embeddings" draws the trained vectors and finds a word\'s neighbours', async (page) => {
      await runCommand(page, 'View: Close All Editor Groups');
      await exploreAndSearch(page);
    }],
    ['"NLP Studio: Fine-tune model" ends with the judged metric and the confusion matrix in the panel, no toast over it', fineTuneFromPalette],
    ['a second run compares with the first: curves on epochs, configs side by side', compareTwoRuns],
    ['"Select model for predictions" lists models by kind, shows the pick in the status bar, and it answers the selection', predictFromPalette],
    ['screenshots of the panel, the comparison, the explorer and the hover in light, dark and high-contrast themes', screenshotsInEveryTheme(artifactsDir)],
    ['the training panel keeps its layout at 800 px', panelAt800px(artifactsDir)],
    ['the model for predictions is kept per workspace, across a reload', predictionModelSurvivesAReload],
    ['"NLP Studio: Check training environment" shows the report as a read-only preview', environmentReportFromPalette],
  ];
}
