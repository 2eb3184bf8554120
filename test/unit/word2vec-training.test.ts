import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadFullModel, saveFullModel } from '../../engine/word2vec/fullModel';
import { NearestNeighbours } from '../../engine/word2vec/neighbours';
import { trainWord2Vec, type Word2VecProgress } from '../../engine/word2vec/trainer';
import type { Word2VecModel } from '../../engine/word2vec/model';
import type { Word2VecOptions } from '../../engine/word2vec/options';
import { FRUIT, trainAndStopAfterSecondEpoch, VEHICLES, writeTopicCorpus } from '../word2vec/topicCorpus';

let folder: string;
let topicCorpus: string;
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'w2v-train-'));
  topicCorpus = path.join(folder, 'topics.txt');
  await writeTopicCorpus(topicCorpus, 11);
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

const small: Partial<Word2VecOptions> = { vectorSize: 16, window: 3, negative: 5, sample: 0, minCount: 1, epochs: 5, tableSize: 100_000 };

function assertTopicsSeparate(model: Word2VecModel): void {
  const neighbours = new NearestNeighbours(model.vocabulary.words, model.input, model.dim);
  for (const topic of [FRUIT, VEHICLES]) {
    for (const word of topic) {
      const nearest = neighbours.nearest(word, 5)!.map((n) => n.word);
      assert.ok(nearest.every((other) => topic.includes(other)), `${word}: ${nearest.join(' ')}`);
    }
  }
}

for (const algorithm of ['skipgram', 'cbow'] as const) {
  test(`${algorithm} learns planted topics with 2 threads and its loss falls`, async () => {
    const progress: Word2VecProgress[] = [];
    const result = await trainWord2Vec({ files: [topicCorpus], options: { ...small, algorithm, threads: 2 }, onProgress: (p) => progress.push(p), progressIntervalMs: 5 });
    assert.equal(result.cancelled, false);
    assert.equal(result.epochs.length, 5);
    assert.equal(result.model.state.epochsCompleted, 5);
    assert.equal(result.model.vocabulary.size, 20);
    assert.ok(result.epochs.every((e) => e.words === 30_000 && e.tokens === 30_000 && Number.isFinite(e.loss)));
    assert.ok(result.epochs[4]!.meanLoss < result.epochs[0]!.meanLoss, result.epochs.map((e) => e.meanLoss).join(' '));
    const last = progress[progress.length - 1]!;
    assert.equal(last.words, last.scheduledWords);
    assert.ok(last.alpha < 0.001, `final alpha ${last.alpha}`);
    assertTopicsSeparate(result.model);
  });
}

test('one-thread runs with the same seed are bit-identical; another seed differs', async () => {
  const options = { ...small, epochs: 2, threads: 1, sample: 1e-2 };
  const first = await trainWord2Vec({ files: [topicCorpus], options: { ...options, seed: 5 } });
  const second = await trainWord2Vec({ files: [topicCorpus], options: { ...options, seed: 5 } });
  const other = await trainWord2Vec({ files: [topicCorpus], options: { ...options, seed: 6 } });
  assert.deepEqual(first.model.input, second.model.input);
  assert.deepEqual(first.model.output, second.model.output);
  assert.deepEqual(first.epochs.map((e) => e.loss), second.epochs.map((e) => e.loss));
  assert.notDeepEqual(first.model.input, other.model.input);
});

test('cancelling stops the run at the next sentence and reports it', async () => {
  const controller = new AbortController();
  const result = await trainWord2Vec({
    files: [topicCorpus],
    options: { ...small, threads: 2 },
    signal: controller.signal,
    onEpoch: () => controller.abort(),
  });
  assert.equal(result.cancelled, true);
  assert.equal(result.epochs.length, 1);
  assert.equal(result.model.state.epochsCompleted, 1);
});

