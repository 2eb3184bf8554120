import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { configRows, readRunHistory, readRunMetrics } from '../../extension/panels/runHistory';

const root = mkdtempSync(join(tmpdir(), 'run-history-'));

function runFolder(name: string, summary: unknown, metricsLines: string[], mtime: number, resolvedConfig?: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metrics.jsonl'), metricsLines.join('\n') + '\n');
  if (resolvedConfig !== undefined) writeFileSync(join(dir, 'config.resolved.yaml'), resolvedConfig);
  const summaryFile = join(dir, 'summary.json');
  writeFileSync(summaryFile, typeof summary === 'string' ? summary : JSON.stringify(summary));
  utimesSync(summaryFile, mtime, mtime);
  return summaryFile;
}

const step = (n: number, loss: number, epoch = 1): string => JSON.stringify({ kind: 'step', step: n, epoch, progress: 0, loss, learningRate: 0.01, throughput: 1, throughputUnit: 'words/s', etaSeconds: 1, elapsedSeconds: 1 });
const epochEnd = (epoch: number, n: number, validation?: { loss: number; accuracy: number; macroF1: number }): string =>
  JSON.stringify({ kind: 'epoch', epoch, step: n, trainLoss: 2 / epoch, ...(validation && { validation }) });

describe('run history', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads loss against step and epoch, skipping lines that do not parse, with validation loss and records from epochs', async () => {
    const validation = { loss: 2.7, accuracy: 0.5, macroF1: 0.4 };
    const file = runFolder('a', {}, [step(1, 3), '{broken', step(2, 2.5), epochEnd(1, 2, validation)], 1000);
    const { series, epochs } = await readRunMetrics(join(file, '..', 'metrics.jsonl'));
    assert.deepEqual(series, { step: [1, 2, 2], epoch: [0.5, 1, 1], loss: [3, 2.5, null], validationLoss: [null, null, 2.7] });
    assert.deepEqual(epochs, [{ epoch: 1, step: 2, trainLoss: 2, validation }]);
  });

  it('places each step in epochs from where epochs ended; an unfinished epoch is as long as the one before', async () => {
    const lines = [step(10, 3), step(40, 2), epochEnd(1, 40), step(60, 1.5, 2), step(100, 1.2, 2), epochEnd(2, 100), step(130, 1, 3)];
    const { series } = await readRunMetrics(join(runFolder('epochs', {}, lines, 1000), '..', 'metrics.jsonl'));
    assert.deepEqual(series.epoch, [0.25, 1, 1 + 20 / 60, 2, 2.5]);
  });

  it('thins a long run to at most 2000 points and keeps the last one', async () => {
    const lines = Array.from({ length: 10_001 }, (_, i) => step(i, 10 - i / 1000));
    const file = runFolder('long', { name: 'long' }, lines, 1000);
    const { series } = await readRunMetrics(join(file, '..', 'metrics.jsonl'));
    assert.ok(series.step.length <= 2001, `${series.step.length} points`);
    assert.equal(series.step.at(-1), 10_000);
  });

  it('lists readable runs newest first with what they are judged and compared by, and skips broken ones', async () => {
    const older = runFolder('older', { name: 'older-run', task: 'word2vec', status: 'completed', epochs: 5, epochsCompleted: 5, vocabularySize: 1200, files: ['x'] }, [step(1, 1), epochEnd(1, 1)], 2000);
    const newer = runFolder('newer', { task: 'text-classification', status: 'completed', metric: 'accuracy', epochs: 6, epochsCompleted: 4, stoppedEarly: true, elapsedSeconds: 81.5 }, [], 3000,
      'task: text-classification\nname: newer\ntraining:\n  batch_size: 16\n  stages:\n    - name: head\n      epochs: 2\n    - epochs: 4\n      freeze: none\ndata:\n  train: [a.csv, b.csv]\n');
    const broken = runFolder('broken', '{not json', [], 4000);
    const runs = await readRunHistory([older, newer, broken]);
    assert.deepEqual(runs.map((run) => [run.name, run.task, run.status]), [['newer', 'text-classification', 'completed'], ['older-run', 'word2vec', 'completed']]);
    const [cls, vectors] = runs;
    assert.deepEqual({ metric: cls!.metric, epochs: cls!.epochs, epochsCompleted: cls!.epochsCompleted, stoppedEarly: cls!.stoppedEarly, elapsedSeconds: cls!.elapsedSeconds }, { metric: 'accuracy', epochs: 6, epochsCompleted: 4, stoppedEarly: true, elapsedSeconds: 81.5 });
    assert.deepEqual(cls!.config, {
      task: 'text-classification', name: 'newer', 'training.batch_size': '16',
      'training.stages[head].name': 'head', 'training.stages[head].epochs': '2', 'training.stages[1].epochs': '4', 'training.stages[1].freeze': 'none',
      'data.train': 'a.csv, b.csv',
    });
    assert.equal(vectors!.config, undefined, 'no config.resolved.yaml, no config rows');
    assert.deepEqual(vectors!.epochRecords, [{ epoch: 1, step: 1, trainLoss: 2 }]);
    assert.equal(vectors!.date, 2_000_000);
  });

  it('flattens nothing it cannot show', () => {
    assert.deepEqual(configRows({ a: null, b: { c: true, d: [1, 2] } }), { 'b.c': 'true', 'b.d': '1, 2' });
  });

  it('reads the classification report of a finished text-classification run, and ignores a malformed one', async () => {
    const report = {
      task: 'text-classification', status: 'completed', labels: ['ham', 'spam'], validation: { loss: 0.2, accuracy: 0.9, macroF1: 0.88 },
      perClass: [{ id: 0, label: 'ham', precision: 0.9, recall: 0.95, f1: 0.92, support: 20 }, { id: 1, label: 'spam', precision: 0.89, recall: 0.8, f1: 0.84, support: 10 }],
      confusionMatrix: [[19, 1], [2, 8]],
    };
    const [good] = await readRunHistory([runFolder('cls', report, [step(1, 1)], 5000)]);
    assert.deepEqual(good?.classification, {
      accuracy: 0.9, macroF1: 0.88, labels: ['ham', 'spam'], confusionMatrix: [[19, 1], [2, 8]],
      perClass: [{ label: 'ham', precision: 0.9, recall: 0.95, f1: 0.92, support: 20 }, { label: 'spam', precision: 0.89, recall: 0.8, f1: 0.84, support: 10 }],
    });
    for (const broken of [
      { ...report, confusionMatrix: [[19, 1], [2]] },
      { ...report, confusionMatrix: [[19, 1], [2, -8]] },
      { ...report, labels: ['ham'] },
      { ...report, perClass: [report.perClass[0]] },
      { ...report, validation: { loss: 0.2 } },
    ]) {
      const [entry] = await readRunHistory([runFolder('broken', broken, [step(1, 1)], 6000)]);
      assert.equal(entry?.classification, undefined, JSON.stringify(broken));
    }
  });
});
