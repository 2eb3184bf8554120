import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../io/atomicWrite';
import { innerNodeRows, type Word2VecModel } from './model';
import { resolveWord2VecOptions } from './options';
import { Vocabulary } from './vocabulary';
import { decodeWeights } from '../models/safetensors';

/** `model.json` of a full model folder; the matrices sit beside it as raw little-endian float32. */
export interface FullModelManifest {
  format: 'nlp-studio-word2vec';
  version: 1;
  dim: number;
  words: string[];
  counts: number[];
  options: Word2VecModel['options'];
  state: Word2VecModel['state'];
  /** Files of float32 rows: input and output hold vocabulary size × dim values (output none when negative sampling was never used). */
  input: string;
  output: string;
  /** Hierarchical softmax's (vocabulary size − 1) × dim values; absent when it was never used. */
  hsOutput?: string;
}

export const MANIFEST_FILE = 'model.json';
const INPUT_FILE = 'input.f32';
const OUTPUT_FILE = 'output.f32';
const HS_OUTPUT_FILE = 'hs-output.f32';

function littleEndianBytes(matrix: Float32Array): Uint8Array {
  // Node runs little-endian on every platform VS Code supports; fail loudly elsewhere rather than write wrong bytes.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('saving a word2vec model needs a little-endian machine');
  return new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);
}

/**
 * Saves the full model (vocabulary with counts, the matrices, options, training state) as a folder.
 * The folder is built under a temporary name and renamed into place, so a reader sees the old model or
 * the new one, never a mix.
 */
export async function saveFullModel(folder: string, model: Word2VecModel): Promise<void> {
  const parent = path.dirname(path.resolve(folder));
  await mkdir(parent, { recursive: true });
  const unique = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const building = path.join(parent, `.${path.basename(folder)}.${unique}.tmp`);
  const replaced = path.join(parent, `.${path.basename(folder)}.${unique}.old`);
  try {
    await mkdir(building);
    await writeFileAtomic(path.join(building, INPUT_FILE), littleEndianBytes(model.input));
    await writeFileAtomic(path.join(building, OUTPUT_FILE), littleEndianBytes(model.output));
    if (model.hsOutput.length > 0) await writeFileAtomic(path.join(building, HS_OUTPUT_FILE), littleEndianBytes(model.hsOutput));
    const manifest: FullModelManifest = {
      format: 'nlp-studio-word2vec',
      version: 1,
      dim: model.dim,
      words: [...model.vocabulary.words],
      counts: Array.from(model.vocabulary.counts),
      options: model.options,
      state: model.state,
      input: INPUT_FILE,
      output: OUTPUT_FILE,
      ...(model.hsOutput.length > 0 ? { hsOutput: HS_OUTPUT_FILE } : {}),
    };
    await writeFileAtomic(path.join(building, MANIFEST_FILE), JSON.stringify(manifest));
    const hadOld = await stat(folder).then(() => true, () => false);
    if (hadOld) await rename(folder, replaced);
    await rename(building, folder);
    if (hadOld) await rm(replaced, { recursive: true, force: true });
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
}

/** Whether a folder holds a full model (the `init_from` check). */
export async function isFullModelFolder(folder: string): Promise<boolean> {
  return stat(path.join(folder, MANIFEST_FILE)).then((s) => s.isFile(), () => false);
}

export async function loadFullModel(folder: string): Promise<Word2VecModel> {
  const manifestPath = path.join(folder, MANIFEST_FILE);
  let manifest: FullModelManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as FullModelManifest;
  } catch (error) {
    throw new Error(`${manifestPath}: not a readable word2vec model (${error instanceof Error ? error.message : String(error)})`);
  }
  if (manifest.format !== 'nlp-studio-word2vec' || manifest.version !== 1) throw new Error(`${manifestPath}: not an NLP Studio word2vec model (format ${String(manifest.format)}, version ${String(manifest.version)})`);
  const vocabulary = new Vocabulary(manifest.words, manifest.counts);
  /** A matrix file of `rows` × dim floats, or (an unused layer) of none. */
  const readMatrix = async (name: string, rows: number, what: string, mayBeEmpty: boolean): Promise<Float32Array> => {
    const file = path.join(folder, name);
    const bytes = await readFile(file);
    const expected = rows * manifest.dim;
    if (bytes.byteLength !== expected * 4 && !(mayBeEmpty && bytes.byteLength === 0)) throw new Error(`${file}: holds ${bytes.byteLength} bytes; ${rows} ${what} × ${manifest.dim} dimensions need ${expected * 4}`);
    // Decoded as every weights file is: a NaN or infinite value is refused here, not in the kernels.
    return decodeWeights(file, name, 'F32', bytes);
  };
  return {
    vocabulary,
    dim: manifest.dim,
    input: await readMatrix(manifest.input, vocabulary.size, 'words', false),
    output: await readMatrix(manifest.output, vocabulary.size, 'words', true),
    hsOutput: manifest.hsOutput ? await readMatrix(manifest.hsOutput, innerNodeRows(vocabulary.size), 'inner nodes', false) : new Float32Array(0),
    options: resolveWord2VecOptions(manifest.options),
    state: manifest.state,
  };
}
