/**
 * word2vec training: the public API of engine/word2vec (what the run folder, the CLI and the editor call).
 *
 * Train:     trainWord2Vec({ files, options?, onProgress?, onEpoch?, signal?, progressIntervalMs?, now? })
 *              → Promise<{ model, epochs: EpochSummary[], cancelled, seconds, wordsPerSecond }>
 *            options: Partial<Word2VecOptions> (options.ts; gensim's defaults). Aborting `signal` stops
 *            every thread after its current sentence; the result then has cancelled: true.
 * Continue:  prepareContinuedTraining(initFrom, files, options) (continueTraining.ts) with initFrom a
 *            full-model folder or a .txt/.bin vectors file → { model, growth (the vocabulary-growth
 *            preview), wordCounts, before, notices }; then trainWord2Vec({ files, model, wordCounts, options });
 *            then driftReport(before, after, watchWords, k) for how the watch words moved.
 * Resume:    save in onEpoch with saveFullModel(folder, model) (an epoch boundary), or the result's
 *            model of a cancelled run (it holds `state.position`: where each thread stood inside the
 *            epoch); later trainWord2Vec({ files, options, model, startEpoch: model.state.epochsCompleted,
 *            within: model.state.position }) with model = await loadFullModel(folder) and the run's total
 *            `epochs`: threads = 1 and a seed give the uninterrupted run's vectors and losses bit for bit
 *            (each epoch's random streams depend only on seed, epoch and thread, and a stop keeps them).
 * Save/load: saveFullModel / loadFullModel (fullModel.ts); writeVectorsText / writeVectorsBinary /
 *            readVectors (vectorsFormat.ts: word2vec formats, as gensim and word2vec.c read them);
 *            every write goes to a temporary file renamed into place (io/atomicWrite.ts).
 * Query:     new NearestNeighbours(words, vectors, dim).nearest(word, k) (neighbours.ts);
 *            evaluateAnalogies / evaluateWordPairs (analogyEvaluation.ts, similarityEvaluation.ts).
 *
 * Threads: worker threads (out/word2vecWorker.js next to the bundle, worker.ts under tsx, or the file
 * NLP_STUDIO_WORD2VEC_WORKER names) update the matrices lock-free (Hogwild) inside one shared
 * WebAssembly.Memory; the inner loops are WebAssembly SIMD kernels (wasm/word2vecKernels.wat). The model
 * given to onEpoch views that memory: save or copy it there, do not keep it; the result's is a copy.
 */
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { locateWorkerEntry, startWorker, workerRequest } from '../io/workerThreads';
import { splitCorpus } from './corpusReader';
import { atEpochBoundary, createModel, type EpochPosition, type ThreadPosition, type Word2VecModel } from './model';
import { buildUnigramTable } from './negativeSampling';
import { resolveWord2VecOptions, type Word2VecOptions } from './options';
import { keepProbabilities } from './subsampling';
import { buildHuffmanTree } from './huffmanTree';
import { allocateTrainingMemory, epochRandomState, kernelSettings, planTrainingLayout, writeHuffmanPaths } from './trainingMemory';
import { countWords, Vocabulary, type WordCounts } from './vocabulary';
import { kernelModule, type KernelState } from './wasm/kernelModule';
import { CONTROL_FIELDS, ControlField, PROGRESS_FIELDS, ProgressField, type FromWorker, type ToWorker, type WorkerSetup } from './workerProtocol';

