import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { driftReport, prepareContinuedTraining } from '../../engine/word2vec/continueTraining';
import { loadFullModel, saveFullModel } from '../../engine/word2vec/fullModel';
import type { Word2VecModel } from '../../engine/word2vec/model';
import { NearestNeighbours } from '../../engine/word2vec/neighbours';
import type { Word2VecOptions } from '../../engine/word2vec/options';
import { Word2VecRandom } from '../../engine/word2vec/random';
import { trainWord2Vec } from '../../engine/word2vec/trainer';
import { writeVectorsText } from '../../engine/word2vec/vectorsFormat';

const FRUIT = ['apple', 'banana', 'cherry', 'grape', 'lemon', 'mango', 'peach', 'pear', 'plum', 'kiwi'];
const VEHICLES = ['car', 'bus', 'train', 'truck', 'bike', 'boat', 'plane', 'tram', 'van', 'taxi'];
const NEW_FRUIT = ['durian', 'lychee', 'guava'];
const options: Partial<Word2VecOptions> = { vectorSize: 16, window: 3, sample: 0, minCount: 2, epochs: 4, threads: 1, tableSize: 100_000 };

let folder: string;
let baseCorpus: string;
let newCorpus: string;
let base: Word2VecModel;

async function writeTopicCorpus(file: string, topics: string[][], lines: number, seed: number, extra = ''): Promise<void> {
  const random = new Word2VecRandom(seed);
  const text = Array.from({ length: lines }, (_, i) => {
    const topic = topics[i % topics.length]!;
    return Array.from({ length: 10 }, () => topic[random.nextInt(topic.length)]!).join(' ');
  });
  await writeFile(file, text.join('\n') + '\n' + extra);
}

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'w2v-continue-'));
  baseCorpus = path.join(folder, 'base.txt');
  newCorpus = path.join(folder, 'domain.txt');
  await writeTopicCorpus(baseCorpus, [FRUIT, VEHICLES], 2000, 1);
  // The domain text adds three fruits that co-occur with the known ones, and one word seen once.
  await writeTopicCorpus(newCorpus, [[...FRUIT, ...NEW_FRUIT], VEHICLES], 1500, 2, 'rareword apple\n');
  base = (await trainWord2Vec({ files: [baseCorpus], options })).model;
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

test('the full model saves and loads unchanged, and a re-save replaces it leaving no temporary folders', async () => {
  const modelFolder = path.join(folder, 'saved');
  await saveFullModel(modelFolder, base);
  await saveFullModel(modelFolder, base);
  const loaded = await loadFullModel(modelFolder);
  assert.deepEqual(loaded.vocabulary.words, base.vocabulary.words);
  assert.deepEqual(loaded.vocabulary.counts, base.vocabulary.counts);
  assert.deepEqual(loaded.input, Float32Array.from(base.input));
  assert.deepEqual(loaded.output, Float32Array.from(base.output));
  assert.deepEqual(loaded.state, base.state);
  assert.deepEqual(loaded.options, base.options);
  assert.deepEqual((await readdir(folder)).filter((name) => name.startsWith('.')), []);
  assert.deepEqual((await readdir(modelFolder)).sort(), ['input.f32', 'model.json', 'output.f32']);
});

test('continued training from a full model previews and adds new words, merges counts and keeps old rows', async () => {
  const modelFolder = path.join(folder, 'for-continue');
  await saveFullModel(modelFolder, base);
  const prepared = await prepareContinuedTraining(modelFolder, [newCorpus], { epochs: 4 });
  assert.deepEqual(prepared.growth.newWords.map((w) => w.word).sort(), [...NEW_FRUIT].sort());
  assert.equal(prepared.growth.newWordsBelowMinCount, 1); // rareword
  assert.match(prepared.notices[0] ?? '', /3 new words reach min_count=2, 1 new words fall below it/);
  const model = prepared.model;
  assert.equal(model.vocabulary.size, 23);
  assert.deepEqual(model.vocabulary.words.slice(0, 20), base.vocabulary.words);
  const apple = base.vocabulary.indexOf('apple')!;
  assert.equal(model.vocabulary.counts[apple], base.vocabulary.counts[apple]! + prepared.wordCounts.counts.get('apple')!);
  assert.deepEqual(model.input.subarray(0, 20 * 16), base.input);
  assert.ok(model.output.subarray(20 * 16).every((v) => v === 0));
  assert.ok(model.input.subarray(20 * 16).some((v) => v !== 0));

  const result = await trainWord2Vec({ files: [newCorpus], model, wordCounts: prepared.wordCounts });
  assert.equal(result.model.state.epochsCompleted, 8);
  assert.equal(result.model.state.runs, 2);
  const neighbours = new NearestNeighbours(result.model.vocabulary.words, result.model.input, 16);
  for (const word of NEW_FRUIT) {
    const nearest = neighbours.nearest(word, 5)!.map((n) => n.word);
    assert.ok(nearest.every((w) => FRUIT.includes(w) || NEW_FRUIT.includes(w)), `${word}: ${nearest.join(' ')}`);
  }

  const drift = driftReport(prepared.before, { words: [...result.model.vocabulary.words], dim: 16, vectors: result.model.input }, ['apple', 'durian', 'nonexistent'], 5);
  assert.equal(drift[0]!.status, 'moved');
  assert.ok(drift[0]!.cosine! > 0 && drift[0]!.cosine! < 1, `cosine ${drift[0]!.cosine}`);
  assert.equal(drift[0]!.neighboursBefore.length, 5);
  assert.ok(drift[0]!.neighboursAfter.length === 5 && drift[0]!.keptNeighbours <= 5);
  assert.equal(drift[1]!.status, 'new');
  assert.deepEqual(drift[1]!.neighboursBefore, []);
  assert.equal(drift[2]!.status, 'missing');
});

test('continued training from a .txt vectors file keeps the file words, starts the output layer fresh and says so', async () => {
  const vectorsFile = path.join(folder, 'vectors.txt');
  await writeVectorsText(vectorsFile, base.vocabulary.words, base.input, base.dim);
  const prepared = await prepareContinuedTraining(vectorsFile, [newCorpus], { minCount: 2, epochs: 2, threads: 1, sample: 0, window: 3, tableSize: 100_000 });
  assert.ok(prepared.notices.some((notice) => /output layer starts fresh/.test(notice)), prepared.notices.join('\n'));
  assert.equal(prepared.model.vocabulary.size, 23);
  assert.ok(prepared.model.output.every((v) => v === 0));
  assert.deepEqual(prepared.model.input.subarray(0, 20 * 16), base.input);
  const result = await trainWord2Vec({ files: [newCorpus], model: prepared.model, wordCounts: prepared.wordCounts });
  assert.equal(result.epochs.length, 2);
  await assert.rejects(prepareContinuedTraining(vectorsFile, [newCorpus], { vectorSize: 32 }), /vector_size 32 does not match the 16 dimensions/);
});
