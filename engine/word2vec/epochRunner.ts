import { readSegmentLines, tokenizeLine } from './corpusReader';
import { Word2VecKernels, type KernelState } from './wasm/kernelModule';
import { ControlField, PROGRESS_FIELDS, ProgressField, type WorkerSetup } from './workerProtocol';

/**
 * One thread's share of the training: reads its corpus segments, turns lines into word ids in its
 * sentence buffer, and hands each sentence to the WebAssembly kernel (subsampling, then skip-gram or
 * CBOW). Its random state, loss and prediction totals live in its own kernel instance.
 */
export class EpochRunner {
  private readonly kernels: Word2VecKernels;
  private readonly train: (sentence: number, length: number, alpha: number) => void;
  private readonly indexByWord: Map<string, number>;
  private readonly progress: Float64Array;
  private readonly control: Int32Array;
  private readonly sentence: Int32Array;
  private readonly slot: number;
  private words: number;
  private tokens: number;
  private lines = 0;

  constructor(private readonly setup: WorkerSetup) {
    const kernels = Word2VecKernels.instantiate(setup.memory, setup.kernels, setup.kernelSettings);
    this.kernels = kernels;
    this.train = setup.algorithm === 'cbow' ? kernels.cbow.bind(kernels) : kernels.skipgram.bind(kernels);
    this.indexByWord = new Map(setup.words.map((word, index) => [word, index]));
    this.progress = new Float64Array(setup.progress);
    this.control = new Int32Array(setup.control);
    this.sentence = new Int32Array(setup.memory.buffer, setup.sentenceOffset, setup.maxSentenceLength);
    this.slot = setup.workerIndex * PROGRESS_FIELDS;
    // A resumed run's counters go on from where the stopped one left them (the main thread set them).
    this.words = this.progress[this.slot + ProgressField.Words]!;
    this.tokens = this.progress[this.slot + ProgressField.Tokens]!;
  }

  /**
   * Trains on this thread's segments once, from the kernel state `state` (a fresh epoch's seed and zero
   * totals, or where a stopped run left them), after the first `skipLines` lines (trained before a stop:
   * read past, not trained); stops before a line when cancelled, and returns false then.
   */
  async runEpoch(skipLines: number, state: KernelState): Promise<boolean> {
    const { setup, indexByWord, sentence, control } = this;
    this.kernels.state = state;
    const maxLength = sentence.length;
    const tokenizeOptions = { lowercase: setup.lowercase };
    const cancel = ControlField.Cancel;
    let alpha = this.currentAlpha();
    let skipped = 0;
    this.lines = skipLines;
    for (const segment of setup.segments) {
      for await (const line of readSegmentLines(segment)) {
        if (skipped < skipLines) {
          skipped++;
          continue;
        }
        if (control[cancel] !== 0) return false;
        this.lines++;
        let length = 0;
        const tokens = tokenizeLine(line, tokenizeOptions);
        this.tokens += tokens.length;
        for (const token of tokens) {
          const id = indexByWord.get(token);
          if (id === undefined) continue;
          this.words++;
          sentence[length++] = id;
          if (length === maxLength) {
            this.trainSentence(length, alpha);
            length = 0;
          }
        }
        if (length > 0) this.trainSentence(length, alpha);
        this.publish(alpha);
        alpha = this.currentAlpha();
      }
    }
    this.publish(alpha);
    return true;
  }

  /** The kernel's random state and the epoch's loss totals, now. */
  get kernelState(): KernelState {
    return this.kernels.state;
  }

  private trainSentence(length: number, alpha: number): void {
    const { setup, kernels } = this;
    const kept = kernels.subsample(setup.sentenceOffset, length);
    if (kept > 1) this.train(setup.sentenceOffset, kept, alpha);
  }

  private publish(alpha: number): void {
    const { progress, slot, kernels } = this;
    progress[slot + ProgressField.Words] = this.words;
    progress[slot + ProgressField.Tokens] = this.tokens;
    progress[slot + ProgressField.Loss] = kernels.loss;
    progress[slot + ProgressField.Predictions] = kernels.predictions;
    progress[slot + ProgressField.Alpha] = alpha;
    progress[slot + ProgressField.Lines] = this.lines;
  }

  /** Linear decay from alpha to minAlpha over the scheduled words, read from every thread's counter. */
  private currentAlpha(): number {
    const { setup, progress } = this;
    let done = setup.wordsAlreadyDone;
    for (let worker = 0; worker < setup.threads; worker++) {
      done += worker === setup.workerIndex ? this.words : progress[worker * PROGRESS_FIELDS + ProgressField.Words]!;
    }
    const fraction = setup.scheduledWords > 0 ? Math.min(1, done / setup.scheduledWords) : 1;
    return Math.max(setup.minAlpha, setup.alpha - (setup.alpha - setup.minAlpha) * fraction);
  }
}
