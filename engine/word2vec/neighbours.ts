/** A word and its cosine similarity to the query. */
export interface Neighbour {
  word: string;
  similarity: number;
}

/** Cosine nearest neighbours over a unit-normalised copy of the vectors (brute force, exact). */
export class NearestNeighbours {
  readonly dim: number;
  readonly words: readonly string[];
  /** Unit-length rows; zero rows stay zero. */
  readonly unit: Float32Array;
  private readonly indexByWord = new Map<string, number>();

  constructor(words: readonly string[], vectors: Float32Array, dim: number) {
    this.dim = dim;
    this.words = words;
    this.unit = new Float32Array(words.length * dim);
    for (let row = 0; row < words.length; row++) {
      const offset = row * dim;
      let norm = 0;
      for (let i = 0; i < dim; i++) norm += vectors[offset + i]! * vectors[offset + i]!;
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let i = 0; i < dim; i++) this.unit[offset + i] = vectors[offset + i]! * scale;
      if (!this.indexByWord.has(words[row]!)) this.indexByWord.set(words[row]!, row);
    }
  }

  indexOf(word: string): number | undefined {
    return this.indexByWord.get(word);
  }

  unitVector(index: number): Float32Array {
    return this.unit.subarray(index * this.dim, (index + 1) * this.dim);
  }

  /** The k words closest to `word` (itself excluded), or undefined when it is out of vocabulary. */
  nearest(word: string, k: number): Neighbour[] | undefined {
    const index = this.indexByWord.get(word);
    if (index === undefined) return undefined;
    return this.nearestToVector(this.unitVector(index), k, new Set([index]));
  }

  /**
   * The k rows among the first `limit` with the highest dot product with `query` (cosine when the query
   * has unit length), skipping `exclude`, best first.
   */
  nearestToVector(query: ArrayLike<number>, k: number, exclude: ReadonlySet<number> = new Set(), limit = this.words.length): Neighbour[] {
    const { unit, dim } = this;
    const rows = Math.min(limit, this.words.length);
    const bestIndex: number[] = [];
    const bestScore: number[] = [];
    for (let row = 0; row < rows; row++) {
      if (exclude.has(row)) continue;
      const offset = row * dim;
      let score = 0;
      for (let i = 0; i < dim; i++) score += unit[offset + i]! * query[i]!;
      if (bestScore.length === k && score <= bestScore[k - 1]!) continue;
      let at = bestScore.length;
      while (at > 0 && bestScore[at - 1]! < score) at--;
      bestScore.splice(at, 0, score);
      bestIndex.splice(at, 0, row);
      if (bestScore.length > k) {
        bestScore.pop();
        bestIndex.pop();
      }
    }
    return bestIndex.map((row, i) => ({ word: this.words[row]!, similarity: bestScore[i]! }));
  }
}

/** Cosine similarity of two vectors (0 when either is zero). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
