// Models kept loaded for the editor: the few used last stay in memory (a model is loaded in seconds
// but predicts in milliseconds), and one whose files changed on disk is loaded again. Classifiers
// and transformers.js pipelines are both kept this way.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';

interface Entry<T> {
  readonly stamp: string;
  readonly model: Promise<T>;
  /** Requests using the model now: an evicted entry is disposed when the last one ends. */
  users: number;
  evicted: boolean;
}

export interface ModelCacheOptions<T> {
  /** Models kept loaded at once; the least recently used is disposed first. */
  readonly capacity?: number;
  readonly load: (key: string) => Promise<T>;
  /** A string that changes when the model behind `key` changes on disk (see `fileStamp`). */
  readonly stamp: (key: string) => Promise<string>;
}

export class ModelCache<T extends { dispose(): void }> {
  /** Least recently used first (Map keeps insertion order). */
  private readonly entries = new Map<string, Entry<T>>();
  private readonly capacity: number;

  constructor(private readonly options: ModelCacheOptions<T>) {
    this.capacity = Math.max(1, options.capacity ?? 3);
  }

  /**
   * Runs `use` with the model of `key`, loaded once (concurrent callers share one load) and not
   * disposed before `use` ends, even when a newer model or other keys push it out meanwhile.
   */
  async with<R>(key: string, use: (model: T) => Promise<R>): Promise<R> {
    const entry = await this.acquire(key);
    try {
      return await use(await entry.model);
    } finally {
      entry.users--;
      if (entry.evicted) release(entry);
    }
  }

  /** The entry of `key`, counted as used (synchronously after the stamp is read, so no eviction slips between). */
  private async acquire(key: string): Promise<Entry<T>> {
    const stamp = await this.options.stamp(key);
    const cached = this.entries.get(key);
    if (cached !== undefined && cached.stamp === stamp) {
      this.entries.delete(key);
      this.entries.set(key, cached); // now the most recently used
      cached.users++;
      return cached;
    }
    if (cached !== undefined) this.evict(key, cached);
    const entry: Entry<T> = { stamp, model: this.options.load(key), users: 1, evicted: false };
    this.entries.set(key, entry);
    // A failed load is not kept: the next request tries again (the user may be fixing the folder).
    entry.model.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    for (const [oldest, evicted] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.evict(oldest, evicted);
    }
    return entry;
  }

  private evict(key: string, entry: Entry<T>): void {
    this.entries.delete(key);
    entry.evicted = true;
    release(entry);
  }

  /** How many models are loaded (or loading). */
  get size(): number {
    return this.entries.size;
  }

  dispose(): void {
    for (const [key, entry] of [...this.entries]) this.evict(key, entry);
  }
}

/** Modification time and size of `files` in `folder`; a missing file counts as absent. */
export async function fileStamp(folder: string, files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (name) => {
      const info = await stat(path.join(folder, name)).catch(() => undefined);
      return info === undefined ? '-' : `${info.mtimeMs}:${info.size}`;
    }),
  );
  return parts.join('|');
}

/** Frees an evicted model once its load is done and no request uses it. */
function release<T extends { dispose(): void }>(entry: Entry<T>): void {
  if (entry.users > 0) return;
  entry.model.then(
    (model) => model.dispose(),
    () => undefined,
  );
}
