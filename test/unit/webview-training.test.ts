// The training panel's built bundle in headless Chromium, fed recorded runs as the host would: a word2vec
// run, and a text-classification run (classification-run.jsonl: `nlp-studio train --json` on the tiny
// sentiment project of test/fixtures/classification, 2 head epochs + 1 full, paths rewritten).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseClassificationReport, type RunHistoryEntry, type TrainingPanelInbound, type TrainingPanelState } from '../../common/protocol/panels';
import type { RunEvent, RunStep } from '../../common/protocol/runEvents';
import { launchBrowser, openPanel, pageErrors, paintedPixels, postToWebview, posted, readLines, savedState, waitFor } from '../webview/harness';

const RUN_ID = 'run-sotu-1';
const asMessages = (events: RunEvent[]): TrainingPanelInbound[] => events.map((event) => ({ type: 'runEvent', runId: RUN_ID, event }));
const text = (page: Page, selector: string): Promise<string> => page.locator(selector).innerText();
/** The text of every cell, row by row (th and td), for comparing a rendered table with what it shows. */
const cells = (page: Page, selector: string): Promise<string[][]> =>
  page.evaluate<string[][]>(`[...document.querySelector(${JSON.stringify(selector)}).rows]
    .map((row) => [...row.cells].map((cell) => cell.innerText.replace(/\\s+/g, ' ').trim()))`);

/** What the host posts for a recorded run: its events, then the report parsed from the `finished` summary. */
function hostMessages(runId: string, events: RunEvent[]): TrainingPanelInbound[] {
  const messages: TrainingPanelInbound[] = [{ type: 'runEvents', runId, events }];
  const last = events.at(-1);
  const report = last?.kind === 'finished' ? parseClassificationReport(last.summary) : undefined;
  if (report) messages.push({ type: 'classificationReport', runId, report });
  return messages;
}

