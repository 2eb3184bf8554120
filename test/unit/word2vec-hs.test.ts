// Hierarchical softmax (word2vec.hs): gensim's Huffman tree, training that learns, resume bit for bit,
// the full model's extra layer, and quality against gensim's hs=1 on the same corpus. (Bit-exactness of
// the kernels against a scalar reference is word2vec-kernel.test.ts's.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { evaluateAnalogies } from '../../engine/word2vec/analogyEvaluation';
import { prepareContinuedTraining } from '../../engine/word2vec/continueTraining';
import { loadFullModel, saveFullModel } from '../../engine/word2vec/fullModel';
import { buildHuffmanTree } from '../../engine/word2vec/huffmanTree';
import { NearestNeighbours } from '../../engine/word2vec/neighbours';
import type { Word2VecOptions } from '../../engine/word2vec/options';
import { Word2VecRandom } from '../../engine/word2vec/random';
import { trainWord2Vec } from '../../engine/word2vec/trainer';
import { readVectorsText } from '../../engine/word2vec/vectorsFormat';
import { writeSotuCorpus } from '../word2vec/sotuCorpus';
import { FRUIT, trainAndStopAfterSecondEpoch, VEHICLES, writeTopicCorpus } from '../word2vec/topicCorpus';

const PYTHON = '/usr/bin/python3';
const gensimMissing = spawnSync(PYTHON, ['-c', 'import gensim'], { encoding: 'utf8' }).status !== 0;
const needsGensim = gensimMissing ? 'gensim is not installed (apt-get install python3-gensim)' : false;

const small: Partial<Word2VecOptions> = { vectorSize: 16, window: 3, hs: true, negative: 0, sample: 0, minCount: 1, epochs: 5, tableSize: 100_000 };

let folder: string;
let topicCorpus: string;
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'w2v-hs-'));
  topicCorpus = path.join(folder, 'topics.txt');
  await writeTopicCorpus(topicCorpus, 5, { skewed: true });
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Paths as `inner:code` strings per word. */
function pathsOf(counts: number[]): string[] {
  const tree = buildHuffmanTree(counts);
  return counts.map((_, word) => Array.from(tree.paths.subarray(tree.pathStart[word], tree.pathStart[word + 1]), (entry) => `${entry >> 1}:${entry & 1}`).join(' '));
}

