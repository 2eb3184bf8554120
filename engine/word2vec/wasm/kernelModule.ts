// The word2vec training kernels' JavaScript side; their source is word2vecKernels.wat beside this file
// (WebAssembly text: subsampling, skip-gram and CBOW with negative sampling and hierarchical softmax).
import { loadWasmKernel } from '../../io/wasmKernel';
import { webAssembly, type WasmMemory, type WasmModule } from './webAssemblyApi';

/** Where a thread's kernels find everything in the shared memory (byte addresses), and what to train. */
export interface KernelSettings {
  input: number;
  output: number;
  hsOutput: number;
  dim: number;
  window: number;
  /** 0 turns negative sampling off. */
  negative: number;
  shareNegatives: boolean;
  hs: boolean;
  table: number;
  tableSize: number;
  sigmoid: number;
  lossTable: number;
  keep: number;
  pathStart: number;
  paths: number;
  gradient: number;
  hidden: number;
  negatives: number;
}

/** The instance's exports, typed (word2vecKernels.wat documents each). */
interface RawExports {
  configure: (...settings: number[]) => void;
  seed: (state: bigint) => void;
  subsample: (sentence: number, length: number) => number;
  skipgram: (sentence: number, length: number, alpha: number) => void;
  cbow: (sentence: number, length: number, alpha: number) => void;
  random: { value: bigint };
  loss: { value: number };
  predictions: { value: number };
}

/** What of a thread's kernels changes as they train: the generator's state and the loss totals. */
export interface KernelState {
  random: bigint;
  loss: number;
  predictions: number;
}

/** One thread's kernels: its own settings, random state and running totals over the shared memory. */
export class Word2VecKernels {
  private constructor(private readonly raw: RawExports) {}

  static instantiate(memory: WasmMemory, module: WasmModule, settings: KernelSettings): Word2VecKernels {
    const raw = new webAssembly.Instance(module, { env: { memory } }).exports as unknown as RawExports;
    const s = settings;
    // the order of word2vecKernels.wat's `configure` parameters
    raw.configure(s.input, s.output, s.hsOutput, s.dim, s.window, s.negative, s.shareNegatives ? 1 : 0, s.hs ? 1 : 0, s.table, s.tableSize, s.sigmoid, s.lossTable, s.keep, s.pathStart, s.paths, s.gradient, s.hidden, s.negatives);
    return new Word2VecKernels(raw);
  }

  /** Sets the linear congruential generator's state (before each epoch: its draws depend on the epoch only). */
  seed(state: bigint): void {
    this.raw.seed(BigInt.asIntN(64, state));
  }

  /** Drops words by their keep probability, in place; returns the new length. */
  subsample(sentence: number, length: number): number {
    return this.raw.subsample(sentence, length);
  }

  skipgram(sentence: number, length: number, alpha: number): void {
    this.raw.skipgram(sentence, length, alpha);
  }

  cbow(sentence: number, length: number, alpha: number): void {
    this.raw.cbow(sentence, length, alpha);
  }

  /** The generator's state and the totals; set before an epoch (a fresh one's seed and zeros, or a stopped one's). */
  get state(): KernelState {
    return { random: BigInt.asUintN(64, this.raw.random.value), loss: this.raw.loss.value, predictions: this.raw.predictions.value };
  }

  set state(state: KernelState) {
    this.raw.random.value = BigInt.asIntN(64, state.random);
    this.raw.loss.value = state.loss;
    this.raw.predictions.value = state.predictions;
  }

  /** Loss summed in float64 since the state was last set, and the (context, centre) predictions it covers. */
  get loss(): number {
    return this.raw.loss.value;
  }

  get predictions(): number {
    return this.raw.predictions.value;
  }
}

/** The compiled kernel module; it imports `env.memory`, a shared memory of up to 4 GiB. */
export function kernelModule(): Promise<WasmModule> {
  return loadWasmKernel('engine/word2vec/wasm/word2vecKernels.wat');
}
