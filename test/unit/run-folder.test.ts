// The run folder's model swap and lock, without training: a swap cut short at each of its steps is
// finished by the next reader or run; a lock is refused while its process lives and taken over after.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { finishInterruptedSwap, installModel, createModelStaging, settleRunFolder } from '../../engine/run/modelSwap';
import { LOCK_FILE, lockRunFolder, processStartOf, type LockOwner } from '../../engine/run/runLock';

const folders: string[] = [];
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'nlp-studio-run-folder-'));
  folders.push(dir);
  return dir;
};

/** A run folder holding model `version`: two files, a folder and a summary, each saying its version. */
async function stageModel(dir: string, version: string, { withBinary = true } = {}): Promise<string> {
  const staging = await createModelStaging(dir);
  writeFileSync(join(staging, 'vectors.txt'), version);
  if (withBinary) writeFileSync(join(staging, 'vectors.bin'), version);
  mkdirSync(join(staging, 'model'));
  writeFileSync(join(staging, 'model', 'model.json'), version);
  writeFileSync(join(staging, 'summary.json'), JSON.stringify({ version }));
  return staging;
}

/** The version each model entry of the folder holds, by name. */
function versions(dir: string): Record<string, string> {
  const read = (file: string): string => readFileSync(file, 'utf8');
  const held: Record<string, string> = {};
  for (const name of ['vectors.txt', 'vectors.bin']) if (existsSync(join(dir, name))) held[name] = read(join(dir, name));
  if (existsSync(join(dir, 'model'))) held.model = read(join(dir, 'model', 'model.json'));
  if (existsSync(join(dir, 'summary.json'))) held.summary = (JSON.parse(read(join(dir, 'summary.json'))) as { version: string }).version;
  return held;
}

// The module object itself (not an import's copy), so a crash can be injected into its rename.
const fsPromises = createRequire(__filename)('node:fs/promises') as typeof import('node:fs/promises');

describe('run folder', () => {
  after(() => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it('a model swap cut short after any number of renames is finished by the reader, never left mixed', async () => {
    const old = { 'vectors.txt': 'old', 'vectors.bin': 'old', model: 'old', summary: 'old' };
    const renamesInAll = 1 + 4 + 3; // the journal, the old entries out, the new ones in
    for (let crashAt = 0; crashAt <= renamesInAll; crashAt++) {
      const dir = scratch();
      await installModel(dir, await stageModel(dir, 'old'));
      assert.deepEqual(versions(dir), old);
      // the new model has no vectors.bin: the old one must go with the rest
      const staging = await stageModel(dir, 'new', { withBinary: false });
      let renames = 0;
      const realRename = fsPromises.rename;
      const crash = mock.method(fsPromises, 'rename', async (from: string, to: string) => {
        if (renames++ === crashAt) throw new Error('killed');
        return realRename(from, to);
      });
      const interrupted = await installModel(dir, staging).then(
        () => false,
        () => true,
      );
      crash.mock.restore();
      assert.equal(interrupted, crashAt < renamesInAll, `crash at rename ${crashAt}`);
      await finishInterruptedSwap(dir);
      const after = versions(dir);
      const committed = crashAt > 0; // the journal's own rename is the commit
      assert.deepEqual(after, committed ? { 'vectors.txt': 'new', model: 'new', summary: 'new' } : old, `crash at rename ${crashAt}`);
      await settleRunFolder(dir, join(dir, 'checkpoints'));
      assert.deepEqual(readdirSync(dir).sort(), Object.keys(after).map((name) => (name === 'summary' ? 'summary.json' : name)).sort(), `crash at rename ${crashAt}: leftovers swept`);
    }
  });

  it('refuses a file that is not a model file of a run folder', async () => {
    const dir = scratch();
    const staging = await createModelStaging(dir);
    writeFileSync(join(staging, 'notes.md'), '');
    await assert.rejects(installModel(dir, staging), /notes\.md is not among a run folder's model files/);
  });

  it('locks a folder to one run: refused with the holder while it lives, taken over once it is gone', async () => {
    const dir = scratch();
    const held = await lockRunFolder(dir, '/project/a.nlp.yaml');
    await assert.rejects(lockRunFolder(dir, '/project/b.nlp.yaml'), (error: Error) => {
      assert.match(error.message, new RegExp(`in use by another run: process ${process.pid}, training /project/a\\.nlp\\.yaml since`));
      return true;
    });
    await held.release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));

    // a crashed run's lock: its process is gone
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const stale: LockOwner = { pid: Number(gone.stdout.trim()), host: hostname(), config: '/project/crashed.nlp.yaml', since: new Date(0).toISOString() };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
    const taken = await lockRunFolder(dir, '/project/b.nlp.yaml');
    assert.equal((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockOwner).config, '/project/b.nlp.yaml');
    await taken.release();
  });

  it('does not take a reused PID for the lock\'s owner (Linux: the process start is compared)', { skip: processStartOf(process.pid) === undefined && 'no /proc' }, async () => {
    const dir = scratch();
    const reused: LockOwner = { pid: process.pid, host: hostname(), processStart: 'another-boot:1', config: '/project/old.nlp.yaml', since: new Date(0).toISOString() };
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(reused));
    const taken = await lockRunFolder(dir, '/project/new.nlp.yaml');
    await taken.release();
    // a lock from another machine cannot be checked: refused, with how to clear it
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...reused, host: `not-${hostname()}` }));
    await assert.rejects(lockRunFolder(dir, '/project/new.nlp.yaml'), /on not-.*If that run is no longer active, delete .*\.run\.lock/);
  });
});
