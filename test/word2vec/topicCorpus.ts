// A corpus with planted structure for word2vec tests (each line draws its words from one topic only, so
// trained vectors must put each word's neighbours in its own topic), and a run stopped at an epoch boundary.
import { writeFile } from 'node:fs/promises';
import { saveFullModel } from '../../engine/word2vec/fullModel';
import type { Word2VecOptions } from '../../engine/word2vec/options';
import { Word2VecRandom } from '../../engine/word2vec/random';
import { trainWord2Vec, type TrainResult } from '../../engine/word2vec/trainer';

export const FRUIT = ['apple', 'banana', 'cherry', 'grape', 'lemon', 'mango', 'peach', 'pear', 'plum', 'kiwi'];
export const VEHICLES = ['car', 'bus', 'train', 'truck', 'bike', 'boat', 'plane', 'tram', 'van', 'taxi'];

/**
 * Writes 3,000 lines of 10 words, alternating topics. `skewed` draws words unevenly (earlier words of a
 * topic more often), so counts differ and a Huffman tree has real depth; otherwise uniformly.
 */
export async function writeTopicCorpus(file: string, seed: number, { skewed = false }: { skewed?: boolean } = {}): Promise<void> {
  const random = new Word2VecRandom(seed);
  const draw = (size: number): number => (skewed ? Math.floor(random.nextFloat() ** 2 * size) : random.nextInt(size));
  const lines = Array.from({ length: 3000 }, (_, i) => {
    const topic = i % 2 === 0 ? FRUIT : VEHICLES;
    return Array.from({ length: 10 }, () => topic[draw(topic.length)]!).join(' ');
  });
  await writeFile(file, lines.join('\n') + '\n');
}

/**
 * Trains `file` and, when the epoch with summary index 1 ends, saves the full model to `checkpoint` and
 * stops the run: a stopped run's epoch-boundary checkpoint, as the trainer writes one.
 */
export async function trainAndStopAfterSecondEpoch(file: string, options: Partial<Word2VecOptions>, checkpoint: string): Promise<TrainResult> {
  const stop = new AbortController();
  return trainWord2Vec({
    files: [file],
    options,
    signal: stop.signal,
    onEpoch: async (summary, model) => {
      if (summary.epoch !== 1) return;
      await saveFullModel(checkpoint, model);
      stop.abort();
    },
  });
}
