import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { RunEvent, RunEpoch, RunLog, RunStageStarted } from '../../common/protocol/runEvents';
import { loadLabelledData } from '../../engine/data/labelledData';
import { tokenizeExamples } from '../../engine/data/tokenizedExamples';
import { parameterSpecs } from '../../common/huggingface/architectures/parameterSpecs';
import { loadEncoderClassifier } from '../../engine/models/huggingfaceFolder';
import { readSafetensorsHeader, writeSafetensors } from '../../engine/models/safetensors';
import { bertClassifierModel } from '../../engine/run/classification/bertClassifierModel';
import { SINGLE_LABEL } from '../../engine/models/decision';
import { evaluateClassifier } from '../../engine/run/classification/evaluate';
import { runTraining, type RunOutcome } from '../../engine/run/runTraining';
import { makeSentimentProject, TINY_BERT_FOLDER, type SentimentProject } from '../fixtures/classification/sentimentProject';
import { tinyBertWeights, writeTinyBertFolder } from '../fixtures/models/tinyBert';
import { dataWithDefaults } from '../../engine/config/schemaDefaults';

const LABELS = ['neg', 'pos'];
const projects: SentimentProject[] = [];
let project: SentimentProject;
let events: RunEvent[];
let outcome: RunOutcome;

async function run(
  config: string,
  options: { onEvent?: (event: RunEvent) => void; resume?: boolean; signal?: AbortSignal; abortSignal?: AbortSignal; progressIntervalMs?: number } = {},
): Promise<{ events: RunEvent[]; outcome: RunOutcome }> {
  const seen: RunEvent[] = [];
  const result = await runTraining(config, { ...options, onEvent: (event) => (seen.push(event), options.onEvent?.(event)) });
  return { events: seen, outcome: result };
}

async function project_(options: Parameters<typeof makeSentimentProject>[0] = {}): Promise<SentimentProject> {
  const made = await makeSentimentProject(options);
  projects.push(made);
  return made;
}

const ofKind = <K extends RunEvent['kind']>(list: RunEvent[], kind: K): Extract<RunEvent, { kind: K }>[] => list.filter((event): event is Extract<RunEvent, { kind: K }> => event.kind === kind);

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  project = await project_();
  ({ events, outcome } = await run(project.config));
});

after(async () => {
  for (const made of projects) await rm(made.dir, { recursive: true, force: true });
});

test('the staged run finishes and learns the task: near chance at the start, ≥ 0.9 validation accuracy at the end', async () => {
  assert.equal(outcome.kind, 'finished', JSON.stringify(outcome));
  const start = await loadEncoderClassifier(TINY_BERT_FOLDER, { labels: LABELS, seed: 3 });
  const data = await loadLabelledData({ data: dataWithDefaults({ train: [path.join(project.dir, 'train.csv')], validation: path.join(project.dir, 'valid.csv') }), seed: 3 });
  const validation = tokenizeExamples(data.validation, start.tokenizer, { maxLength: 16 });
  const before = await evaluateClassifier(bertClassifierModel(start.model, start.files), validation, 16, LABELS, SINGLE_LABEL);
  start.model.dispose();
  assert.ok(before.metrics.accuracy <= 0.75, `accuracy before training ${before.metrics.accuracy}`);
  const summary = (outcome).summary as { validation: { accuracy: number; macroF1: number } };
  assert.ok(summary.validation.accuracy >= 0.9, `accuracy after training ${summary.validation.accuracy}`);
});

test('events: two stages with their frozen groups, epochs with validation metrics, throttled steps', () => {
  const stages = ofKind(events, 'stage');
  assert.deepEqual(
    stages.map((stage: RunStageStarted) => [stage.index, stage.name, stage.step]),
    [
      [0, 'head', 0],
      [1, 'all', 18],
    ],
  );
  assert.match(stages[0]!.frozen, /frozen: embeddings, encoder\.layer\.0–1/);
  assert.match(stages[1]!.frozen, /frozen: nothing/);
  const epochs = ofKind(events, 'epoch');
  assert.deepEqual(
    epochs.map((epoch: RunEpoch) => [epoch.epoch, epoch.stage]),
    [1, 2, 3, 4, 5, 6].map((epoch) => [epoch, epoch <= 3 ? 'head' : 'all']),
  );
  for (const epoch of epochs) {
    assert.ok(epoch.validation && Number.isFinite(epoch.validation.loss) && epoch.validation.accuracy >= 0 && epoch.validation.macroF1 >= 0);
  }
  const steps = ofKind(events, 'step');
  assert.ok(steps.length >= 6 && steps.length <= 36);
  for (const step of steps) {
    assert.ok(step.progress > 0 && step.progress <= 1 && step.throughputUnit === 'samples/s' && step.throughput > 0);
    assert.ok(step.etaSeconds === undefined || step.etaSeconds >= 0);
    assert.ok(step.stage === 'head' || step.stage === 'all');
    assert.ok(step.learningRate > 0 && step.learningRate <= 0.01);
  }
  // Progress is a share of the run's time: it never goes back, and only validation is left after the last step.
  assert.ok(steps.every((step, i) => i === 0 || step.progress >= steps[i - 1]!.progress));
  assert.ok(steps.slice(-3).every((step) => step.etaSeconds !== undefined), 'an ETA once steps have been timed');
  assert.ok(steps.at(-1)!.progress > 0.5, `last step at ${steps.at(-1)!.progress}`);
  // a checkpoint after every epoch but the last, which the run's model follows
  assert.equal(ofKind(events, 'checkpoint').length, 5);
});

