// Vectors for the editor: the 2-D PCA (exact on a known spread; its speed at 100k × 100 is bench/panels.ts's) and the vector store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { principalComponents2D } from '../../engine/vectors/pca';
import { VectorStore } from '../../engine/vectors/vectorStore';
import { writeVectorsText } from '../../engine/word2vec/vectorsFormat';

const folder = mkdtempSync(join(tmpdir(), 'nlp-studio-vectors-'));

describe('engine vectors', () => {
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('finds the principal axes of a known spread and their share of the variance', () => {
    // Points along (1, 1, 0) with variance 8 per unit, along (1, -1, 0) with 2, and 0 along z.
    const points = [
      [3, 3, 1],
      [-1, -1, 1],
      [2, 0, 1],
      [0, 2, 1],
    ];
    const matrix = Float32Array.from(points.flat());
    const { coordinates, explainedVariance } = principalComponents2D(matrix, 4, 3);
    assert.ok(Math.abs(explainedVariance[0] - 0.8) < 1e-9 && Math.abs(explainedVariance[1] - 0.2) < 1e-9, String(explainedVariance));
    const x = [0, 1, 2, 3].map((row) => Math.abs(coordinates[row * 2]!));
    const y = [0, 1, 2, 3].map((row) => Math.abs(coordinates[row * 2 + 1]!));
    const close = (a: number[], b: number[]): boolean => a.every((value, i) => Math.abs(value - b[i]!) < 1e-6);
    assert.ok(close(x, [2 * Math.SQRT2, 2 * Math.SQRT2, 0, 0]), String(x));
    assert.ok(close(y, [0, 0, Math.SQRT2, Math.SQRT2]), String(y));
  });

  it('projects many words on the two axes of largest variance, in that order', () => {
    const rows = 20_000;
    const dim = 100;
    const matrix = new Float32Array(rows * dim);
    let state = 1;
    for (let i = 0; i < matrix.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      matrix[i] = (state / 2 ** 32 - 0.5) * (1 + (i % dim) / 10); // later dimensions spread wider
    }
    const { coordinates, explainedVariance } = principalComponents2D(matrix, rows, dim);
    assert.equal(coordinates.length, rows * 2);
    assert.ok(coordinates.every(Number.isFinite));
    assert.ok(explainedVariance[0] > explainedVariance[1] && explainedVariance[1] > 0, String(explainedVariance));
  });

  it('answers neighbours from the cached vectors and reloads when the file changes', async () => {
    const file = join(folder, 'vectors.txt');
    await writeVectorsText(file, ['a', 'b', 'c'], Float32Array.from([1, 0, 0.9, 0.1, 0, 1]), 2);
    const store = new VectorStore();
    assert.deepEqual((await store.neighbours({ vectorsPath: folder, word: 'a', count: 1 })).neighbours.map((n) => n.word), ['b']);
    const first = await store.load(file);
    assert.equal(await store.load(folder), first, 'the same file is not read twice');
    await writeVectorsText(file, ['a', 'b', 'c', 'd'], Float32Array.from([1, 0, 0, 1, 0, 1, 1, 0.01]), 2);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const near = await store.neighbours({ vectorsPath: file, word: 'a', count: 1 });
    assert.deepEqual(near.neighbours.map((n) => n.word), ['d']);
    assert.equal(near.vocabularySize, 4);
  });
});
