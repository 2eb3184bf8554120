// A small seeded generator for data order (shuffles, splits). 32-bit integer arithmetic only
// (Math.imul, >>>), so the same seed gives the same order on every machine and Node version.

/** mulberry32: uniform floats in [0, 1) from a 32-bit seed; the one seeded generator tests and fixtures share. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** mulberry32 with streams, integers and shuffles. */
export class SeededRandom {
  readonly nextFloat: () => number;

  constructor(seed: number, stream = 0) {
    // Mixing in a stream number gives unrelated sequences (per epoch, per label) from one user seed.
    this.nextFloat = mulberry32(Math.trunc(seed) ^ Math.imul(stream + 1, 0x9e3779b9));
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor(this.nextFloat() * bound);
  }

  /** Fisher–Yates, in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const swap = items[i]!;
      items[i] = items[j]!;
      items[j] = swap;
    }
    return items;
  }
}