describe('training panel webview', () => {
  let browser: Browser;
  let run: RunEvent[];
  let failed: RunEvent[];
  let classification: RunEvent[];
  before(async () => {
    browser = await launchBrowser();
    run = await readLines<RunEvent>('word2vec-run.jsonl');
    failed = await readLines<RunEvent>('word2vec-failed.jsonl');
    classification = await readLines<RunEvent>('classification-run.jsonl');
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

  let classificationState: string | undefined;

  it('shows the confusion matrix and the per-class table when a classification run finishes', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const finished = classification.at(-1)!;
    assert.equal(finished.kind, 'finished');
    await postToWebview(page, hostMessages('cls-run', classification.slice(0, -1)));
    await page.waitForSelector('#loss-chart[data-points]');
    assert.equal(await page.locator('#results').isHidden(), true, 'no results before the run finishes');

    await postToWebview(page, hostMessages('cls-run', classification.slice(-1)));
    await page.waitForSelector('#results:not([hidden]) #confusion-matrix');
    // The recording: validation accuracy 40/60, neg recall 18/30, pos recall 22/30.
    assert.deepEqual(await cells(page, '#confusion-matrix'), [
      ['true ╲ predicted', 'neg', 'pos'],
      ['neg', '18 60.0%', '12 40.0%'],
      ['pos', '8 26.7%', '22 73.3%'],
    ]);
    assert.equal(await page.locator('#confusion-matrix tbody td').nth(1).getAttribute('title'), 'true neg, predicted pos: 12 of 30 (40.0%)');
    assert.deepEqual(await page.locator('#confusion-matrix thead th[scope="col"]').allInnerTexts(), ['neg', 'pos']);
    assert.deepEqual(await page.locator('#confusion-matrix tbody th[scope="row"]').allInnerTexts(), ['neg', 'pos']);
    assert.deepEqual(await cells(page, '#per-class'), [
      ['label', 'precision', 'recall', 'F1', 'support'],
      ['neg', '0.692', '0.600', '0.643', '30'],
      ['pos', '0.647', '0.733', '0.688', '30'],
      ['accuracy', '', '', '0.667', '60'],
      ['macro avg', '0.670', '0.667', '0.665', '60'],
    ]);
    assert.equal(await text(page, '#report-accuracy'), '0.667');
    assert.equal(await text(page, '#report-macro-f1'), '0.665');
    // Shading follows the row share, in the theme's colours: the 73% cell is stronger than the 27% one.
    const background = (i: number): Promise<string> =>
      page.evaluate<string>(`getComputedStyle(document.querySelectorAll('#confusion-matrix tbody td')[${i}]).backgroundColor`);
    // color-mix() computes to `color(srgb r g b / alpha)`.
    const alpha = (colour: string): number => Number(/\/\s*([\d.]+)\)$/.exec(colour)?.[1] ?? 1);
    const [miss, hit] = [await background(2), await background(3)];
    assert.ok(alpha(hit) > alpha(miss) && alpha(miss) > 0, `${hit} vs ${miss}`);
    await page.evaluate(`document.documentElement.style.setProperty('--vscode-charts-green', '#00ff00')`);
    await waitFor(page, `getComputedStyle(document.querySelectorAll('#confusion-matrix tbody td')[3]).backgroundColor.startsWith('color(srgb 0 1 0 ')`);

    await waitFor(page, 'JSON.parse(window.__state ?? "{}").classification?.confusionMatrix?.length === 2');
    classificationState = await savedState(page);
    assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('restores the results after a reload and clears them when a new run starts', async () => {
    assert.ok(classificationState, 'the previous test saved a state');
    const page = await openPanel(browser, 'trainingPanel', classificationState);
    await page.waitForSelector('#results:not([hidden])');
    assert.deepEqual((await cells(page, '#confusion-matrix'))[2], ['pos', '8 26.7%', '22 73.3%']);
    await postToWebview(page, [{ type: 'runEvent', runId: 'next', event: classification[0]! }]);
    await page.waitForSelector('#results[hidden]', { state: 'attached' });
    await page.close();
  });

  it('shows the results of a past run picked in the history, and goes back to the current run', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    await postToWebview(page, hostMessages('cls-run', classification));
    await page.waitForSelector('#results:not([hidden])');
    const labels = ['billing', 'support', 'sales'];
    const summary = {
      task: 'text-classification', labels, validation: { loss: 0.4, accuracy: 0.8, macroF1: 0.7833 },
      perClass: [
        { id: 0, label: 'billing', precision: 0.9, recall: 0.9, f1: 0.9, support: 10 },
        { id: 1, label: 'support', precision: 0.75, recall: 0.6, f1: 0.6667, support: 5 },
        { id: 2, label: 'sales', precision: 0.6667, recall: 0.8, f1: 0.7273, support: 5 },
      ],
      confusionMatrix: [[9, 1, 0], [0, 3, 2], [1, 0, 4]],
    };
    const report = parseClassificationReport(summary);
    assert.ok(report);
    const series = { step: [1, 2, 3], loss: [1, 0.8, 0.6] };
    const runs: RunHistoryEntry[] = [
      { name: 'tickets-bert', runDir: '/runs/tickets', task: 'text-classification', date: Date.UTC(2025, 10, 1), status: 'completed', finalMetrics: { accuracy: 0.8 }, series, classification: report },
      { name: 'sotu-vectors', runDir: '/runs/sotu', task: 'word2vec', date: Date.UTC(2025, 10, 2), status: 'completed', finalMetrics: {}, series },
    ];
    await postToWebview(page, [{ type: 'history', runs }]);
    assert.equal(await page.getByRole('button', { name: 'Show the confusion matrix of sotu-vectors' }).count(), 0, 'word2vec runs have no results');
    await page.getByRole('button', { name: 'Show the confusion matrix of tickets-bert' }).click();
    await page.waitForSelector('#results[data-run-dir="/runs/tickets"]');
    assert.match(await text(page, '#results h2'), /Validation results of tickets-bert/);
    assert.deepEqual(await cells(page, '#confusion-matrix'), [
      ['true ╲ predicted', 'billing', 'support', 'sales'],
      ['billing', '9 90.0%', '1 10.0%', '0 0.0%'],
      ['support', '0 0.0%', '3 60.0%', '2 40.0%'],
      ['sales', '1 20.0%', '0 0.0%', '4 80.0%'],
    ]);
    assert.deepEqual((await cells(page, '#per-class')).slice(1, 4).map((row) => row[0]), labels);
    assert.deepEqual((await cells(page, '#per-class')).at(-1), ['macro avg', '0.772', '0.767', '0.783', '20']);
    await waitFor(page, 'JSON.parse(window.__state ?? "{}").resultsOf === "/runs/tickets"');
    await page.getByRole('button', { name: 'Show the current run' }).click();
    await page.waitForSelector('#results[data-run-dir="/work/spam-project/runs/tiny-cls"]');
    assert.equal((await cells(page, '#confusion-matrix')).length, 3);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });
});
