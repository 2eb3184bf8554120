// Where `model.pretrained` is on disk: a local folder as written, or a Hub id through the Hugging Face
// cache (downloading what is missing when the machine may go online), as transformers'
// `from_pretrained` does. The folder's contents are the model folder reader's to check.
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import {
  cachedSnapshot,
  DEFAULT_REVISION,
  hubCacheDir,
  hubTokenFile,
  isHubReference,
  isHubOffline,
  type CacheReader,
  type HubEnvironment,
} from '../../common/huggingface/hubCache';
import type { DownloadProgress } from '../../common/protocol/runEvents';
import { downloadModelSnapshot, HubError } from './hubDownload';

export interface PretrainedOptions {
  /** Relative folders resolve against it (the config file's folder). */
  readonly baseDir: string;
  /** A branch, tag or commit hash of a Hub model; `main` when absent. */
  readonly revision?: string | undefined;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: DownloadProgress) => void;
  readonly env?: HubEnvironment;
  readonly home?: string;
}

export interface PretrainedLocation {
  readonly folder: string;
  /** How the folder was found, for the run's log. */
  readonly source: 'local' | 'cache' | 'download';
  /** What the user should know: the Hub was unreachable and the cache answered, say. */
  readonly notices: readonly string[];
}

export const nodeCacheReader: CacheReader = {
  readText: (file) => readFile(file, 'utf8').catch(() => undefined),
  isDirectory: async (folder) => (await stat(folder).catch(() => undefined))?.isDirectory() === true,
};

/**
 * The folder `reference` names. A folder that exists wins, as in transformers; otherwise a Hub id is
 * looked up in the cache and, unless HF_HUB_OFFLINE is set, fetched (the Hub is asked for the
 * revision's commit first, so a branch that moved is updated; when the Hub cannot be reached, a cached
 * snapshot is used with a notice). Anything else is returned as the path it names, for the folder
 * reader to report.
 */
export async function locatePretrained(reference: string, options: PretrainedOptions): Promise<PretrainedLocation> {
  const local = path.resolve(options.baseDir, reference);
  if ((await stat(local).catch(() => undefined)) !== undefined || !isHubReference(reference)) {
    return { folder: local, source: 'local', notices: [] };
  }
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const cacheDir = hubCacheDir(env, home);
  const revision = options.revision ?? DEFAULT_REVISION;
  const at = revision === DEFAULT_REVISION ? reference : `${reference}@${revision}`;
  const cached = await cachedSnapshot(nodeCacheReader, cacheDir, reference, revision);
  if (isHubOffline(env)) {
    if (cached) return { folder: cached.folder, source: 'cache', notices: [] };
    throw new HubError('unreachable', `'${at}' is not a local folder, and HF_HUB_OFFLINE is set but the Hugging Face cache (${cacheDir}) does not hold it. Unset HF_HUB_OFFLINE to download it, or download it where the Hub is reachable (huggingface-cli download ${reference}).`);
  }
  try {
    const token = await hubToken(env, home);
    const downloaded = await downloadModelSnapshot(reference, revision, {
      cacheDir,
      signal: options.signal,
      onProgress: options.onProgress,
      ...(env.HF_ENDPOINT ? { endpoint: env.HF_ENDPOINT } : {}),
      ...(token === undefined ? {} : { token }),
    });
    return { folder: downloaded.folder, source: 'download', notices: [] };
  } catch (error) {
    if (error instanceof HubError && error.failure === 'unreachable' && cached) {
      return { folder: cached.folder, source: 'cache', notices: [`${error.message} Using the cached snapshot ${cached.commit.slice(0, 12)} of ${at}.`] };
    }
    if (error instanceof HubError && error.failure === 'unreachable') {
      throw new HubError('unreachable', `'${at}' is not a local folder or in the Hugging Face cache (${cacheDir}), and ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`);
    }
    throw error;
  }
}

/** `HF_TOKEN`, else the token file `huggingface-cli login` writes. */
async function hubToken(env: HubEnvironment, home: string): Promise<string | undefined> {
  const fromEnv = env.HF_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const fromFile = (await readFile(hubTokenFile(env, home), 'utf8').catch(() => ''))?.trim();
  return fromFile || undefined;
}
