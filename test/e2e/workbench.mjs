// Driving the VS Code workbench in headless Debian Chromium: URLs, waits on selectors, palette, files.
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.NLP_STUDIO_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * The workbench URL for `folder`; `payload` entries are VS Code's launch arguments. Paths in them must be
 * vscode-remote:// URIs on the page's own host:port, or the workbench waits for ever.
 * @param {{ origin: string, host: string }} server
 * @param {string} folder absolute path
 * @param {{ extensionDevelopmentPath?: string, extensionTestsPath?: string }} launch absolute paths
 */
export function workbenchUrl(server, folder, launch = {}) {
  const remote = (path) => `vscode-remote://${server.host}${path}`;
  const payload = Object.entries(launch)
    .filter(([, path]) => path !== undefined)
    .map(([name, path]) => [name, remote(path)]);
  const url = new URL(server.origin);
  url.searchParams.set('folder', folder);
  if (payload.length) url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

/** Polls `condition` until it returns a truthy value; throws `what` after `timeoutMs`. */
export async function until(what, condition, { timeoutMs = 30_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves with `promise`, or rejects once `ms` have passed without it settling. */
export async function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens a page on the workbench and waits until its layout is there. */
export async function openWorkbench(browser, url, { onLog, onExit } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  // The workbench calls these when it runs an extension test suite (the same hooks VS Code's smoke tests use).
  if (onExit) await page.exposeFunction('codeAutomationExit', onExit);
  if (onLog) await page.exposeFunction('codeAutomationLog', onLog);
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return page;
}

const quickInput = (page) => page.locator('.quick-input-widget');
const quickInputBox = (page) => page.locator('.quick-input-widget input.input');
export const quickInputRows = (page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/** Opens the quick input with F1 (which starts in command mode) and types `text` over its `>`. */
async function quickOpen(page, text) {
  if (!(await quickInput(page).isVisible())) await page.keyboard.press('F1');
  await quickInputBox(page).waitFor({ state: 'visible', timeout: 10_000 });
  // Short: the box can be hidden again between the wait and the fill (a webview taking focus), and the
  // callers' retry loop opens it anew.
  await quickInputBox(page).fill(text, { timeout: 5_000 });
}

/**
 * Types `text` into the quick input and clicks the first row showing `rowText`. Retries until `timeoutMs`:
 * the palette is up seconds before the extension host has registered contributed commands, and Quick
 * Open before the file index has caught up.
 */
async function pickFromQuickInput(page, text, rowText, what, { timeoutMs, rowTimeoutMs }) {
  await until(what, async () => {
    await quickOpen(page, text);
    const row = quickInputRows(page).filter({ hasText: rowText }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: rowTimeoutMs });
    } catch {
      await page.keyboard.press('Escape');
      return false;
    }
    await row.click();
    return true;
  }, { timeoutMs });
}

/** Runs a command through the palette by its title, as a user would. */
export function runCommand(page, title, { timeoutMs = 30_000 } = {}) {
  return pickFromQuickInput(page, `>${title}`, title, `the command "${title}" in the palette`, { timeoutMs, rowTimeoutMs: 2_000 });
}

/** Opens a workspace file through Quick Open and waits for its editor tab to be active. */
export async function openFile(page, fileName, { timeoutMs = 30_000 } = {}) {
  await pickFromQuickInput(page, fileName, fileName, `"${fileName}" in Quick Open`, { timeoutMs, rowTimeoutMs: 3_000 });
  await activeTab(page, fileName).waitFor({ timeout: timeoutMs });
}

export const activeTab = (page, fileName) => page.locator('.tabs-container .tab.active', { hasText: fileName });