/** A snapshot of a running training, as plain numbers. */
export interface Word2VecProgress {
  epoch: number;
  epochs: number;
  /** In-vocabulary words read in this run, all threads. */
  words: number;
  /** Words this run will read in all: corpus words × epochs. */
  scheduledWords: number;
  /** Loss summed (float64) over the current epoch so far, and its mean per prediction. */
  epochLoss: number;
  epochMeanLoss: number;
  alpha: number;
  /** All tokens (out-of-vocabulary included) per second since the run started. */
  wordsPerSecond: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface EpochSummary {
  epoch: number;
  /** Training loss (negative sampling and/or hierarchical softmax) summed over the epoch in float64. */
  loss: number;
  predictions: number;
  meanLoss: number;
  words: number;
  tokens: number;
  seconds: number;
}

export interface TrainRequest {
  files: readonly string[];
  options?: Partial<Word2VecOptions>;
  /** Continue this model (vocabulary already merged, see continueTraining.ts) instead of starting fresh. */
  model?: Word2VecModel;
  /** Counts of `files` when the caller already made the counting pass. */
  wordCounts?: WordCounts;
  /**
   * Resume the same run at this epoch (0-based; default 0) from `model` saved at that epoch boundary
   * (by `onEpoch` + saveFullModel): epochs startEpoch … epochs − 1 are trained, the learning rate goes
   * on from where the schedule stood, and each epoch's random draws depend only on (seed, epoch, thread),
   * so with threads = 1 the result equals the uninterrupted run bit for bit. `options.epochs` stays the
   * run's total. Epoch numbers in progress and summaries count from the run's start.
   */
  startEpoch?: number;
  /** Continue inside epoch `startEpoch` from where a stopped run left it (its model's `state.position`). */
  within?: EpochPosition;
  onProgress?: (progress: Word2VecProgress) => void;
  /** Called after each completed epoch, e.g. to save a checkpoint or report watch words' neighbours. */
  onEpoch?: (summary: EpochSummary, model: Word2VecModel) => void | Promise<void>;
  signal?: AbortSignal;
  progressIntervalMs?: number;
  now?: () => number;
}

export interface TrainResult {
  /** With `state.position` set when cancelled inside an epoch: save it to resume from there. */
  model: Word2VecModel;
  epochs: EpochSummary[];
  cancelled: boolean;
  seconds: number;
  /** All tokens read per second of training (the measure gensim's raw_word_count gives). */
  wordsPerSecond: number;
}

/** Copies a model's layer into its shared-memory rows; an empty one (never used) leaves them at zeros. */
function copyLayer(from: Float32Array, into: Float32Array, what: string): void {
  if (from.length === 0) return;
  if (from.length !== into.length) throw new Error(`the model's ${what} layer holds ${from.length} values; this vocabulary needs ${into.length}`);
  into.set(from);
}

/** The worker entry: the .ts file next to this one under tsx, or the bundle's word2vecWorker.js next to it. */
export function word2vecWorkerPath(): string {
  return locateWorkerEntry('word2vecWorker', path.join(__dirname, 'worker.ts'), process.env.NLP_STUDIO_WORD2VEC_WORKER);
}

/**
 * Trains word2vec on text files (one sentence per line) with `threads` worker threads sharing the
 * weight matrices lock-free (Hogwild) in one WebAssembly.Memory. With one thread and a seed the run is
 * bit-for-bit reproducible.
 */
export async function trainWord2Vec(request: TrainRequest): Promise<TrainResult> {
  const now = request.now ?? (() => performance.now());
  const options = resolveWord2VecOptions({ ...request.model?.options, ...request.options });
  const startEpoch = request.startEpoch ?? 0;
  if (!Number.isInteger(startEpoch) || startEpoch < 0 || startEpoch > options.epochs) throw new Error(`startEpoch must be an integer in [0, ${options.epochs}], got ${startEpoch}`);
  const counts = request.wordCounts ?? (await countWords(request.files, { lowercase: options.lowercase }));
  if (counts.totalTokens === 0) throw new Error(`the corpus is empty: ${request.files.join(', ')} hold no words`);
  let start: Word2VecModel;
  if (request.model) {
    if (request.model.dim !== options.vectorSize) throw new Error(`vectorSize ${options.vectorSize} does not match the model's ${request.model.dim} dimensions`);
    start = request.model;
  } else {
    if (startEpoch > 0) throw new Error('startEpoch needs the model saved at that epoch boundary');
    const vocabulary = Vocabulary.fromCounts(counts.counts, options.minCount);
    if (vocabulary.size === 0) {
      throw new Error(`no word occurs at least min_count=${options.minCount} times (${counts.counts.size} distinct words, ${counts.totalTokens} tokens in ${request.files.join(', ')})`);
    }
    start = createModel(vocabulary, options);
  }
  const { vocabulary, dim } = start;
  let corpusWords = 0;
  for (const [word, count] of counts.counts) if (vocabulary.has(word)) corpusWords += count;
  if (corpusWords === 0) throw new Error(`no word of ${request.files.join(', ')} is in the model's vocabulary`);

  // Everything the kernels touch lives in one shared memory; the model's matrices are copied in and out.
  const huffman = options.hs ? buildHuffmanTree(vocabulary.counts) : undefined;
  const layout = planTrainingLayout({ vocabularySize: vocabulary.size, dim, negative: options.negative, tableSize: options.tableSize, huffman, threads: options.threads, maxSentenceLength: options.maxSentenceLength });
  const shared = allocateTrainingMemory(layout);
  shared.input.set(start.input);
  // A layer the model has not used before (continuing with another objective) starts at zeros.
  if (options.negative > 0) {
    copyLayer(start.output, shared.output, 'negative-sampling output');
    buildUnigramTable(vocabulary.counts, options.tableSize, shared.table);
  }
  if (huffman) {
    copyLayer(start.hsOutput, shared.hsOutput, 'hierarchical-softmax');
    writeHuffmanPaths(shared, huffman);
  }
  keepProbabilities(vocabulary.counts, options.sample, vocabulary.totalCount, shared.keep);
  const trainedLayers = (): Pick<Word2VecModel, 'input' | 'output' | 'hsOutput'> => ({
    input: shared.input,
    output: options.negative > 0 ? shared.output : start.output,
    hsOutput: huffman ? shared.hsOutput : start.hsOutput,
  });
  // A model's position is honoured only when asked (`within`): a checkpoint used as init_from starts afresh.
  const model: Word2VecModel = { ...start, options, ...trainedLayers(), state: atEpochBoundary(start.state) };
  const within = request.within;
  if (within && (within.epoch !== startEpoch || within.threads.length !== options.threads)) {
    throw new Error(`the checkpoint stopped inside epoch ${within.epoch + 1} on ${within.threads.length} thread(s); resume it at that epoch with threads: ${within.threads.length}`);
  }
  const progress = new Float64Array(new SharedArrayBuffer(options.threads * PROGRESS_FIELDS * 8));
  // The counters of a stopped epoch go on from where they were; the words before it are the schedule's.
  within?.threads.forEach((thread, index) => {
    progress[index * PROGRESS_FIELDS + ProgressField.Words] = thread.words;
    progress[index * PROGRESS_FIELDS + ProgressField.Tokens] = thread.tokens;
  });
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_FIELDS * 4));
  const shares = await splitCorpus(request.files, options.threads);
  const scheduledWords = corpusWords * options.epochs;
  const wordsAlreadyDone = corpusWords * startEpoch;
  const kernels = await kernelModule();
  const workerEntry = word2vecWorkerPath();

  const workers = shares.map((segments, workerIndex) => {
    const setup: WorkerSetup = {
      workerIndex,
      threads: options.threads,
      words: [...vocabulary.words],
      segments,
      memory: shared.memory,
      kernels,
      kernelSettings: kernelSettings(layout, workerIndex, { window: options.window, shareNegatives: options.shareNegatives }),
      sentenceOffset: layout.threads[workerIndex]!.sentence,
      progress: progress.buffer,
      control: control.buffer,
      algorithm: options.algorithm,
      alpha: options.alpha,
      minAlpha: options.minAlpha,
      scheduledWords,
      wordsAlreadyDone,
      lowercase: options.lowercase,
      maxSentenceLength: options.maxSentenceLength,
    };
    return startWorker(workerEntry, setup);
  });

  const field = (worker: number, name: number): number => progress[worker * PROGRESS_FIELDS + name]!;
  const sum = (name: number): number => {
    let total = 0;
    for (let worker = 0; worker < options.threads; worker++) total += field(worker, name);
    return total;
  };
  const cancel = (): void => {
    Atomics.store(control, ControlField.Cancel, 1);
  };
  request.signal?.addEventListener('abort', cancel);
  if (request.signal?.aborted) cancel();

  const started = now();
  const summaries: EpochSummary[] = [];
  let cancelled = false;
  // What the run read before this call (a stopped epoch's part), left out of its rates.
  const readBefore = { words: sum(ProgressField.Words), tokens: sum(ProgressField.Tokens) };
  /** Each thread's words and tokens at the start of the current epoch (a resumed epoch: where it started). */
  let epochStart = { words: [] as number[], tokens: [] as number[], time: started };
  const report = (epoch: number): void => {
    if (!request.onProgress) return;
    const words = sum(ProgressField.Words);
    const elapsed = (now() - started) / 1000;
    const predictions = sum(ProgressField.Predictions);
    const epochLoss = sum(ProgressField.Loss);
    const rate = elapsed > 0 ? (words - readBefore.words) / elapsed : 0;
    const scheduleWords = wordsAlreadyDone + words;
    request.onProgress({
      epoch,
      epochs: options.epochs,
      words: scheduleWords,
      scheduledWords,
      epochLoss,
      epochMeanLoss: predictions > 0 ? epochLoss / predictions : 0,
      // The schedule's rate at the words read so far (each thread's own copy lags by at most a sentence).
      alpha: Math.max(options.minAlpha, options.alpha - (options.alpha - options.minAlpha) * Math.min(1, scheduleWords / scheduledWords)),
      wordsPerSecond: elapsed > 0 ? (sum(ProgressField.Tokens) - readBefore.tokens) / elapsed : 0,
      elapsedSeconds: elapsed,
      etaSeconds: rate > 0 ? (scheduledWords - scheduleWords) / rate : Number.POSITIVE_INFINITY,
    });
  };
  /** Where every thread stands inside `epoch` (the workers idle): what a checkpoint needs to go on from there. */
  /** Each thread's kernel state as its last epoch request ended. */
  const kernelStates: KernelState[] = [];
  const positionIn = (epoch: number): EpochPosition => ({
    epoch,
    threads: workers.map((_, thread): ThreadPosition => {
      const kernel = kernelStates[thread]!;
      return {
        lines: field(thread, ProgressField.Lines),
        words: field(thread, ProgressField.Words) - epochStart.words[thread]!,
        tokens: field(thread, ProgressField.Tokens) - epochStart.tokens[thread]!,
        loss: kernel.loss,
        predictions: kernel.predictions,
        random: kernel.random.toString(),
      };
    }),
  });

  try {
    for (let epoch = startEpoch; epoch < options.epochs && !cancelled; epoch++) {
      const resumed = epoch === startEpoch ? within : undefined;
      // Each thread starts the epoch from its kernel state: the epoch's own seed, or where a stopped one was.
      const starts = workers.map((_, thread) => resumed?.threads[thread] ?? freshEpoch(options.seed, model.state.runs, epoch, thread));
      starts.forEach((at, thread) => startThreadEpoch(progress, thread, at));
      epochStart = {
        words: workers.map((_, thread) => field(thread, ProgressField.Words) - (resumed?.threads[thread]!.words ?? 0)),
        tokens: workers.map((_, thread) => field(thread, ProgressField.Tokens) - (resumed?.threads[thread]!.tokens ?? 0)),
        time: now(),
      };
      const timer = request.onProgress ? setInterval(() => report(epoch), request.progressIntervalMs ?? 500) : undefined;
      try {
        const outcomes = await Promise.all(workers.map((worker, thread) => runWorkerEpoch(worker, epoch, resumed?.threads[thread]!.lines ?? 0, kernelStateAt(starts[thread]!))));
        outcomes.forEach((outcome, thread) => (kernelStates[thread] = outcome.state));
        cancelled = outcomes.some((outcome) => !outcome.completed);
      } finally {
        if (timer) clearInterval(timer);
      }
      report(epoch);
      if (cancelled) {
        model.state = { ...model.state, position: positionIn(epoch) };
        break;
      }
      const summary = epochSummary(epoch, sum, epochStart, now());
      summaries.push(summary);
      model.state = { ...model.state, epochsCompleted: model.state.epochsCompleted + 1, wordsProcessed: model.state.wordsProcessed + summary.words };
      await request.onEpoch?.(summary, model);
    }
  } finally {
    request.signal?.removeEventListener('abort', cancel);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  // A finished run counts; a stopped one does not, so resuming it draws the same random streams.
  if (!cancelled) model.state = { ...model.state, runs: model.state.runs + 1 };
  const seconds = (now() - started) / 1000;
  // Copies free the shared memory (tables, scratch) once the caller drops the views onEpoch saw.
  const layers = trainedLayers();
  const result: Word2VecModel = { ...model, input: Float32Array.from(layers.input), output: Float32Array.from(layers.output), hsOutput: Float32Array.from(layers.hsOutput) };
  return { model: result, epochs: summaries, cancelled, seconds, wordsPerSecond: seconds > 0 ? (sum(ProgressField.Tokens) - readBefore.tokens) / seconds : 0 };
}

