// Multi-label classification end to end, for both model types: a label per sentiment word group, so a
// text may have both labels or none. The run trains sigmoid outputs on binary cross-entropy, reports
// micro/macro-F1, writes problem_type: multi_label_classification with the threshold, and predict /
// eval give every label over it.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { RunEvent } from '../../common/protocol/runEvents';
import { predictLine } from '../../engine/cli/predictCommand';
import { loadTextClassifier } from '../../engine/models/textClassifier';
import { evaluateTextClassifier } from '../../engine/prediction/evaluateClassifier';
import { predictionsOf } from '../../engine/prediction/predictions';
import { runTraining, type RunOutcome } from '../../engine/run/runTraining';
import { seededRandom } from '../fixtures/models/tinyBert';
import { TINY_BERT_FOLDER } from '../fixtures/classification/sentimentProject';

const PRAISE = ['good', 'great', 'love', 'fun'];
const BLAME = ['bad', 'hate', 'boring', 'spam'];
const FILLER = ['the', 'a', 'movie', 'film', 'book', 'story', 'plot', 'actor', 'this', 'it', 'is', 'was'];

/** Texts with praise words, blame words, both or neither; the labels say which groups occur. */
function examples(count: number, seed: number): { text: string; label: string[] }[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, index) => {
    const label = [['praise'], ['blame'], ['praise', 'blame'], []][index % 4]!;
    const words = Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(FILLER));
    if (label.includes('praise')) words.splice(Math.floor(random() * words.length), 0, pick(PRAISE));
    if (label.includes('blame')) words.splice(Math.floor(random() * words.length), 0, pick(BLAME));
    return { text: words.join(' '), label };
  });
}

let dir: string;
before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  dir = await mkdtemp(path.join(tmpdir(), 'nlp-studio-multi-'));
  const jsonl = (rows: ReturnType<typeof examples>): string => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
  await writeFile(path.join(dir, 'train.jsonl'), jsonl(examples(160, 1)));
  await writeFile(path.join(dir, 'valid.jsonl'), jsonl(examples(40, 2)));
  // The same validation data as CSV, the labels joined by the separator (an empty cell: no label).
  await writeFile(path.join(dir, 'valid.csv'), `text,label\n${examples(40, 2).map((row) => `${row.text},${row.label.join('|')}`).join('\n')}\n`);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function train(name: string, model: string, stages: string, threshold: string, extra: string[] = []): Promise<{ outcome: RunOutcome; events: RunEvent[]; runDir: string }> {
  const config = path.join(dir, `${name}.nlp.yaml`);
  await writeFile(
    config,
    [
      'task: text-classification',
      `name: ${name}`,
      'seed: 5',
      'model:',
      model,
      'data:',
      '  train: train.jsonl',
      '  validation: valid.jsonl',
      '  multi_label: true',
      '  max_length: 16',
      'training:',
      '  batch_size: 16',
      '  warmup_ratio: 0',
      `  decision_threshold: ${threshold}`,
      ...extra,
      '  early_stopping: { metric: micro_f1, patience: 20 }',
      '  stages:',
      stages,
      'output:',
      '  dir: runs',
      '',
    ].join('\n'),
  );
  const events: RunEvent[] = [];
  const outcome = await runTraining(config, { onEvent: (event) => events.push(event) });
  return { outcome, events, runDir: path.join(dir, 'runs', name) };
}

