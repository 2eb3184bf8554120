import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { evaluateAnalogies } from '../../engine/word2vec/analogyEvaluation';
import { NearestNeighbours } from '../../engine/word2vec/neighbours';
import { evaluateWordPairs, ranks } from '../../engine/word2vec/similarityEvaluation';

const questions = path.join(__dirname, '../fixtures/word2vec/questions-words-mini.txt');

/** Vectors built from basis directions so that the analogies hold exactly: each word is e_i + e_j. */
function plantedSpace(): NearestNeighbours {
  const words: [string, number, number][] = [
    ['king', 0, 1], ['queen', 0, 2], ['man', 3, 1], ['woman', 3, 2], ['boy', 9, 1],
    ['athens', 4, 5], ['greece', 4, 6], ['berlin', 7, 5], ['germany', 7, 6], ['Paris', 8, 5], ['france', 8, 6],
  ];
  const dim = 10;
  const vectors = new Float32Array(words.length * dim);
  words.forEach(([, i, j], row) => {
    vectors[row * dim + i] = 1;
    vectors[row * dim + j] = 1;
  });
  return new NearestNeighbours(words.map(([word]) => word), vectors, dim);
}

test('analogies: 3CosAdd per section and in total, case-insensitive, out-of-vocabulary questions skipped', async () => {
  const result = await evaluateAnalogies(plantedSpace(), questions);
  assert.deepEqual(result.sections.map((s) => [s.section, s.correct, s.incorrect]), [['capital-common-countries', 2, 0], ['family', 1, 0]]);
  assert.equal(result.total.section, 'Total accuracy');
  assert.equal(result.total.accuracy, 1);
  assert.equal(result.skipped, 1);
  assert.equal(result.questions, 4);
});

test('analogies: restrict_vocab limits both the questions asked and the answers', async () => {
  const result = await evaluateAnalogies(plantedSpace(), questions, { restrictVocab: 4 });
  assert.deepEqual(result.sections.map((s) => [s.correct, s.incorrect]), [[0, 0], [1, 0]]);
  assert.equal(result.skipped, 3);
  assert.ok(Number.isNaN(result.sections[0]!.accuracy));
});

test('analogies: a wrong answer counts as incorrect, and a malformed line names file and line', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'w2v-eval-'));
  try {
    const file = path.join(folder, 'q.txt');
    await writeFile(file, ': mixed\nathens greece paris germany\nathens greece berlin\n');
    await assert.rejects(evaluateAnalogies(plantedSpace(), file), /q\.txt:3: expected 4 words/);
    await writeFile(file, ': mixed\nathens greece paris germany\n');
    const result = await evaluateAnalogies(plantedSpace(), file);
    assert.deepEqual([result.total.correct, result.total.incorrect], [0, 1]);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('word-pair similarity: Spearman over in-vocabulary pairs, ties ranked by their average', async () => {
  assert.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  const folder = await mkdtemp(path.join(tmpdir(), 'w2v-eval-'));
  try {
    const file = path.join(folder, 'pairs.tsv');
    // cos(king, queen) = 0.5, cos(king, man) = 0.5, cos(king, greece) = 0, cos(king, king) = 1
    await writeFile(file, '# word1\tword2\tscore\nking\tqueen\t7\nking\tman\t7\nking\tgreece\t1\nking\tking\t10\nking\tunicorn\t5\n');
    const result = await evaluateWordPairs(plantedSpace(), file);
    assert.equal(result.pairs, 4);
    assert.equal(result.skipped, 1);
    assert.ok(Math.abs(result.spearman - 1) < 1e-12, `spearman ${result.spearman}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('nearest neighbours are by cosine, exclude the word itself, and say when a word is unknown', () => {
  const space = plantedSpace();
  const nearest = space.nearest('king', 3)!;
  assert.deepEqual(nearest.slice(0, 2).map((n) => n.word).sort(), ['man', 'queen']);
  assert.ok(Math.abs(nearest[0]!.similarity - 0.5) < 1e-6);
  assert.equal(space.nearest('unicorn', 3), undefined);
});