test('an empty corpus and a corpus with no word over min_count fail clearly', async () => {
  const empty = path.join(folder, 'empty.txt');
  await writeFile(empty, '\n  \n');
  await assert.rejects(trainWord2Vec({ files: [empty], options: small }), /the corpus is empty: .*empty\.txt hold no words/);
  await assert.rejects(trainWord2Vec({ files: [topicCorpus], options: { ...small, minCount: 100_000 } }), /no word occurs at least min_count=100000 times \(20 distinct words, 30000 tokens/);
});

test('stop after epoch 2, save the full model, resume at epoch 2: the same vectors as one uninterrupted run (threads = 1)', async () => {
  const options = { ...small, epochs: 4, threads: 1, sample: 1e-2, seed: 3 };
  const whole = await trainWord2Vec({ files: [topicCorpus], options });
  const checkpoint = path.join(folder, 'checkpoint-epoch-2');
  const first = await trainAndStopAfterSecondEpoch(topicCorpus, options, checkpoint);
  assert.equal(first.cancelled, true);
  assert.equal(first.epochs.length, 2);
  const saved = await loadFullModel(checkpoint);
  assert.equal(saved.state.epochsCompleted, 2);
  const resumed = await trainWord2Vec({ files: [topicCorpus], options, model: saved, startEpoch: 2 });
  assert.deepEqual(resumed.epochs.map((e) => e.epoch), [2, 3]);
  // Each epoch's loss is summed from zero in float64, resumed or not: equal bit for bit.
  assert.deepEqual(resumed.epochs.map((e) => e.loss), whole.epochs.slice(2).map((e) => e.loss));
  assert.equal(resumed.model.state.epochsCompleted, 4);
  // Bit for bit: each epoch reseeds from (seed, epoch) and the learning rate continues at 2/4 of the schedule.
  assert.deepEqual(resumed.model.input, whole.model.input);
  assert.deepEqual(resumed.model.output, whole.model.output);
  await assert.rejects(trainWord2Vec({ files: [topicCorpus], options, startEpoch: 1 }), /startEpoch needs the model saved at that epoch boundary/);
});

test('stop inside an epoch, save the model the stop returns, resume from it: the uninterrupted run bit for bit (threads = 1)', async () => {
  const options = { ...small, epochs: 4, threads: 1, sample: 1e-2, seed: 3 };
  const whole = await trainWord2Vec({ files: [topicCorpus], options });
  const corpusWords = whole.epochs[0]!.words;
  const stop = new AbortController();
  // The trainer's progress reports are the signal: stop once one lands inside an epoch after the first.
  const first = await trainWord2Vec({
    files: [topicCorpus],
    options,
    signal: stop.signal,
    progressIntervalMs: 1,
    onProgress: (progress) => progress.words > corpusWords && progress.words % corpusWords !== 0 && stop.abort(),
  });
  assert.equal(first.cancelled, true);
  const position = first.model.state.position;
  assert.ok(position && position.threads[0]!.lines > 0 && position.threads[0]!.words < corpusWords, `stopped inside an epoch: ${JSON.stringify(position)}`);
  const checkpoint = path.join(folder, 'checkpoint-inside-epoch');
  await saveFullModel(checkpoint, first.model);
  const saved = await loadFullModel(checkpoint);
  assert.deepEqual(saved.state.position, position);
  const resumed = await trainWord2Vec({ files: [topicCorpus], options, model: saved, startEpoch: saved.state.epochsCompleted, within: saved.state.position });
  assert.equal(resumed.cancelled, false);
  assert.equal(resumed.model.state.position, undefined);
  // The resumed epoch's words and loss are the whole epoch's: the stopped part carried on.
  assert.deepEqual(
    [...first.epochs, ...resumed.epochs].map((e) => [e.epoch, e.words, e.loss, e.predictions]),
    whole.epochs.map((e) => [e.epoch, e.words, e.loss, e.predictions]),
  );
  assert.deepEqual(resumed.model.input, whole.model.input);
  assert.deepEqual(resumed.model.output, whole.model.output);
  await assert.rejects(trainWord2Vec({ files: [topicCorpus], options: { ...options, threads: 2 }, model: saved, startEpoch: position.epoch, within: position }), /stopped inside epoch .* on 1 thread\(s\); resume it at that epoch with threads: 1/);
});
