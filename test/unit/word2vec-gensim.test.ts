import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { Word2VecRandom } from '../../engine/word2vec/random';
import { writeVectorsBinary, writeVectorsText } from '../../engine/word2vec/vectorsFormat';

const PYTHON = '/usr/bin/python3';
const gensimMissing = spawnSync(PYTHON, ['-c', 'import gensim'], { encoding: 'utf8' }).status !== 0;
const skip = gensimMissing ? 'gensim is not installed (apt-get install python3-gensim); cannot check that it loads our files' : false;

// Loads a file with gensim and prints its words and vectors as JSON (float32 → float64 is exact).
const LOAD = `
import json, sys
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=sys.argv[2] == 'binary')
print(json.dumps({'words': list(kv.index_to_key), 'vectors': [float(x) for x in kv.vectors.reshape(-1)]}))
`;

test('gensim KeyedVectors.load_word2vec_format reads our .txt and .bin files to the same vectors', { skip }, async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'w2v-gensim-'));
  try {
    const random = new Word2VecRandom(9);
    const words = ['the', 'Zürich', '東京', 'naïve', 'x'];
    const dim = 7;
    const vectors = Float32Array.from({ length: words.length * dim }, () => random.nextFloat() * 2 - 1);
    const text = path.join(folder, 'vectors.txt');
    const binary = path.join(folder, 'vectors.bin');
    await writeVectorsText(text, words, vectors, dim);
    await writeVectorsBinary(binary, words, vectors, dim);
    for (const [file, mode] of [[text, 'text'], [binary, 'binary']] as const) {
      const run = spawnSync(PYTHON, ['-c', LOAD, file, mode], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const loaded = JSON.parse(run.stdout) as { words: string[]; vectors: number[] };
      assert.deepEqual(loaded.words, words, mode);
      assert.deepEqual(Float32Array.from(loaded.vectors), vectors, mode);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
