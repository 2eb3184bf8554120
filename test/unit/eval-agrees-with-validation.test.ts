// `eval` on a run's validation file scores what the run's final validation report says: both score the
// model's logits through training/classifierScores.ts, and a BERT folder's TextClassifier computes its
// logits through the trainer's own ClassifierModel. One BERT run and one word-vector run, each checked
// on loss, accuracy and macro-F1 (within 1e-6) and on the confusion matrix.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadTextClassifier } from '../../engine/models/textClassifier';
import { evaluateTextClassifier } from '../../engine/prediction/evaluateClassifier';
import { runTraining } from '../../engine/run/runTraining';
import { makeSentimentProject, type SentimentProject } from '../fixtures/classification/sentimentProject';

interface FinalValidation {
  readonly validation: { readonly loss: number; readonly accuracy: number; readonly macroF1: number };
  readonly confusionMatrix: number[][];
}

const projects: SentimentProject[] = [];
before(async () => {
  assert.ok(await tf.setBackend('cpu'));
});
after(async () => {
  for (const project of projects) await rm(project.dir, { recursive: true, force: true });
});

/** Trains `project`, then evaluates its run folder on the run's validation file. */
async function trainThenEvaluate(project: SentimentProject): Promise<void> {
  projects.push(project);
  const outcome = await runTraining(project.config, { onEvent: () => undefined });
  assert.equal(outcome.kind, 'finished', JSON.stringify(outcome));
  const summary = (outcome as unknown as { summary: FinalValidation }).summary;
  const classifier = await loadTextClassifier(project.runDir);
  try {
    assert.match(classifier.runtime, /TensorFlow\.js/);
    const evaluation = await evaluateTextClassifier(classifier, { modelPath: project.runDir, dataPath: path.join(project.dir, 'valid.csv') });
    assert.equal(evaluation.count, 60);
    for (const key of ['loss', 'accuracy', 'macroF1'] as const) {
      assert.ok(Math.abs(evaluation[key] - summary.validation[key]) < 1e-6, `${key}: eval ${evaluation[key]} vs the run's ${summary.validation[key]}`);
    }
    assert.deepEqual(evaluation.confusionMatrix, summary.confusionMatrix);
    // Not a trivial agreement: the model learned, and its loss is neither 0 nor chance.
    assert.ok(evaluation.accuracy > 0.5 && evaluation.loss > 0 && evaluation.loss < Math.log(2), JSON.stringify(summary.validation));
  } finally {
    classifier.dispose();
  }
}

test('a BERT run (frozen-encoder stage, then the whole model): eval on its validation file gives its final validation scores', async () => {
  await trainThenEvaluate(await makeSentimentProject());
});

test('a word-vector run (sparse kernel, frozen then trained embeddings): eval on its validation file gives its final validation scores', async () => {
  const project = await makeSentimentProject();
  const config = [
    'task: text-classification',
    'name: tiny-cls',
    'seed: 3',
    'model:',
    '  type: embedding-classifier',
    '  vector_size: 16',
    '  pooling: mean-max',
    '  hidden_size: 8',
    'data:',
    '  train: train.csv',
    '  validation: valid.csv',
    '  max_length: 16',
    'training:',
    '  batch_size: 16',
    '  warmup_ratio: 0',
    '  threads: 1',
    '  stages:',
    '    - { name: head, epochs: 3, learning_rate: 0.02, freeze: embeddings }',
    '    - { name: all, epochs: 5, learning_rate: 0.02, freeze: none }',
    'output:',
    '  dir: runs',
    '',
  ].join('\n');
  await writeFile(project.config, config);
  await trainThenEvaluate(project);
});
