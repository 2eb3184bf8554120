import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { detectVectorsFormat, formatFloat32, readVectors, readVectorsBinary, readVectorsText, VectorsFormatError, writeVectorsBinary, writeVectorsText } from '../../engine/word2vec/vectorsFormat';
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

test('float32 values are written with the fewest digits that read back exactly', () => {
  for (const value of [0.1, 1 / 3, -2.5, 1e-30, 3.4e38, 0, 123456.789]) {
    const f = Math.fround(value);
    assert.equal(Math.fround(Number(formatFloat32(f))), f);
  }
  assert.equal(formatFloat32(Math.fround(0.5)), '0.500000');
});

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
  assert.equal(await detectVectorsFormat(file), 'binary');
  const copy = path.join(folder, 'vectors-no-extension');
  await writeFile(copy, bytes);
  assert.equal(await detectVectorsFormat(copy), 'binary');
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
  await rejects(readVectorsText(path.join(fixtures, 'bad-header.txt')), /bad-header\.txt:1: expected the header '<count> <dimension>', found "two three"/);
  await rejects(readVectorsText(path.join(fixtures, 'truncated.txt')), /truncated\.txt:3: truncated: the header announces 3 vectors, the file holds 2/);
  await rejects(readVectorsText(path.join(fixtures, 'not-a-number.txt')), /not-a-number\.txt:3: value 2 of "beta" is not a finite number: "zero"/);
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
