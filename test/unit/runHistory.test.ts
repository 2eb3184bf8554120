import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readLossSeries, readRunHistory } from '../../extension/panels/runHistory';

const root = mkdtempSync(join(tmpdir(), 'run-history-'));

function runFolder(name: string, summary: unknown, metricsLines: string[], mtime: number): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metrics.jsonl'), metricsLines.join('\n') + '\n');
  const summaryFile = join(dir, 'summary.json');
  writeFileSync(summaryFile, typeof summary === 'string' ? summary : JSON.stringify(summary));
  utimesSync(summaryFile, mtime, mtime);
  return summaryFile;
}

const step = (n: number, loss: number): string => JSON.stringify({ kind: 'step', step: n, epoch: 1, progress: 0, loss, learningRate: 0.01, throughput: 1, throughputUnit: 'words/s', etaSeconds: 1, elapsedSeconds: 1 });

describe('run history', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads loss against step, skipping lines that do not parse, with validation loss from epochs', async () => {
    const file = runFolder('a', {}, [step(1, 3), '{broken', step(2, 2.5), JSON.stringify({ kind: 'epoch', epoch: 1, step: 2, trainLoss: 2.6, validation: { loss: 2.7, accuracy: 0.5, macroF1: 0.4 } })], 1000);
    const series = await readLossSeries(join(file, '..', 'metrics.jsonl'));
    assert.deepEqual(series, { step: [1, 2, 2], loss: [3, 2.5, null], validationLoss: [null, null, 2.7] });
  });

  it('thins a long run to at most 2000 points and keeps the last one', async () => {
    const lines = Array.from({ length: 10_001 }, (_, i) => step(i, 10 - i / 1000));
    const file = runFolder('long', { name: 'long' }, lines, 1000);
    const series = await readLossSeries(join(file, '..', 'metrics.jsonl'));
    assert.ok(series.step.length <= 2001, `${series.step.length} points`);
    assert.equal(series.step.at(-1), 10_000);
  });

  it('lists readable runs newest first with their numeric summary fields, and skips broken ones', async () => {
    const older = runFolder('older', { name: 'older-run', task: 'word2vec', status: 'completed', vocabularySize: 1200, wordsPerSecond: 5e5, files: ['x'] }, [step(1, 1)], 2000);
    const newer = runFolder('newer', { task: 'text-classification', status: 'stopped', metrics: { accuracy: 0.9 } }, [], 3000);
    const broken = runFolder('broken', '{not json', [], 4000);
    const runs = await readRunHistory([older, newer, broken]);
    assert.deepEqual(runs.map((run) => [run.name, run.task, run.status]), [['newer', 'text-classification', 'stopped'], ['older-run', 'word2vec', 'completed']]);
    assert.deepEqual(runs[0]!.finalMetrics, { accuracy: 0.9 });
    assert.deepEqual(runs[1]!.finalMetrics, { vocabularySize: 1200, wordsPerSecond: 5e5 });
    assert.equal(runs[1]!.date, 2_000_000);
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
