// The `word2vec` task: maps the resolved config onto engine/word2vec's trainer and reports as RunEvents.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import type { Neighbour, RunEpoch, RunStep } from '../../common/protocol/runEvents';
import type { Word2Vec } from '../../common/schema/config.generated';
import { driftReport, prepareContinuedTraining, type WordDrift } from '../word2vec/continueTraining';
import { loadFullModel, saveFullModel } from '../word2vec/fullModel';
import { atEpochBoundary, createModel, type Word2VecModel } from '../word2vec/model';
import { NearestNeighbours } from '../word2vec/neighbours';
import { resolveWord2VecOptions, type Word2VecOptions } from '../word2vec/options';
import { trainWord2Vec, type Word2VecProgress } from '../word2vec/trainer';
import { readVectors, writeVectorsBinary, writeVectorsText } from '../word2vec/vectorsFormat';
import { countWords, Vocabulary, type WordCounts } from '../word2vec/vocabulary';
import { VECTORS_BINARY, VECTORS_TEXT } from '../../common/vectorsFolder';
import { FULL_MODEL_FOLDER, locateVectors } from '../vectors/vectorsLocation';
import { corpusTextFiles } from './corpusText';
import { RunError } from './runError';
import { epochCheckpointDue } from './checkpoints';
import { abortedRun, RunHalt, stoppedRun } from './stopAndResume';
import type { TaskTrainer, TrainerContext, TrainerResult } from './trainerContext';
import { sectionOf } from '../config/resolvedConfig';

const NEIGHBOURS_PER_WATCH_WORD = 5;
const GROWTH_PREVIEW_WORDS = 20;
/** With init_from these come from the model being continued unless the config sets them. */
const INHERITED_FROM_INIT: (keyof Word2Vec)[] = ['algorithm', 'vector_size', 'window'];

type VectorsSnapshot = { words: readonly string[]; dim: number; vectors: Float32Array };

