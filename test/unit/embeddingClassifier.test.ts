import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { RunEvent, RunStep } from '../../common/protocol/runEvents';
import { loadConfig } from '../../engine/config/loadConfig';
import { loadLabelledData } from '../../engine/data/labelledData';
import { tokenizeExamples } from '../../engine/data/tokenizedExamples';
import { SplitTexts, wordTokens, WordTokenizer } from '../../engine/data/wordTokenizer';
import { SINGLE_LABEL } from '../../engine/models/decision';
import { EmbeddingClassifier, embeddingClassifierParameters, type EmbeddingClassifierConfig } from '../../engine/models/embeddingClassifier';
import { embeddingClassifierLogits, loadEmbeddingTextClassifier, writeEmbeddingClassifierFolder } from '../../engine/models/embeddingClassifierFolder';
import { readSafetensors, readSafetensorsHeader } from '../../engine/models/safetensors';
import { loadTextClassifier } from '../../engine/models/textClassifier';
import { buildEmbeddingVocabulary, describeCoverage, prepareEmbeddingClassifier, tokenCoverage } from '../../engine/run/classification/embeddingClassifier';
import { RunError } from '../../engine/run/runError';
import { runTraining, type RunOutcome } from '../../engine/run/runTraining';
import type { TrainerContext } from '../../engine/run/trainerContext';
import { planFreeze } from '../../engine/training/freezeSpec';
import { readVectorsText, writeVectorsText } from '../../engine/word2vec/vectorsFormat';
import { sentences, toCsv } from '../fixtures/classification/sentimentProject';
import { dataWithDefaults } from '../../engine/config/schemaDefaults';

/** Words of the toy task (fixture sentimentProject): a label word or two among fillers. */
const VECTOR_WORDS = ['good', 'great', 'love', 'fun', 'bad', 'hate', 'boring', 'spam', 'the', 'a', 'movie', 'film', 'story'];
const VECTOR_DIM = 8;

let dir: string;
let vectorsFile: string;
const dirs: string[] = [];

/** Deterministic small vectors: the positive words share a direction, the negative ones the opposite. */
function toyVectors(): Float32Array {
  const vectors = new Float32Array(VECTOR_WORDS.length * VECTOR_DIM);
  VECTOR_WORDS.forEach((word, row) => {
    const sign = row < 4 ? 1 : row < 8 ? -1 : 0;
    for (let i = 0; i < VECTOR_DIM; i++) vectors[row * VECTOR_DIM + i] = sign * 0.5 + 0.01 * ((row * 7 + i * 3) % 11) - 0.05;
  });
  return vectors;
}

async function project(model: string, training: string, name = 'emb', output: string[] = []): Promise<{ config: string; runDir: string }> {
  const config = path.join(dir, `${name}.nlp.yaml`);
  await writeFile(
    config,
    [
      'task: text-classification',
      `name: ${name}`,
      'seed: 3',
      'model:',
      '  type: embedding-classifier',
      model,
      'data:',
      '  train: train.csv',
      '  validation: valid.csv',
      '  max_length: 16',
      'training:',
      '  batch_size: 16',
      '  warmup_ratio: 0',
      // One thread unless a test asks for more: several train lock-free, and runs would differ.
      ...(training.includes('threads:') ? [] : ['  threads: 1']),
      training,
      'output:',
      '  dir: runs',
      '  keep_checkpoints: 5',
      ...output,
      '',
    ].join('\n'),
  );
  return { config, runDir: path.join(dir, 'runs', name) };
}

async function run(config: string, options: { signal?: AbortSignal; resume?: boolean; onEvent?: (event: RunEvent) => void; progressIntervalMs?: number } = {}): Promise<{ events: RunEvent[]; outcome: RunOutcome }> {
  const events: RunEvent[] = [];
  const outcome = await runTraining(config, { ...options, onEvent: (event) => (events.push(event), options.onEvent?.(event)) });
  return { events, outcome };
}

async function contextFor(config: string): Promise<TrainerContext> {
  const loaded = await loadConfig(config);
  return { loaded, config: loaded.config } as unknown as TrainerContext;
}

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  dir = await mkdtemp(path.join(tmpdir(), 'nlp-studio-emb-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'train.csv'), toCsv(sentences(96, 1)));
  await writeFile(path.join(dir, 'valid.csv'), toCsv(sentences(60, 2)));
  vectorsFile = path.join(dir, 'toy-vectors.txt');
  await writeVectorsText(vectorsFile, VECTOR_WORDS, toyVectors(), VECTOR_DIM);
});

