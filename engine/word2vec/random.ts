/**
 * word2vec.c's linear congruential generator (`next = next * 25214903917 + 11`), kept modulo 2^48 as in
 * java.util.Random. The state is two 24-bit halves held in doubles, so every product is exact (< 2^53)
 * and no BigInt is needed in the inner loops. Draws use the high bits, the good ones of an LCG.
 */
export class Word2VecRandom {
  private high = 0;
  private low = 0;

  constructor(seed: number, stream = 0) {
    this.reseed(seed, stream);
  }

  /** `stream` separates the sequences of worker threads that share one seed. */
  reseed(seed: number, stream = 0): void {
    const mixed = Math.abs(Math.trunc(seed)) + stream * 0x9e3779b1;
    this.low = (mixed % TWO_24) ^ MULTIPLIER_LOW;
    this.high = (Math.floor(mixed / TWO_24) % TWO_24) ^ MULTIPLIER_HIGH;
    for (let i = 0; i < 4; i++) this.step();
  }

  private step(): void {
    const lowProduct = this.low * MULTIPLIER_LOW + 11;
    const newLow = lowProduct % TWO_24;
    const carry = (lowProduct - newLow) / TWO_24;
    this.high = (this.high * MULTIPLIER_LOW + this.low * MULTIPLIER_HIGH + carry) % TWO_24;
    this.low = newLow;
  }

  /** Uniform in [0, 1) with 48 bits of resolution. */
  nextFloat(): number {
    this.step();
    return (this.high * TWO_24 + this.low) / TWO_48;
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    this.step();
    return Math.floor(((this.high * TWO_24 + this.low) / TWO_48) * bound);
  }

  /** The state, to save in a checkpoint and restore with `restore` for a resumable run. */
  snapshot(): [number, number] {
    return [this.high, this.low];
  }

  restore([high, low]: readonly [number, number]): void {
    this.high = high;
    this.low = low;
  }
}

const TWO_24 = 16777216;
const TWO_48 = TWO_24 * TWO_24;
// 25214903917 = 0x5DEECE66D split into 24-bit halves.
const MULTIPLIER_HIGH = 0x5de;
const MULTIPLIER_LOW = 0xece66d;