function trainerOptions(context: TrainerContext): Partial<Word2VecOptions> {
  const settings = sectionOf(context.config, 'word2vec');
  const written = (context.loaded.written.word2vec ?? {}) as Word2Vec;
  const inherit = (key: keyof Word2Vec): boolean => settings.init_from !== undefined && INHERITED_FROM_INIT.includes(key) && written[key] === undefined;
  const options: Partial<Word2VecOptions> = {
    algorithm: inherit('algorithm') ? undefined : settings.algorithm,
    vectorSize: inherit('vector_size') ? undefined : settings.vector_size,
    window: inherit('window') ? undefined : settings.window,
    minCount: settings.min_count,
    negative: settings.negative,
    hs: settings.hs,
    sample: settings.sample,
    epochs: settings.epochs,
    alpha: settings.alpha,
    minAlpha: settings.min_alpha,
    threads: settings.threads ?? availableParallelism(),
    seed: context.config.seed,
    lowercase: context.config.data.lowercase,
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

interface PreparedModel {
  model: Word2VecModel;
  wordCounts: WordCounts;
  /** The vectors continued training started from, for the drift report. */
  before?: VectorsSnapshot;
  /** What to tell the user once the run has started (resume point, vocabulary growth). */
  notices: { level: 'info' | 'warning'; message: string }[];
}

async function initialVectors(initFrom: string): Promise<VectorsSnapshot> {
  const location = await locateVectors(initFrom, 'full-model');
  if (location.kind === 'full-model') {
    const model = await loadFullModel(location.path);
    return { words: model.vocabulary.words, dim: model.dim, vectors: model.input };
  }
  return readVectors(location.path);
}

async function prepareModel(context: TrainerContext, files: string[], options: Partial<Word2VecOptions>): Promise<PreparedModel> {
  const initFrom = context.config.word2vec?.init_from;
  const notices: PreparedModel['notices'] = [];
  const log = (message: string, level: 'info' | 'warning' = 'info'): void => void notices.push({ level, message });
  if (context.resumeFrom) {
    const checkpoint = context.resumeFrom;
    const model = await loadFullModel(checkpoint.path);
    const wordCounts = await countWords(files, { lowercase: model.options.lowercase });
    const at = model.state.position ? `at word ${checkpoint.step}, inside epoch ${checkpoint.epoch + 1}` : `after epoch ${checkpoint.epoch}`;
    log(`Resuming from ${checkpoint.path} ${at}.`);
    return { model, wordCounts, notices, before: initFrom ? await initialVectors(initFrom) : undefined };
  }
  if (initFrom) {
    const location = await locateVectors(initFrom, 'full-model');
    const prepared = await prepareContinuedTraining(location.path, files, options);
    for (const notice of prepared.notices) log(notice, location.kind === 'vectors-file' && /output layer/.test(notice) ? 'warning' : 'info');
    const { newWords, newWordsBelowMinCount } = prepared.growth;
    const shown = newWords.slice(0, GROWTH_PREVIEW_WORDS).map((entry) => `${entry.word} (${entry.count})`);
    const more = newWords.length > shown.length ? `, … ${newWords.length - shown.length} more` : '';
    log(
      `Vocabulary growth: ${newWords.length} new words reach min_count=${prepared.model.options.minCount} and join the vocabulary${shown.length > 0 ? `: ${shown.join(', ')}${more}` : ''}. ` +
        `${newWordsBelowMinCount} new words fall below min_count and are left out.`,
    );
    return { model: prepared.model, wordCounts: prepared.wordCounts, notices, before: prepared.before };
  }
  const resolved = resolveWord2VecOptions(options);
  const wordCounts = await countWords(files, { lowercase: resolved.lowercase });
  if (wordCounts.totalTokens === 0) throw new RunError(`the corpus is empty: ${files.join(', ')} hold no words`, ['data', 'train']);
  const vocabulary = Vocabulary.fromCounts(wordCounts.counts, resolved.minCount);
  if (vocabulary.size === 0) {
    throw new RunError(`no word occurs at least min_count=${resolved.minCount} times (${wordCounts.counts.size} distinct words in ${wordCounts.totalTokens} tokens); lower word2vec.min_count or add text`, ['word2vec', 'min_count']);
  }
  return { model: createModel(vocabulary, resolved), wordCounts, notices };
}

function watchNeighbours(model: Word2VecModel, watchWords: readonly string[]): Record<string, Neighbour[]> | undefined {
  if (watchWords.length === 0) return undefined;
  const space = new NearestNeighbours(model.vocabulary.words, model.input, model.dim);
  const result: Record<string, Neighbour[]> = {};
  for (const word of watchWords) {
    const found = space.nearest(word, NEIGHBOURS_PER_WATCH_WORD);
    if (found) result[word] = found;
  }
  return result;
}

function describeDrift(drift: WordDrift): string {
  const list = (neighbours: Neighbour[]): string => neighbours.map((n) => n.word).join(', ') || '—';
  if (drift.status === 'missing') return `${drift.word}: in neither vocabulary`;
  if (drift.status === 'new') return `${drift.word}: new word; neighbours now ${list(drift.neighboursAfter)}`;
  return `${drift.word}: cosine ${drift.cosine!.toFixed(3)} to its old vector, ${drift.keptNeighbours}/${drift.neighboursAfter.length} neighbours kept (before: ${list(drift.neighboursBefore)}; after: ${list(drift.neighboursAfter)})`;
}

async function train(context: TrainerContext): Promise<TrainerResult> {
  const { config, folder } = context;
  const formats = config.output.formats ?? word2vecTrainer.defaultFormats;
  const classifierFormat = formats.find((format) => format === 'huggingface' || format === 'onnx');
  if (classifierFormat) throw new RunError(`output.formats: ${classifierFormat} is for classifiers; word vectors are written as word2vec-text and word2vec-binary`, ['output', 'formats']);
  const files = await corpusTextFiles(context);
  const options = trainerOptions(context);
  const { model, wordCounts, before, notices } = await prepareModel(context, files, options);
  const settings = resolveWord2VecOptions({ ...model.options, ...options });
  const vocabulary = model.vocabulary;

  const watchWords = config.word2vec?.watch_words ?? [];
  const unknown = watchWords.filter((word) => !vocabulary.has(word));
  if (unknown.length > 0) notices.push({ level: 'warning', message: `Watch words not in the vocabulary (no neighbours for them): ${unknown.join(', ')}.` });

  let corpusWords = 0;
  for (const [word, count] of wordCounts.counts) if (vocabulary.has(word)) corpusWords += count;
  if (corpusWords === 0) throw new RunError(`no word of ${files.join(', ')} is in the model's vocabulary`, ['data', 'train']);
  const totalEpochs = settings.epochs;
  const epochsDone = Math.min(context.resumeFrom?.epoch ?? 0, totalEpochs);
  const totalWords = corpusWords * totalEpochs;
  const wordsBefore = corpusWords * epochsDone;
  /** A checkpoint a stop wrote inside an epoch: every thread goes on from where it stood. */
  const within = context.resumeFrom ? model.state.position : undefined;

  context.started({
    totalSteps: totalWords,
    totalWords,
    epochs: totalEpochs,
    stages: [],
    backend: {
      name: 'wasm',
      device: `CPU: NLP Studio's WebAssembly word2vec kernels, ${settings.threads} worker thread${settings.threads === 1 ? '' : 's'}`,
      reason: 'word2vec always trains on its own WebAssembly kernels; `backend` chooses for fine-tuning',
    },
    ...(context.resumeFrom ? { resumedFrom: { epoch: context.resumeFrom.epoch, step: context.resumeFrom.step } } : {}),
  });
  context.emit({
    kind: 'log',
    level: 'info',
    message: `Vocabulary: ${vocabulary.size} words (min_count=${settings.minCount}) from ${wordCounts.totalTokens} tokens in ${files.length} file${files.length === 1 ? '' : 's'}; ${totalEpochs} epochs of ${corpusWords} words, ${settings.algorithm}, ${model.dim} dimensions.`,
  });

  for (const notice of notices) context.emit({ kind: 'log', ...notice });

  const halt = new RunHalt(context);
  const lossBroke = new AbortController();
  const history: RunEpoch[] = [...(context.resumeFrom?.epochs ?? [])];
  let wordsThisRun = 0;
  let nonFinite: { value: number; epoch: number; step: number } | undefined;
  const onProgress = (progress: Word2VecProgress): void => {
    // The trainer counts epochs and words from the run's start, resumed or not.
    const epoch = progress.epoch + 1;
    const step = progress.words;
    if (!Number.isFinite(progress.epochLoss)) {
      nonFinite ??= { value: progress.epochLoss, epoch, step };
      lossBroke.abort();
      return;
    }
    const event: RunStep = {
      kind: 'step',
      step,
      epoch,
      progress: totalWords > 0 ? Math.min(1, step / totalWords) : 1,
      loss: progress.epochMeanLoss,
      learningRate: progress.alpha,
      throughput: progress.wordsPerSecond,
      throughputUnit: 'words/s',
      ...(Number.isFinite(progress.etaSeconds) && { etaSeconds: progress.etaSeconds }),
      elapsedSeconds: context.elapsedSeconds(),
    };
    context.emit(event);
    context.logStep(event); // every progress report is a row: word2vec has no log_every_steps
  };
  const onEpoch = async (summary: { epoch: number; loss: number; meanLoss: number; words: number }, trained: Word2VecModel): Promise<void> => {
    const epoch = summary.epoch + 1;
    wordsThisRun += summary.words;
    const step = wordsBefore + wordsThisRun;
    if (!Number.isFinite(summary.loss)) {
      nonFinite ??= { value: summary.loss, epoch, step };
      throw nonFiniteError(nonFinite, settings.alpha);
    }
    const neighbours = watchNeighbours(trained, watchWords);
    const event: RunEpoch = { kind: 'epoch', epoch, step, trainLoss: summary.meanLoss, trainLossSum: summary.loss, ...(neighbours ? { neighbours } : {}) };
    history.push(event);
    context.emit(event);
    if (context.abortSignal.aborted || !epochCheckpointDue(context.config.output.checkpoint_every, epoch, totalEpochs)) return;
    await saveFullModel(context.checkpointPath(epoch), trained);
    await context.recordCheckpoint({ epoch, step, epochs: history });
  };

  let result: Awaited<ReturnType<typeof trainWord2Vec>> | undefined;
  try {
    if (epochsDone < totalEpochs) {
      result = await trainWord2Vec({
        files,
        options,
        model,
        wordCounts,
        startEpoch: epochsDone,
        ...(within && { within }),
        onProgress,
        onEpoch,
        signal: AbortSignal.any([halt.signal, lossBroke.signal]),
        progressIntervalMs: context.progressIntervalMs,
        now: () => context.now(),
      });
    }
  } finally {
    halt.dispose();
  }
  if (nonFinite) throw nonFiniteError(nonFinite, settings.alpha);
  const trained = result?.model ?? model;
  const epochsCompleted = epochsDone + (result?.epochs.length ?? 0);
  const lastEpoch = history[history.length - 1];
  const common = {
    task: 'word2vec',
    epochs: totalEpochs,
    epochsCompleted,
    vocabularySize: trained.vocabulary.size,
    dimensions: trained.dim,
    corpusTokens: wordCounts.totalTokens,
    trainLoss: lastEpoch?.trainLoss,
    trainLossSum: lastEpoch?.trainLossSum,
    lossPerEpoch: history.map((entry) => entry.trainLoss),
    wordsPerSecond: result?.wordsPerSecond ?? 0,
    neighbours: lastEpoch?.neighbours ?? watchNeighbours(trained, watchWords) ?? {},
  };

  if (result?.cancelled) {
    const position = trained.state.position;
    const wordsInto = position?.threads.reduce((words, thread) => words + thread.words, 0) ?? 0;
    const linesInto = position?.threads.reduce((lines, thread) => lines + thread.lines, 0) ?? 0;
    const point = {
      epoch: epochsCompleted,
      step: corpusWords * epochsCompleted + wordsInto,
      intoEpoch: linesInto,
      where: linesInto > 0 ? `epoch ${epochsCompleted + 1} of ${totalEpochs}, ${wordsInto} of ${corpusWords} words into it` : `after epoch ${epochsCompleted} of ${totalEpochs}`,
      epochs: history,
    };
    if (halt.reason === 'abort') return abortedRun(context, point, common);
    // The model of a stop inside an epoch carries where every thread stood (state.position).
    const saved = linesInto > 0 ? trained : { ...trained, state: atEpochBoundary(trained.state) };
    return stoppedRun(context, point, (dir) => saveFullModel(dir, saved), common);
  }

  // Written into the staging folder; the paths reported are where the files are once swapped in.
  const outputs: Record<string, string> = {};
  const words = trained.vocabulary.words;
  const write = async (key: string, name: string, writer: (file: string) => Promise<void>): Promise<void> => {
    await writer(path.join(context.modelDir, name));
    outputs[key] = path.join(folder.dir, name);
  };
  if (formats.includes('word2vec-text')) await write('vectorsText', VECTORS_TEXT, (file) => writeVectorsText(file, words, trained.input, trained.dim));
  if (formats.includes('word2vec-binary')) await write('vectorsBinary', VECTORS_BINARY, (file) => writeVectorsBinary(file, words, trained.input, trained.dim));
  await write('fullModel', FULL_MODEL_FOLDER, (file) => saveFullModel(file, trained));

  let drift: WordDrift[] | undefined;
  if (before && watchWords.length > 0) {
    drift = driftReport(before, { words, dim: trained.dim, vectors: trained.input }, watchWords, NEIGHBOURS_PER_WATCH_WORD);
    context.emit({ kind: 'log', level: 'info', message: `Drift of the watch words:\n${drift.map((entry) => `  ${describeDrift(entry)}`).join('\n')}` });
  }
  return { status: 'completed', summary: { ...common, trainingSeconds: result?.seconds ?? 0, files: outputs, ...(drift ? { drift } : {}) } };
}

function nonFiniteError(at: { value: number; epoch: number; step: number }, alpha: number): RunError {
  return new RunError(
    `The training loss became ${String(at.value)} in epoch ${at.epoch} (word ${at.step}); the run stopped and wrote no model. Lower word2vec.alpha (now ${alpha}) and train again.`,
    ['word2vec', 'alpha'],
  );
}

export const word2vecTrainer: TaskTrainer = {
  defaultFormats: ['word2vec-text', 'word2vec-binary'],
  // Its own WebAssembly SIMD kernels on worker threads, not TensorFlow.js.
  usesTensorBackend: () => false,
  train,
};
