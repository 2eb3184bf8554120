// Entities of a token classifier with where they are in the text. transformers.js' token-classification
// pipeline gives each token's label, score, position in the sequence and decoded word, but no
// character offsets (its own "TODO"), and @huggingface/tokenizers gives none either; the editor needs
// them to mark entities, so tokens are found in the text here, in order, ignoring case and accents
// (uncased vocabularies lower-case and strip them), and grouped as transformers' "simple" strategy
// groups BIO/BIOES tags.
import type { PipelineEntity } from '../../common/protocol/engine';

/** One token as the pipeline reports it (`ignore_labels` left the others out). */
export interface TokenPrediction {
  readonly entity: string;
  readonly score: number;
  /** Position in the token sequence. */
  readonly index: number;
  /** The token decoded alone: `##ing`, ` Paris` (byte-level BPE), `paris` (uncased WordPiece). */
  readonly word: string;
}

/** A BIO/BIOES label's prefix and group: `B-PER` → B, PER; a label without one is an inside tag of itself. */
export function entityTag(entity: string): { prefix: 'B' | 'I' | 'E' | 'S'; group: string } {
  const prefix = entity[0];
  if (entity[1] === '-' && (prefix === 'B' || prefix === 'I' || prefix === 'E' || prefix === 'S')) return { prefix, group: entity.slice(2) };
  return { prefix: 'I', group: entity };
}

/** The text folded (lower case, no combining marks), with each folded character's index in the original. */
function fold(text: string): { folded: string; origins: number[] } {
  let folded = '';
  const origins: number[] = [];
  for (let i = 0; i < text.length; ) {
    const codePoint = text.codePointAt(i)!;
    const char = String.fromCodePoint(codePoint);
    for (const piece of char.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()) {
      folded += piece;
      for (let k = 0; k < piece.length; k++) origins.push(i);
    }
    i += char.length;
  }
  origins.push(text.length);
  return { folded, origins };
}

/** The characters of `word` (a decoded token) as they are searched for in the text. */
function searchable(word: string): string {
  return fold(word.trim().replace(/^##/, '').replace(/^[▁Ġ]/, '')).folded;
}

/**
 * The [start, end) of each token in `text`, searched from where the previous one ended (undefined
 * for a token not found, which then marks nothing).
 */
export function tokenSpans(text: string, words: readonly string[]): ({ start: number; end: number } | undefined)[] {
  const { folded, origins } = fold(text);
  let cursor = 0;
  return words.map((word) => {
    const target = searchable(word);
    if (target === '') return undefined;
    const at = folded.indexOf(target, cursor);
    if (at < 0) return undefined;
    cursor = at + target.length;
    return { start: origins[at]!, end: origins[at + target.length]! };
  });
}

/**
 * Groups consecutive tokens of one entity: a token continues the open entity when it follows it
 * directly, has the same group, and is not a B/S (a new entity) nor after an E/S (one that ended).
 */
export function groupEntities(text: string, tokens: readonly TokenPrediction[]): PipelineEntity[] {
  const ordered = [...tokens].sort((a, b) => a.index - b.index);
  const spans = tokenSpans(
    text,
    ordered.map((token) => token.word),
  );
  const entities: PipelineEntity[] = [];
  let open: { group: string; start: number; end: number; scores: number[]; lastIndex: number; closed: boolean } | undefined;
  const close = (): void => {
    if (open) entities.push({ group: open.group, start: open.start, end: open.end, text: text.slice(open.start, open.end), score: open.scores.reduce((a, b) => a + b, 0) / open.scores.length });
    open = undefined;
  };
  ordered.forEach((token, i) => {
    const span = spans[i];
    if (span === undefined) return;
    const { prefix, group } = entityTag(token.entity);
    const continues = open !== undefined && !open.closed && open.group === group && open.lastIndex + 1 === token.index && prefix !== 'B' && prefix !== 'S';
    if (!continues) {
      close();
      open = { group, start: span.start, end: span.end, scores: [], lastIndex: token.index, closed: false };
    }
    open!.end = span.end;
    open!.scores.push(token.score);
    open!.lastIndex = token.index;
    open!.closed = prefix === 'E' || prefix === 'S';
  });
  close();
  return entities;
}
