import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { readCorpusLines, readSegmentLines, splitCorpus, tokenizeLine } from '../../engine/word2vec/corpusReader';
import { buildUnigramTable } from '../../engine/word2vec/negativeSampling';
import { Word2VecRandom } from '../../engine/word2vec/random';
import { keepProbabilities } from '../../engine/word2vec/subsampling';
import { countWords, Vocabulary } from '../../engine/word2vec/vocabulary';

const fixture = path.join(__dirname, '../fixtures/word2vec/small-corpus.txt');

test('counting streams the corpus and the vocabulary is sorted by count, ties in first-seen order', async () => {
  const counts = await countWords([fixture]);
  assert.equal(counts.totalTokens, 20);
  assert.equal(counts.lines, 5);
  const vocabulary = Vocabulary.fromCounts(counts.counts, 1);
  assert.deepEqual(vocabulary.words, ['the', 'cat', 'sat', 'on', 'dog', 'mat', 'log', 'The', 'and', 'ran', 'end']);
  assert.deepEqual(Array.from(vocabulary.counts), [6, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1]);
  assert.equal(vocabulary.totalCount, 20);
});

test('min_count drops rare words and lowercasing merges case variants', async () => {
  const counts = await countWords([fixture], { lowercase: true });
  const vocabulary = Vocabulary.fromCounts(counts.counts, 2);
  assert.deepEqual(vocabulary.words, ['the', 'cat', 'sat', 'on', 'dog']);
  assert.equal(vocabulary.counts[0], 7);
  assert.equal(vocabulary.indexOf('mat'), undefined);
});

test('tokenisation splits on any whitespace and ignores leading and trailing blanks', () => {
  assert.deepEqual(tokenizeLine('  a\tb  c\r'), ['a', 'b', 'c']);
  assert.deepEqual(tokenizeLine('   '), []);
  assert.deepEqual(tokenizeLine('Ab CD', { lowercase: true }), ['ab', 'cd']);
});

test('splitting the corpus by bytes gives every line to exactly one thread, for any number of parts', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'w2v-split-'));
  try {
    const first = path.join(folder, 'a.txt');
    const second = path.join(folder, 'b.txt');
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i % 17)} é`);
    await writeFile(first, lines.slice(0, 120).join('\n') + '\n');
    await writeFile(second, lines.slice(120).join('\n')); // no final newline
    const whole: string[] = [];
    for await (const line of readCorpusLines([first, second])) whole.push(line);
    assert.deepEqual(whole, lines);
    for (const parts of [1, 2, 3, 7, 50]) {
      const seen: string[] = [];
      for (const share of await splitCorpus([first, second], parts)) {
        for (const segment of share) for await (const line of readSegmentLines(segment, 64)) seen.push(line);
      }
      assert.deepEqual(seen, lines, `${parts} parts`);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('the negative-sampling table follows count^0.75 and never draws zero-count words', () => {
  const table = buildUnigramTable([16, 1, 0, 81], 100_000);
  const slots = [0, 0, 0, 0];
  for (const word of table) slots[word]!++;
  const weights = [8, 1, 0, 27]; // 16^.75, 1^.75, 0, 81^.75
  weights.forEach((weight, word) => assert.ok(Math.abs(slots[word]! / 100_000 - weight / 36) < 1e-4, `word ${word}: ${slots[word]}`));
});

test("subsampling keeps words with word2vec.c's probability", () => {
  const [frequent, rare] = keepProbabilities([1000, 1], 1e-3, 10_000);
  const t = 1e-3 * 10_000;
  assert.ok(Math.abs(frequent! - (Math.sqrt(1000 / t) + 1) * (t / 1000)) < 1e-6);
  assert.equal(rare, 1);
  assert.deepEqual(Array.from(keepProbabilities([1000, 1], 0, 10_000)), [1, 1]);
});

test('the seeded generator is reproducible, uniform, and streams differ', () => {
  const a = new Word2VecRandom(42);
  const b = new Word2VecRandom(42);
  const other = new Word2VecRandom(42, 1);
  const draws = Array.from({ length: 1000 }, () => a.nextFloat());
  assert.deepEqual(draws, Array.from({ length: 1000 }, () => b.nextFloat()));
  assert.notDeepEqual(draws.slice(0, 10), Array.from({ length: 10 }, () => other.nextFloat()));
  assert.ok(draws.every((x) => x >= 0 && x < 1));
  const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  const buckets = [0, 0, 0, 0, 0];
  for (let i = 0; i < 5000; i++) buckets[a.nextInt(5)]!++;
  assert.ok(buckets.every((n) => n > 850 && n < 1150), buckets.join(','));
});
