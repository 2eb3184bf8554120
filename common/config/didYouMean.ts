// "Did you mean …?" suggestions for keys, enum values, column and file names.
import { distance } from 'fastest-levenshtein';

/** Candidates close enough to `word` to be a likely typo, closest first; empty when none is close. */
export function closeMatches(word: string, candidates: readonly string[], limit = 3): string[] {
  const lower = word.toLowerCase();
  // one edit for short words, two (a swapped pair) from four letters, three for long names
  const threshold = word.length <= 3 ? 1 : word.length <= 8 ? 2 : 3;
  return candidates
    .map((candidate) => {
      const other = candidate.toLowerCase();
      const score = other === lower ? 0 : other.startsWith(lower) && lower.length >= 3 ? 1 : distance(lower, other);
      return { candidate, score };
    })
    .filter(({ candidate, score }) => candidate !== word && score <= threshold)
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map(({ candidate }) => candidate);
}

export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  return closeMatches(word, candidates, 1)[0];
}
