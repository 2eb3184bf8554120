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

/** Words at fixed places in postProjection's projection (the rest are seeded-random). */
export const KNOWN_WORDS = { apple: [2.5, -1.25], banana: [-3, 2], cherry: [0.5, 3.5] } as const;

/**
 * Posts the embedding explorer a projection of `count` words (KNOWN_WORDS, then seeded-random ones),
 * built in the page beforehand, and resolves when it is drawn: with the time from the message to the
 * first frame and the longest task the page ran meanwhile, which bench/panels.ts holds to its targets.
 */
export async function postProjection(page: Page, count: number): Promise<{ elapsedMs: number; longestTaskMs: number }> {
  await page.evaluate(`(() => {
    let seed = 42;
    const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
    const words = [];
    const coordinates = [];
    for (const [word, [x, y]] of Object.entries(${JSON.stringify(KNOWN_WORDS)})) { words.push(word); coordinates.push(x, y); }
    for (let i = words.length; i < ${count}; i++) {
      words.push('w' + i);
      const r = Math.sqrt(-2 * Math.log(random() + 1e-12)) * 1.6;
      const a = random() * 2 * Math.PI;
      coordinates.push(r * Math.cos(a), r * Math.sin(a));
    }
    window.__projection = { type: 'projection', vectorsPath: '/runs/sotu/vectors.bin',
      projection: { words, coordinates, explainedVariance: [0.123, 0.081], dimensions: 100, vocabularySize: 250000 } };
  })()`);
  await page.evaluate('window.__longTasks = []');
  // postMessage copies the payload synchronously in the sender's task (the host's side, in VS Code):
  // the webview's own tasks are the ones that start after it returns.
  const sent = await page.evaluate<number>('(() => { window.postMessage(window.__projection, "*"); return performance.now(); })()');
  await page.waitForSelector('#scatter[data-points]');
  const elapsedMs = (await page.evaluate<number>('performance.now()')) - sent;
  const longestTaskMs = await page.evaluate<number>(`Math.max(0, ...window.__longTasks.filter((t) => t.start >= ${sent} - 1).map((t) => t.duration))`);
  return { elapsedMs, longestTaskMs };
}

/**
 * Posts the training panel `total` step events of run `runId` in `bursts` runEvents messages (built in
 * the page beforehand, so what is measured is the panel taking them), then switches to log-scale
 * steps; resolves when the chart holds every point, with the longest task the page ran.
 */
export async function postStepBursts(page: Page, runId: string, total: number, bursts: number): Promise<{ longestTaskMs: number }> {
  const size = total / bursts;
  await page.evaluate(`(() => {
    window.__bursts = [];
    for (let b = 0; b < ${bursts}; b++) {
      const events = [];
      for (let i = b * ${size} + 1; i <= (b + 1) * ${size}; i++) events.push({ kind: 'step', step: i, epoch: 1 + Math.floor(i / ${total * 0.4}),
        progress: i / ${total}, loss: 3 * Math.exp(-i / ${total * 0.2}) + 0.8 + Math.sin(i) * 0.1, learningRate: 0.025 * (1 - i / ${total}),
        throughput: 150000, throughputUnit: 'words/s', etaSeconds: (${total} - i) / 100, elapsedSeconds: i / 100 });
      window.__bursts.push({ type: 'runEvents', runId: ${JSON.stringify(runId)}, events });
    }
    window.__longTasks = [];
  })()`);
  for (let b = 0; b < bursts; b++) await page.evaluate(`window.postMessage(window.__bursts[${b}], '*')`);
  await page.waitForSelector(`#loss-chart[data-points="${total}"]`, { timeout: 15_000 });
  await page.getByLabel('Log-scale steps').check();
  await waitFor(page, `document.querySelector("#loss-chart") && document.querySelector("#loss-chart").dataset.points === "${total}"`);
  return { longestTaskMs: await page.evaluate<number>('Math.max(0, ...window.__longTasks.map((t) => t.duration))') };
}
