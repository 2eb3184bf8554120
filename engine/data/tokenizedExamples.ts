// Examples tokenised once, truncated to max_length and unpadded, stored flat (one Int32Array for all
// token ids, offsets per example) so batches of any shape can be cut from them cheaply.

/** What batching needs from a tokenizer; engine/models' ModelTokenizer is one. */
export interface BatchTokenizer {
  encode(texts: readonly string[], options: { maxLength: number }): {
    readonly inputIds: readonly (readonly number[])[];
    readonly attentionMask: readonly (readonly number[])[];
    readonly tokenTypeIds: readonly (readonly number[])[];
  };
  /** The id batches are padded with; 0 ([PAD] in BERT vocabularies) when absent. */
  readonly padTokenId?: number;
  /** The most ids `encode` gives a text for `maxLength` (word n-grams add ids); `maxLength` when absent. */
  longestFor?(maxLength: number): number;
  /** A text's ids without padding, when the tokenizer has them so (token types all 0): no `encode` round trip. */
  tokenIds?(text: string, maxLength: number): ArrayLike<number>;
}

export interface TokenizedExamples {
  readonly count: number;
  /** Tokens of example i (special tokens included): `tokenIds.subarray(offsets[i], offsets[i + 1])`. */
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
  readonly tokenIds: Int32Array;
  readonly tokenTypeIds: Int32Array;
  /** The class id of each example (single-label data; its first label, or −1, for multi-label data). */
  readonly labels: Int32Array;
  /** Multi-label data: [count × classes], 1 where a label applies. */
  readonly targets?: Uint8Array;
  readonly padTokenId: number;
}

export interface TokenizeOptions {
  readonly maxLength: number;
  /** Multi-label data: the number of classes, for `targets`. */
  readonly multiLabelClasses?: number;
  /** Texts per `encode` call: each call pads to its longest text, which is stripped again here. */
  readonly groupSize?: number;
}

/** Token ids per example, unpadded, with their token types (all 0 when absent). */
export interface TokenRows {
  readonly ids: readonly Int32Array[];
  readonly types?: readonly Int32Array[];
}

/** Tokenises `examples` in order; the padding `encode` adds (attention mask 0, at the end) is removed. */
export function tokenizeExamples(
  examples: readonly { readonly text: string; readonly labelIds: readonly number[] }[],
  tokenizer: BatchTokenizer,
  options: TokenizeOptions,
): TokenizedExamples {
  const unpadded = tokenizer.tokenIds?.bind(tokenizer);
  const rows = unpadded ? { ids: examples.map((example) => Int32Array.from(unpadded(example.text, options.maxLength))) } : encodedRows(examples, tokenizer, options);
  return packExamples(examples, rows, { padTokenId: tokenizer.padTokenId ?? 0, multiLabelClasses: options.multiLabelClasses });
}

/** Rows from `encode`, `groupSize` texts a call, with the padding each call adds cut off again. */
function encodedRows(examples: readonly { readonly text: string }[], tokenizer: BatchTokenizer, { maxLength, groupSize = 64 }: TokenizeOptions): TokenRows {
  const longest = tokenizer.longestFor?.(maxLength) ?? maxLength;
  const ids: Int32Array[] = [];
  const types: Int32Array[] = [];
  for (let start = 0; start < examples.length; start += groupSize) {
    const group = examples.slice(start, start + groupSize);
    const encoded = tokenizer.encode(
      group.map((example) => example.text),
      { maxLength },
    );
    group.forEach((_, row) => {
      const mask = encoded.attentionMask[row]!;
      let length = 0;
      while (length < mask.length && mask[length] === 1) length++;
      if (length > longest) throw new Error(`the tokenizer returned ${length} tokens for a text, more than max_length ${maxLength}`);
      ids.push(Int32Array.from(encoded.inputIds[row]!.slice(0, length)));
      types.push(Int32Array.from(encoded.tokenTypeIds[row]!.slice(0, length)));
    });
  }
  return { ids, types };
}

/** The examples' token rows stored flat, with their labels. */
export function packExamples(
  examples: readonly { readonly labelIds: readonly number[] }[],
  rows: TokenRows,
  { padTokenId, multiLabelClasses }: { padTokenId: number; multiLabelClasses?: number | undefined },
): TokenizedExamples {
  const count = examples.length;
  const lengths = Int32Array.from(rows.ids, (row) => row.length);
  const offsets = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) offsets[i + 1] = offsets[i]! + lengths[i]!;
  const tokenIds = new Int32Array(offsets[count]!);
  const tokenTypeIds = new Int32Array(offsets[count]!);
  for (let i = 0; i < count; i++) {
    tokenIds.set(rows.ids[i]!, offsets[i]);
    if (rows.types) tokenTypeIds.set(rows.types[i]!, offsets[i]);
  }
  const labels = Int32Array.from(examples, (example) => example.labelIds[0] ?? -1);
  let targets: Uint8Array | undefined;
  if (multiLabelClasses !== undefined) {
    targets = new Uint8Array(count * multiLabelClasses);
    examples.forEach((example, i) => example.labelIds.forEach((id) => (targets![i * multiLabelClasses + id] = 1)));
  }
  return { count, offsets, lengths, tokenIds, tokenTypeIds, labels, ...(targets ? { targets } : {}), padTokenId };
}
