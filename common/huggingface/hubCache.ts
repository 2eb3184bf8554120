// The Hugging Face cache as Python's `huggingface_hub` lays it out, so that a model Python downloaded
// is used here offline and what we download Python reuses:
//   <cache>/models--<org>--<name>/refs/<revision>       the commit a branch or tag pointed at
//   <cache>/models--<org>--<name>/snapshots/<commit>/…  files, relative symlinks into blobs/
//   <cache>/models--<org>--<name>/blobs/<etag>
// Shared by the engine (it trains from the cache and downloads into it) and the language server (it
// checks what is cached). The only I/O is what the caller passes in, so both can use their own.
import * as path from 'node:path';

/** The environment variables of huggingface_hub that decide where the cache is and how it is reached. */
export interface HubEnvironment {
  readonly HF_HUB_CACHE?: string | undefined;
  readonly HF_HOME?: string | undefined;
  readonly XDG_CACHE_HOME?: string | undefined;
  readonly HF_HUB_OFFLINE?: string | undefined;
  readonly HF_ENDPOINT?: string | undefined;
  readonly HF_TOKEN?: string | undefined;
  readonly HF_TOKEN_PATH?: string | undefined;
}

/** The revision a model is read at when the config names none (the Hub's default branch). */
export const DEFAULT_REVISION = 'main';

/**
 * A Hub repository id, `name` or `org/name`, as huggingface_hub's `validate_repo_id` accepts it:
 * letters, digits, `_`, `-` and `.`, at most 96 characters, no `--` or `..`, not starting or ending
 * with `-` or `.`.
 */
export function isHubModelId(reference: string): boolean {
  if (reference.length > 96 || reference.includes('--') || reference.includes('..')) return false;
  return /^([A-Za-z0-9_](?:[\w.-]*[A-Za-z0-9_])?\/)?[A-Za-z0-9_](?:[\w.-]*[A-Za-z0-9_])?$/.test(reference);
}

/** A reference that can only be a path (absolute, ./, ../, ~, backslashes), never a Hub id. */
export function looksLikePath(reference: string): boolean {
  return path.isAbsolute(reference) || /^\.\.?([/\\]|$)/.test(reference) || reference.includes('\\') || reference.startsWith('~');
}

/**
 * Whether `model.pretrained` names a Hub model when no local folder of that name exists (a folder
 * that exists always wins, as in transformers' from_pretrained).
 */
export function isHubReference(reference: string): boolean {
  return !looksLikePath(reference) && isHubModelId(reference);
}

/** A full commit hash: a revision that names one snapshot for good, so no lookup is needed. */
export function isCommitHash(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

/** `$HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`. */
export function huggingfaceHome(env: HubEnvironment, home: string): string {
  return env.HF_HOME || path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'huggingface');
}

/** `$HF_HUB_CACHE`, else `$HF_HOME/hub` (see huggingfaceHome). */
export function hubCacheDir(env: HubEnvironment, home: string): string {
  return env.HF_HUB_CACHE || path.join(huggingfaceHome(env, home), 'hub');
}

/** Where `huggingface-cli login` stores the token: `$HF_TOKEN_PATH`, else `$HF_HOME/token`. */
export function hubTokenFile(env: HubEnvironment, home: string): string {
  return env.HF_TOKEN_PATH || path.join(huggingfaceHome(env, home), 'token');
}

/** `HF_HUB_OFFLINE` as huggingface_hub reads it: 1, ON, YES or TRUE in any case. */
export function isHubOffline(env: HubEnvironment): boolean {
  return ['1', 'ON', 'YES', 'TRUE'].includes((env.HF_HUB_OFFLINE ?? '').trim().toUpperCase());
}

/** `<cache>/models--org--name`. */
export function repoCacheFolder(cacheDir: string, repoId: string): string {
  return path.join(cacheDir, `models--${repoId.split('/').join('--')}`);
}

/** The ref file that records which commit `revision` (a branch or tag) pointed at when last fetched. */
export function refFile(cacheDir: string, repoId: string, revision: string): string {
  return path.join(repoCacheFolder(cacheDir, repoId), 'refs', revision);
}

export function snapshotFolder(cacheDir: string, repoId: string, commit: string): string {
  return path.join(repoCacheFolder(cacheDir, repoId), 'snapshots', commit);
}

/** What cachedSnapshot needs to look at the cache. */
export interface CacheReader {
  /** The file's text, or undefined when it cannot be read. */
  readText(file: string): Promise<string | undefined>;
  isDirectory(folder: string): Promise<boolean>;
}

export interface CachedSnapshot {
  readonly folder: string;
  readonly commit: string;
}

/**
 * The snapshot folder the cache holds for `repoId` at `revision` (a commit hash, or a branch or tag
 * through its ref file), or undefined when the cache has none. Whether the snapshot holds every file a
 * model needs is the model folder reader's question, not this one's.
 */
export async function cachedSnapshot(reader: CacheReader, cacheDir: string, repoId: string, revision: string): Promise<CachedSnapshot | undefined> {
  const commit = isCommitHash(revision) ? revision : (await reader.readText(refFile(cacheDir, repoId, revision)))?.trim();
  if (commit === undefined || !isCommitHash(commit)) return undefined;
  const folder = snapshotFolder(cacheDir, repoId, commit);
  return (await reader.isDirectory(folder)) ? { folder, commit } : undefined;
}

/** The ids of every model the cache holds (`models--org--name` folders), for completion. */
export function repoIdFromCacheFolder(name: string): string | undefined {
  if (!name.startsWith('models--')) return undefined;
  const id = name.slice('models--'.length).split('--').join('/');
  return isHubModelId(id) ? id : undefined;
}
