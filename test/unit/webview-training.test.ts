// The training panel's built bundle in headless Chromium, fed recorded runs as the host would: a word2vec
// run, and a text-classification run (classification-run.jsonl: `nlp-studio train --json` on the tiny
// sentiment project of test/fixtures/classification, 2 head epochs + 1 full, paths rewritten).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseClassificationReport, type RunHistoryEntry, type TrainingPanelInbound, type TrainingPanelState } from '../../common/protocol/panels';
import type { RunEvent, RunStep } from '../../common/protocol/runEvents';
import { launchBrowser, openPanel, pageErrors, paintedPixels, postStepBursts, postToWebview, posted, readLines, savedState, waitFor } from '../webview/harness';

const RUN_ID = 'run-sotu-1';
const asMessages = (events: RunEvent[]): TrainingPanelInbound[] => events.map((event) => ({ type: 'runEvent', runId: RUN_ID, event }));
const text = (page: Page, selector: string): Promise<string> => page.locator(selector).innerText();
/** The summary's facts as [label, value] pairs. */
const facts = (page: Page): Promise<string[][]> =>
  page.evaluate<string[][]>(`[...document.querySelectorAll('#summary .fact')].map((fact) => [fact.querySelector('dt').innerText, fact.querySelector('dd').innerText])`);
/** The text of every cell, row by row (th and td), for comparing a rendered table with what it shows. */
const cells = (page: Page, selector: string): Promise<string[][]> =>
  page.evaluate<string[][]>(`[...document.querySelector(${JSON.stringify(selector)}).rows]
    .map((row) => [...row.cells].map((cell) => cell.innerText.replace(/\\s+/g, ' ').trim()))`);

