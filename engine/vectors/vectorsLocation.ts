// Where the vectors are when a user names a file or a word2vec run folder.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { FULL_MODEL_FOLDER, VECTORS_BINARY, VECTORS_FILES, VECTORS_TEXT } from '../../common/vectorsFolder';
import { finishInterruptedSwap } from '../run/modelSwap';

export { FULL_MODEL_FOLDER };

export type VectorsLocation = { kind: 'full-model'; path: string } | { kind: 'vectors-file'; path: string };

const isFile = (file: string): Promise<boolean> => stat(file).then((info) => info.isFile(), () => false);

/**
 * Finds the vectors at `target`: a .txt/.bin file, a full-model folder, or a run folder holding either.
 * `prefer` picks between a run folder's full model and its vectors file when it has both.
 */
export async function locateVectors(target: string, prefer: 'full-model' | 'vectors-file'): Promise<VectorsLocation> {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new Error(`${target}: no such file or folder`);
  if (info.isFile()) return { kind: 'vectors-file', path: target };
  await finishInterruptedSwap(target);
  const candidates: VectorsLocation[] = [];
  if (await isFile(path.join(target, 'model.json'))) candidates.push({ kind: 'full-model', path: target });
  if (await isFile(path.join(target, FULL_MODEL_FOLDER, 'model.json'))) candidates.push({ kind: 'full-model', path: path.join(target, FULL_MODEL_FOLDER) });
  for (const name of VECTORS_FILES) if (await isFile(path.join(target, name))) candidates.push({ kind: 'vectors-file', path: path.join(target, name) });
  const chosen = candidates.find((candidate) => candidate.kind === prefer) ?? candidates[0];
  if (!chosen) throw new Error(`${target}: the folder holds no ${VECTORS_BINARY}, ${VECTORS_TEXT} or ${FULL_MODEL_FOLDER}/model.json (a run that has not finished yet?)`);
  return chosen;
}