test("the Huffman tree is gensim's, equal counts included", { skip: needsGensim }, () => {
  const random = new Word2VecRandom(3);
  // many ties (gensim's heap breaks them by its sift order, not by index), a zero count, one huge count
  const counts = [5000, ...Array.from({ length: 60 }, () => 1 + Math.floor(random.nextFloat() * 6)), 0].sort((a, b) => b - a);
  const script = `
import json, sys, numpy as np
from gensim.models.keyedvectors import KeyedVectors
from gensim.models.word2vec import _assign_binary_codes
counts = json.loads(sys.argv[1])
kv = KeyedVectors(1, len(counts))
kv.index_to_key = [str(i) for i in range(len(counts))]
kv.key_to_index = {k: i for i, k in enumerate(kv.index_to_key)}
kv.allocate_vecattrs(attrs=['count'], types=[np.int64])
for i, c in enumerate(counts): kv.set_vecattr(i, 'count', c)
_assign_binary_codes(kv)
print(json.dumps([' '.join(f'{p}:{c}' for p, c in zip(kv.get_vecattr(i, 'point'), kv.get_vecattr(i, 'code'))) for i in range(len(counts))]))
`;
  const run = spawnSync(PYTHON, ['-c', script, JSON.stringify(counts)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(pathsOf(counts), JSON.parse(run.stdout) as string[]);
});

test('the Huffman tree is a prefix code whose lengths never favour a rarer word', () => {
  const counts = [40, 30, 30, 20, 10, 10, 10, 5, 1, 1, 0];
  const paths = pathsOf(counts);
  const codes = paths.map((p) => p.split(' ').map((entry) => entry.split(':')[1]).join(''));
  for (let a = 0; a < codes.length; a++) {
    for (let b = 0; b < codes.length; b++) {
      if (a !== b) assert.ok(!codes[b]!.startsWith(codes[a]!), `${codes[a]} is a prefix of ${codes[b]}`);
      if (counts[a]! > counts[b]!) assert.ok(codes[a]!.length <= codes[b]!.length, `word ${a} (${counts[a]}) has a longer code than word ${b} (${counts[b]})`);
    }
  }
  // every path starts at the root, inner node V − 2
  assert.ok(paths.every((p) => p.startsWith(`${counts.length - 2}:`)));
  assert.deepEqual(pathsOf([7]), [''], 'one word: no inner node');
});

function assertTopicsSeparate(words: readonly string[], vectors: Float32Array, dim: number): void {
  const neighbours = new NearestNeighbours(words, vectors, dim);
  for (const topic of [FRUIT, VEHICLES]) {
    for (const word of topic) {
      const nearest = neighbours.nearest(word, 4)!.map((n) => n.word);
      assert.ok(nearest.every((other) => topic.includes(other)), `${word}: ${nearest.join(' ')}`);
    }
  }
}

for (const algorithm of ['skipgram', 'cbow'] as const) {
  for (const negative of [0, 3]) {
    test(`${algorithm} with hierarchical softmax${negative > 0 ? ' and negative sampling' : ''} learns planted topics and its loss falls`, async () => {
      // This corpus is learnt within the first epoch (later epochs' losses wander within noise): the
      // loss to beat is the untrained model's, one epoch at a learning rate too small to move it.
      const untrained = await trainWord2Vec({ files: [topicCorpus], options: { ...small, algorithm, negative, threads: 2, epochs: 1, alpha: 1e-9, minAlpha: 1e-9 } });
      const result = await trainWord2Vec({ files: [topicCorpus], options: { ...small, algorithm, negative, threads: 2 } });
      const { model } = result;
      assert.equal(model.hsOutput.length, (model.vocabulary.size - 1) * model.dim);
      assert.equal(model.output.length, negative > 0 ? model.vocabulary.size * model.dim : 0, 'an output layer only for negative sampling');
      assert.ok(result.epochs.every((e) => Number.isFinite(e.loss) && e.predictions > 0));
      const before = untrained.epochs[0]!.meanLoss;
      assert.ok(result.epochs.every((e) => e.meanLoss < 0.9 * before), `untrained ${before}, then ${result.epochs.map((e) => e.meanLoss).join(' ')}`);
      assert.ok(model.hsOutput.some((value) => value !== 0), 'the inner nodes learned');
      assertTopicsSeparate(model.vocabulary.words, model.input, model.dim);
    });
  }
}

test('negative 0 without hs is refused: nothing would train', async () => {
  await assert.rejects(trainWord2Vec({ files: [topicCorpus], options: { ...small, hs: false, negative: 0 } }), /negative is 0 and hs is off/);
});

test('stop, save, resume with hierarchical softmax: the uninterrupted run bit for bit (threads = 1)', async () => {
  const options = { ...small, negative: 2, epochs: 4, threads: 1, sample: 1e-2, seed: 3 };
  const whole = await trainWord2Vec({ files: [topicCorpus], options });
  const checkpoint = path.join(folder, 'hs-checkpoint');
  await trainAndStopAfterSecondEpoch(topicCorpus, options, checkpoint);
  assert.deepEqual((await readdir(checkpoint)).sort(), ['hs-output.f32', 'input.f32', 'model.json', 'output.f32']);
  const saved = await loadFullModel(checkpoint);
  assert.equal(saved.options.hs, true);
  const resumed = await trainWord2Vec({ files: [topicCorpus], options, model: saved, startEpoch: 2 });
  assert.deepEqual(resumed.model.input, whole.model.input);
  assert.deepEqual(resumed.model.output, whole.model.output);
  assert.deepEqual(resumed.model.hsOutput, whole.model.hsOutput);
});

test('continuing a hierarchical-softmax model: kept when the tree stays, started fresh (and said) when new counts change it', async () => {
  const base = (await trainWord2Vec({ files: [topicCorpus], options: { ...small, threads: 1 } })).model;
  const saved = path.join(folder, 'hs-model');
  await saveFullModel(saved, base);
  const same = path.join(folder, 'same.txt');
  await writeFile(same, 'apple\n'); // one more apple: its count was already the largest, the tree keeps its shape
  const kept = await prepareContinuedTraining(saved, [same], {});
  assert.deepEqual(kept.model.hsOutput, Float32Array.from(base.hsOutput));
  const other = path.join(folder, 'other.txt');
  await writeFile(other, `${'kiwi '.repeat(500)}\n${'durian guava '.repeat(50)}\n`);
  const changed = await prepareContinuedTraining(saved, [other], { minCount: 2 });
  assert.equal(changed.model.hsOutput.length, 0);
  assert.ok(changed.notices.some((notice) => /different Huffman tree: hierarchical softmax's layer starts fresh/.test(notice)), changed.notices.join('\n'));
  const continued = await trainWord2Vec({ files: [other], model: changed.model, wordCounts: changed.wordCounts, options: { threads: 1, epochs: 1 } });
  assert.equal(continued.model.hsOutput.length, (continued.model.vocabulary.size - 1) * continued.model.dim);
  assert.ok(continued.model.vocabulary.has('durian'));
});

// gensim hs=1, negative=0 with the given settings and two seeds (its own seed-to-seed agreement is the
// noise floor). Vocabulary ties are put in first-seen order, as ours are: gensim's unstable numpy argsort
// orders them arbitrarily, and the Huffman tree, so what hierarchical softmax learns, depends on that order.
const GENSIM_HS = `
import json, sys, numpy as np
from gensim.models import Word2Vec
from gensim.models.keyedvectors import KeyedVectors
from gensim.models.word2vec import LineSentence
def sort_stably(self):
    order = np.argsort(-self.expandos['count'], kind='stable')
    self.index_to_key = [self.index_to_key[i] for i in order]
    for name in self.expandos: self.expandos[name] = self.expandos[name][order]
    self.key_to_index = {word: i for i, word in enumerate(self.index_to_key)}
KeyedVectors.sort_by_descending_frequency = sort_stably
corpus, s = sys.argv[1], json.loads(sys.argv[2])
for seed, out in zip((1, 2), sys.argv[3:5]):
    model = Word2Vec(LineSentence(corpus), vector_size=s['vectorSize'], window=s['window'], hs=1, negative=0, sample=s['sample'],
                     min_count=s['minCount'], workers=s['threads'], sg=1 if s['algorithm'] == 'skipgram' else 0, epochs=s['epochs'],
                     alpha=s['alpha'], min_alpha=s['minAlpha'], seed=seed)
    model.wv.save_word2vec_format(out)
`;
const QUESTIONS = path.join(__dirname, '../fixtures/word2vec/questions-sotu.txt');

/** The mean share of `b`'s 10 nearest neighbours (among the 5,000 most frequent words) that `a` also lists, over `queries`. */
function neighbourAgreement(a: NearestNeighbours, b: NearestNeighbours, queries: readonly string[]): number {
  const nearest = (n: NearestNeighbours, word: string): string[] => {
    const index = n.indexOf(word)!;
    return n.nearestToVector(n.unitVector(index), 10, new Set([index]), 5000).map((neighbour) => neighbour.word);
  };
  let shared = 0;
  for (const word of queries) {
    const fromA = new Set(nearest(a, word));
    shared += nearest(b, word).filter((other) => fromA.has(other)).length / 10;
  }
  return shared / queries.length;
}

let sotuCorpus: Promise<string> | undefined;
/** 400k words of SOTU, written once. */
function sotu(): Promise<string> {
  const file = path.join(folder, 'sotu.txt');
  sotuCorpus ??= writeSotuCorpus(file, 400_000).then(() => file);
  return sotuCorpus;
}

for (const algorithm of ['skipgram', 'cbow'] as const) {
  test(`${algorithm} with hierarchical softmax alone matches gensim hs=1, negative=0 on 400k words of SOTU: analogies and neighbours`, { skip: needsGensim }, async (t) => {
    const corpus = await sotu();
    const settings = { algorithm, vectorSize: 50, window: 5, hs: true, negative: 0, sample: 1e-3, minCount: 5, epochs: 3, threads: 2, alpha: algorithm === 'cbow' ? 0.05 : 0.025, minAlpha: 0.0001 };
    const ours = (await trainWord2Vec({ files: [corpus], options: settings })).model;
    const files = [path.join(folder, `gensim-${algorithm}-1.txt`), path.join(folder, `gensim-${algorithm}-2.txt`)];
    const run = spawnSync(PYTHON, ['-c', GENSIM_HS, corpus, JSON.stringify(settings), ...files], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const [gensim, gensimOtherSeed] = await Promise.all(files.map(async (file) => {
      const { words, vectors, dim } = await readVectorsText(file);
      return new NearestNeighbours(words, vectors, dim);
    }));
    const oursNeighbours = new NearestNeighbours(ours.vocabulary.words, ours.input, ours.dim);
    assert.deepEqual(ours.vocabulary.words, gensim!.words, "the same vocabulary in the same order, so the same Huffman tree");

    // Inner nodes mapped to the wrong rows: 0.30 against 0.52. (Flipping every code is no test: it mirrors the
    // inner-node rows, sigmoid(-x) = 1 - sigmoid(x), and learns the same input vectors.)
    const queries = gensim!.words.slice(50, 550); // frequent, past the function words
    const agreement = neighbourAgreement(oursNeighbours, gensim!, queries);
    const floor = neighbourAgreement(gensimOtherSeed!, gensim!, queries);
    const accuracy = async (n: NearestNeighbours): Promise<number> => (await evaluateAnalogies(n, QUESTIONS)).total.accuracy;
    const [oursAnalogies, gensimAnalogies, otherSeedAnalogies] = await Promise.all([oursNeighbours, gensim!, gensimOtherSeed!].map(accuracy));
    t.diagnostic(`neighbours shared with gensim: ours ${agreement.toFixed(3)}, gensim's other seed ${floor.toFixed(3)}; analogies: ours ${(oursAnalogies! * 100).toFixed(1)}%, gensim ${(gensimAnalogies! * 100).toFixed(1)}% and ${(otherSeedAnalogies! * 100).toFixed(1)}%`);
    // seen: skip-gram 0.46 against 0.51, CBOW 0.33 against 0.34; analogies within a point of each other
    assert.ok(agreement >= 0.8 * floor, `ours shares ${agreement.toFixed(3)} of gensim's neighbours, gensim's other seed ${floor.toFixed(3)}`);
    assert.ok(oursAnalogies! >= Math.min(gensimAnalogies!, otherSeedAnalogies!) - 0.015, `analogies: ours ${oursAnalogies}, gensim ${gensimAnalogies} and ${otherSeedAnalogies}`);
  });
}
