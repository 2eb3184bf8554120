// Downloads a model from the Hugging Face Hub into the cache Python's huggingface_hub shares, with
// @huggingface/hub as the client. What is ours: choosing which files a model needs, progress over all
// of them, cancellation, and writing into the cache so that no truncated file is ever left there.
import { copyFile, mkdir, open, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { downloadFile, fileDownloadInfo, HubApiError, listFiles, modelInfo } from '@huggingface/hub';
import { stream } from 'undici';
import { isCommitHash, refFile, repoCacheFolder, snapshotFolder } from '../../common/huggingface/hubCache';
import { modelFilesToFetch } from '../../common/huggingface/modelFolderFiles';
import type { DownloadProgress } from '../../common/protocol/runEvents';


export interface HubConnection {
  /** `HF_ENDPOINT`; the library's default Hub when absent. */
  readonly endpoint?: string;
  readonly token?: string;
}

export interface DownloadOptions extends HubConnection {
  readonly cacheDir: string;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: DownloadProgress) => void;
  /** Milliseconds; performance.now() by default. */
  readonly now?: () => number;
}

/** Why a download failed, for the message the user sees. */
export type HubFailure = 'not-found' | 'revision-not-found' | 'needs-token' | 'gated' | 'forbidden' | 'unreachable' | 'interrupted' | 'cancelled' | 'unusable';

