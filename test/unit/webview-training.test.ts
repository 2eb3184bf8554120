// The training panel's built bundle in headless Chromium, fed a recorded word2vec run as the host would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunHistoryEntry, TrainingPanelInbound, TrainingPanelState } from '../../common/protocol/panels';
import type { RunEvent, RunStep } from '../../common/protocol/runEvents';
import { launchBrowser, openPanel, pageErrors, paintedPixels, postToWebview, posted, readLines, savedState, waitFor } from '../webview/harness';

const RUN_ID = 'run-sotu-1';
const asMessages = (events: RunEvent[]): TrainingPanelInbound[] => events.map((event) => ({ type: 'runEvent', runId: RUN_ID, event }));
const text = (page: Page, selector: string): Promise<string> => page.locator(selector).innerText();

describe('training panel webview', () => {
  let browser: Browser;
  let run: RunEvent[];
  let failed: RunEvent[];
  before(async () => {
    browser = await launchBrowser();
    run = await readLines<RunEvent>('word2vec-run.jsonl');
    failed = await readLines<RunEvent>('word2vec-failed.jsonl');
  });
  after(() => browser?.close());

  let finishedState: string | undefined;

  it('draws live curves, progress, ETA and stage markers, and Stop posts a stop message', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const half = run.findIndex((e) => e.kind === 'step' && e.step === 150);
    await postToWebview(page, asMessages(run.slice(0, half + 1)));
    const last = run[half] as RunStep;
    await page.waitForSelector('#loss-chart[data-points="150"]');
    assert.equal(await text(page, '#progress-text'), `${Math.round(last.progress * 100)}%`);
    assert.equal(await text(page, '#eta'), '5s'); // 90 steps × 0.05 s left, rounded
    assert.equal(await text(page, '#epoch'), '2 / 3');
    assert.equal(await text(page, '#stage'), 'main');
    assert.match(await text(page, '#throughput'), /words\/s$/);
    assert.ok((await paintedPixels(page, '#loss-chart canvas')) > 500, 'the loss curve is drawn');
    assert.ok((await paintedPixels(page, '#lr-chart canvas')) > 200, 'the learning-rate curve is drawn');
    const markers = await page.locator('#loss-chart .stage-marker').allInnerTexts();
    assert.deepEqual(markers, ['warmup', 'main'], 'warmup began at step 0, before the first point: named at the left edge');
    assert.ok(await page.locator('#log-section li.warning').count() >= 1, 'the warning is listed');

    await page.getByRole('button', { name: /stop the run/i }).click();
    const stops = (await posted<{ type: string }>(page)).filter((m) => m.type === 'stop');
    assert.deepEqual(stops, [{ type: 'stop', runId: RUN_ID }]);
    assert.equal(await page.locator('#stop').isDisabled(), true, 'Stop is not pressed twice');

    await postToWebview(page, asMessages(run.slice(half + 1)));
    await page.waitForSelector('#summary:not([hidden])');
    assert.equal(await text(page, '#progress-text'), '100%');
    const summary = await text(page, '#summary');
    assert.match(summary, /vocabularySize\s+21,344/);
    assert.match(summary, /analogies\.accuracy\s+0\.312/);
    const table = await text(page, '#neighbours table');
    assert.match(table, /epoch 3/);
    const lastEpoch = run.filter((e) => e.kind === 'epoch').at(-1)!;
    const firstNeighbour = lastEpoch.kind === 'epoch' ? lastEpoch.neighbours!['freedom']![0]! : undefined;
    assert.ok(firstNeighbour && table.includes(`${firstNeighbour.word} ${firstNeighbour.similarity.toFixed(2)}`));
    await waitFor(page, 'JSON.parse(window.__state ?? "{}").end?.kind === "finished"');
    finishedState = await savedState(page);
    assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('restores the curves and the summary from the saved state after a reload', async () => {
    assert.ok(finishedState, 'the previous test saved a state');
    const state = JSON.parse(finishedState) as TrainingPanelState;
    assert.equal(state.series.step.length, 240);
    const page = await openPanel(browser, 'trainingPanel', finishedState);
    await page.waitForSelector('#loss-chart[data-points="240"]');
    assert.ok((await paintedPixels(page, '#loss-chart canvas')) > 500);
    assert.match(await text(page, '#neighbours table'), /freedom/);
    assert.equal(await text(page, '#progress-text'), '100%');
    assert.equal(await page.locator('#stop').isDisabled(), true);
    await page.close();
  });

  it('shows a failed run: the error, the log, and no Stop', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    await postToWebview(page, [{ type: 'runEvents', runId: 'run-failed', events: failed, replace: true }]);
    await page.waitForSelector('#banner.error');
    assert.match(await text(page, '#banner'), /Loss became NaN at step 57.*sotu\.nlp\.yaml:14/);
    assert.equal(await page.locator('#logs li.error').count(), 1);
    assert.equal(await page.locator('#logs li.warning').count(), 1);
    assert.equal(await page.locator('#stop').isDisabled(), true);
    assert.equal(await text(page, '#eta'), 'failed');
    await page.close();
  });

  it('overlays the loss curves of the runs checked in the history', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const series = (scale: number, n: number): RunHistoryEntry['series'] => ({
      step: Array.from({ length: n }, (_, i) => (i + 1) * 10),
      loss: Array.from({ length: n }, (_, i) => scale * Math.exp(-i / 30) + 0.5),
    });
    const runs: RunHistoryEntry[] = [
      { name: 'spam-bert-lr3e-5', runDir: '/runs/a', date: Date.UTC(2025, 10, 1), status: 'completed', finalMetrics: { accuracy: 0.93, macroF1: 0.91 }, series: series(2, 120) },
      { name: 'spam-bert-lr1e-4', runDir: '/runs/b', date: Date.UTC(2025, 10, 2), status: 'completed', finalMetrics: { accuracy: 0.9 }, series: series(3, 90) },
      { name: 'sotu-vectors', runDir: '/runs/c', date: Date.UTC(2025, 10, 3), status: 'stopped', finalMetrics: {}, series: series(4, 50) },
    ];
    await postToWebview(page, [{ type: 'history', runs }]);
    await page.getByRole('checkbox', { name: /spam-bert-lr3e-5/ }).check();
    await page.getByRole('checkbox', { name: /spam-bert-lr1e-4/ }).check();
    await page.waitForSelector('#compare-chart[data-series="2"]');
    assert.equal(await page.locator('#compare-chart').getAttribute('data-points'), '120', 'the runs share one x axis');
    const legend = await text(page, '#compare-chart .u-legend');
    assert.match(legend, /spam-bert-lr3e-5/);
    assert.match(legend, /spam-bert-lr1e-4/);
    assert.doesNotMatch(legend, /sotu-vectors/);
    assert.ok((await paintedPixels(page, '#compare-chart canvas')) > 500);
    await page.getByRole('button', { name: 'Open the folder of sotu-vectors' }).click();
    assert.deepEqual((await posted<{ type: string }>(page)).filter((m) => m.type === 'revealRun'), [{ type: 'revealRun', runDir: '/runs/c' }]);
    await waitFor(page, 'JSON.parse(window.__state ?? "{}").compare?.length === 2');
    await page.close();
  });

  it('draws validation loss and follows a theme change', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const events: RunEvent[] = [
      { kind: 'started', runId: 'clf', name: 'spam-filter', task: 'text-classification', runDir: '/runs/spam', totalSteps: 60, epochs: 3, startedAt: 0,
        stages: [{ name: 'head', startStep: 0, epochs: 1 }, { name: 'all', startStep: 20, epochs: 2 }] },
    ];
    for (let step = 1; step <= 60; step++) {
      events.push({ kind: 'step', step, epoch: Math.ceil(step / 20), progress: step / 60, loss: 1 / step + 0.2, learningRate: step <= 20 ? 1e-3 : 3e-5,
        throughput: 48, throughputUnit: 'samples/s', etaSeconds: 60 - step, elapsedSeconds: step, stage: step <= 20 ? 'head' : 'all' });
      if (step === 20) events.push({ kind: 'stage', index: 1, name: 'all', step: 20, frozen: 'none' });
      if (step % 20 === 0) events.push({ kind: 'epoch', epoch: step / 20, step, trainLoss: 1 / step + 0.2, validation: { loss: 0.5 - step / 200, accuracy: 0.8, macroF1: 0.75 } });
    }
    await postToWebview(page, [{ type: 'runEvents', runId: 'clf', events }]);
    await page.waitForSelector('#loss-chart[data-series="3"][data-points="60"]');
    assert.match(await text(page, '#loss-chart .u-legend'), /validation/);
    assert.deepEqual(await page.locator('#loss-chart .stage-marker').allInnerTexts(), ['head', 'all']);
    assert.match(await text(page, '#throughput'), /samples\/s$/);
    const marker = '#loss-chart .u-legend .u-series:nth-child(3) .u-marker';
    const before = await page.locator(marker).evaluate('(el) => getComputedStyle(el).borderColor');
    await page.evaluate(`(() => {
      document.documentElement.style.setProperty('--vscode-charts-blue', '#0000ff');
      document.body.className = 'vscode-light';
    })()`);
    await waitFor(page, `getComputedStyle(document.querySelector(${JSON.stringify(marker)})).borderColor === 'rgb(0, 0, 255)'`);
    assert.notEqual(before, 'rgb(0, 0, 255)');
    await page.close();
  });

  it('takes 100k steps in bursts without a long task, and keeps the saved state small', async (t) => {
    const page = await openPanel(browser, 'trainingPanel');
    const started = run[0]!;
    await postToWebview(page, [{ type: 'runEvent', runId: 'big', event: { ...started, totalSteps: 100_000 } }]);
    await page.waitForSelector('#run-title:has-text("sotu-vectors")');
    // The bursts are built in the page beforehand, so what is measured is the panel taking them.
    const bursts = 10;
    await page.evaluate(`(() => {
      window.__bursts = [];
      for (let b = 0; b < ${bursts}; b++) {
        const events = [];
        for (let i = b * 10000 + 1; i <= (b + 1) * 10000; i++) events.push({ kind: 'step', step: i, epoch: 1 + Math.floor(i / 40000),
          progress: i / 100000, loss: 3 * Math.exp(-i / 20000) + 0.8 + Math.sin(i) * 0.1, learningRate: 0.025 * (1 - i / 100000),
          throughput: 150000, throughputUnit: 'words/s', etaSeconds: (100000 - i) / 100, elapsedSeconds: i / 100 });
        window.__bursts.push({ type: 'runEvents', runId: 'big', events });
      }
      window.__longTasks = [];
    })()`);
    for (let b = 0; b < bursts; b++) await page.evaluate(`window.postMessage(window.__bursts[${b}], '*')`);
    await page.waitForSelector('#loss-chart[data-points="100000"]', { timeout: 15_000 });
    await page.getByLabel('Log-scale steps').check();
    await waitFor(page, 'document.querySelector("#loss-chart") && document.querySelector("#loss-chart").dataset.points === "100000"');
    const longest = await page.evaluate<number>('Math.max(0, ...window.__longTasks.map((t) => t.duration))');
    t.diagnostic(`100k steps in 10 bursts, then log-x: longest task ${longest.toFixed(0)} ms`);
    assert.ok(longest < 200, `longest task ${longest.toFixed(0)} ms`);
    await waitFor(page, 'JSON.parse(window.__state ?? "{}").series?.step.length > 0 && JSON.parse(window.__state).logX === true');
    const state = JSON.parse((await savedState(page))!) as TrainingPanelState;
    assert.ok(state.series.step.length <= 20_001, `${state.series.step.length} points persisted`);
    assert.equal(state.series.step.at(-1), 100_000);
    await page.close();
  });
});