test('without early_stopping the best epoch is still chosen, on validation loss (the schema default)', () => {
  assert.equal(ofKind(events, 'started')[0]!.metric, 'loss');
  const losses = ofKind(events, 'epoch').map((epoch) => epoch.validation!.loss);
  const lowest = losses.indexOf(Math.min(...losses)) + 1;
  const summary = (outcome as Extract<RunOutcome, { kind: 'finished' }>).summary as { bestEpoch: number; validation: { loss: number } };
  assert.equal(summary.bestEpoch, lowest);
  assert.ok(Math.abs(summary.validation.loss - losses[lowest - 1]!) < 1e-6, `the written model's loss ${summary.validation.loss}, epoch ${lowest}'s ${losses[lowest - 1]}`);
  // best/ is the best epoch's checkpoint while the run trains; when the last epoch wins, the run folder supersedes it.
  assert.equal(existsSync(path.join(project.runDir, 'checkpoints', 'best')), lowest !== losses.length);
});

test('metrics.jsonl has a step row every training.log_every_steps steps (default 10) and a row per epoch', async () => {
  const rows = (await readFile(path.join(project.runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RunEvent);
  const totalSteps = ofKind(events, 'started')[0]!.totalSteps;
  const stepRows = ofKind(rows, 'step').map((row) => row.step);
  assert.deepEqual(stepRows, Array.from({ length: Math.floor(totalSteps / 10) }, (_, i) => (i + 1) * 10));
  assert.deepEqual(ofKind(rows, 'epoch').map((row) => row.epoch), [1, 2, 3, 4, 5, 6]);

  const every2 = await project_({ training: 'training:\n  log_every_steps: 2\n  stages: [{ epochs: 2, learning_rate: 0.01, freeze: encoder }]' });
  const { events: events2, outcome: finished } = await run(every2.config);
  assert.equal(finished.kind, 'finished', JSON.stringify(finished));
  const steps2 = ofKind(events2, 'started')[0]!.totalSteps;
  const rows2 = (await readFile(path.join(every2.runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RunEvent);
  assert.deepEqual(ofKind(rows2, 'step').map((row) => row.step), Array.from({ length: Math.floor(steps2 / 2) }, (_, i) => (i + 1) * 2));
});

test('the frozen-encoder stage trains on cached [CLS] features and reports the speed-up', () => {
  const logs = ofKind(events, 'log').map((log: RunLog) => log.message);
  assert.ok(logs.some((message) => /Stage head: the encoder is frozen, so its \[CLS\] features were computed once/.test(message)), logs.join('\n'));
  const report = logs.find((message) => message.startsWith('Stage head on cached features'));
  assert.match(report ?? '', /×[\d.]+ per step/);
  assert.ok(!logs.some((message) => message.startsWith('Stage all on cached features')));
  const summary = (outcome as Extract<RunOutcome, { kind: 'finished' }>).summary as { cachedFeatures: { stage: string; stepSpeedup: number }[] };
  assert.equal(summary.cachedFeatures.length, 1);
  assert.ok(summary.cachedFeatures[0]!.stepSpeedup > 1, JSON.stringify(summary.cachedFeatures));
});

test('the run folder is a Hugging Face classifier that reloads with the same predictions', async () => {
  const files = await readdir(project.runDir);
  for (const name of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'summary.json', 'metrics.jsonl']) assert.ok(files.includes(name), name);
  const config = JSON.parse(await readFile(path.join(project.runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(config.architectures, ['BertForSequenceClassification']);
  assert.deepEqual(config.id2label, { 0: 'neg', 1: 'pos' });
  assert.deepEqual(config.label2id, { neg: 0, pos: 1 });

  const reloaded = await loadEncoderClassifier(project.runDir);
  assert.deepEqual(reloaded.notices, []);
  const header = await readSafetensorsHeader(path.join(project.runDir, 'model.safetensors'));
  for (const spec of parameterSpecs(reloaded.config)) {
    const entry = header.tensors.get(spec.name);
    assert.ok(entry, spec.name);
    assert.deepEqual(entry.shape, spec.shape, spec.name);
    assert.equal(entry.dtype, 'F32');
  }
  const texts = ['the movie good fun', 'bad story boring', 'hate the spam film', 'love a great plot'];
  const logitsOf = (loaded: typeof reloaded): number[][] =>
    tf.tidy(() => {
      const encoded = loaded.tokenizer.encode(texts, { maxLength: 16 });
      return loaded.model.forward({ inputIds: tf.tensor2d(encoded.inputIds, undefined, 'int32'), attentionMask: tf.tensor2d(encoded.attentionMask, undefined, 'int32') }).logits.arraySync();
    });
  assert.deepEqual(
    logitsOf(reloaded).map((row) => (row[1]! > row[0]! ? 'pos' : 'neg')),
    ['pos', 'neg', 'neg', 'pos'],
  );
  // And its validation metrics are the ones the run reported (the best epoch's: see the test on choosing it).
  const data = await loadLabelledData({ data: dataWithDefaults({ train: [path.join(project.dir, 'train.csv')], validation: path.join(project.dir, 'valid.csv') }), seed: 3 });
  const evaluation = await evaluateClassifier(bertClassifierModel(reloaded.model, reloaded.files), tokenizeExamples(data.validation, reloaded.tokenizer, { maxLength: 16 }), 16, LABELS, SINGLE_LABEL);
  const summary = JSON.parse(await readFile(path.join(project.runDir, 'summary.json'), 'utf8')) as { validation: { loss: number; accuracy: number } };
  assert.equal(evaluation.metrics.accuracy, summary.validation.accuracy);
  assert.ok(Math.abs(evaluation.loss - summary.validation.loss) < 1e-6);
  reloaded.model.dispose();
});

test('summary.json has labels, per-class metrics and the confusion matrix', async () => {
  const summary = JSON.parse(await readFile(path.join(project.runDir, 'summary.json'), 'utf8')) as {
    status: string;
    labels: string[];
    bestEpoch: number;
    perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
    confusionMatrix: number[][];
  };
  assert.equal(summary.status, 'completed');
  assert.deepEqual(summary.labels, LABELS);
  assert.ok(summary.bestEpoch >= 1 && summary.bestEpoch <= 6);
  assert.deepEqual(summary.perClass.map((entry) => [entry.label, entry.support]), [['neg', 30], ['pos', 30]]);
  assert.equal(summary.confusionMatrix.length, 2);
  assert.equal(summary.confusionMatrix.flat().reduce((a, b) => a + b, 0), 60);
});

test('early stopping ends a run only when scheduled epochs remain', async () => {
  // min_delta 1 on macro-F1: nothing after the first evaluation counts as an improvement, so patience 1 runs out after epoch 2.
  const training = (epochs: number): string =>
    `training:\n  early_stopping: { metric: macro_f1, patience: 1, min_delta: 1 }\n  stages: [{ name: head, epochs: ${epochs}, learning_rate: 0.01, freeze: encoder }]`;
  const summaryOf = (result: { outcome: RunOutcome }): { stoppedEarly: boolean; epochsCompleted: number } =>
    (result.outcome as Extract<RunOutcome, { kind: 'finished' }>).summary as { stoppedEarly: boolean; epochsCompleted: number };
  const earlyLogs = (result: { events: RunEvent[] }): string[] => ofKind(result.events, 'log').map((log) => log.message).filter((message) => message.startsWith('Early stopping'));

  const lastEpoch = await run((await project_({ training: training(2) })).config);
  assert.deepEqual(summaryOf(lastEpoch), { ...summaryOf(lastEpoch), stoppedEarly: false, epochsCompleted: 2 });
  assert.deepEqual(earlyLogs(lastEpoch), [], 'patience ran out on the last epoch: the run simply ended');

  const stopped = await run((await project_({ training: training(3) })).config);
  assert.deepEqual(summaryOf(stopped), { ...summaryOf(stopped), stoppedEarly: true, epochsCompleted: 2 });
  assert.equal(earlyLogs(stopped).length, 1);
  assert.equal(ofKind(stopped.events, 'started')[0]!.metric, 'macro_f1');
});

test('a bad data line is reported with file:line (bad_lines: error fails the run, skip logs it)', async () => {
  const trainCsv = 'text,label\ngood fun movie,pos\nbad boring film,neg\n"unterminated,pos\n';
  const failing = await project_({ trainCsv, training: 'training:\n  stages: [{ epochs: 1, learning_rate: 0.01, freeze: encoder }]' });
  const withError = (await readFile(failing.config, 'utf8')).replace('  max_length: 16', '  max_length: 16\n  bad_lines: error');
  await writeFile(failing.config, withError);
  const failed = await run(failing.config);
  assert.equal(failed.outcome.kind, 'failed');
  assert.match((failed.outcome as { message: string }).message, new RegExp(`${path.join(failing.dir, 'train.csv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4`));
  assert.deepEqual(failed.outcome.kind === 'failed' && failed.outcome.location, { file: path.join(failing.dir, 'train.csv'), line: 4 });

  const skipping = await project_({ trainCsv: 'text,label\ngood fun movie,pos\nbad boring film,neg\nno label here\n', training: 'training:\n  stages: [{ epochs: 1, learning_rate: 0.01, freeze: encoder }]' });
  const skipped = await run(skipping.config);
  assert.equal(skipped.outcome.kind, 'finished', JSON.stringify(skipped.outcome));
  const warning = ofKind(skipped.events, 'log').find((log) => log.level === 'warning' && log.location?.line === 4);
  assert.ok(warning, JSON.stringify(ofKind(skipped.events, 'log')));
  assert.equal(warning.location?.file, path.join(skipping.dir, 'train.csv'));
});

test('a missing model folder or an unreachable Hub id fails with a message naming it', async () => {
  const missing = await project_({ pretrained: './no-such-model', training: '' });
  const result = await run(missing.config);
  assert.equal(result.outcome.kind, 'failed');
  assert.match((result.outcome as { message: string }).message, /no-such-model/);

  // A Hub that refuses connections and an empty cache, whatever this machine can reach or has cached.
  const saved = { HF_ENDPOINT: process.env.HF_ENDPOINT, HF_HUB_CACHE: process.env.HF_HUB_CACHE };
  process.env.HF_ENDPOINT = 'http://127.0.0.1:9';
  process.env.HF_HUB_CACHE = path.join(missing.dir, 'empty-hf-cache');
  try {
    const hub = await project_({ pretrained: 'acme/tiny-bert', training: '' });
    const fromHub = await run(hub.config);
    assert.equal(fromHub.outcome.kind, 'failed');
    const message = (fromHub.outcome as { message: string; location?: { line?: number } }).message;
    assert.match(message, /'acme\/tiny-bert' is not a local folder or in the Hugging Face cache .*empty-hf-cache.*, and http:\/\/127\.0\.0\.1:9 cannot be reached/);
    assert.equal(fromHub.outcome.kind === 'failed' && fromHub.outcome.location?.line, 6);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});

test('model.type embedding-classifier without vectors needs vector_size: the failure points at model', async () => {
  const made = await project_({ training: '' });
  const text = (await readFile(made.config, 'utf8')).replace('  type: bert', '  type: embedding-classifier').replace(/ {2}pretrained: .*\n/, '');
  await writeFile(made.config, text);
  const result = await run(made.config);
  assert.equal(result.outcome.kind, 'failed', JSON.stringify(result.outcome));
  assert.match((result.outcome as { message: string }).message, /needs "vector_size"|vector_size is required/);
  assert.equal(result.outcome.kind === 'failed' && result.outcome.location?.line, 4);
});

test('a NaN/inf loss stops the run with a clear message and writes no model', async () => {
  // Weights holding a NaN are refused as they load (bad-input.test.ts); finite ones near float32's
  // largest in the embeddings' LayerNorm overflow in the first layer: the very first loss is not finite.
  const folder = path.join(await mkdtemp(path.join(tmpdir(), 'nlp-studio-bad-bert-')), 'bad-bert');
  await writeTinyBertFolder(folder);
  const weights = tinyBertWeights();
  weights.get('bert.embeddings.LayerNorm.weight')!.data.fill(3e38);
  await writeSafetensors(path.join(folder, 'model.safetensors'), weights);
  const made = await project_({ pretrained: folder, training: 'training:\n  stages: [{ epochs: 1, learning_rate: 0.01, freeze: encoder }]' });
  const result = await run(made.config);
  await rm(path.dirname(folder), { recursive: true, force: true });
  assert.equal(result.outcome.kind, 'failed', JSON.stringify(result.outcome));
  assert.match((result.outcome as { message: string }).message, /training loss became NaN at step 1 .*wrote no model/);
  await assert.rejects(stat(path.join(made.runDir, 'model.safetensors')));
});

test('stop inside an epoch of the unfrozen stage, resume: the uninterrupted run bit for bit — model, losses, curve (cpu backend, seeded dropout)', async () => {
  // Dropout 0.1 in the tiny BERT: the masks are seeded by (seed, step), or no two runs would agree.
  const training = ['training:', '  batch_size: 16', '  warmup_ratio: 0.2', '  stages:', '    - { name: head, epochs: 1, learning_rate: 0.01, freeze: encoder }', '    - { name: all, epochs: 2, learning_rate: 0.002, freeze: none }'].join('\n');
  const whole = await project_({ training });
  const wholeRun = await run(whole.config, { progressIntervalMs: 0 });
  assert.equal(wholeRun.outcome.kind === 'finished' && wholeRun.outcome.status, 'completed', JSON.stringify(wholeRun.outcome));

  const made = await project_({ training });
  const stop = new AbortController();
  const stopAt = 6 + 3; // 6 steps an epoch (96 examples, batch 16): 3 steps into the second epoch
  const stopped = await run(made.config, { signal: stop.signal, progressIntervalMs: 0, onEvent: (event) => event.kind === 'step' && event.step === stopAt && stop.abort() });
  assert.equal(stopped.outcome.kind === 'finished' && stopped.outcome.status, 'stopped', JSON.stringify(stopped.outcome));
  const saved = ofKind(stopped.events, 'checkpoint').at(-1)!;
  assert.deepEqual([saved.epoch, saved.step, path.basename(saved.path)], [1, stopAt, `epoch-0001-step-${String(stopAt).padStart(9, '0')}`]);
  assert.match(ofKind(stopped.events, 'log').at(-1)!.message, /^Stopped at step 9 \(epoch 2 of 3, 3 of 6 steps into it\); the checkpoint is saved, and resume continues from this step\.$/);

  const resumed = await run(made.config, { resume: true, progressIntervalMs: 0 });
  assert.equal(resumed.outcome.kind === 'finished' && resumed.outcome.status, 'completed', JSON.stringify(resumed.outcome));
  assert.deepEqual(ofKind(resumed.events, 'step')[0]!.step, stopAt + 1);
  const lossesOf = (events: RunEvent[]): number[][] => [...ofKind(events, 'step').map((step) => [step.step, step.loss]), ...ofKind(events, 'epoch').map((epoch) => [epoch.epoch, epoch.trainLoss, epoch.validation!.loss])];
  assert.deepEqual(lossesOf([...stopped.events, ...resumed.events]), lossesOf(wholeRun.events));
  const [expected, actual] = await Promise.all([readFile(path.join(whole.runDir, 'model.safetensors')), readFile(path.join(made.runDir, 'model.safetensors'))]);
  assert.ok(expected.equals(actual), 'model.safetensors differs from the uninterrupted run');
});

test('stop saves a checkpoint; resume continues from it to the end', async () => {
  const made = await project_({ training: 'training:\n  stages: [{ name: head, epochs: 3, learning_rate: 0.01, freeze: encoder }]' });
  const stop = new AbortController();
  const stopped = await run(made.config, { signal: stop.signal, onEvent: (event) => event.kind === 'epoch' && event.epoch === 1 && stop.abort() });
  assert.equal(stopped.outcome.kind, 'finished');
  assert.equal(stopped.outcome.kind === 'finished' && stopped.outcome.status, 'stopped');
  assert.equal(ofKind(stopped.events, 'checkpoint').at(-1)?.epoch, 1);
  await assert.rejects(stat(path.join(made.runDir, 'model.safetensors')));

  const resumed = await run(made.config, { resume: true });
  assert.equal(resumed.outcome.kind === 'finished' && resumed.outcome.status, 'completed', JSON.stringify(resumed.outcome));
  assert.equal(ofKind(resumed.events, 'started')[0]?.resumedFrom?.epoch, 1);
  assert.deepEqual(ofKind(resumed.events, 'epoch').map((epoch) => epoch.epoch), [2, 3]);
  assert.equal((resumed.outcome as Extract<RunOutcome, { kind: 'finished' }>).summary.epochsCompleted, 3);
  await stat(path.join(made.runDir, 'model.safetensors'));
});
