// Worker threads of the engine's kernels (word2vec, the sparse classifier): where a thread's entry is
// (the bundle's out/<name>.js beside the running bundle, or the .ts source under tsx in tests), how it
// starts, and one request–reply round with it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The entry of a worker: `override` (an environment variable's value) when set, else `<bundle>.js`
 * beside the calling bundle (out/cli.js, out/engine.js; the e2e suite's bundle is two folders
 * deeper), else the TypeScript source `source` (an absolute path) when running under tsx.
 */
export function locateWorkerEntry(bundle: string, source: string, override?: string): string {
  const candidates = [...(override ? [override] : []), path.join(__dirname, `${bundle}.js`), path.join(__dirname, `../../${bundle}.js`), source];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`${bundle} worker not found; looked for ${candidates.join(' and ')}`);
  return found;
}

/** Starts a worker; a .ts entry (tests under tsx) first registers tsx's require hook in the thread, which `--import tsx` does not reach. */
export function startWorker(entry: string, workerData: unknown): Worker {
  if (!entry.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsxApi = createRequire(__filename).resolve('tsx/cjs/api');
  const bootstrap = `require(${JSON.stringify(tsxApi)}).register(); require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Posts `message` and resolves with the worker's next message; rejects when the worker errs or exits first. */
export function workerRequest<Reply>(worker: Worker, message: unknown, what: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (reply: Reply): void => {
      cleanup();
      resolve(reply);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`a worker thread exited with code ${code} during ${what}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(message);
  });
}
