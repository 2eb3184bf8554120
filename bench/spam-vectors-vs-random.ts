// Do pretrained word vectors help the embedding classifier? (issue 4: "On the spam data, vectors
// pretrained on SOTU + the mail bodies must beat random initialisation on the same split.")
//   node --import tsx bench/spam-vectors-vs-random.ts [--seed 42] [--stages head:3:1e-2,all:3:3e-3]
//        [--vectors <word2vec run folder>] [--pretrained-only] [--keep]
// 1. Pretrains word2vec (skip-gram, seed fixed, threads: 1 so the vectors are reproducible) through the
//    engine's own runTraining on examples/data/sotu-slice.txt + the bodies of spam-train.csv (not the
//    validation mails), tokenised as the classifier tokenises them (engine/data/wordTokenizer.ts), lowercased.
// 2. Trains the embedding classifier on spam-train.csv → spam-valid.csv with the same stages (the
//    first with the embeddings frozen, then everything): random embeddings vs those vectors.
// 3. For honesty, also trains the random start with its own schedule (the same epochs and rates,
//    nothing frozen: frozen random vectors teach nothing), and prints every accuracy and macro-F1.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunEvent } from '../common/protocol/runEvents';
import { loadLabelledData } from '../engine/data/labelledData';
import { wordTokens } from '../engine/data/wordTokenizer';
import { runTraining } from '../engine/run/runTraining';
import { dataWithDefaults } from '../engine/config/schemaDefaults';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
    /** Stages as name:epochs:learning_rate, the first with the embeddings frozen. */
    stages: { type: 'string', default: 'head:3:1e-2,all:3:3e-3' },
    /** Reuse vectors pretrained by an earlier --keep run instead of pretraining again. */
    vectors: { type: 'string' },
    /** Only the pretrained run (for exploring schedules). */
    'pretrained-only': { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const stages = values.stages.split(',').map((entry, index) => {
  const [name, epochs, learningRate] = entry.split(':');
  return { name: name!, epochs: Number(epochs), learningRate: Number(learningRate), freeze: index === 0 ? 'embeddings' : 'none' };
});
const describeStages = (list: typeof stages): string => list.map((stage) => `${stage.name} ${stage.epochs} epoch(s) at ${stage.learningRate}${stage.freeze === 'none' ? '' : ', embeddings frozen'}`).join(' → ');
const EXAMPLES = path.resolve(__dirname, '../examples');
const DATA = path.join(EXAMPLES, 'data');
const VECTOR_SIZE = 100;

/** The classifier settings both runs share; only `model.vectors` / `model.vector_size` differ. */
function classifierConfig(name: string, model: string, schedule: typeof stages): string {
  return `task: text-classification
name: ${name}
seed: ${seed}
model:
  type: embedding-classifier
${model}
  pooling: mean-max
  hidden_size: 64
  dropout: 0.2
data:
  train: ${JSON.stringify(path.join(DATA, 'spam-train.csv'))}
  validation: ${JSON.stringify(path.join(DATA, 'spam-valid.csv'))}
  max_length: 256
  lowercase: true
training:
  batch_size: 32
  weight_decay: 0.01
  warmup_ratio: 0.1
  stages:
${schedule.map((stage) => `    - { name: ${stage.name}, epochs: ${stage.epochs}, learning_rate: ${stage.learningRate}, freeze: ${stage.freeze} }`).join('\n')}
output:
  dir: runs
  keep_checkpoints: 1
`;
}

const WORD2VEC = (files: string[]): string => `task: word2vec
name: spam-sotu-vectors
seed: ${seed}
data:
  train: ${JSON.stringify(files)}
  format: text
  lowercase: true
word2vec:
  algorithm: skipgram
  vector_size: ${VECTOR_SIZE}
  window: 5
  min_count: 3
  negative: 5
  sample: 1e-3
  epochs: 5
  threads: 1
output:
  dir: runs
  formats: [word2vec-text]
`;

interface Outcome {
  accuracy: number;
  macroF1: number;
  seconds: number;
  coverage: string;
}

async function train(config: string, label: string): Promise<Outcome> {
  const started = performance.now();
  let coverage = '';
  let lastProgress = -1;
  const outcome = await runTraining(config, {
    onEvent: (event: RunEvent) => {
      if (event.kind === 'log' && event.message.startsWith('Vocabulary')) coverage = event.message;
      if (event.kind === 'log' && event.level !== 'info') process.stderr.write(`  [${label}] ${event.level}: ${event.message}\n`);
      if (event.kind === 'epoch') {
        const validation = event.validation ? `, validation accuracy ${event.validation.accuracy.toFixed(4)} macro-F1 ${event.validation.macroF1.toFixed(4)}` : '';
        process.stderr.write(`  [${label}] epoch ${event.epoch} (${event.stage}): train loss ${event.trainLoss.toFixed(4)}${validation}\n`);
      }
      if (event.kind === 'step' && Math.floor(event.progress * 10) > lastProgress) lastProgress = Math.floor(event.progress * 10);
    },
  });
  if (outcome.kind !== 'finished') throw new Error(`${label}: ${JSON.stringify(outcome)}`);
  const summary = outcome.summary as { validation?: { accuracy: number; macroF1: number } };
  if (!summary.validation) throw new Error(`${label}: no validation metrics`);
  return { accuracy: summary.validation.accuracy, macroF1: summary.validation.macroF1, seconds: (performance.now() - started) / 1000, coverage };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nlp-studio-spam-bench-'));
  try {
    // The mail bodies of the training split only: validation mails must not leak into the vectors.
    const data = await loadLabelledData({ data: dataWithDefaults({ train: [path.join(DATA, 'spam-train.csv')], validation: path.join(DATA, 'spam-valid.csv') }), seed });
    const mails = data.train.map((example) => wordTokens(example.text, { lowercase: true }).join(' ')).filter((line) => line !== '');
    const mailCorpus = path.join(dir, 'spam-train-bodies.txt');
    await writeFile(mailCorpus, `${mails.join('\n')}\n`);
    const sotu = path.join(DATA, 'sotu-slice.txt');
    const corpusWords = (await readFile(sotu, 'utf8')).split(/\s+/).filter(Boolean).length + mails.reduce((sum, line) => sum + line.split(' ').length, 0);

    let vectors = values.vectors;
    let w2vSeconds = 0;
    if (vectors === undefined) {
      const w2vConfig = path.join(dir, 'vectors.nlp.yaml');
      await writeFile(w2vConfig, WORD2VEC([sotu, mailCorpus]));
      process.stderr.write(`Pretraining word2vec (skip-gram, ${VECTOR_SIZE} dimensions, 5 epochs, seed ${seed}) on SOTU + ${mails.length} training mail bodies (${corpusWords} tokens)…\n`);
      const w2vStart = performance.now();
      const w2v = await runTraining(w2vConfig, { onEvent: () => undefined });
      if (w2v.kind !== 'finished') throw new Error(`word2vec: ${JSON.stringify(w2v)}`);
      w2vSeconds = (performance.now() - w2vStart) / 1000;
      vectors = path.join(dir, 'runs', 'spam-sotu-vectors');
    }
    // The random start's own schedule: the same epochs and rates, nothing frozen (frozen random vectors teach nothing).
    const unfrozen = stages.map((stage) => ({ ...stage, freeze: 'none' }));

    const randomConfig = path.join(dir, 'random.nlp.yaml');
    await writeFile(randomConfig, classifierConfig('spam-random', `  vector_size: ${VECTOR_SIZE}`, stages));
    const pretrainedConfig = path.join(dir, 'pretrained.nlp.yaml');
    await writeFile(pretrainedConfig, classifierConfig('spam-pretrained', `  vectors: ${JSON.stringify(vectors)}`, stages));
    const unfrozenConfig = path.join(dir, 'random-unfrozen.nlp.yaml');
    await writeFile(unfrozenConfig, classifierConfig('spam-random-unfrozen', `  vector_size: ${VECTOR_SIZE}`, unfrozen));

    process.stderr.write('Training the classifier from the pretrained vectors…\n');
    const pretrained = await train(pretrainedConfig, 'pretrained');
    if (values['pretrained-only']) {
      process.stdout.write(`pretrained, ${describeStages(stages)}: accuracy ${pretrained.accuracy.toFixed(4)}, macro-F1 ${pretrained.macroF1.toFixed(4)}\n`);
      return;
    }
    process.stderr.write('Training the classifier with random embeddings…\n');
    const random = await train(randomConfig, 'random');
    process.stderr.write('Training the classifier with random embeddings, nothing frozen…\n');
    const randomUnfrozen = await train(unfrozenConfig, 'random, unfrozen');

    const row = (name: string, outcome: Outcome): string => `${name.padEnd(22)} ${outcome.accuracy.toFixed(4).padStart(8)} ${outcome.macroF1.toFixed(4).padStart(9)} ${outcome.seconds.toFixed(0).padStart(6)} s`;
    const lines = [
      `spam-train.csv → spam-valid.csv (${data.train.length} training and ${data.validation.length} validation mails); seed ${seed}`,
      `stages: ${describeStages(stages)}`,
      values.vectors === undefined ? `word2vec pretraining: ${w2vSeconds.toFixed(0)} s` : `vectors: ${vectors}`,
      `random:     ${random.coverage}`,
      `pretrained: ${pretrained.coverage}`,
      '',
      `${'embeddings'.padEnd(22)} ${'accuracy'.padStart(8)} ${'macro-F1'.padStart(9)} ${'time'.padStart(8)}`,
      row('random', random),
      row('pretrained (SOTU+mail)', pretrained),
      `${'difference'.padEnd(22)} ${(pretrained.accuracy - random.accuracy >= 0 ? '+' : '') + (pretrained.accuracy - random.accuracy).toFixed(4).padStart(7)} ${(pretrained.macroF1 - random.macroF1 >= 0 ? '+' : '') + (pretrained.macroF1 - random.macroF1).toFixed(4).padStart(8)}`,
      pretrained.macroF1 > random.macroF1 ? 'Pretrained vectors win on macro-F1.' : 'Pretrained vectors do NOT win on macro-F1.',
      '',
      `random embeddings with nothing frozen (${describeStages(unfrozen)}), the random start's own schedule:`,
      row('random, unfrozen', randomUnfrozen),
      `${'pretrained − this'.padEnd(22)} ${(pretrained.accuracy - randomUnfrozen.accuracy >= 0 ? '+' : '') + (pretrained.accuracy - randomUnfrozen.accuracy).toFixed(4).padStart(7)} ${(pretrained.macroF1 - randomUnfrozen.macroF1 >= 0 ? '+' : '') + (pretrained.macroF1 - randomUnfrozen.macroF1).toFixed(4).padStart(8)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (values.keep) process.stderr.write(`Kept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
