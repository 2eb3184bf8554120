// `nlp-studio eval <vectors> --analogies FILE | --similarity FILE [--restrict-vocab N] [--case-sensitive] [--json]`:
// word-vector benchmarks scored as gensim's evaluate_word_analogies / evaluate_word_pairs score them.
// `nlp-studio eval <model-dir> <data-file>`: a folder with a config.json is a text classifier, scored
// on labelled data (classifierEvalCommand).
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { classifierEvalCommand } from './classifierEvalCommand';
import { VectorStore } from '../vectors/vectorStore';
import { evaluateAnalogies, type AnalogyEvaluation, type AnalogySection } from '../word2vec/analogyEvaluation';
import { NearestNeighbours } from '../word2vec/neighbours';
import { evaluateWordPairs, type SimilarityEvaluation } from '../word2vec/similarityEvaluation';
import type { CliIo } from './io';
import { errorText, notAFileReason } from '../io/fileErrors';

/** gensim's default restrict_vocab for both evaluations: only the 300 000 most frequent words take part. */
export const DEFAULT_RESTRICT_VOCAB = 300_000;

const USAGE =
  'usage: nlp-studio eval <vectors.txt|vectors.bin|run-folder> [--analogies questions-words.txt] [--similarity pairs.txt] [--restrict-vocab N] [--case-sensitive] [--json]\n' +
  '       nlp-studio eval <classifier-folder> <data.csv|.tsv|.jsonl> [--text-column C] [--label-column C] [--format csv|tsv|jsonl] [--json]\n';

/** What `--json` prints: one object on one line. */
export interface EvalReport {
  vectors: string;
  vocabularySize: number;
  dimensions: number;
  restrictVocab: number;
  analogies?: AnalogyEvaluation & { file: string };
  similarity?: SimilarityEvaluation & { file: string };
}

const percent = (value: number): string => (Number.isNaN(value) ? 'n/a' : `${(value * 100).toFixed(2)}%`);
const sectionLine = (section: AnalogySection): string => `${section.section}: ${percent(section.accuracy)} (${section.correct}/${section.correct + section.incorrect})`;

export interface EvalArgs {
  values: {
    analogies?: string;
    similarity?: string;
    'restrict-vocab'?: string;
    'case-sensitive'?: boolean;
    json?: boolean;
    'text-column'?: string;
    'label-column'?: string;
    format?: string;
  };
  positionals: string[];
}

/** A folder with a config.json holds a model (a classifier); word-vector run folders have none. */
async function isModelFolder(target: string): Promise<boolean> {
  return stat(join(target, 'config.json')).then((info) => info.isFile(), () => false);
}

/** `eval` on its parsed arguments; exit codes: 0 scored, 1 unreadable input, 2 usage. */
export async function evalCommand({ values, positionals }: EvalArgs, io: CliIo): Promise<number> {
  if (positionals[0] !== undefined && (await isModelFolder(resolve(io.cwd, positionals[0])))) {
    if (positionals.length !== 2 || values.analogies !== undefined || values.similarity !== undefined) {
      io.stderr(`nlp-studio eval: ${positionals[0]} is a classifier: give it and one labelled data file (CSV, TSV or JSONL)\n${USAGE}`);
      return 2;
    }
    const dataProblem = await notAFileReason(resolve(io.cwd, positionals[1]!));
    if (dataProblem !== undefined) {
      io.stderr(`nlp-studio eval: the data file ${positionals[1]}: ${dataProblem}\n`);
      return 2;
    }
    const options = { json: values.json ?? false, textColumn: values['text-column'], labelColumn: values['label-column'], format: values.format };
    return classifierEvalCommand(positionals[0], positionals[1]!, options, io);
  }
  if (positionals.length !== 1) {
    io.stderr(`nlp-studio eval: give one vectors file or run folder${positionals.length > 1 ? `, not ${positionals.length}` : ''}\n${USAGE}`);
    return 2;
  }
  if (values.analogies === undefined && values.similarity === undefined) {
    io.stderr(`nlp-studio eval: give --analogies FILE (questions-words format) and/or --similarity FILE (word pairs with scores)\n${USAGE}`);
    return 2;
  }
  const restrictVocab = values['restrict-vocab'] === undefined ? DEFAULT_RESTRICT_VOCAB : Number(values['restrict-vocab']);
  if (!Number.isInteger(restrictVocab) || restrictVocab < 1) {
    io.stderr(`nlp-studio eval: --restrict-vocab must be a positive integer, got ${JSON.stringify(values['restrict-vocab'])}\n`);
    return 2;
  }
  const target = resolve(io.cwd, positionals[0]!);
  for (const [option, file] of [['--analogies', values.analogies], ['--similarity', values.similarity]] as const) {
    const problem = file === undefined ? undefined : await notAFileReason(resolve(io.cwd, file));
    if (problem !== undefined) {
      io.stderr(`nlp-studio eval: ${option} ${file}: ${problem}\n`);
      return 2;
    }
  }
  if (!(await stat(target).then(() => true, () => false))) {
    io.stderr(`nlp-studio eval: no such file or folder: ${positionals[0]}\n`);
    return 2;
  }

  let report: EvalReport;
  try {
    const vectors = await new VectorStore().load(target);
    const space = new NearestNeighbours(vectors.words, vectors.vectors, vectors.dim);
    const caseInsensitive = !values['case-sensitive'];
    report = { vectors: vectors.source, vocabularySize: vectors.words.length, dimensions: vectors.dim, restrictVocab };
    if (values.analogies !== undefined) {
      const file = resolve(io.cwd, values.analogies);
      report.analogies = { file: values.analogies, ...(await evaluateAnalogies(space, file, { restrictVocab, caseInsensitive })) };
    }
    if (values.similarity !== undefined) {
      const file = resolve(io.cwd, values.similarity);
      report.similarity = { file: values.similarity, ...(await evaluateWordPairs(space, file, { restrictVocab, caseInsensitive })) };
    }
  } catch (error) {
    io.stderr(`nlp-studio eval: ${errorText(error)}\n`);
    return 1;
  }

  if (values.json) {
    io.stdout(`${JSON.stringify(report)}\n`);
    return 0;
  }
  const lines = [`${report.vectors}: ${report.vocabularySize} words × ${report.dimensions} dimensions; the ${Math.min(restrictVocab, report.vocabularySize)} most frequent take part (restrict_vocab ${restrictVocab}, as gensim)`];
  if (report.analogies) {
    const { sections, total, skipped, questions } = report.analogies;
    lines.push(`Analogies (${report.analogies.file}, 3CosAdd):`, ...sections.map((section) => `  ${sectionLine(section)}`), `  ${sectionLine(total)}`);
    lines.push(`  ${skipped} of ${questions} questions skipped: a word is outside the vocabulary`);
  }
  if (report.similarity) {
    const { spearman, pearson, pairs, skipped } = report.similarity;
    lines.push(`Similarity (${report.similarity.file}): Spearman ${spearman.toFixed(4)}, Pearson ${pearson.toFixed(4)} over ${pairs} pairs; ${skipped} skipped (out of vocabulary)`);
  }
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
