/**
 * What a stage's `freeze` value means for a model's parameter groups. Pure: it works on group names
 * (`embeddings`, `encoder.layer.N`, and head groups such as `pooler` and `classifier`), so the same
 * rules serve BERT and the word-vector classifier (groups `embeddings` and `head`, no layers).
 *
 * The head is every group that is neither `embeddings` nor an encoder layer: for BERT the pooler and
 * the classifier. The pooler trains whenever the head does, because it sits above every encoder layer
 * (and is initialised fresh when a checkpoint lacks it). The encoder is the embeddings and the layers,
 * so for the word-vector classifier `encoder` and `embeddings` mean the same: its vectors are frozen.
 */

/** A parsed `freeze` value (schema pattern `^(encoder|embeddings|none|all-but-top-[1-9][0-9]*)$`). */
export type FreezeSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'embeddings' }
  | { readonly kind: 'encoder' }
  | { readonly kind: 'all-but-top'; readonly top: number };

/** Which groups train in a stage, in the order the model lists them. */
export interface FreezePlan {
  readonly spec: FreezeSpec;
  readonly trainable: readonly string[];
  readonly frozen: readonly string[];
  /** Embeddings and every encoder layer are frozen (all but the head): what feeds the head can be computed once and cached. */
  readonly encoderFrozen: boolean;
}

const FREEZE_PATTERN = /^(encoder|embeddings|none|all-but-top-([1-9][0-9]*))$/;
const LAYER_GROUP = /^encoder\.layer\.(0|[1-9][0-9]*)$/;

/** Parses a stage's `freeze` value (the run's config has the schema default filled in). */
export function parseFreeze(text: string): FreezeSpec {
  const match = FREEZE_PATTERN.exec(text);
  if (match === null) {
    throw new Error(`freeze: "${text}" is not one of encoder, embeddings, none or all-but-top-N (N ≥ 1)`);
  }
  if (match[2] !== undefined) return { kind: 'all-but-top', top: Number(match[2]) };
  return { kind: text as 'none' | 'embeddings' | 'encoder' };
}

/**
 * Splits `groupNames` (the model's groups) into trainable and frozen for `freeze`. The encoder layers
 * must be numbered 0…L−1; "top N" are the N with the highest indices (nearest the head).
 */
export function planFreeze(freeze: FreezeSpec | string, groupNames: Iterable<string>): FreezePlan {
  const spec = typeof freeze === 'object' ? freeze : parseFreeze(freeze);
  const names = [...groupNames];
  const layerOf = (name: string): number | undefined => {
    const match = LAYER_GROUP.exec(name);
    return match === null ? undefined : Number(match[1]);
  };
  const layers = names.map(layerOf).filter((layer): layer is number => layer !== undefined);
  const layerCount = layers.length;
  const sorted = [...layers].sort((a, b) => a - b);
  if (sorted.some((layer, index) => layer !== index)) {
    throw new Error(`encoder layer groups must be numbered 0…${layerCount - 1}; got ${sorted.join(', ')}`);
  }
  if (spec.kind === 'all-but-top' && spec.top > layerCount) {
    const largest = layerCount === 0 ? 'this model has no encoder layers: use "none" or "embeddings"' : `use at most all-but-top-${layerCount}`;
    throw new Error(
      `freeze: all-but-top-${spec.top} asks for the top ${spec.top} encoder layers to train, but the model has ${layerCount}; ${largest}`,
    );
  }

  const trains = (name: string): boolean => {
    const layer = layerOf(name);
    const isEmbeddings = name === 'embeddings';
    switch (spec.kind) {
      case 'none':
        return true;
      case 'embeddings':
        return !isEmbeddings;
      case 'encoder':
        return !isEmbeddings && layer === undefined;
      case 'all-but-top':
        if (isEmbeddings) return false;
        return layer === undefined || layer >= layerCount - spec.top;
    }
  };
  const trainable = names.filter(trains);
  const frozen = names.filter((name) => !trains(name));
  const encoderFrozen = names.every((name) => (name === 'embeddings' || layerOf(name) !== undefined ? !trains(name) : true));
  return { spec, trainable, frozen, encoderFrozen };
}

/** The parameters of the trainable groups, in group order (e.g. from `EncoderClassifier.groups`). */
export function trainableParameters<T>(groups: ReadonlyMap<string, readonly T[]>, plan: FreezePlan): T[] {
  return plan.trainable.flatMap((name) => {
    const members = groups.get(name);
    if (members === undefined) throw new Error(`the model has no parameter group ${name}`);
    return [...members];
  });
}

/** A line for logs and the panel, e.g. "trains encoder.layer.2–3, pooler, classifier; frozen: embeddings, encoder.layer.0–1". */
export function describeFreezePlan(plan: FreezePlan): string {
  const list = (names: readonly string[]): string => {
    const layers = names.map((name) => LAYER_GROUP.exec(name)?.[1]).filter((layer): layer is string => layer !== undefined);
    const others = names.filter((name) => !LAYER_GROUP.test(name));
    const parts = [...others];
    if (layers.length > 0) {
      const first = layers[0] ?? '';
      const last = layers[layers.length - 1] ?? '';
      parts.splice(names[0] === 'embeddings' ? 1 : 0, 0, layers.length === 1 ? `encoder.layer.${first}` : `encoder.layer.${first}–${last}`);
    }
    return parts.length === 0 ? 'nothing' : parts.join(', ');
  };
  return `trains ${list(plan.trainable)}; frozen: ${list(plan.frozen)}`;
}