export class HubError extends Error {
  constructor(
    readonly failure: HubFailure,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

const DEFAULT_ENDPOINT = 'the Hugging Face Hub';

/**
 * Fetches what a model needs at `revision` into the cache and returns its snapshot folder. Files the
 * snapshot already has are not fetched again. The ref file is written last, so it never points at an
 * incomplete snapshot.
 */
export async function downloadModelSnapshot(repoId: string, revision: string, options: DownloadOptions): Promise<{ folder: string; commit: string }> {
  const hub = new HubRequests(repoId, revision, options);
  const commit = await hub.call(() => hub.commitOf());
  const listing = await hub.call(() => hub.rootFiles(commit));
  const wanted = modelFilesToFetch(listing.map((entry) => entry.path));
  if (!wanted.includes('config.json')) {
    throw new HubError('unusable', `${repoId} on ${hub.where} has no config.json: it is not a model in Hugging Face layout (files: ${listSome(listing.map((entry) => entry.path))}).`);
  }
  const folder = snapshotFolder(options.cacheDir, repoId, commit);
  const entries = listing.filter((entry) => wanted.includes(entry.path));
  const missing: ListedFile[] = [];
  for (const entry of entries) if (!(await isFile(path.join(folder, entry.path)))) missing.push(entry);
  const blobsToFetch = await Promise.all(missing.map(async (entry) => ((await isFile(blobFile(options.cacheDir, repoId, entry))) ? 0 : entry.size)));
  const progress = new ProgressMeter(repoId, blobsToFetch.reduce((sum, size) => sum + size, 0), options);
  for (const entry of missing) {
    progress.file = entry.path;
    await hub.call(() => fetchIntoCache(repoId, commit, entry, hub, progress, options));
  }
  progress.finish();
  if (!isCommitHash(revision)) await writeRef(refFile(options.cacheDir, repoId, revision), commit);
  return { folder, commit };
}

interface ListedFile {
  readonly path: string;
  readonly size: number;
  /** The blob's name in the cache: the LFS sha256, else the git oid (as downloadFileToCacheDir names it). */
  readonly etag: string;
}

/**
 * One file into the cache as downloadFileToCacheDir lays it out (blobs/<etag>, a relative symlink in
 * snapshots/<commit>/), written here rather than by that function so that a short download is caught
 * before it is renamed into place, and bytes are counted as they are written. The library resolves
 * what to fetch (fileDownloadInfo) and downloads Xet-stored files itself (downloadFile).
 */
async function fetchIntoCache(repoId: string, commit: string, entry: ListedFile, hub: HubRequests, progress: ProgressMeter, options: DownloadOptions): Promise<void> {
  const blob = blobFile(options.cacheDir, repoId, entry);
  const pointer = path.join(snapshotFolder(options.cacheDir, repoId, commit), entry.path);
  if (!(await isFile(blob))) {
    const partial = `${blob}.incomplete`;
    try {
      const params = { repo: { type: 'model' as const, name: repoId }, path: entry.path, revision: commit, fetch: hub.fetchFor(), ...hub.urlOption };
      const info = await fileDownloadInfo(params);
      if (info === null) throw new HubError('unusable', `${repoId} lists ${entry.path}, but the Hub has no such file at ${commit}.`);
      await mkdir(path.dirname(blob), { recursive: true });
      const onBytes = (bytes: number): void => progress.add(bytes);
      const written = info.xet
        ? await writeWebStream((await downloadFile({ ...params, downloadInfo: info }))!.stream(), partial, onBytes)
        : await httpGetToFile(info.url, hub.headersFor(info.url), partial, options.signal, onBytes);
      if (written !== entry.size) throw new HubError('interrupted', `${entry.path} of ${repoId} arrived with ${written} of its ${entry.size} bytes; nothing partial was left in the cache: run again to retry.`);
      await rename(partial, blob);
    } finally {
      await rm(partial, { force: true });
    }
  }
  await mkdir(path.dirname(pointer), { recursive: true });
  await rm(pointer, { force: true });
  // Relative, as huggingface_hub links them; where links are not allowed (Windows without developer mode) it copies, as it does.
  await symlink(path.relative(path.dirname(pointer), blob), pointer).catch(() => copyFile(blob, pointer));
}

/**
 * GETs `url` into `file` (following the Hub's redirects to its CDN; undici drops the token when the
 * origin changes); returns the bytes written. Through undici's stream API, not fetch: fetch's web
 * streams cost two to three times the CPU per byte, the difference between curl's speed and a third
 * of it (bench/hub-download.ts).
 */
async function httpGetToFile(url: string, headers: Record<string, string>, file: string, signal: AbortSignal, onBytes: (bytes: number) => void): Promise<number> {
  const handle = await open(file, 'w');
  let written = 0;
  let status = 0;
  try {
    await stream(url, { method: 'GET', headers, signal, maxRedirections: 5 }, ({ statusCode }) => {
      status = statusCode;
      // An error's body is not the file: read and drop it.
      if (statusCode !== 200) return new Writable({ write: (_chunk, _encoding, done) => done() });
      return new Writable({
        highWaterMark: 4 << 20,
        writev: (chunks, done) => {
          const buffers = chunks.map(({ chunk }) => chunk as Buffer);
          handle.writev(buffers).then(({ bytesWritten }) => {
            written += bytesWritten;
            onBytes(bytesWritten);
            done();
          }, done);
        },
      });
    });
  } finally {
    await handle.close();
  }
  if (status !== 200) throw new HubError('unusable', `the Hub answered ${status} for ${new URL(url).pathname}.`);
  return written;
}

/** Writes a web stream (the library's Xet downloads) to `file` in writes of up to 4 MB; returns the bytes written. */
async function writeWebStream(stream: ReadableStream<Uint8Array>, file: string, onBytes: (bytes: number) => void): Promise<number> {
  const handle = await open(file, 'w');
  let written = 0;
  try {
    for await (const chunk of stream) {
      await handle.write(chunk);
      written += chunk.byteLength;
      onBytes(chunk.byteLength);
    }
  } finally {
    await handle.close();
  }
  return written;
}

function blobFile(cacheDir: string, repoId: string, entry: ListedFile): string {
  return path.join(repoCacheFolder(cacheDir, repoId), 'blobs', entry.etag);
}

/** The Hub's requests with the token, the endpoint, cancellation and the error messages a user reads. */
class HubRequests {
  readonly where: string;
  readonly urlOption: { hubUrl?: string };
  /** The Hub's X-Error-Code of failed responses, by URL: HubApiError keeps the status but not the headers. */
  private readonly errorCodes = new Map<string, string>();
  private readonly origin: string | undefined;

  constructor(
    private readonly repoId: string,
    private readonly revision: string,
    private readonly options: DownloadOptions,
  ) {
    const endpoint = options.endpoint?.replace(/\/+$/, '');
    this.where = endpoint ?? DEFAULT_ENDPOINT;
    this.urlOption = endpoint === undefined ? {} : { hubUrl: endpoint };
    this.origin = endpoint === undefined ? undefined : new URL(endpoint).origin;
  }

  async commitOf(): Promise<string> {
    const { repoId, revision } = this;
    const info = await modelInfo({ name: repoId, revision, additionalFields: ['sha'], fetch: this.fetchFor(), ...this.urlOption });
    const sha = (info as { sha?: unknown }).sha;
    if (typeof sha !== 'string' || !isCommitHash(sha)) throw new HubError('unusable', `${this.where} answered for ${repoId} without a commit hash.`);
    return sha;
  }

  async rootFiles(commit: string): Promise<ListedFile[]> {
    const files: ListedFile[] = [];
    for await (const entry of listFiles({ repo: { type: 'model', name: this.repoId }, revision: commit, fetch: this.fetchFor(), ...this.urlOption })) {
      if (entry.type !== 'file') continue;
      const etag = entry.lfs?.oid ?? entry.oid;
      if (etag !== undefined) files.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, etag });
    }
    return files;
  }

