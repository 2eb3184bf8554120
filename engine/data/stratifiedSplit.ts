// Holding out a validation set: per label, a seeded choice of round(n × ratio) examples, so every
// class keeps its share. The order depends only on the seed and the data (see SeededRandom).
import { SeededRandom } from './seededRandom';

/** Separates the split's random streams from the ones batching uses with the same seed. */
const SPLIT_STREAM = 1 << 20;

export interface Split<T> {
  readonly train: T[];
  readonly validation: T[];
}

/**
 * Splits `items` into train and validation, stratified by `labelOf`, keeping the input order within
 * each part. A class keeps at least one training example; a class of one has none held out.
 */
export function stratifiedSplit<T>(items: readonly T[], labelOf: (item: T) => number, ratio: number, seed: number): Split<T> {
  if (!(ratio > 0 && ratio < 1)) throw new RangeError(`the validation ratio must be between 0 and 1, not ${ratio}`);
  const byLabel = new Map<number, number[]>();
  items.forEach((item, index) => {
    const label = labelOf(item);
    const members = byLabel.get(label);
    if (members === undefined) byLabel.set(label, [index]);
    else members.push(index);
  });
  const heldOut = new Uint8Array(items.length);
  for (const [label, members] of byLabel) {
    const count = Math.min(Math.round(members.length * ratio), members.length - 1);
    const chosen = new SeededRandom(seed, SPLIT_STREAM + label).shuffle(members.slice()).slice(0, count);
    for (const index of chosen) heldOut[index] = 1;
  }
  const train: T[] = [];
  const validation: T[] = [];
  items.forEach((item, index) => (heldOut[index] === 1 ? validation : train).push(item));
  return { train, validation };
}