/** A thread's state at the start of a fresh epoch: nothing read, zero totals, the epoch's own seed. */
function freshEpoch(seed: number, runs: number, epoch: number, thread: number): ThreadPosition {
  return { lines: 0, words: 0, tokens: 0, loss: 0, predictions: 0, random: epochRandomState(seed, runs, epoch, thread).toString() };
}

/** Sets a thread's epoch counters to `at` (a fresh epoch, or where a stopped one was); its kernels get `at` with the epoch. */
function startThreadEpoch(progress: Float64Array, thread: number, at: ThreadPosition): void {
  const slot = thread * PROGRESS_FIELDS;
  progress[slot + ProgressField.Loss] = at.loss;
  progress[slot + ProgressField.Predictions] = at.predictions;
  progress[slot + ProgressField.Lines] = at.lines;
}

function epochSummary(epoch: number, sum: (name: number) => number, start: { words: number[]; tokens: number[]; time: number }, time: number): EpochSummary {
  const loss = sum(ProgressField.Loss);
  const predictions = sum(ProgressField.Predictions);
  const total = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  return {
    epoch,
    loss,
    predictions,
    meanLoss: predictions > 0 ? loss / predictions : 0,
    words: sum(ProgressField.Words) - total(start.words),
    tokens: sum(ProgressField.Tokens) - total(start.tokens),
    seconds: (time - start.time) / 1000,
  };
}

/** A checkpoint's thread position as the kernel state its worker starts from. */
function kernelStateAt(at: ThreadPosition): KernelState {
  return { random: BigInt(at.random), loss: at.loss, predictions: at.predictions };
}

/** Posts one epoch to a worker, starting from `state`; resolves with whether it completed (not cancelled) and its kernel state then. */
async function runWorkerEpoch(worker: Worker, epoch: number, skipLines: number, state: KernelState): Promise<{ completed: boolean; state: KernelState }> {
  const reply = await workerRequest<FromWorker>(worker, { type: 'epoch', epoch, skipLines, state } satisfies ToWorker, `word2vec epoch ${epoch + 1}`);
  if (reply.type === 'epochDone') return { completed: !reply.cancelled, state: reply.state };
  throw new Error(`word2vec worker failed: ${reply.message}${reply.stack ? `\n${reply.stack}` : ''}`);
}