  /** The token, for the Hub itself only (never a CDN it redirects to). */
  headersFor(url: string): Record<string, string> {
    return this.options.token !== undefined && this.isHub(url) ? { Authorization: `Bearer ${this.options.token}` } : {};
  }

  /** fetch with the token and the run's signal; keeps the Hub's X-Error-Code of failures. */
  fetchFor(): typeof fetch {
    return async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const headers = new Headers(init?.headers);
      for (const [name, value] of Object.entries(this.headersFor(url))) headers.set(name, value);
      const response = await fetch(url, { ...init, headers, signal: this.options.signal });
      const code = response.ok ? null : response.headers.get('X-Error-Code');
      if (code !== null) this.errorCodes.set(response.url || url, code);
      return response;
    };
  }

  /** Runs a Hub call, turning what it throws into a HubError that says what to do. */
  async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.explain(error);
    }
  }

  private explain(error: unknown): Error {
    const { repoId, revision, where } = this;
    if (error instanceof HubError) return error;
    if (this.options.signal.aborted) return new HubError('cancelled', 'The download was cancelled; nothing partial was left in the cache.');
    if (error instanceof HubApiError) {
      const code = this.errorCodes.get(error.url);
      const tokenHint = this.options.token === undefined ? 'Set HF_TOKEN (or run huggingface-cli login) with a token that can read it.' : 'The token in use (HF_TOKEN or the token file) cannot read it.';
      if (code === 'RevisionNotFound') return new HubError('revision-not-found', `${where} has no revision "${revision}" of ${repoId}.`);
      if (code === 'GatedRepo') return new HubError('gated', `${repoId} is gated on ${where}: accept its conditions on its page, then ${tokenHint.charAt(0).toLowerCase()}${tokenHint.slice(1)}`);
      if (error.statusCode === 401 && this.options.token === undefined) return new HubError('needs-token', `${where} has no public model ${repoId} (a private one needs a token). ${tokenHint}`);
      if (error.statusCode === 401 || error.statusCode === 404) return new HubError('not-found', `${where} has no model ${repoId} (check the spelling${this.options.token === undefined ? '; a private model needs HF_TOKEN' : ''}).`);
      if (error.statusCode === 403) return new HubError('forbidden', `${where} refused access to ${repoId} (403). ${tokenHint}`);
      return new HubError('unusable', `${where} answered ${error.statusCode} for ${repoId}: ${error.message.split('. URL:')[0]}`);
    }
    const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
    const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error);
    if (error instanceof TypeError && error.message === 'fetch failed') return new HubError('unreachable', `${where} cannot be reached (${detail}).`);
    const code = (error as { code?: unknown } | undefined)?.code;
    const broken = typeof code === 'string' && (code.startsWith('UND_ERR_') || ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT'].includes(code));
    if (broken || error instanceof TypeError || (error instanceof Error && /terminated|premature|aborted|other side closed/i.test(error.message))) {
      return new HubError('interrupted', `the connection to ${where} broke off during the download (${detail}); nothing partial was left in the cache: run again to retry.`);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  private isHub(url: string): boolean {
    return this.origin === undefined || new URL(url).origin === this.origin;
  }
}

/** Bytes, rate and ETA over a whole download, reported at most every 200 ms (and at the end). */
class ProgressMeter {
  file = '';
  private received = 0;
  private readonly started: number;
  private lastReport = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(
    private readonly repoId: string,
    private readonly total: number,
    private readonly options: DownloadOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  add(bytes: number): void {
    this.received += bytes;
    const now = this.now();
    if (now - this.lastReport >= 200) this.report(now, false);
  }

  finish(): void {
    if (this.total > 0) this.report(this.now(), true);
  }

  private report(now: number, done: boolean): void {
    this.lastReport = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? this.received / seconds : 0;
    const left = Math.max(0, this.total - this.received);
    this.options.onProgress({
      repoId: this.repoId,
      file: this.file,
      receivedBytes: this.received,
      totalBytes: this.total,
      bytesPerSecond: rate,
      etaSeconds: done ? 0 : rate > 0 ? left / rate : Number.POSITIVE_INFINITY,
      done,
    });
  }
}

async function writeRef(file: string, commit: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, commit);
  await rename(partial, file);
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() === true;
}

function listSome(names: readonly string[], limit = 8): string {
  return names.length <= limit ? names.join(', ') : `${names.slice(0, limit).join(', ')} and ${names.length - limit} more`;
}
