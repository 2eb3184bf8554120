import assert from 'node:assert/strict';
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
