// `nlp-studio eval` as users run it: the CLI bundled by esbuild into a temporary folder, spawned on
// vectors written here; the scores are checked against gensim's own evaluators when gensim is installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from '../fixtures/engine/bundleOptions';
import type { EvalReport } from '../../engine/cli/evalCommand';
import { Word2VecRandom } from '../../engine/word2vec/random';
import { writeVectorsBinary, writeVectorsText } from '../../engine/word2vec/vectorsFormat';

const root = resolve(__dirname, '../..');
const folder = mkdtempSync(join(tmpdir(), 'nlp-studio-eval-'));
const cli = join(folder, 'cli.js');
const PYTHON = '/usr/bin/python3';
const gensimMissing = spawnSync(PYTHON, ['-c', 'import gensim'], { encoding: 'utf8' }).status !== 0;

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: folder, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// 40 random words, plus planted analogies (d = b − a + c exactly) so that some questions are surely right.
const random = new Word2VecRandom(21);
const dim = 8;
const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
const vectors = Float32Array.from({ length: words.length * dim }, () => random.nextFloat() * 2 - 1);
const planted: string[] = [];
for (let q = 0; q < 6; q++) {
  const [a, b, c] = [q * 3, q * 3 + 1, q * 3 + 2];
  planted.push(`${words[a]} ${words[b]} ${words[c]} planted${q}`);
}
words.push(...planted.map((_, q) => `planted${q}`));
const allVectors = new Float32Array(words.length * dim);
allVectors.set(vectors);
for (let q = 0; q < 6; q++) {
  const [a, b, c] = [q * 3, q * 3 + 1, q * 3 + 2];
  for (let i = 0; i < dim; i++) allVectors[(40 + q) * dim + i] = vectors[b * dim + i]! - vectors[a * dim + i]! + vectors[c * dim + i]!;
}
const randomQuestions = Array.from({ length: 60 }, () => Array.from({ length: 4 }, () => (random.nextFloat() < 0.05 ? 'missingword' : words[random.nextInt(words.length)]!)).join(' '));
const questions = [': planted', ...planted, ': random', ...randomQuestions.slice(0, 30), ': more-random', ...randomQuestions.slice(30)].join('\n') + '\n';
const pairs = Array.from({ length: 30 }, () => `${words[random.nextInt(words.length)]}\t${random.nextFloat() < 0.1 ? 'missingword' : words[random.nextInt(words.length)]}\t${(random.nextInt(20) / 2).toFixed(1)}`).join('\n') + '\n';

describe('nlp-studio eval', () => {
  before(async () => {
    await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: [join(root, 'engine/cli.ts')], outfile: cli });
    await writeVectorsText(join(folder, 'vectors.txt'), words, allVectors, dim);
    mkdirSync(join(folder, 'run'));
    await writeVectorsBinary(join(folder, 'run', 'vectors.bin'), words, allVectors, dim);
    writeFileSync(join(folder, 'questions.txt'), questions);
    writeFileSync(join(folder, 'pairs.tsv'), pairs);
    writeFileSync(join(folder, 'bad.txt'), '3 8\nw0 1 2 3\n');
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('prints per-section and total accuracy like gensim, planted analogies all correct', () => {
    const result = run(['eval', 'vectors.txt', '--analogies', 'questions.txt']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /vectors\.txt: 46 words × 8 dimensions; the 46 most frequent take part \(restrict_vocab 300000, as gensim\)/);
    assert.match(result.stdout, /\n {2}planted: 100\.00% \(6\/6\)\n {2}random: [\d.]+% \(\d+\/\d+\)\n {2}more-random: [\d.]+% \(\d+\/\d+\)\n {2}Total accuracy: [\d.]+% \(\d+\/\d+\)\n/);
    assert.match(result.stdout, / questions skipped: a word is outside the vocabulary\n/);
  });

  it('--json on a run folder scores the same as gensim evaluate_word_analogies and evaluate_word_pairs', { skip: gensimMissing ? 'gensim is not installed for /usr/bin/python3 (apt-get install python3-gensim)' : false }, () => {
    const result = run(['eval', 'run', '--analogies', 'questions.txt', '--similarity', 'pairs.tsv', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as EvalReport;
    assert.equal(report.vectors, join(folder, 'run', 'vectors.bin'));
    const script = `
import json, sys
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=True)
score, sections = kv.evaluate_word_analogies(sys.argv[2])
pearson, spearman, oov = kv.evaluate_word_pairs(sys.argv[3])
print(json.dumps({'score': score, 'sections': [[s['section'], len(s['correct']), len(s['incorrect'])] for s in sections], 'spearman': spearman[0], 'pearson': pearson[0]}))`;
    const gensim = spawnSync(PYTHON, ['-c', script, join(folder, 'run', 'vectors.bin'), join(folder, 'questions.txt'), join(folder, 'pairs.tsv')], { encoding: 'utf8' });
    assert.equal(gensim.status, 0, gensim.stderr);
    const expected = JSON.parse(gensim.stdout) as { score: number; sections: [string, number, number][]; spearman: number; pearson: number };
    const ours = [...report.analogies!.sections, report.analogies!.total].map((s) => [s.section, s.correct, s.incorrect]);
    assert.deepEqual(ours, expected.sections);
    assert.ok(Math.abs(report.analogies!.total.accuracy - expected.score) < 1e-12);
    assert.ok(Math.abs(report.similarity!.spearman - expected.spearman) < 1e-6, `${report.similarity!.spearman} vs ${expected.spearman}`);
    assert.ok(Math.abs(report.similarity!.pearson - expected.pearson) < 1e-5, `${report.similarity!.pearson} vs ${expected.pearson}`);
  });

  it('exits 2 on usage errors and 1 with file and line on a damaged vectors file', () => {
    const none = run(['eval', 'vectors.txt']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give --analogies FILE/);
    assert.equal(run(['eval', '--analogies', 'questions.txt']).code, 2);
    const missing = run(['eval', 'vectors.txt', '--analogies', 'nope.txt']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--analogies file not found: nope\.txt/);
    assert.equal(run(['eval', 'vectors.txt', '--analogies', 'questions.txt', '--restrict-vocab', '0']).code, 2);
    assert.equal(run(['eval', 'vectors.txt', '--bogus']).code, 2);
    const damaged = run(['eval', 'bad.txt', '--analogies', 'questions.txt']);
    assert.equal(damaged.code, 1);
    assert.match(damaged.stderr, /bad\.txt:2: expected 8 values after the word "w0"/);
  });

  it('--restrict-vocab limits the words that take part', () => {
    const result = run(['eval', 'vectors.txt', '--analogies', 'questions.txt', '--restrict-vocab', '40', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as EvalReport;
    assert.equal(report.restrictVocab, 40);
    // The planted answers are rows 40–45: outside the 40 most frequent, so those questions are skipped.
    assert.deepEqual([report.analogies!.sections[0]!.correct, report.analogies!.sections[0]!.incorrect], [0, 0]);
  });
});