/** A past text-classification run of `steps` steps over `epochs` epochs, validation macro-F1 `f1` per epoch. */
function historyEntry(name: string, options: { steps: number; epochs: number; f1?: number[]; config?: Record<string, string> }): RunHistoryEntry {
  const { steps, epochs } = options;
  const step = Array.from({ length: steps }, (_, i) => i + 1);
  return {
    name, runDir: `/runs/${name}`, task: 'text-classification', date: Date.UTC(2025, 10, 1), status: 'completed', metric: 'macro_f1',
    epochs, epochsCompleted: epochs, elapsedSeconds: 90,
    epochRecords: Array.from({ length: epochs }, (_, i) => ({
      epoch: i + 1, step: ((i + 1) * steps) / epochs, trainLoss: 2 - i * 0.25,
      ...(options.f1 && { validation: { loss: 1 - i / 10, accuracy: options.f1[i]!, macroF1: options.f1[i]! } }),
    })),
    series: { step, epoch: step.map((s) => (s * epochs) / steps), loss: step.map((s) => 2 * Math.exp(-s / 30) + 0.5) },
    ...(options.config && { config: options.config }),
  };
}

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

  it('draws live curves, progress, ETA and stage bands, and Stop posts a stop message', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const half = run.findIndex((e) => e.kind === 'step' && e.step === 150);
    await postToWebview(page, asMessages(run.slice(0, half + 1)));
    const last = run[half] as RunStep;
    await page.waitForSelector('#loss-chart[data-points="150"]');
    assert.equal(await text(page, '#progress-text'), `${Math.round(last.progress * 100)}%`);
    assert.equal(await text(page, '#run-state'), 'Running');
    // The clock format of the status bar and the CLI; 4.5 s left, counting down between events.
    assert.match(await text(page, '#eta'), /^0:0[45]$/);
    assert.match(await text(page, '#elapsed'), /^0:0[89]$/);
    assert.equal(await text(page, '#position'), 'Epoch 2 of 3 · 150 of 1,800,000 words · backend cpu');
    assert.equal(await text(page, '#stage'), 'Stage main');
    assert.equal(await text(page, '#throughput'), '157,867 words/s');
    // word2vec has no validation: it is judged by its training loss, per epoch.
    assert.match(await text(page, '#judged-card'), /^TRAINING LOSS\s+2\.917\s+best, epoch 1 · latest$/);
    assert.ok((await paintedPixels(page, '#loss-chart canvas')) > 500, 'the loss curve is drawn');
    assert.ok((await paintedPixels(page, '#lr-chart canvas')) > 200, 'the learning-rate curve is drawn');
    const bands = await page.locator('#loss-chart .stage-band').allInnerTexts();
    assert.deepEqual(bands, ['warmup', 'main'], 'warmup began at step 0, before the first point: its band starts at the left edge');
    assert.ok(await page.locator('#log-section li.warning').count() >= 1, 'the warning is listed');

    await page.getByRole('button', { name: /stop the run/i }).click();
    const stops = (await posted<{ type: string }>(page)).filter((m) => m.type === 'stop');
    assert.deepEqual(stops, [{ type: 'stop', runId: RUN_ID }]);
    assert.equal(await page.locator('#stop').isDisabled(), true, 'Stop is not pressed twice');

    await postToWebview(page, asMessages(run.slice(half + 1)));
    await page.waitForSelector('#summary:not([hidden])');
    assert.equal(await text(page, '#progress-text'), '100%');
    assert.equal(await text(page, '#run-state'), 'Completed');
    assert.equal(await page.locator('#eta-card').isHidden(), true, 'no time left once it has ended');
    assert.equal(await text(page, '#elapsed'), '0:12');
    // Labelled facts with units and separators, not summary.json's keys.
    assert.deepEqual(await facts(page), [
      ['Epochs', '3'], ['Vocabulary', '21,344 words'], ['Corpus', '1,800,000 tokens'], ['Speed', '157,342 words/s'], ['Analogies', '0.312 accuracy on 540 questions'],
    ]);
    assert.doesNotMatch(await text(page, '#summary'), /vocabularySize|wordsPerSecond|elapsed/i, 'no raw keys, and the elapsed time is in the header only');
    const table = await text(page, '#neighbours table');
    assert.match(table, /epoch 3/);
    const lastEpoch = run.filter((e) => e.kind === 'epoch').at(-1)!;
    const firstNeighbour = lastEpoch.kind === 'epoch' ? lastEpoch.neighbours!['freedom']![0]! : undefined;
    assert.ok(firstNeighbour && table.includes(`${firstNeighbour.word} ${firstNeighbour.similarity.toFixed(3)}`), 'similarities to three decimals, as everywhere');
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
    assert.equal(await page.locator('#stop').isHidden(), true);
    await page.close();
  });

  it('shows a failed run: the error, the log, and no Stop', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    await postToWebview(page, [{ type: 'runEvents', runId: 'run-failed', events: failed, replace: true }]);
    await page.waitForSelector('#banner.error');
    assert.match(await text(page, '#banner'), /Loss became NaN at step 57.*sotu\.nlp\.yaml:14/);
    assert.equal(await page.locator('#logs li.error').count(), 1);
    assert.equal(await page.locator('#logs li.warning').count(), 1);
    assert.equal(await page.locator('#stop').isHidden(), true, 'nothing to stop');
    assert.equal(await text(page, '#run-state'), 'Failed');
    await page.close();
  });

  it('lists past runs by the metric they are judged by, and compares only comparable runs, on epochs when step counts differ', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const runs: RunHistoryEntry[] = [
      historyEntry('spam-bert-lr3e-5', { steps: 120, epochs: 4, f1: [0.7, 0.8, 0.91, 0.9], config: { 'training.stages[all].learning_rate': '3e-5', 'training.batch_size': '16', 'data.train': '/work/spam/data/train.csv' } }),
      historyEntry('spam-bert-lr1e-4', { steps: 90, epochs: 3, f1: [0.75, 0.88, 0.86], config: { 'training.stages[all].learning_rate': '1e-4', 'training.batch_size': '16', 'data.train': '/work/spam/data/train.csv' } }),
      { ...historyEntry('sotu-vectors', { steps: 50, epochs: 2, config: { 'word2vec.window': '5' } }), task: 'word2vec', status: 'stopped' },
    ];
    await postToWebview(page, [{ type: 'context', workspaceFolders: ['/work/spam'] }, { type: 'history', runs }]);
    await page.waitForSelector('#history-table tbody tr');
    assert.deepEqual((await cells(page, '#history-table')).map((row) => row.slice(1, 5)), [
      ['run', 'task', 'status', 'judged by'],
      ['spam-bert-lr3e-5', 'text classification', 'completed', 'macro-F1 0.910'],
      ['spam-bert-lr1e-4', 'text classification', 'completed', 'macro-F1 0.880'],
      ['sotu-vectors', 'word2vec', 'stopped', 'train loss 1.75'],
    ]);
    assert.equal(await page.locator('#history-table tbody td.num').first().getAttribute('title'), 'Validation macro-F1, best after epoch 3 of 4');

    await page.getByRole('checkbox', { name: 'Compare spam-bert-lr3e-5' }).check();
    await page.getByRole('checkbox', { name: 'Compare spam-bert-lr1e-4' }).check();
    await page.waitForSelector('#compare-chart[data-series="2"]');
    assert.match(await text(page, '#compare .axis-note'), /step counts differ, so the x axis counts epochs/);
    assert.equal(await page.locator('#compare-chart .u-legend .u-series:first-child .u-label').innerText(), 'epoch');
    const legend = await text(page, '#compare-chart .u-legend');
    assert.match(legend, /spam-bert-lr3e-5/);
    assert.match(legend, /spam-bert-lr1e-4/);
    assert.ok((await paintedPixels(page, '#compare-chart canvas')) > 500);
    assert.ok((await paintedPixels(page, '#compare-metric-chart canvas')) > 200, 'the validation metric per epoch, side by side');
    // The configs side by side: only what differs, highlighted; the rest counted.
    const table = await cells(page, '.config-diff');
    assert.deepEqual(table[0], ['setting', 'spam-bert-lr3e-5', 'spam-bert-lr1e-4']);
    assert.deepEqual(table.slice(1, 3), [['judged by', 'macro-F1 0.910 (epoch 3)', 'macro-F1 0.880 (epoch 2)'], ['epochs', '4', '3']]);
    assert.deepEqual(table.at(-1), ['training.stages[all].learning_rate', '3e-5', '1e-4']);
    assert.equal(await page.locator('.config-diff tr.differs').count(), 1);
    await page.getByRole('checkbox', { name: /Only the settings that differ \(2 the same\)/ }).click();
    await page.waitForSelector('.config-diff tr:has(th:text-is("data.train"))');
    assert.equal(await page.locator('.config-diff tr:has(th:text-is("data.train")) td').first().innerText(), 'data/train.csv', 'paths shortened against the workspace');
    assert.equal(await page.locator('.config-diff tr:has(th:text-is("data.train")) td').first().getAttribute('title'), '/work/spam/data/train.csv');

    // A word2vec run is not drawn on a classifier's loss axis: it gets a comparison of its own.
    await page.getByRole('checkbox', { name: 'Compare sotu-vectors' }).check();
    await page.waitForSelector('.compare-group[data-task="word2vec"] #compare-chart');
    assert.equal(await page.locator('.compare-group').count(), 2);
    assert.match(await text(page, '#compare-note'), /different tasks are compared apart/);
    assert.equal(await page.locator('.compare-group[data-task="text-classification"] #compare-chart').getAttribute('data-series'), '2');

    await page.getByRole('button', { name: 'Reveal the folder of sotu-vectors' }).click();
    assert.deepEqual((await posted<{ type: string }>(page)).filter((m) => m.type === 'reveal'), [{ type: 'reveal', path: '/runs/sotu-vectors' }]);
    await waitFor(page, 'JSON.parse(window.__state ?? "{}").compare?.length === 3 && JSON.parse(window.__state).onlyDifferences === false');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('overlays runs of as many steps on the step axis', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const runs = [historyEntry('a', { steps: 60, epochs: 3, f1: [0.5, 0.6, 0.7] }), historyEntry('b', { steps: 60, epochs: 3, f1: [0.6, 0.6, 0.65] })];
    await postToWebview(page, [{ type: 'history', runs }]);
    await page.getByRole('checkbox', { name: 'Compare a' }).check();
    await page.getByRole('checkbox', { name: 'Compare b' }).check();
    await page.waitForSelector('#compare-chart[data-series="2"][data-points="60"]');
    assert.equal(await page.locator('#compare-chart .u-legend .u-series:first-child .u-label').innerText(), 'step');
    assert.equal(await page.locator('#compare .axis-note').count(), 0);
    await page.close();
  });

  it('heads a classification run with its judged metric, says "estimating…" until the engine has an ETA, and draws the validation curves', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const f1 = [0.7, 0.82, 0.8];
    const started: RunEvent = { kind: 'started', runId: 'clf', name: 'spam-filter', task: 'text-classification', runDir: '/runs/spam', totalSteps: 60, epochs: 3, startedAt: 0, metric: 'macro_f1',
      stages: [{ name: 'head', startStep: 0, epochs: 1 }, { name: 'all', startStep: 20, epochs: 2 }] };
    const stage: RunEvent = { kind: 'stage', index: 0, name: 'head', step: 0, frozen: 'trains pooler, classifier; frozen: embeddings, encoder.layer.0–1' };
    await postToWebview(page, [{ type: 'runEvents', runId: 'clf', events: [started, stage, { kind: 'caching', stage: 'head', done: 1200, total: 5000, progress: 0.02, elapsedSeconds: 3 }] }]);
    await page.waitForSelector('#run-state:text-is("Caching features")');
    assert.equal(await text(page, '#stage'), 'Stage head: computing the frozen features once: 1,200 of 5,000 examples');
    assert.equal(await text(page, '#eta'), 'estimating…');
    assert.equal(await text(page, '#judged-card dt'), 'VALIDATION MACRO-F1');

    const events: RunEvent[] = [];
    for (let step = 1; step <= 60; step++) {
      events.push({ kind: 'step', step, epoch: Math.ceil(step / 20), progress: step / 60, loss: 1 / step + 0.2, learningRate: step <= 20 ? 1e-3 : 3e-5,
        throughput: 48, throughputUnit: 'samples/s', ...(step > 2 && { etaSeconds: 125 - step }), elapsedSeconds: step, stage: step <= 20 ? 'head' : 'all' });
      if (step === 2) {
        await postToWebview(page, [{ type: 'runEvents', runId: 'clf', events: events.splice(0) }]);
        await page.waitForSelector('#run-state:text-is("Running")');
        assert.equal(await text(page, '#eta'), 'estimating…', 'no ETA from the engine yet: none shown');
      }
      if (step === 20) events.push({ kind: 'stage', index: 1, name: 'all', step: 20, frozen: 'trains embeddings, encoder.layer.0–1, pooler, classifier; frozen: nothing' });
      if (step % 20 === 0) events.push({ kind: 'epoch', epoch: step / 20, step, trainLoss: 1 / step + 0.2, validation: { loss: 0.5 - step / 200, accuracy: 0.8, macroF1: f1[step / 20 - 1]! } });
    }
    await postToWebview(page, [{ type: 'runEvents', runId: 'clf', events }]);
    await page.waitForSelector('#loss-chart[data-series="3"][data-points="60"]');
    assert.match(await text(page, '#eta'), /^1:0[45]$/, '65 s left, in the clock format of the status bar');
    assert.match(await text(page, '#judged-card'), /^VALIDATION MACRO-F1\s+0\.820\s+best, epoch 2 · latest 0\.800, epoch 3$/);
    assert.equal(await text(page, '#stage'), 'Stage all: trains embeddings, encoder.layer.0–1, pooler, classifier; frozen: nothing', 'what is frozen, said once');
    assert.match(await text(page, '#loss-chart .u-legend'), /validation/);
    assert.deepEqual(await page.locator('#loss-chart .stage-band').allInnerTexts(), ['head', 'all']);
    await page.waitForSelector('#metric-chart[data-points="3"]');
    assert.deepEqual(await page.locator('#metric-chart .stage-band').allInnerTexts(), ['head', 'all'], 'the stages on the epoch axis too');
    assert.ok((await paintedPixels(page, '#metric-chart canvas')) > 200, 'validation macro-F1 and accuracy per epoch');
    assert.match(await text(page, '#throughput'), /samples\/s$/);
    const marker = '#loss-chart .u-legend .u-series:nth-child(3) .u-marker';
    const before = await page.locator(marker).evaluate('(el) => getComputedStyle(el).borderColor');
    await page.evaluate(`(() => {
      document.documentElement.style.setProperty('--vscode-charts-blue', '#0000ff');
      document.body.className = 'vscode-light';
    })()`);
    await waitFor(page, `getComputedStyle(document.querySelector(${JSON.stringify(marker)})).borderColor === 'rgb(0, 0, 255)'`);
    assert.notEqual(before, 'rgb(0, 0, 255)');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('says "stopped early" only when the run did', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const finished = classification.at(-1)!;
    assert.ok(finished.kind === 'finished' && finished.summary['stoppedEarly'] === false);
    await postToWebview(page, hostMessages('cls-run', classification));
    await page.waitForSelector('#run-state:text-is("Completed")');
    assert.doesNotMatch(await text(page, '#summary'), /stopped early/);
    const early: RunEvent = { ...finished, summary: { ...finished.summary, stoppedEarly: true, epochsCompleted: 2 } };
    await postToWebview(page, hostMessages('cls-early', [...classification.slice(0, -1), early]).map((message) => ({ ...message, ...(message.type === 'runEvents' && { replace: true }) })));
    await page.waitForSelector('#run-state:text-is("Completed · stopped early")');
    assert.deepEqual((await facts(page))[0], ['Epochs', '2 of 3 (stopped early)']);
    await page.close();
  });

  it('names the metric the model was chosen by in words: "best validation loss", not the table cells\' "val. loss"', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const finished = classification.at(-1)!;
    assert.ok(finished.kind === 'finished');
    const byLoss: RunEvent = { ...finished, summary: { ...finished.summary, metric: 'loss' } };
    await postToWebview(page, hostMessages('cls-loss', [...classification.slice(0, -1), byLoss]));
    await page.waitForSelector('#summary:not([hidden])');
    assert.deepEqual((await facts(page))[1], ['Model written', 'epoch 2 (best validation loss)']);
    await page.close();
  });

  it('writes the summary for people: labelled facts, short paths with the full one on hover, Reveal', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    await postToWebview(page, [{ type: 'context', workspaceFolders: ['/work/spam-project'] }, ...hostMessages('cls-run', classification)]);
    await page.waitForSelector('#summary:not([hidden])');
    assert.deepEqual(await facts(page), [
      ['Epochs', '3'], ['Model written', 'epoch 2 (best validation macro-F1)'], ['Validation loss', '0.632'], ['Training loss, last epoch', '0.6292'],
      ['Training steps', '9'], ['Cached features', 'head: encoded once in 887 ms, then ×14 faster per step'],
    ]);
    const paths = await page.evaluate<string[][]>(`[...document.querySelectorAll('#summary code')].map((code) => [code.textContent, code.getAttribute('title')])`);
    assert.deepEqual(paths[0], ['runs/tiny-cls', '/work/spam-project/runs/tiny-cls'], 'the run folder, relative to the workspace');
    assert.ok(paths.slice(1).some(([shown, full]) => shown === 'model.safetensors' && full === '/work/spam-project/runs/tiny-cls/model.safetensors'), JSON.stringify(paths));
    await page.getByRole('button', { name: 'Reveal /work/spam-project/runs/tiny-cls/model.safetensors' }).click();
    assert.deepEqual((await posted<{ type: string }>(page)).filter((m) => m.type === 'reveal'), [{ type: 'reveal', path: '/work/spam-project/runs/tiny-cls/model.safetensors' }]);
    assert.doesNotMatch(await text(page, '#summary'), /epochsCompleted|stoppedEarly|elapsedSeconds|status/);
    // A finished classifier can be made the model that answers predictions, from here.
    await page.getByRole('button', { name: 'Use for predictions' }).click();
    assert.deepEqual((await posted<{ type: string }>(page)).filter((m) => m.type === 'useForPredictions'), [{ type: 'useForPredictions', runDir: '/work/spam-project/runs/tiny-cls' }]);
    await postToWebview(page, [{ type: 'context', workspaceFolders: ['/work/spam-project'], predictionModel: '/work/spam-project/runs/tiny-cls' }]);
    await page.waitForSelector('#use-for-predictions', { state: 'hidden' });
    await page.close();
  });

  it('is reachable from the keyboard: Tab walks every control, Space compares a run and keeps the focus', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    await postToWebview(page, [{ type: 'context', workspaceFolders: ['/work/spam-project'] }, ...hostMessages('cls-run', classification),
      { type: 'history', runs: [historyEntry('a', { steps: 60, epochs: 3, f1: [0.5, 0.6, 0.7] }), historyEntry('b', { steps: 30, epochs: 3, f1: [0.6, 0.6, 0.65] })] }]);
    await page.waitForSelector('#history-table tbody tr');
    const reached: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate<string>(`(() => { const e = document.activeElement; return e.id || e.getAttribute('aria-label') || e.textContent.trim(); })()`));
    }
    for (const control of ['use-for-predictions', 'smoothing', 'log-x', 'Reveal /work/spam-project/runs/tiny-cls', 'Compare a', 'Compare b', 'Reveal the folder of b']) {
      assert.ok(reached.includes(control), `Tab reaches ${control}: ${reached.join(' → ')}`);
    }
    await page.getByRole('checkbox', { name: 'Compare a' }).focus();
    await page.keyboard.press('Space');
    // The rows are rebuilt on the next frame: focusing b before that would focus a row about to go.
    await page.waitForSelector('#compare-chart[data-series="1"]');
    await page.getByRole('checkbox', { name: 'Compare b' }).focus();
    await page.keyboard.press('Space');
    await page.waitForSelector('#compare-chart[data-series="2"]');
    assert.equal(await page.evaluate<string>('document.activeElement.getAttribute("aria-label")'), 'Compare b', 'the rebuilt row gives the focus back');
    const focusRing = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    assert.notEqual(focusRing, 'none', 'the focused control shows it');
    await page.close();
  });

  it('keeps its layout at 800 px: nothing wider than the panel', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    await page.setViewportSize({ width: 800, height: 900 });
    const long = { 'data.train': '/work/spam-project/data/a-rather-long-folder-name/with-more-folders/emails-train-2025-full.csv', 'training.stages[all].learning_rate': '3e-5' };
    await postToWebview(page, [{ type: 'context', workspaceFolders: ['/work/spam-project'] }, ...hostMessages('cls-run', classification),
      { type: 'history', runs: [historyEntry('spam-bert-a-very-long-run-name-lr3e-5', { steps: 60, epochs: 3, f1: [0.5, 0.6, 0.7], config: long }), historyEntry('b', { steps: 30, epochs: 3, f1: [0.6, 0.6, 0.65], config: { ...long, 'data.train': '/elsewhere/x.csv' } })] }]);
    await page.getByRole('checkbox', { name: 'Compare spam-bert-a-very-long-run-name-lr3e-5' }).check();
    await page.getByRole('checkbox', { name: 'Compare b' }).check();
    await page.waitForSelector('#compare-metric-chart');
    const overflow = await page.evaluate<{ page: number; wide: string[] }>(`(() => {
      const width = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('#root *')].filter((e) => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.table-scroll'))
        .map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);
      return { page: document.documentElement.scrollWidth - width, wide };
    })()`);
    assert.deepEqual(overflow, { page: 0, wide: [] });
    await page.close();
  });

  it('takes 100k steps in bursts, and keeps the saved state small', async () => {
    const page = await openPanel(browser, 'trainingPanel');
    const started = run[0]!;
    await postToWebview(page, [{ type: 'runEvent', runId: 'big', event: { ...started, totalSteps: 100_000 } }]);
    await page.waitForSelector('#run-title:has-text("sotu-vectors")');
    // the longest task while it takes them is bench/panels.ts's
    await postStepBursts(page, 'big', 100_000, 10);
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
    const runs: RunHistoryEntry[] = [
      { ...historyEntry('tickets-bert', { steps: 3, epochs: 1, f1: [0.7833] }), runDir: '/runs/tickets', classification: report },
      { ...historyEntry('sotu-vectors', { steps: 3, epochs: 1 }), runDir: '/runs/sotu', task: 'word2vec' },
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
