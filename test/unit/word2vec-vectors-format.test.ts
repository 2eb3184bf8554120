import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { detectVectorsFormat, readVectors, readVectorsBinary, readVectorsText, VectorsFormatError, writeVectorsBinary, writeVectorsText } from '../../engine/word2vec/vectorsFormat';
import { Word2VecRandom } from '../../engine/word2vec/random';

const fixtures = path.join(__dirname, '../fixtures/word2vec');
let folder: string;
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'w2v-format-'));
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

function sampleVectors(): { words: string[]; dim: number; vectors: Float32Array } {
  const random = new Word2VecRandom(7);
  const words = ['the', 'Zürich', '東京', 'x', 'tiny', 'huge'];
  const dim = 13;
  const vectors = Float32Array.from({ length: words.length * dim }, () => (random.nextFloat() - 0.5) * 4);
  vectors[4 * dim] = 1e-30;
  vectors[5 * dim] = -3.4e38;
  vectors[5 * dim + 1] = 0;
  return { words, dim, vectors };
}

test('text format round trip: write then read gives identical words and vectors', async () => {
  const sample = sampleVectors();
  const file = path.join(folder, 'vectors.txt');
  await writeVectorsText(file, sample.words, sample.vectors, sample.dim);
  const text = await readFile(file, 'utf8');
  assert.match(text, /^6 13\nthe -?\d/);
  const read = await readVectorsText(file);
  assert.deepEqual(read.words, sample.words);
  assert.equal(read.dim, sample.dim);
  assert.deepEqual(read.vectors, sample.vectors);
  assert.deepEqual(read.warnings, []);
});

test('binary format round trip, byte layout as word2vec.c writes it', async () => {
  const sample = sampleVectors();
  const file = path.join(folder, 'vectors.bin');
  await writeVectorsBinary(file, sample.words, sample.vectors, sample.dim);
  const bytes = await readFile(file);
  const header = Buffer.from('6 13\n');
  assert.deepEqual(bytes.subarray(0, header.length), header);
  assert.equal(bytes.toString('utf8', header.length, header.length + 4), 'the ');
  assert.equal(bytes.readFloatLE(header.length + 4), sample.vectors[0]);
  assert.equal(bytes[header.length + 4 + 13 * 4], 10);
  const wordBytes = sample.words.reduce((n, w) => n + Buffer.byteLength(w) + 1, 0);
  assert.equal(bytes.length, header.length + wordBytes + 6 * (13 * 4 + 1));
  const read = await readVectorsBinary(file);
  assert.deepEqual(read.words, sample.words);
  assert.deepEqual(read.vectors, sample.vectors);
  assert.equal(await detectVectorsFormat(file), 'word2vec-binary');
  const copy = path.join(folder, 'vectors-named.txt');
  await writeFile(copy, bytes);
  assert.equal(await detectVectorsFormat(copy), 'word2vec-binary', 'the content decides, not the extension');
  assert.deepEqual((await readVectors(copy)).vectors, sample.vectors);
});

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof VectorsFormatError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

test('text reader errors name the file and line', async () => {
  await rejects(readVectorsText(path.join(fixtures, 'wrong-dimension.txt')), /wrong-dimension\.txt:3: expected 3 values after the word "beta".*found 2/);
  await rejects(readVectorsText(path.join(fixtures, 'bad-header.txt')), /bad-header\.txt:1: expected the header '<count> <dimension>' \(word2vec, fastText \.vec\) or a GloVe line 'word v1 v2 …', found "two three"/);
  await rejects(readVectorsText(path.join(fixtures, 'truncated.txt')), /truncated\.txt:3: truncated: the header announces 3 vectors, the file holds 2/);
  await rejects(readVectorsText(path.join(fixtures, 'not-a-number.txt')), /not-a-number\.txt:3: value 2 of "beta" is not a finite float32 \(\|x\| ≤ 3\.4028235e38\): "zero"/);
  const empty = path.join(folder, 'empty.txt');
  await writeFile(empty, '');
  await rejects(readVectorsText(empty), /empty\.txt: the file is empty/);
  const extra = path.join(folder, 'extra.txt');
  await writeFile(extra, '1 2\na 1 2\nb 3 4\n');
  await rejects(readVectorsText(extra), /extra\.txt:3: more vectors than the 1 the header announces/);
});

