// Loads a built webview bundle (out/webviews/<panel>.js/.css) in headless Chromium inside the page that
// extension/panels/webviewHtml.ts renders, CSP included, with what VS Code gives a webview faked:
// acquireVsCodeApi (messages and state are recorded), the theme's CSS variables and body class.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderWebviewHtml } from '../../extension/panels/webviewHtml';

const ORIGIN = 'https://webview.test';
const OUT = join(__dirname, '..', '..', 'out', 'webviews');
const CHROMIUM = process.env['NLP_STUDIO_CHROMIUM'] ?? '/usr/bin/chromium';

export type PanelName = 'trainingPanel' | 'embeddingExplorer';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

// Dark+ values of the variables the panels read.
const THEME_CSS = `:root {
  --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace;
  --vscode-foreground: #cccccc; --vscode-editor-foreground: #d4d4d4; --vscode-editor-background: #1e1e1e;
  --vscode-descriptionForeground: #9d9d9d; --vscode-editorWidget-border: #454545; --vscode-focusBorder: #007fd4;
  --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185;
  --vscode-charts-red: #f14c4c; --vscode-charts-purple: #b180d7; --vscode-charts-yellow: #cca700;
  --vscode-button-background: #0e639c; --vscode-button-foreground: #ffffff; --vscode-errorForeground: #f48771;
}`;

/** Runs in the page before its own script: the fake VS Code API and the recorders the tests read. */
function initScript(initialState: string | undefined): string {
  return `(() => {
    window.__posted = [];
    window.__state = ${initialState === undefined ? 'undefined' : JSON.stringify(initialState)};
    window.__longTasks = [];
    window.__cspViolations = [];
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
        // VS Code serializes the state; so do we, to catch anything that would not survive.
        setState: (state) => { window.__state = JSON.stringify(state); return state; },
        getState: () => (window.__state === undefined ? undefined : JSON.parse(window.__state)),
      };
    };
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  })();`;
}

/** Opens `panel` as a webview would show it; `state` is what a previous page's setState left (JSON). */
export async function openPanel(browser: Browser, panel: PanelName, state?: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  (page as Page & { errors?: string[] }).errors = errors;
  await page.addInitScript(initScript(state));
  const html = renderWebviewHtml({
    cspSource: ORIGIN,
    nonce: 'TestNonce0123456789abcdefABCDEF0',
    scriptUri: `${ORIGIN}/${panel}.js`,
    styleUri: `${ORIGIN}/${panel}.css`,
    title: panel,
  })
    .replace('<body>', '<body class="vscode-dark">')
    .replace('</head>', `<link rel="stylesheet" href="${ORIGIN}/theme.css">\n</head>`);
  await page.route(`${ORIGIN}/**`, async (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    if (name === 'index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (name === 'theme.css') return route.fulfill({ contentType: 'text/css', body: THEME_CSS });
    if (/^[\w.]+\.(js|css|map)$/.test(name)) {
      const body = await readFile(join(OUT, name)).catch(() => undefined);
      if (body) return route.fulfill({ contentType: name.endsWith('.css') ? 'text/css' : 'text/javascript', body });
    }
    return route.fulfill({ status: 404, body: 'not found' });
  });
  await page.goto(`${ORIGIN}/index.html`);
  await waitFor(page, 'window.__posted.some((m) => m.type === "ready")');
  return page;
}

/**
 * Resolves once the JavaScript `expression` is truthy in the page, checked each frame. (Playwright's
 * waitForFunction evals its predicate, which the webview's CSP rightly refuses.)
 */
export async function waitFor(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const ok = await page.evaluate<boolean>(`new Promise((resolve) => {
    const deadline = performance.now() + ${timeoutMs};
    const check = () => {
      let value = false;
      try { value = Boolean(${expression}); } catch { value = false; }
      if (value) resolve(true);
      else if (performance.now() > deadline) resolve(false);
      else requestAnimationFrame(check);
    };
    check();
  })`);
  if (!ok) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${expression}`);
}

export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

/** Posts `messages` to the webview as the host would (each a separate 'message' event). */
export async function postToWebview(page: Page, messages: unknown[]): Promise<void> {
  await page.evaluate(`(${JSON.stringify(messages)}).forEach((m) => window.postMessage(m, '*'))`);
}

export async function posted<T>(page: Page): Promise<T[]> {
  return page.evaluate<T[]>('window.__posted');
}

export async function savedState(page: Page): Promise<string | undefined> {
  return page.evaluate<string | undefined>('window.__state');
}

/** Non-transparent pixels of the first canvas under `selector`. */
export async function paintedPixels(page: Page, selector: string): Promise<number> {
  return page.evaluate<number>(`(() => {
    const canvas = document.querySelector(${JSON.stringify(selector)});
    if (!canvas) return -1;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    return painted;
  })()`);
}

export async function readLines<T>(file: string): Promise<T[]> {
  const text = await readFile(join(__dirname, 'fixtures', file), 'utf8');
  return text.split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as T);
}
