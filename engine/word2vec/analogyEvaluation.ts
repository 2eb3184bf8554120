import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { NearestNeighbours } from './neighbours';

export interface AnalogySection {
  section: string;
  correct: number;
  incorrect: number;
  /** correct / (correct + incorrect); NaN when no question could be asked. */
  accuracy: number;
}

export interface AnalogyEvaluation {
  sections: AnalogySection[];
  /** gensim's "Total accuracy" over all sections. */
  total: AnalogySection;
  /** Questions skipped because a word is outside the (restricted) vocabulary. */
  skipped: number;
  questions: number;
}

export interface AnalogyOptions {
  /** Only the first N words (most frequent) answer and are asked about, as gensim's restrict_vocab. */
  restrictVocab?: number;
  /** Compare words upper-cased, as gensim's case_insensitive (default true). */
  caseInsensitive?: boolean;
}

/**
 * gensim's `evaluate_word_analogies` on a questions-words file (`: section` lines, then `a b c d`):
 * answers "a is to b as c is to ?" with 3CosAdd (argmax of cos(x, b) − cos(x, a) + cos(x, c)) over
 * the restricted vocabulary, excluding a, b and c.
 */
export async function evaluateAnalogies(neighbours: NearestNeighbours, file: string, options: AnalogyOptions = {}): Promise<AnalogyEvaluation> {
  const restrict = Math.min(options.restrictVocab ?? 300_000, neighbours.words.length);
  const caseInsensitive = options.caseInsensitive ?? true;
  const key = (word: string): string => (caseInsensitive ? word.toUpperCase() : word);
  const allowed = new Map<string, number>();
  for (let row = restrict - 1; row >= 0; row--) allowed.set(key(neighbours.words[row]!), row); // the most frequent casing wins
  const sections: AnalogySection[] = [];
  let current: AnalogySection | undefined;
  let skipped = 0;
  let questions = 0;
  const query = new Float32Array(neighbours.dim);
  let lineNumber = 0;
  for await (const raw of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    lineNumber++;
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith(':')) {
      current = { section: line.slice(1).trim(), correct: 0, incorrect: 0, accuracy: Number.NaN };
      sections.push(current);
      continue;
    }
    if (!current) throw new Error(`${file}:${lineNumber}: a question before the first ': section' line`);
    const words = line.split(/\s+/);
    if (words.length !== 4) throw new Error(`${file}:${lineNumber}: expected 4 words 'a b c d', found ${words.length}`);
    questions++;
    const rows = words.map((word) => allowed.get(key(word)));
    if (rows.some((row) => row === undefined)) {
      skipped++;
      continue;
    }
    const [a, b, c, expected] = rows as [number, number, number, number];
    const ua = neighbours.unitVector(a);
    const ub = neighbours.unitVector(b);
    const uc = neighbours.unitVector(c);
    for (let i = 0; i < query.length; i++) query[i] = ub[i]! - ua[i]! + uc[i]!;
    const [best] = neighbours.nearestToVector(query, 1, new Set([a, b, c]), restrict);
    if (best && key(best.word) === key(neighbours.words[expected]!)) current.correct++;
    else current.incorrect++;
  }
  const withAccuracy = (section: AnalogySection): AnalogySection => ({ ...section, accuracy: section.correct + section.incorrect > 0 ? section.correct / (section.correct + section.incorrect) : Number.NaN });
  const finished = sections.map(withAccuracy);
  const total = withAccuracy({
    section: 'Total accuracy',
    correct: finished.reduce((n, s) => n + s.correct, 0),
    incorrect: finished.reduce((n, s) => n + s.incorrect, 0),
    accuracy: Number.NaN,
  });
  return { sections: finished, total, skipped, questions };
}