after(async () => {
  for (const made of dirs) await rm(made, { recursive: true, force: true });
});

test('word tokens: punctuation split off as its own tokens, words as the word2vec corpora clean them', () => {
  assert.deepEqual(wordTokens('War, peace -- and "don\'t" well-known $5.00!!'), ['War', ',', 'peace', '-', '-', 'and', '"', "don't", '"', 'well-known', '$', '5', '.', '00', '!', '!']);
  assert.deepEqual(wordTokens('The WAR ends.', { lowercase: true, maxTokens: 2 }), ['the', 'war']);
  const tokenizer = new WordTokenizer(['[PAD]', '[UNK]', 'war'], true);
  assert.deepEqual(tokenizer.encode(['War!', ''], { maxLength: 4 }), {
    inputIds: [
      [2, 1],
      [1, 0],
    ],
    attentionMask: [
      [1, 1],
      [1, 0],
    ],
    tokenTypeIds: [
      [0, 0],
      [0, 0],
    ],
  });
});

test('texts split once (SplitTexts) encode to the ids tokenIds gives each text, n-grams and cut texts included', () => {
  const texts = ['The war, the WAR!', '', 'peace and war and peace and war', 'unknown words only', 'war'];
  const split = new SplitTexts(texts, { lowercase: true, maxTokens: 5 });
  assert.deepEqual(split.words.slice(0, 4), ['the', 'war', ',', 'peace'], 'words in the order first seen; the first text is cut before its "!"');
  assert.equal(split.wordCounts().get('war'), 4, '2 + 1 in "peace and war and peace" (the rest of the text is cut) + 1');
  for (const ngrams of [undefined, { maxN: 3, buckets: 7 }]) {
    const tokenizer = new WordTokenizer(['[PAD]', '[UNK]', 'war', 'peace', 'the'], true, ngrams);
    const ids = tokenizer.idsOfSplit(split).map((row) => [...row]);
    assert.deepEqual(ids, texts.map((text) => [...tokenizer.tokenIds(text, 5)]), `n-grams ${ngrams?.maxN ?? 1}`);
  }
});

test('freeze plans of the embedding classifier: encoder and embeddings both freeze the embedding layer', () => {
  const groups = ['embeddings', 'head'];
  for (const freeze of ['encoder', 'embeddings']) {
    const plan = planFreeze(freeze, groups);
    assert.deepEqual([plan.trainable, plan.frozen, plan.encoderFrozen], [['head'], ['embeddings'], true], freeze);
  }
  assert.deepEqual(planFreeze('none', groups).trainable, groups);
  assert.equal(planFreeze('none', groups).encoderFrozen, false);
  assert.throws(() => planFreeze('all-but-top-1', groups), /no encoder layers/);
});

test('OOV accounting: vocabulary = vectors ∪ training words seen twice ∪ [PAD], [UNK]; coverage of the training tokens', () => {
  const vectors = { words: ['the', 'war', 'peace'], dim: 2, vectors: Float32Array.from([1, 2, 3, 4, 5, 6]) };
  const counts = new Map([
    ['the', 5],
    ['spam', 3],
    ['$', 2],
    ['once', 1],
  ]);
  const vocabulary = buildEmbeddingVocabulary(vectors, counts, 2, 1);
  assert.deepEqual(vocabulary.words, ['[PAD]', '[UNK]', 'the', 'war', 'peace', 'spam', '$']);
  assert.deepEqual([vocabulary.pretrained, vocabulary.random], [3, 2]);
  // The vectors are rescaled to an RMS of 1/√dim (a random initialisation's), directions kept.
  const rms = Math.sqrt((1 + 4 + 9 + 16 + 25 + 36) / 6);
  const factor = 1 / Math.sqrt(2) / rms;
  assert.ok(Math.abs(vocabulary.rescaled - factor) < 1e-12);
  assert.deepEqual(Array.from(vocabulary.embeddings.subarray(0, 10)), [0, 0, 0, 0, 1, 2, 3, 4, 5, 6].map((value) => Math.fround(value * factor)));
  // Random rows are small next to the vectors (10% of their RMS) and not zero.
  for (const value of vocabulary.embeddings.subarray(10)) assert.ok(value !== 0 && Math.abs(value) < (1 / Math.sqrt(2)) * 0.5, String(value));

  const tokenizer = new WordTokenizer(vocabulary.words, true);
  // 10 tokens: the ×3 and war ×1 have vectors; spam ×2 and $ ×1 are random; once, unseen ×3 are [UNK].
  const examples = tokenizeExamples(
    [
      { text: 'The war spam $ once', labelIds: [0] },
      { text: 'the the spam unseen unseen', labelIds: [1] },
    ],
    tokenizer,
    { maxLength: 16 },
  );
  const coverage = tokenCoverage(examples, vocabulary);
  assert.deepEqual(coverage, { tokens: 10, pretrained: 4, random: 3, unknown: 3 });
  assert.equal(describeCoverage(coverage), '40.0% of training tokens have a pretrained vector, 30.0% random-initialised, 30.0% [UNK]');
});

