/**
 * Writes examples/models/tiny-bert-spam/: a small BERT (2 layers, hidden 128, 2 heads, FFN 512,
 * 512 positions) in Hugging Face layout, with a WordPiece vocabulary built from the example corpora.
 *   node --import tsx scripts/make-example-bert.ts [--scale 1] [--attention-scale 4] [--random]
 * Deterministic (seeded weights, sorted counts, word2vec with one thread and a fixed seed): running it
 * again gives the same bytes.
 *
 * No pretrained BERT can be downloaded here, so the model stands in for one: the encoder layers are
 * random, but the word-embedding rows start from word2vec vectors that NLP Studio's own word2vec
 * trainer learns first on the SOTU slice and the training e-mails (never the validation file). A row
 * gets the vector of its token (a whole word or a punctuation mark) or, for a `##piece`, of the piece
 * as a word when there is one; the other rows stay random. The vectors are rescaled so that the rows
 * they fill have a mean norm of --scale (the random rows' norm is about 0.23, like the position and
 * type embeddings the embedding LayerNorm adds them to). Random layers attend nearly uniformly and
 * keep their residual stream, so [CLS]'s final state carries a projection of the text's mean word
 * vector. At BERT's initialisation (0.02) that projection is tiny next to [CLS]'s own state (about
 * 1.4% of its norm): separable (logistic regression on standardised features: 97% validation
 * accuracy) but the head needs ~140 epochs to find it. --attention-scale multiplies the value and
 * attention-output projections (default 4: std 0.08), so the context reaches [CLS] at about 23% of
 * its norm, as in a trained encoder, and the head learns in a few epochs. --random skips word2vec and
 * the attention scaling (all random, as before).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readDelimitedRecords } from '../common/data/delimitedRecords';
import { writeSafetensors } from '../engine/models/safetensors';
import { runTraining } from '../engine/run/runTraining';
import { readVectors } from '../engine/word2vec/vectorsFormat';
import { tinyBertWeights, writeTinyBertFolder, type TinyBertOptions } from '../test/fixtures/models/tinyBert';

const ROOT = path.resolve(__dirname, '..');
const FOLDER = path.join(ROOT, 'examples', 'models', 'tiny-bert-spam');
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
/** Whole words kept (by frequency) and word-final ## pieces kept for the words left out. */
const WHOLE_WORDS = 3500;
const CONTINUATIONS = 400;

/** BERT's normaliser and pre-tokeniser (lowercase, strip accents, split on whitespace and punctuation). */
export function preTokenize(text: string): string[] {
  const normalised = text.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '').replace(/[\p{Cc}\p{Cf}]/gu, ' ');
  return normalised.match(/[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]/gu) ?? [];
}

/** The `text` column of a CSV file with a header. */
async function csvTexts(file: string): Promise<string[]> {
  const texts: string[] = [];
  let column = -1;
  for await (const record of readDelimitedRecords(file, ',')) {
    if (column < 0) column = record.fields.indexOf('text');
    else if (record.fields[column] !== undefined) texts.push(record.fields[column]!);
  }
  return texts;
}

export function buildVocabulary(texts: readonly string[]): string[] {
  const words = new Map<string, number>();
  for (const text of texts) for (const word of preTokenize(text)) words.set(word, (words.get(word) ?? 0) + 1);
  const byCount = (a: [string, number], b: [string, number]): number => b[1] - a[1] || (a[0] < b[0] ? -1 : 1);
  const chars = new Set<string>();
  for (let code = 33; code < 127; code++) chars.add(String.fromCharCode(code));
  for (const word of words.keys()) for (const c of word) chars.add(c);
  const characters = [...chars].sort();
  const vocab = new Set<string>([...SPECIALS, ...characters, ...characters.map((c) => `##${c}`)]);
  const ranked = [...words].filter(([word]) => word.length > 1).sort(byCount);
  for (const [word] of ranked.slice(0, WHOLE_WORDS)) vocab.add(word);
  // Endings of the words left out, so they split into a stem and a suffix rather than letters.
  const endings = new Map<string, number>();
  for (const [word, count] of ranked.slice(WHOLE_WORDS)) {
    for (let length = 2; length <= 4 && length < word.length; length++) {
      const piece = `##${word.slice(-length)}`;
      endings.set(piece, (endings.get(piece) ?? 0) + count);
    }
  }
  for (const [piece] of [...endings].sort(byCount).slice(0, CONTINUATIONS)) vocab.add(piece);
  return [...vocab];
}

/** The word2vec run's settings (vector_size is the hidden size). */
const WORD2VEC = {
  algorithm: 'skipgram',
  window: 5,
  min_count: 3,
  negative: 5,
  sample: 1e-3,
  epochs: 10,
  alpha: 0.025,
  min_alpha: 0.0001,
  threads: 1, // one thread: the same vectors, bit for bit
};

/**
 * Trains word2vec on `texts` (one per line, pre-tokenised as BERT's tokenizer does, so the words
 * match the vocabulary) through the engine's own trainer, in a temporary folder.
 */
