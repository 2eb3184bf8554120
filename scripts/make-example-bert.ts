/**
 * Writes examples/models/tiny-bert-spam/: a small random BERT (2 layers, hidden 128, 2 heads, FFN 512,
 * 512 positions) in Hugging Face layout, with a WordPiece vocabulary built from the example corpora.
 *   node --import tsx scripts/make-example-bert.ts
 * Deterministic (seeded weights, sorted counts): running it again gives the same bytes.
 *
 * The weights are random (no pretrained BERT can be downloaded here): the example shows the staged
 * schedule end to end, and full fine-tuning has to do the learning.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readDelimitedRecords } from '../engine/data/delimitedRecords';
import { writeTinyBertFolder } from '../test/fixtures/models/tinyBert';

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

async function main(): Promise<void> {
  const data = path.join(ROOT, 'examples', 'data');
  const texts = [
    ...(await csvTexts(path.join(data, 'spam-train.csv'))),
    ...(await readFile(path.join(data, 'sotu-slice.txt'), 'utf8')).split('\n'),
  ];
  const vocab = buildVocabulary(texts);
  await writeTinyBertFolder(FOLDER, {
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
  });
  console.log(`wrote ${path.relative(ROOT, FOLDER)}: ${vocab.length} tokens in the vocabulary`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