test('binary reader rejects truncated files, garbage and wrong headers with offsets', async () => {
  const sample = sampleVectors();
  const file = path.join(folder, 'good.bin');
  await writeVectorsBinary(file, sample.words, sample.vectors, sample.dim);
  const bytes = await readFile(file);
  const cut = path.join(folder, 'cut.bin');
  await writeFile(cut, bytes.subarray(0, bytes.length - 30));
  await rejects(readVectorsBinary(cut), /cut\.bin:byte \d+: truncated: the vector of "huge" \(6 of 6\) needs 52 bytes/);
  const garbage = path.join(folder, 'garbage.bin');
  const random = new Word2VecRandom(3);
  await writeFile(garbage, Buffer.from(Array.from({ length: 5000 }, () => random.nextInt(256))));
  await rejects(readVectorsBinary(garbage), /garbage\.bin:1: (not a word2vec file|expected the header)/);
  const wrongDim = path.join(folder, 'wrong-dim.bin');
  await writeFile(wrongDim, Buffer.concat([Buffer.from('6 12\n'), bytes.subarray(5)]));
  await rejects(readVectorsBinary(wrongDim), /wrong-dim\.bin:byte \d+: (vector 2|data after|value)/);
  const asText = path.join(folder, 'binary-as.txt');
  await writeFile(asText, bytes);
  await rejects(readVectorsText(asText), /binary-as\.txt:2: /);
});

test('a repeated word keeps its first vector, with a warning', async () => {
  const file = path.join(folder, 'repeat.txt');
  await writeFile(file, '3 2\na 1 2\nb 3 4\na 5 6\n');
  const read = await readVectorsText(file);
  assert.deepEqual(read.words, ['a', 'b']);
  assert.deepEqual(Array.from(read.vectors), [1, 2, 3, 4]);
  assert.match(read.warnings[0] ?? '', /repeat\.txt:4: the word "a" repeats line 2/);
});

test('writing refuses words that contain whitespace and leaves nothing behind', async () => {
  const file = path.join(folder, 'refused.txt');
  await assert.rejects(writeVectorsText(file, ['a b'], new Float32Array(2), 2), /whitespace/);
  assert.ok(!(await readdir(folder)).some((name) => name.includes('refused')));
});

test('GloVe text without a header: the dimension comes from the first line, the format from the content', async () => {
  const file = path.join(folder, 'glove.6B.3d.txt');
  await writeFile(file, 'the 0.418 0.24968 -0.41242\n, 0.013441 0.23682 -0.16899\nfrog 1e-3 -2 3.5\n');
  assert.equal(await detectVectorsFormat(file), 'glove');
  const read = await readVectors(file);
  assert.deepEqual(read.words, ['the', ',', 'frog']);
  assert.equal(read.dim, 3);
  assert.deepEqual(Array.from(read.vectors), [0.418, 0.24968, -0.41242, 0.013441, 0.23682, -0.16899, 1e-3, -2, 3.5].map(Math.fround));
  await writeFile(file, 'the 0.4 0.2 -0.4\nbad 0.1 0.2\n');
  await rejects(readVectors(file), /glove\.6B\.3d\.txt:(1|2): /);
});

test("fastText's .vec (a header and a trailing space on every line) reads as word2vec text", async () => {
  const file = path.join(folder, 'wiki.vec');
  await writeFile(file, '2 3\nthe 0.1 0.2 0.3 \nof -0.1 -0.2 -0.3 \n');
  assert.equal(await detectVectorsFormat(file), 'word2vec-text');
  const read = await readVectors(file);
  assert.deepEqual(read.words, ['the', 'of']);
  assert.deepEqual(Array.from(read.vectors), [0.1, 0.2, 0.3, -0.1, -0.2, -0.3].map(Math.fround));
});

test('maxVectors reads only the first rows of every format', async () => {
  const sample = sampleVectors();
  const text = path.join(folder, 'first.txt');
  const binary = path.join(folder, 'first.bin');
  const glove = path.join(folder, 'first-glove.txt');
  await writeVectorsText(text, sample.words, sample.vectors, sample.dim);
  await writeVectorsBinary(binary, sample.words, sample.vectors, sample.dim);
  await writeFile(glove, (await readFile(text, 'utf8')).split('\n').slice(1).join('\n'));
  for (const file of [text, binary, glove]) {
    const read = await readVectors(file, { maxVectors: 2 });
    assert.deepEqual(read.words, sample.words.slice(0, 2), file);
    assert.deepEqual(read.vectors, sample.vectors.slice(0, 2 * sample.dim), file);
  }
});

test('a fastText model .bin is refused with what to give instead', async () => {
  const file = path.join(folder, 'model.bin');
  const bytes = Buffer.alloc(64);
  bytes.writeInt32LE(793712314, 0);
  await writeFile(file, bytes);
  await rejects(readVectors(file), /model\.bin: this is a fastText model \(\.bin\), not word vectors: use the \.vec file/);
});
