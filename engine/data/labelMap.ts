// Class names ⇄ ids, built from the training labels and saved as Hugging Face's id2label/label2id.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomicWrite';
import { DataError } from './dataError';

const INTEGER_ID = /^(0|[1-9][0-9]*)$/;

/** `id2label`/`label2id` as in a Hugging Face config.json (object keys are strings in JSON). */
export interface LabelMapJson {
  readonly id2label: Record<string, string>;
  readonly label2id: Record<string, number>;
}

export class LabelMap {
  private readonly ids: ReadonlyMap<string, number>;

  private constructor(
    /** The class name of each id. */
    readonly names: readonly string[],
  ) {
    this.ids = new Map(names.map((name, id) => [name, id]));
    if (this.ids.size !== names.length) throw new Error('duplicate class names');
  }

  /**
   * The classes of the training labels. When every label is an integer id, ids keep their value (a
   * class between them that never occurs still gets its id); otherwise names are sorted by code
   * point, so the mapping depends only on the set of labels, not on file order or locale.
   */
  static fromLabels(labels: Iterable<string>): LabelMap {
    const distinct = [...new Set(labels)];
    if (distinct.length === 0) throw new Error('no labels');
    if (distinct.every((label) => INTEGER_ID.test(label))) {
      const largest = Math.max(...distinct.map(Number));
      return new LabelMap(Array.from({ length: largest + 1 }, (_, id) => String(id)));
    }
    return new LabelMap(distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Reads id2label (ids 0…n-1), checking label2id agrees when present. */
  static fromJson(json: unknown, where = 'label map'): LabelMap {
    const id2label = (json as Partial<LabelMapJson> | null)?.id2label;
    if (typeof id2label !== 'object' || id2label === null) throw new DataError(`${where}: no id2label object`);
    const entries = Object.entries(id2label);
    const names = new Array<string>(entries.length);
    for (const [key, name] of entries) {
      const id = Number(key);
      if (!INTEGER_ID.test(key) || id >= entries.length || typeof name !== 'string') throw new DataError(`${where}: id2label must map the ids 0…${entries.length - 1} to names (found ${JSON.stringify(key)}: ${JSON.stringify(name)})`);
      names[id] = name;
    }
    const map = new LabelMap(names);
    const label2id = (json as Partial<LabelMapJson>).label2id;
    if (label2id !== undefined) {
      for (const [name, id] of Object.entries(label2id)) {
        if (map.idOf(name) !== id) throw new DataError(`${where}: label2id gives "${name}" id ${String(id)}, id2label disagrees`);
      }
    }
    return map;
  }

  get size(): number {
    return this.names.length;
  }

  idOf(label: string): number | undefined {
    return this.ids.get(label);
  }

  toJson(): LabelMapJson {
    return {
      id2label: Object.fromEntries(this.names.map((name, id) => [String(id), name])),
      label2id: Object.fromEntries(this.names.map((name, id) => [name, id])),
    };
  }
}

export async function writeLabelMap(file: string, labels: LabelMap): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(labels.toJson(), null, 2) + '\n');
}

export async function readLabelMap(file: string): Promise<LabelMap> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new DataError(`cannot read the label map (${(error as Error).message})`, { file });
  }
  return LabelMap.fromJson(json, file);
}
