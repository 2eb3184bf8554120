// A 2-D PCA of word vectors for the embedding explorer: covariance (d × d, one pass over the rows),
// then its top two eigenvectors by power iteration with deflation. 100k × 100 takes well under a second.

export interface Projection2D {
  /** Interleaved x, y per row. */
  coordinates: Float64Array;
  /** Share of the total variance along each axis. */
  explainedVariance: [number, number];
}

/** Projects the first `rows` rows of a row-major `rows × dim` matrix onto its two principal axes. */
export function principalComponents2D(matrix: Float32Array, rows: number, dim: number): Projection2D {
  const mean = new Float64Array(dim);
  for (let row = 0; row < rows; row++) for (let i = 0; i < dim; i++) mean[i]! += matrix[row * dim + i]!;
  for (let i = 0; i < dim; i++) mean[i]! /= Math.max(1, rows);

  // Upper triangle of the scatter matrix, four centred rows at a time: each entry is loaded and
  // stored once per four rows, which is what bounds this loop.
  const scatter = new Float64Array(dim * dim);
  const block = new Float64Array(4 * dim);
  for (let start = 0; start < rows; start += 4) {
    block.fill(0); // a short last block adds zero rows
    const count = Math.min(4, rows - start);
    for (let r = 0; r < count; r++) for (let i = 0; i < dim; i++) block[r * dim + i] = matrix[(start + r) * dim + i]! - mean[i]!;
    for (let i = 0; i < dim; i++) {
      const a0 = block[i]!;
      const a1 = block[dim + i]!;
      const a2 = block[2 * dim + i]!;
      const a3 = block[3 * dim + i]!;
      const base = i * dim;
      for (let j = i; j < dim; j++) scatter[base + j]! += a0 * block[j]! + a1 * block[dim + j]! + a2 * block[2 * dim + j]! + a3 * block[3 * dim + j]!;
    }
  }
  for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) scatter[i * dim + j] = scatter[j * dim + i]!;
  let trace = 0;
  for (let i = 0; i < dim; i++) trace += scatter[i * dim + i]!;

  const first = topEigenvector(scatter, dim, undefined);
  const second = topEigenvector(scatter, dim, first.vector);
  const coordinates = new Float64Array(rows * 2);
  for (let row = 0; row < rows; row++) {
    let x = 0;
    let y = 0;
    const offset = row * dim;
    for (let i = 0; i < dim; i++) {
      const value = matrix[offset + i]! - mean[i]!;
      x += value * first.vector[i]!;
      y += value * second.vector[i]!;
    }
    coordinates[row * 2] = x;
    coordinates[row * 2 + 1] = y;
  }
  const share = (value: number): number => (trace > 0 ? Math.max(0, value) / trace : 0);
  return { coordinates, explainedVariance: [share(first.value), share(second.value)] };
}

/** The dominant eigenvector of a symmetric PSD matrix, orthogonal to `deflate` when given. */
function topEigenvector(matrix: Float64Array, dim: number, deflate: Float64Array | undefined): { vector: Float64Array; value: number } {
  let vector = new Float64Array(dim);
  // A fixed, non-degenerate start keeps the projection the same from call to call.
  for (let i = 0; i < dim; i++) vector[i] = 1 + ((i * 7919) % 13) / 13;
  const orthogonalise = (v: Float64Array): void => {
    if (!deflate) return;
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += v[i]! * deflate[i]!;
    for (let i = 0; i < dim; i++) v[i]! -= dot * deflate[i]!;
  };
  const normalise = (v: Float64Array): number => {
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < dim; i++) v[i]! /= norm;
    return norm;
  };
  orthogonalise(vector);
  normalise(vector);
  let value = 0;
  for (let iteration = 0; iteration < 1000; iteration++) {
    const next = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      let sum = 0;
      const base = i * dim;
      for (let j = 0; j < dim; j++) sum += matrix[base + j]! * vector[j]!;
      next[i] = sum;
    }
    orthogonalise(next);
    const norm = normalise(next);
    let change = 0;
    for (let i = 0; i < dim; i++) change = Math.max(change, Math.abs(next[i]! - vector[i]!));
    vector = next;
    value = norm;
    if (norm === 0 || change < 1e-10) break;
  }
  return { vector, value };
}