async function trainWordVectors(texts: readonly string[], dim: number, seed: number): Promise<Map<string, Float32Array>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tiny-bert-w2v-'));
  try {
    const lines = texts.map((text) => preTokenize(text).join(' ')).filter((line) => line.length > 0);
    await writeFile(path.join(dir, 'corpus.txt'), `${lines.join('\n')}\n`);
    const settings = Object.entries({ vector_size: dim, ...WORD2VEC }).map(([key, value]) => `  ${key}: ${value}`);
    const config = [
      'task: word2vec',
      'name: tiny-bert-word-vectors',
      `seed: ${seed}`,
      'data:',
      '  train: corpus.txt',
      '  format: text',
      '  lowercase: false   # already lowercased by preTokenize',
      'word2vec:',
      ...settings,
      'output:',
      '  dir: runs',
      '  formats: [word2vec-binary]',
      '',
    ].join('\n');
    await writeFile(path.join(dir, 'word2vec.nlp.yaml'), config);
    const outcome = await runTraining(path.join(dir, 'word2vec.nlp.yaml'), {
      onEvent: (event) => {
        if (event.kind === 'log' && event.level !== 'info') console.warn(event.message);
      },
    });
    if (outcome.kind !== 'finished' || outcome.status !== 'completed') throw new Error(`word2vec failed: ${outcome.kind === 'failed' ? outcome.message : outcome.status}`);
    const read = await readVectors(path.join(outcome.runDir, 'vectors.bin'));
    const vectors = new Map<string, Float32Array>();
    read.words.forEach((word, row) => vectors.set(word, read.vectors.slice(row * read.dim, (row + 1) * read.dim)));
    console.log(`word2vec: ${read.words.length} words × ${read.dim} from ${lines.length} lines`);
    return vectors;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Fills the word-embedding rows whose token has a vector (a `##piece` takes the piece's), scaled so the
 * filled rows' mean norm is `scale`. Returns how many rows were filled.
 */
export function initialiseWordEmbeddings(table: Float32Array, vocab: readonly string[], vectors: ReadonlyMap<string, Float32Array>, dim: number, scale: number): number {
  const rows: [number, Float32Array][] = [];
  vocab.forEach((token, row) => {
    if (SPECIALS.includes(token)) return;
    const vector = vectors.get(token.startsWith('##') ? token.slice(2) : token);
    if (vector) rows.push([row, vector]);
  });
  if (rows.length === 0) return 0;
  let normSum = 0;
  for (const [, vector] of rows) normSum += Math.hypot(...vector);
  const factor = scale / (normSum / rows.length);
  for (const [row, vector] of rows) for (let i = 0; i < dim; i++) table[row * dim + i] = vector[i]! * factor;
  return rows.length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scale: { type: 'string', default: '1' }, 'attention-scale': { type: 'string', default: '4' }, random: { type: 'boolean', default: false } },
  });
  const data = path.join(ROOT, 'examples', 'data');
  const trainTexts = await csvTexts(path.join(data, 'spam-train.csv'));
  const texts = [...trainTexts, ...(await readFile(path.join(data, 'sotu-slice.txt'), 'utf8')).split('\n')];
  const vocab = buildVocabulary(texts);
  const options: TinyBertOptions = {
    seed: 42,
    vocab,
    hiddenSize: 128,
    numHiddenLayers: 2,
    numAttentionHeads: 2,
    intermediateSize: 512,
    maxPositionEmbeddings: 512,
    initializerRange: 0.02,
    // A pretrained encoder as `BertModel.save_pretrained` writes it: no classifier head, which the
    // trainer adds for the config's labels. Half precision keeps the committed folder near 2 MB.
    withoutHead: true,
    dtype: 'F16',
  };
  await writeTinyBertFolder(FOLDER, options);
  if (!values.random) {
    const dim = options.hiddenSize!;
    // SOTU first, then the training e-mails (the corpus the vocabulary came from).
    const vectors = await trainWordVectors([...texts.slice(trainTexts.length), ...trainTexts], dim, 42);
    const weights = tinyBertWeights(options);
    const table = weights.get('bert.embeddings.word_embeddings.weight');
    if (!table) throw new Error('no bert.embeddings.word_embeddings.weight');
    const filled = initialiseWordEmbeddings(table.data, vocab, vectors, dim, Number(values.scale));
    // Larger value and attention-output projections, so attention carries the text into [CLS].
    const attentionScale = Number(values['attention-scale']);
    if (attentionScale !== 1) {
      for (const [name, tensor] of weights) {
        if (/attention\.(self\.value|output\.dense)\.weight$/.test(name)) for (let i = 0; i < tensor.data.length; i++) tensor.data[i]! *= attentionScale;
      }
    }
    await writeSafetensors(path.join(FOLDER, 'model.safetensors'), weights, { format: 'pt' });
    console.log(`word embeddings: ${filled} of ${vocab.length} rows (${((100 * filled) / vocab.length).toFixed(1)}%) from word2vec, mean norm ${values.scale}`);
  }
  console.log(`wrote ${path.relative(ROOT, FOLDER)}: ${vocab.length} tokens in the vocabulary`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
