// A corpus with planted structure for word2vec tests: each line draws its words from one topic only, so
// trained vectors must put each word's neighbours in its own topic.
import { writeFile } from 'node:fs/promises';
import { Word2VecRandom } from '../../engine/word2vec/random';

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
