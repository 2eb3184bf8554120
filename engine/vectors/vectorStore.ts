// Word vectors kept loaded for the editor: nearest neighbours and 2-D projections of the last file asked for.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { NeighboursParams, NeighboursResult, ProjectionParams, ProjectionResult } from '../../common/protocol/engine';
import { loadFullModel } from '../word2vec/fullModel';
import { NearestNeighbours } from '../word2vec/neighbours';
import { readVectors, type ReadVectorsOptions } from '../word2vec/vectorsFormat';
import { principalComponents2D } from './pca';
import { locateVectors } from './vectorsLocation';

export interface LoadedVectors {
  /** The file or full-model folder the vectors were read from. */
  source: string;
  /** Most frequent first, as word2vec files and NLP Studio models store them. */
  words: readonly string[];
  dim: number;
  vectors: Float32Array;
}

/** The vectors at `target` (a file in any vectors format, or a word2vec run folder), the first `maxVectors` of a file when given. */
export async function readVectorsAt(target: string, options: ReadVectorsOptions = {}): Promise<LoadedVectors> {
  const location = await locateVectors(path.resolve(target), 'vectors-file');
  if (location.kind === 'full-model') {
    const model = await loadFullModel(location.path);
    const count = Math.min(model.vocabulary.words.length, options.maxVectors ?? Number.POSITIVE_INFINITY);
    return { source: location.path, words: model.vocabulary.words.slice(0, count), dim: model.dim, vectors: model.input.subarray(0, count * model.dim) };
  }
  const read = await readVectors(location.path, options);
  return { source: location.path, words: read.words, dim: read.dim, vectors: read.vectors };
}

/** Holds the last vectors loaded (one set: vectors can be large) and reloads when the file changes. */
export class VectorStore {
  private cached: { key: string; vectors: LoadedVectors; space?: NearestNeighbours } | undefined;

  async load(target: string): Promise<LoadedVectors> {
    return (await this.entry(target)).vectors;
  }

  private async entry(target: string): Promise<{ key: string; vectors: LoadedVectors; space?: NearestNeighbours }> {
    const location = await locateVectors(path.resolve(target), 'vectors-file');
    const stampFile = location.kind === 'full-model' ? path.join(location.path, 'model.json') : location.path;
    const info = await stat(stampFile);
    const key = `${location.path}\0${info.mtimeMs}\0${info.size}`;
    if (this.cached?.key === key) return this.cached;
    this.cached = undefined; // let the old set go before reading the new one
    this.cached = { key, vectors: await readVectorsAt(location.path) };
    return this.cached;
  }

  async neighbours(params: NeighboursParams): Promise<NeighboursResult> {
    const entry = await this.entry(params.vectorsPath);
    entry.space ??= new NearestNeighbours(entry.vectors.words, entry.vectors.vectors, entry.vectors.dim);
    const found = entry.space.nearest(params.word, Math.max(0, params.count));
    return { inVocabulary: found !== undefined, neighbours: found ?? [], vocabularySize: entry.vectors.words.length };
  }

  async projection(params: ProjectionParams): Promise<ProjectionResult> {
    const { vectors } = await this.entry(params.vectorsPath);
    const rows = Math.max(0, Math.min(params.count, vectors.words.length));
    const projected = principalComponents2D(vectors.vectors, rows, vectors.dim);
    return {
      words: vectors.words.slice(0, rows),
      coordinates: Array.from(projected.coordinates),
      explainedVariance: projected.explainedVariance,
      dimensions: vectors.dim,
      vocabularySize: vectors.words.length,
    };
  }
}
