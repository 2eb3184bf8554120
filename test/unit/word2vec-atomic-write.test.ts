import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../engine/io/atomicWrite';

test('a write that throws midway leaves neither a partial target nor a temporary file', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'w2v-atomic-'));
  try {
    const target = path.join(folder, 'vectors.txt');
    await assert.rejects(
      writeFileAtomic(target, async (handle) => {
        await handle.write('half of the data');
        throw new Error('disk full (simulated by the writer)');
      }),
      /disk full/,
    );
    assert.deepEqual(await readdir(folder), []);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('a failed rewrite keeps the previous file intact; a successful one replaces it', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'w2v-atomic-'));
  try {
    const target = path.join(folder, 'model.json');
    await writeFile(target, 'old');
    await assert.rejects(
      writeFileAtomic(target, async (handle) => {
        await handle.write('new but incomplete');
        throw new Error('stopped');
      }),
    );
    assert.equal(await readFile(target, 'utf8'), 'old');
    await writeFileAtomic(target, 'new');
    assert.equal(await readFile(target, 'utf8'), 'new');
    assert.deepEqual(await readdir(folder), ['model.json']);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('a write into a missing folder fails without creating anything', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'w2v-atomic-'));
  try {
    await assert.rejects(writeFileAtomic(path.join(folder, 'missing', 'x.bin'), new Uint8Array(4)), /ENOENT/);
    assert.deepEqual(await readdir(folder), []);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('a write the operating system refuses (file size limit, like a full disk) keeps the old vectors file and leaves no temporary file', { skip: process.platform === 'win32' ? 'needs ulimit' : false }, async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'w2v-atomic-'));
  try {
    const target = path.join(folder, 'vectors.bin');
    await writeFile(target, 'old vectors');
    const script = path.join(folder, 'write.ts');
    const vectorsFormat = path.resolve(__dirname, '../../engine/word2vec/vectorsFormat.ts');
    // 2000 words × 16 float32 ≈ 140 kB, far over the 16 kB limit the shell sets below.
    await writeFile(
      script,
      `import { writeVectorsBinary } from ${JSON.stringify(vectorsFormat)};
const words = Array.from({ length: 2000 }, (_, i) => 'word' + i);
writeVectorsBinary(${JSON.stringify(target)}, words, new Float32Array(words.length * 16), 16).then(
  () => { console.log('written'); },
  (error: NodeJS.ErrnoException) => { console.log('failed ' + error.code); },
);
`,
    );
    const child = spawnSync('bash', ['-c', `ulimit -f 16 && exec "${process.execPath}" --import tsx "${script}"`], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'failed EFBIG');
    assert.equal(await readFile(target, 'utf8'), 'old vectors');
    assert.deepEqual((await readdir(folder)).sort(), ['vectors.bin', 'write.ts']);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
