/** word2vec.c's clipping: beyond ±MAX_EXP the sigmoid is taken as 0 or 1. */
export const MAX_EXP = 6;
export const EXP_TABLE_SIZE = 1000;
/** Multiply (f + MAX_EXP) by this to get the table index, as word2vec.c does. */
export const EXP_TABLE_SCALE = EXP_TABLE_SIZE / MAX_EXP / 2;

/** σ(x) at the left edge of each of the EXP_TABLE_SIZE bins over [-MAX_EXP, MAX_EXP): word2vec.c's expTable. */
export function buildSigmoidTable(): Float32Array {
  const table = new Float32Array(EXP_TABLE_SIZE);
  for (let i = 0; i < EXP_TABLE_SIZE; i++) {
    const e = Math.exp(((i / EXP_TABLE_SIZE) * 2 - 1) * MAX_EXP);
    table[i] = e / (e + 1);
  }
  return table;
}

/** log(1 + e^-x) = -log σ(x), computed stably; the loss of a positive pair with score x. */
export function softplusOfNegative(x: number): number {
  return x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
}

/** -log σ(x) sampled at EXP_TABLE_SIZE + 1 points over [-MAX_EXP, MAX_EXP], for linear interpolation in the hot loop. */
export function buildNegativeLogSigmoidTable(): Float64Array {
  const table = new Float64Array(EXP_TABLE_SIZE + 1);
  for (let i = 0; i <= EXP_TABLE_SIZE; i++) table[i] = softplusOfNegative(((i / EXP_TABLE_SIZE) * 2 - 1) * MAX_EXP);
  return table;
}