async function checkRun({ outcome, runDir }: { outcome: RunOutcome; runDir: string }, threshold: number | 'tuned'): Promise<void> {
  assert.equal(outcome.kind, 'finished', JSON.stringify(outcome));
  const summary = (outcome as unknown as { summary: Record<string, unknown> }).summary;
  assert.equal(summary.multiLabel, true);
  assert.ok(!('confusionMatrix' in summary), 'a multi-label run has no confusion matrix');
  const validation = summary.validation as { microF1: number; macroF1: number; accuracy: number; loss: number };
  assert.ok(validation.microF1 >= 0.9, `micro-F1 ${validation.microF1}`);
  const perClass = summary.perClass as { label: string; precision: number; recall: number; support: number }[];
  assert.deepEqual(
    perClass.map((entry) => [entry.label, entry.support]),
    [
      ['blame', 20],
      ['praise', 20],
    ],
  );

  const json = JSON.parse(await readFile(path.join(runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(json.problem_type, 'multi_label_classification');
  if (threshold !== 'tuned') assert.equal(json.decision_threshold, threshold);
  assert.equal(json.decision_threshold, summary.threshold);

  const classifier = await loadTextClassifier(runDir);
  try {
    assert.deepEqual(classifier.decision, { multiLabel: true, threshold: json.decision_threshold });
    const texts = ['good fun movie', 'boring bad plot', 'great but boring film', 'the actor is'];
    const probabilities = await classifier.predict(texts);
    // Each label its own sigmoid: they need not sum to 1.
    assert.ok(Math.abs(probabilities[2]![0]! + probabilities[2]![1]! - 1) > 0.3, `both labels: ${Array.from(probabilities[2]!).join(", ")}`);
    // [blame, praise] probabilities: each text's signal words win, both for both, neither for none.
    const [blame, praise] = [0, 1];
    assert.ok(probabilities[0]![praise]! > 0.5 && probabilities[0]![praise]! > probabilities[0]![blame]!, `praise: ${Array.from(probabilities[0]!).join(', ')}`);
    assert.ok(probabilities[1]![blame]! > 0.5 && probabilities[1]![blame]! > probabilities[1]![praise]!, `blame: ${Array.from(probabilities[1]!).join(', ')}`);
    assert.ok(probabilities[2]!.every((p) => p > 0.5) && probabilities[3]!.every((p) => p < 0.5));
    // The labels predicted are those at or over the model's threshold.
    const predicted = predictionsOf(classifier.labels, probabilities, classifier.decision).map((prediction) => prediction.labels);
    assert.deepEqual(predicted, probabilities.map((row) => classifier.labels.filter((_, l) => row[l]! >= (classifier.decision as { threshold: number }).threshold)));
    if (threshold === 0.5) assert.deepEqual(predicted, [['praise'], ['blame'], ['blame', 'praise'], []]);
    assert.deepEqual(predictLine(classifier.labels, texts[2]!, probabilities[2]!, classifier.decision).labels, ['blame', 'praise']);
    // eval reads the labels as JSONL lists or as separated CSV cells, and scores them the same.
    const fromJsonl = await evaluateTextClassifier(classifier, { modelPath: runDir, dataPath: path.join(dir, 'valid.jsonl') });
    const fromCsv = await evaluateTextClassifier(classifier, { modelPath: runDir, dataPath: path.join(dir, 'valid.csv') });
    assert.equal(fromJsonl.confusionMatrix, undefined);
    assert.equal(fromJsonl.threshold, json.decision_threshold);
    for (const key of ['microF1', 'macroF1', 'accuracy', 'loss'] as const) {
      assert.ok(Math.abs(fromJsonl[key] - validation[key]) < 1e-6, `${key}: eval ${fromJsonl[key]} vs the run's ${validation[key]}`);
    }
    assert.deepEqual({ ...fromCsv, dataPath: '' }, { ...fromJsonl, dataPath: '' });
  } finally {
    classifier.dispose();
  }
}

test('a multi-label word-vector classifier: sigmoid outputs, the threshold tuned on validation and stored with the model', async () => {
  // One thread: several train lock-free and would make the run differ from one time to the next.
  const result = await train('vectors', '  type: embedding-classifier\n  vector_size: 16\n  pooling: mean', '    - { name: all, epochs: 12, learning_rate: 0.03, freeze: none }', 'tune', ['  threads: 1']);
  const logs = result.events.filter((event) => event.kind === 'log').map((event) => (event as { message: string }).message);
  assert.ok(logs.some((message) => /^Decision threshold tuned on the validation data: 0\.\d+ \(micro-F1 [\d.]+\); it is stored with the model\.$/.test(message)), logs.join('\n'));
  assert.ok(logs.some((message) => /^Final model .*: micro-F1 [\d.]+, macro-F1 [\d.]+, exact-match accuracy [\d.]+ at threshold/.test(message)), logs.join('\n'));
  await checkRun(result, 'tuned');
});

test('a multi-label BERT: binary cross-entropy through the frozen-encoder stage and the whole model', async () => {
  const result = await train(
    'bert',
    `  type: bert\n  pretrained: ${JSON.stringify(TINY_BERT_FOLDER)}`,
    ['    - { name: head, epochs: 12, learning_rate: 0.03, freeze: encoder }', '    - { name: all, epochs: 12, learning_rate: 0.005, freeze: none }'].join('\n'),
    '0.5',
  );
  await checkRun(result, 0.5);
});
