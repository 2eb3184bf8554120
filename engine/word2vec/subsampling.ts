/**
 * word2vec.c's frequent-word down-sampling: a word seen `count` times among `totalWords` is kept with
 * probability (sqrt(f / t) + 1) * t / f where f = count and t = sample * totalWords (values ≥ 1 mean
 * always kept). `sample = 0` keeps everything.
 */
export function keepProbabilities(counts: ArrayLike<number>, sample: number, totalWords: number, into: Float32Array = new Float32Array(counts.length)): Float32Array {
  const threshold = sample * totalWords;
  for (let word = 0; word < counts.length; word++) {
    const count = counts[word] ?? 0;
    into[word] = sample > 0 && count > 0 ? Math.min(1, (Math.sqrt(count / threshold) + 1) * (threshold / count)) : 1;
  }
  return into;
}