test('vectors whose dimension differs from model.vector_size: a RunError pointing at model.vector_size', async () => {
  const { config } = await project(`  vectors: toy-vectors.txt\n  vector_size: 8`, '', 'mismatch');
  const context = await contextFor(config);
  context.config.model!.vector_size = 12;
  const data = await loadLabelledData({ data: context.config.data, seed: 3 });
  await assert.rejects(prepareEmbeddingClassifier(context, data), (error: unknown) => {
    assert.ok(error instanceof RunError);
    assert.deepEqual(error.configKey, ['model', 'vector_size']);
    assert.match(error.message, /model\.vector_size is 12, but the vectors in .*toy-vectors\.txt have 8 dimensions/);
    return true;
  });
  // Through a run the failure carries the line of vector_size.
  const written = path.join(dir, 'mismatch-run.nlp.yaml');
  await writeFile(written, (await readFile(config, 'utf8')).replace('vector_size: 8', 'vector_size: 12'));
  const { outcome } = await run(written);
  assert.equal(outcome.kind, 'failed');
  assert.match((outcome as { message: string }).message, /vector_size/);
  assert.equal(outcome.kind === 'failed' && outcome.location?.line, 7);
});

test('export → reload gives exactly the same probabilities', async () => {
  const config: EmbeddingClassifierConfig = {
    vocabSize: 6,
    wordNgrams: 1,
    ngramBuckets: 0,
    vectorSize: 3,
    pooling: 'mean-max',
    hiddenSize: 4,
    dropout: 0.2,
    labels: ['a', 'b', 'c'],
    lowercase: true,
    maxLength: 5,
    decision: SINGLE_LABEL,
  };
  const words = ['[PAD]', '[UNK]', 'red', 'green', 'blue', '!'];
  const embeddings = Float32Array.from({ length: 18 }, (_, i) => (i < 3 ? 0 : Math.sin(i) * 0.7));
  const model = EmbeddingClassifier.initialised(config, embeddings, 9);
  const folder = path.join(dir, 'exported');
  const files = await writeEmbeddingClassifierFolder(folder, config, words, await model.exportState());
  assert.deepEqual(files.sort(), ['config.json', 'model.safetensors', 'vectors.txt', 'vocab.txt']);
  const texts = ['Red green!', 'BLUE blue blue blue blue blue red', '', 'unknown words only', 'green'];
  const original = await embeddingClassifierLogits(model, new WordTokenizer(words, true), texts);
  const reloaded = await loadEmbeddingTextClassifier(folder);
  assert.equal(reloaded.modelType, 'nlp-studio-embedding-classifier');
  assert.deepEqual(reloaded.labels, ['a', 'b', 'c']);
  const again = await reloaded.logits(texts);
  assert.deepEqual(again.map((row) => Array.from(row)), original.map((row) => Array.from(row)));
  reloaded.dispose();
  model.dispose();

  // Torch names and layouts; vectors.txt is the embedding matrix in word2vec text format.
  const header = await readSafetensorsHeader(path.join(folder, 'model.safetensors'));
  for (const spec of embeddingClassifierParameters(config)) assert.deepEqual(header.tensors.get(spec.name)?.shape, spec.shape, spec.name);
  assert.deepEqual(header.tensors.get('pre_classifier.weight')?.shape, [4, 6]);
  assert.deepEqual(header.tensors.get('classifier.weight')?.shape, [3, 4]);
  const vectors = await readVectorsText(path.join(folder, 'vectors.txt'));
  assert.deepEqual(vectors.words, words);
  assert.deepEqual(Array.from(vectors.vectors), Array.from(embeddings));
  const json = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(json.model_type, 'nlp-studio-embedding-classifier');
  assert.deepEqual(json.id2label, { 0: 'a', 1: 'b', 2: 'c' });
  assert.deepEqual([json.vector_size, json.pooling, json.hidden_size, json.dropout, json.lowercase, json.max_length], [3, 'mean-max', 4, 0.2, true, 5]);
  assert.equal((await readFile(path.join(folder, 'vocab.txt'), 'utf8')).split('\n').length - 1, 6);
});

