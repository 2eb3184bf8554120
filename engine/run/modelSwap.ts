// The model files of a run folder, replaced as one unit. A run writes its model, and the summary.json
// that describes it, into a staging folder beside them; installing it writes a journal (the commit
// point), moves the old entries out and the new ones in, then deletes the journal. A crash before the
// commit leaves the old model (the staging folder is swept at the next start); one after it is rolled
// forward by `settleRunFolder`, which every run start and the engine's model readers call. Why not one
// rename: the files must stay at the folder's top level, where Hugging Face and gensim load them, and
// no file system renames several entries at once.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { MODEL_FOLDER_FILES, TOKENIZER_FILES } from '../../common/huggingface/modelFolderFiles';
import { FULL_MODEL_FOLDER, VECTORS_FILES } from '../../common/vectorsFolder';
import { syncDirectory, writeFileAtomic } from '../io/atomicWrite';
import { ONNX_FOLDER } from '../onnx/onnxExport';
import { LOCK_FILE, lockRunFolder, ownerIsLive } from './runLock';

export const SUMMARY_FILE = 'summary.json';
const JOURNAL_FILE = '.model-swap.json';
const CONFIG_FILE = MODEL_FOLDER_FILES.config;

let modelEntries: ReadonlySet<string> | undefined;

/** Every entry a run's model can have at the top of its folder; summary.json swaps with them. (A function: read at call time, import cycles do not matter.) */
export function isModelEntry(name: string): boolean {
  modelEntries ??= new Set([...Object.values(MODEL_FOLDER_FILES), ...TOKENIZER_FILES, ...VECTORS_FILES, FULL_MODEL_FOLDER, ONNX_FOLDER, SUMMARY_FILE]);
  return modelEntries.has(name);
}

/** Temporaries of atomic writes (`.<name>.<pid>.<hex>.tmp`), staging (`.model-….tmp`) and retired (`.….old`) folders. */
const LEFTOVER = /^\..+\.(tmp|old)$/;

interface Journal {
  staging: string;
  retired: string;
  /** In the order they are moved: config.json and summary.json last in, first out. */
  incoming: string[];
  outgoing: string[];
}

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

/** config.json marks a complete Hugging Face folder and summary.json says what the folder holds: they go in last. */
function inOrder(names: Iterable<string>): string[] {
  const rank = (name: string): number => (name === SUMMARY_FILE ? 2 : name === CONFIG_FILE ? 1 : 0);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const uniqueId = (): string => `${process.pid}.${randomBytes(4).toString('hex')}`;

/** A new, empty staging folder in the run folder `dir`, for a run's model and summary. */
export async function createModelStaging(dir: string): Promise<string> {
  const staging = path.join(dir, `.model-${uniqueId()}.tmp`);
  await mkdir(staging);
  return staging;
}

async function moveIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Carries out a committed swap; safe to repeat after a crash at any point of it. */
async function applySwap(dir: string, journal: Journal): Promise<void> {
  const staging = path.join(dir, journal.staging);
  const retired = path.join(dir, journal.retired);
  await mkdir(retired, { recursive: true });
  const incoming = new Set(journal.incoming);
  // An incoming entry still in staging has not been moved in: what is in the folder under its name is old.
  for (const name of [...journal.outgoing].reverse()) {
    if (!incoming.has(name) || (await exists(path.join(staging, name)))) await moveIfPresent(path.join(dir, name), path.join(retired, name));
  }
  for (const name of journal.incoming) await moveIfPresent(path.join(staging, name), path.join(dir, name));
  await syncDirectory(dir);
  await rm(path.join(dir, JOURNAL_FILE), { force: true });
  await syncDirectory(dir);
  await rm(retired, { recursive: true, force: true });
  await rm(staging, { recursive: true, force: true });
}

/**
 * Makes the entries of `staging` the run folder's model, replacing every model entry it had (those
 * the new model lacks go too). Call it holding the folder's lock.
 */
export async function installModel(dir: string, staging: string): Promise<void> {
  const incoming = await readdir(staging);
  const foreign = incoming.filter((name) => !isModelEntry(name));
  if (foreign.length > 0) throw new Error(`${staging}: ${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not among a run folder's model files (isModelEntry)`);
  const outgoing = (await readdir(dir)).filter(isModelEntry);
  if (incoming.length === 0 && outgoing.length === 0) {
    await rm(staging, { recursive: true, force: true });
    return;
  }
  await syncDirectory(staging);
  const journal: Journal = { staging: path.basename(staging), retired: `.model-${uniqueId()}.old`, incoming: inOrder(incoming), outgoing: inOrder(outgoing) };
  await writeFileAtomic(path.join(dir, JOURNAL_FILE), JSON.stringify(journal));
  await syncDirectory(dir);
  await applySwap(dir, journal);
}

/** Removes the run folder's model and summary, as one unit. Call it holding the folder's lock. */
export async function removeModel(dir: string): Promise<void> {
  await installModel(dir, await createModelStaging(dir));
}

async function readJournal(dir: string): Promise<Journal | undefined> {
  const text = await readFile(path.join(dir, JOURNAL_FILE), 'utf8').catch(() => undefined);
  // written atomically: a journal that is there is whole
  return text === undefined ? undefined : (JSON.parse(text) as Journal);
}

async function sweepLeftovers(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (LEFTOVER.test(name)) await rm(path.join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Brings a run folder to a consistent state after a crash: finishes a committed model swap and removes
 * what interrupted writes left (temporary files, staging and retired folders, in the folder, its
 * checkpoints/ and each checkpoint). Call it holding the folder's lock.
 */
export async function settleRunFolder(dir: string, checkpoints: string): Promise<void> {
  const journal = await readJournal(dir);
  if (journal) await applySwap(dir, journal);
  await sweepLeftovers(dir);
  await sweepLeftovers(checkpoints);
  for (const name of await readdir(checkpoints).catch(() => [] as string[])) await sweepLeftovers(path.join(checkpoints, name));
}

/**
 * For readers of a run folder: finishes a model swap a crash interrupted, when no run holds the folder
 * (a run that does finishes its own swap). Without a journal this is one failed open; a folder that
 * cannot be written (someone else's) is read as it is.
 */
export async function finishInterruptedSwap(dir: string): Promise<void> {
  const journal = await readJournal(dir).catch(() => undefined);
  if (!journal) return;
  try {
    const owner = JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8').catch(() => 'null')) as Parameters<typeof ownerIsLive>[0] | null;
    if (owner && ownerIsLive(owner)) return;
    const lock = await lockRunFolder(dir, 'finishing an interrupted model swap');
    try {
      const current = await readJournal(dir);
      if (current) await applySwap(dir, current);
    } finally {
      await lock.release();
    }
  } catch {
    // read-only, or taken by a run that just started: it settles the folder itself
  }
}