test('random embeddings learn the toy task from about chance to ≥ 0.9, and the run folder reloads with its metrics', async () => {
  // macro-F1 reaches 1 before the last epoch, and ties keep the earlier epoch: the best is not the last, so best/ is kept.
  const training = ['  early_stopping: { metric: macro_f1, patience: 8 }', '  stages:', '    - { name: all, epochs: 8, learning_rate: 0.02, freeze: none }'];
  const { config, runDir } = await project(`  vector_size: 16\n  pooling: mean\n  hidden_size: 8\n  dropout: 0.1`, training.join('\n'), 'toy');
  const context = await contextFor(config);
  const data = await loadLabelledData({ data: context.config.data, seed: 3 });
  const prepared = await prepareEmbeddingClassifier(context, data);
  const start = await prepared.training.evaluate(SINGLE_LABEL);
  await prepared.training.dispose();
  assert.ok(start.metrics.accuracy <= 0.75, `accuracy before training ${start.metrics.accuracy}`);

  const { events, outcome } = await run(config);
  assert.equal(outcome.kind, 'finished', JSON.stringify(outcome));
  const summary = outcome.summary as { bestEpoch: number; validation: { accuracy: number; macroF1: number }; perClass: unknown[]; confusionMatrix: number[][] };
  assert.ok(summary.bestEpoch < 8, `best epoch ${summary.bestEpoch}`);
  assert.ok(summary.validation.accuracy >= 0.9, `accuracy after training ${summary.validation.accuracy}`);
  assert.equal(summary.perClass.length, 2);
  assert.equal(summary.confusionMatrix.flat().reduce((a, b) => a + b, 0), 60);
  const logs = events.filter((event) => event.kind === 'log').map((event) => (event as { message: string }).message);
  assert.ok(logs.some((message) => /^Vocabulary: \d+ tokens \(no pretrained vectors.*0\.0% of training tokens have a pretrained vector, [\d.]+% random-initialised, [\d.]+% \[UNK\]/.test(message)), logs.join('\n'));
  assert.ok(logs.some((message) => /^Final model .*accuracy/.test(message)));

  // Reloaded through the TextClassifier loader, the folder reproduces the run's validation accuracy.
  const classifier = await loadTextClassifier(runDir);
  const validation = await loadLabelledData({ data: dataWithDefaults({ train: [path.join(dir, 'train.csv')], validation: path.join(dir, 'valid.csv') }), seed: 3 });
  const probabilities = await classifier.predict(validation.validation.map((example) => example.text));
  const correct = probabilities.filter((row, i) => (row[1]! > row[0]! ? 1 : 0) === validation.validation[i]!.labelIds[0]).length;
  assert.equal(correct / probabilities.length, summary.validation.accuracy);
  classifier.dispose();
  // best/ holds the best epoch's checkpoint (linked, not copied): only the embedding rows that train, which
  // are the run folder's rows (the best epoch is the model written); it is no model to predict with.
  const bestState = (await readSafetensors(path.join(runDir, 'checkpoints', 'best', 'model.safetensors'))).tensors;
  const finalState = (await readSafetensors(path.join(runDir, 'model.safetensors'))).tensors;
  const ids = bestState.get('embeddings.weight.trained_rows')!.data;
  const trained = bestState.get('embeddings.weight.trained_values')!.data;
  const full = finalState.get('embeddings.weight')!.data;
  ids.forEach((row, index) => assert.deepEqual(full.subarray(row * 16, row * 16 + 16), trained.subarray(index * 16, index * 16 + 16), `row ${row}`));
  assert.deepEqual(bestState.get('classifier.weight')!.data, finalState.get('classifier.weight')!.data);
  await assert.rejects(loadEmbeddingTextClassifier(path.join(runDir, 'checkpoints', 'best')), /a training checkpoint's \(only the embedding rows that train\): load the run folder/);
});

test('pretrained vectors: embeddings stay bit-identical over the frozen stage, then train; [PAD] stays zero', async () => {
  const { config, runDir } = await project(
    `  vectors: toy-vectors.txt\n  pooling: max\n  hidden_size: 0`,
    // two epochs unfrozen: the checkpoint after the first shows them trained (none follows the last epoch)
    ['  stages:', '    - { name: head, epochs: 2, learning_rate: 0.05, freeze: embeddings }', '    - { name: all, epochs: 2, learning_rate: 0.01, freeze: none }'].join('\n'),
    'frozen',
  );
  const { events, outcome } = await run(config, { progressIntervalMs: 0 });
  assert.equal(outcome.kind, 'finished', JSON.stringify(outcome));
  // The head's cached steps cost next to nothing and say nothing of what training everything costs:
  // no ETA until the unfrozen stage is timed, and the bar goes by steps: half at the head's end (2 of 4 epochs).
  const headSteps = events.filter((event): event is RunStep => event.kind === 'step' && event.stage === 'head');
  assert.ok(headSteps.every((step) => step.etaSeconds === undefined));
  assert.ok(headSteps.at(-1)!.progress <= 0.5, `progress ${headSteps.at(-1)!.progress} when the head stage ends`);
  const logs = events.filter((event) => event.kind === 'log').map((event) => (event as { message: string }).message);
  assert.ok(logs.some((message) => /^Stage head: the embeddings are frozen, so the pooled token vectors were computed once/.test(message)), logs.join('\n'));
  assert.ok(logs.some((message) => /100\.0% of training tokens have a pretrained vector|[\d.]+% of training tokens have a pretrained vector/.test(message)));

  // Checkpoints keep the rows that can train; the run folder has them all.
  const trainedAt = async (epoch: number): Promise<{ ids: Float32Array; values: Float32Array }> => {
    const { tensors } = await readSafetensors(path.join(runDir, 'checkpoints', `epoch-${String(epoch).padStart(4, '0')}`, 'model.safetensors'));
    return { ids: tensors.get('embeddings.weight.trained_rows')!.data, values: tensors.get('embeddings.weight.trained_values')!.data };
  };
  const words = (await readFile(path.join(runDir, 'vocab.txt'), 'utf8')).split('\n').slice(0, -1);
  assert.deepEqual(words.slice(0, 2 + VECTOR_WORDS.length), ['[PAD]', '[UNK]', ...VECTOR_WORDS]);
  const initial = buildEmbeddingVocabulary({ words: VECTOR_WORDS, dim: VECTOR_DIM, vectors: toyVectors() }, new Map(), VECTOR_DIM, 3);
  const [first, second, third] = [await trainedAt(1), await trainedAt(2), await trainedAt(3)];
  assert.ok(!first.ids.includes(0), '[PAD] never trains');
  assert.deepEqual(first.ids, third.ids);
  const bytes = (values: Float32Array): Buffer => Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  // Rows of the vectors' words are the (rescaled) file's vectors, bit for bit, through both frozen epochs.
  first.ids.forEach((row, index) => {
    if (row < 2 + VECTOR_WORDS.length && row > 1) assert.ok(bytes(first.values.subarray(index * VECTOR_DIM, (index + 1) * VECTOR_DIM)).equals(bytes(initial.embeddings.subarray(row * VECTOR_DIM, (row + 1) * VECTOR_DIM))), words[row]);
  });
  assert.ok(bytes(first.values).equals(bytes(second.values)));
  assert.ok(!bytes(second.values).equals(bytes(third.values)), 'the unfrozen stage trains the embeddings');
  const final = (await readSafetensors(path.join(runDir, 'model.safetensors'))).tensors.get('embeddings.weight')!.data;
  assert.deepEqual(Array.from(final.subarray(0, VECTOR_DIM)), new Array<number>(VECTOR_DIM).fill(0));
});

test('stop after an epoch and resume: the run continues from the checkpoint to the end', async () => {
  // Two threads: the epochs, the stop and the resume go through several workers.
  const { config, runDir } = await project(`  vector_size: 8`, ['  threads: 2', '  stages:', '    - { name: all, epochs: 3, learning_rate: 0.02, freeze: none }'].join('\n'), 'resume');
  const stop = new AbortController();
  const stopped = await run(config, { signal: stop.signal, onEvent: (event) => event.kind === 'epoch' && event.epoch === 1 && stop.abort() });
  assert.equal(stopped.outcome.kind === 'finished' && stopped.outcome.status, 'stopped', JSON.stringify(stopped.outcome));
  const resumed = await run(config, { resume: true });
  assert.equal(resumed.outcome.kind === 'finished' && resumed.outcome.status, 'completed', JSON.stringify(resumed.outcome));
  assert.deepEqual(
    resumed.events.filter((event) => event.kind === 'epoch').map((event) => (event as { epoch: number }).epoch),
    [2, 3],
  );
  await readFile(path.join(runDir, 'model.safetensors'));
});

test('checkpoint_every: never writes no checkpoint while training; a stop still writes one, and the run resumes from it', async () => {
  const stages = ['  stages:', '    - { name: all, epochs: 3, learning_rate: 0.02, freeze: none }'].join('\n');
  const { config, runDir } = await project(`  vector_size: 8`, stages, 'no-checkpoints', ['  checkpoint_every: never']);
  const whole = await run(config);
  assert.equal(whole.outcome.kind === 'finished' && whole.outcome.status, 'completed', JSON.stringify(whole.outcome));
  assert.deepEqual(whole.events.filter((event) => event.kind === 'checkpoint'), []);
  assert.deepEqual(await readdir(path.join(runDir, 'checkpoints')), []);
  const stop = new AbortController();
  const stopped = await run(config, { signal: stop.signal, onEvent: (event) => event.kind === 'epoch' && event.epoch === 1 && stop.abort() });
  assert.equal(stopped.outcome.kind === 'finished' && stopped.outcome.status, 'stopped', JSON.stringify(stopped.outcome));
  assert.equal(stopped.events.filter((event) => event.kind === 'checkpoint').length, 1);
  const resumed = await run(config, { resume: true });
  assert.equal(resumed.outcome.kind === 'finished' && resumed.outcome.status, 'completed', JSON.stringify(resumed.outcome));
  assert.deepEqual(
    resumed.events.filter((event) => event.kind === 'epoch').map((event) => (event as { epoch: number }).epoch),
    [2, 3],
  );
});

test('stop inside an epoch on the sparse kernel (threads 1), resume: the uninterrupted run bit for bit — model and epoch losses', async () => {
  // Long epochs (batch 1, a wide head) so that a step event lands while the kernel's thread is mid-epoch.
  const folder = await mkdtemp(path.join(tmpdir(), 'nlp-studio-emb-resume-'));
  dirs.push(folder);
  await writeFile(path.join(folder, 'train.csv'), toCsv(sentences(6000, 1)));
  await writeFile(path.join(folder, 'valid.csv'), toCsv(sentences(60, 2)));
  const configFor = async (name: string): Promise<{ config: string; runDir: string }> => {
    const config = path.join(folder, `${name}.nlp.yaml`);
    const model = ['  type: embedding-classifier', '  vector_size: 32', '  hidden_size: 32', '  dropout: 0.2'];
    const training = ['  batch_size: 1', '  threads: 1', '  stages:', '    - { name: head, epochs: 1, learning_rate: 0.01, freeze: embeddings }', '    - { name: all, epochs: 2, learning_rate: 0.005, freeze: none }'];
    const lines = ['task: text-classification', `name: ${name}`, 'seed: 3', 'model:', ...model, 'data:', '  train: train.csv', '  validation: valid.csv', 'training:', ...training, 'output:', '  dir: runs', ''];
    await writeFile(config, lines.join('\n'));
    return { config, runDir: path.join(folder, 'runs', name) };
  };
  const whole = await configFor('whole');
  const wholeRun = await run(whole.config);
  assert.equal(wholeRun.outcome.kind === 'finished' && wholeRun.outcome.status, 'completed', JSON.stringify(wholeRun.outcome));

  const made = await configFor('stopped');
  const stop = new AbortController();
  const stepsPerEpoch = 6000;
  // The trainer's step events are the signal: the first inside the second epoch, not at an epoch's end.
  const inside = (event: RunEvent): boolean => event.kind === 'step' && event.step > stepsPerEpoch && event.step % stepsPerEpoch !== 0;
  const stopped = await run(made.config, { signal: stop.signal, progressIntervalMs: 1, onEvent: (event) => inside(event) && stop.abort() });
  assert.equal(stopped.outcome.kind === 'finished' && stopped.outcome.status, 'stopped', JSON.stringify(stopped.outcome));
  const saved = stopped.events.filter((event) => event.kind === 'checkpoint').at(-1) as { step: number; path: string };
  assert.ok(saved.step % stepsPerEpoch !== 0 && /-step-/.test(saved.path), `the stop landed inside an epoch: ${JSON.stringify(saved)}`);

  const resumed = await run(made.config, { resume: true });
  assert.equal(resumed.outcome.kind === 'finished' && resumed.outcome.status, 'completed', JSON.stringify(resumed.outcome));
  const epochLosses = (events: RunEvent[]): unknown[] => events.filter((event) => event.kind === 'epoch').map((event) => [event.epoch, event.trainLoss, event.validation?.loss]);
  assert.deepEqual(epochLosses([...stopped.events, ...resumed.events]), epochLosses(wholeRun.events));
  const [expected, actual] = await Promise.all([readFile(path.join(whole.runDir, 'model.safetensors')), readFile(path.join(made.runDir, 'model.safetensors'))]);
  assert.ok(expected.equals(actual), 'model.safetensors differs from the uninterrupted run');
});

test('early stopping ends the stage it happens in, says so, and the next stage runs; a resume keeps to that', async () => {
  const { config } = await project(
    `  vectors: toy-vectors.txt\n  pooling: mean`,
    ['  early_stopping: { metric: loss, patience: 1, min_delta: 0.5 }', '  stages:', '    - { name: head, epochs: 30, learning_rate: 0.05, freeze: embeddings }', '    - { name: all, epochs: 3, learning_rate: 0.01, freeze: none }'].join('\n'),
    'early',
  );
  const epochsOf = (events: RunEvent[]): [number, string][] => events.filter((event) => event.kind === 'epoch').map((event) => [(event as { epoch: number }).epoch, (event as { stage: string }).stage]);
  const logsOf = (events: RunEvent[]): string[] => events.filter((event) => event.kind === 'log').map((event) => (event as { message: string }).message);
  // min_delta 0.5 of the loss: no epoch after the first counts as better, so each stage ends after one epoch without improvement.
  const whole = await run(config);
  assert.equal(whole.outcome.kind === 'finished' && whole.outcome.status, 'completed', JSON.stringify(whole.outcome));
  assert.deepEqual(epochsOf(whole.events), [
    [1, 'head'],
    [2, 'head'],
    [31, 'all'],
  ]);
  const logs = logsOf(whole.events);
  assert.ok(logs.some((message) => /^Early stopping ended stage head after epoch 2 of 30: validation loss has not improved for 1 evaluation\(s\).*The schedule goes on with stage all\.$/.test(message)), logs.join('\n'));
  assert.ok(logs.some((message) => /^Early stopping ended stage all after epoch 31 of 33: .*That was the last stage\.$/.test(message)), logs.join('\n'));
  assert.ok(logs.some((message) => /^Early stopping ends a stage, not the run: with patience 1, stage 1 \("head"\), 30 epochs ends/.test(message)), 'validate’s note is in the run log');
  assert.deepEqual((whole.outcome as unknown as { summary: { stagesEndedEarly: string[] } }).summary.stagesEndedEarly, ['head', 'all']);

  // Stopped in the first epoch and resumed, the run takes the same course.
  const stop = new AbortController();
  const first = await run(config, { signal: stop.signal, onEvent: (event) => event.kind === 'epoch' && stop.abort() });
  assert.equal(first.outcome.kind === 'finished' && first.outcome.status, 'stopped', JSON.stringify(first.outcome));
  const resumed = await run(config, { resume: true });
  assert.deepEqual(epochsOf(resumed.events), [
    [2, 'head'],
    [31, 'all'],
  ]);
  assert.deepEqual((resumed.outcome as unknown as { summary: { stagesEndedEarly: string[] } }).summary.stagesEndedEarly, ['head', 'all']);
});
