// One training run, start to end: config → run folder → the task's trainer → summary. Every outcome,
// bad configs and crashes included, ends in exactly one `finished` or `failed` event.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunEvent, RunFailed, RunFinished, RunStarted, SourceLocation } from '../../common/protocol/runEvents';
import { BackendUnavailableError, installAdvice, selectBackend, type BackendChoice } from '../backend/selectBackend';
import { WebGpuDeviceError } from '../backend/webgpuBackend';
import { ConfigError } from '../config/configError';
import { DataError } from '../data/dataError';
import { describeFileError } from '../io/fileErrors';
import { loadConfig, resolvedConfigYaml, type LoadedConfig } from '../config/loadConfig';
import { writeFileAtomic } from '../io/atomicWrite';
import { VectorsFormatError } from '../word2vec/vectorsFormat';
import { checkpointName, latestCheckpoint, recordCheckpoint } from './checkpoints';
import { RunError } from './runError';
import { createModelStaging, installModel, settleRunFolder, SUMMARY_FILE } from './modelSwap';
import { clearPreviousRun, createRunFolder, MetricsLog, refuseToDiscardCheckpoints, runFolderFor, truncateMetrics, UnfinishedRunError, type ModelHeld, type RunFolder } from './runFolder';
import { lockRunFolder, type RunLock } from './runLock';
import type { TrainerContext } from './trainerContext';
import { TRAINERS } from './trainers';

export interface RunOptions {
  /** Tags the run's events; a fresh UUID when absent. */
  runId?: string;
  /** Continue from the run folder's last checkpoint. */
  resume?: boolean;
  /** Start afresh in a folder that holds an unfinished run's checkpoints, discarding them (refused otherwise). */
  fresh?: boolean;
  /** Stop at the next safe point: a checkpoint is saved, then `finished` with status 'stopped'. */
  signal?: AbortSignal;
  /** Stop at once without a checkpoint (a second Ctrl+C); `finished` with status 'stopped'. */
  abortSignal?: AbortSignal;
  onEvent(event: RunEvent): void;
  /** Milliseconds, for tests; performance.now() otherwise. */
  now?: () => number;
  /** Least time between two `step` events. */
  progressIntervalMs?: number;
}

export type RunOutcome = RunFinished | RunFailed;

const DEFAULT_PROGRESS_INTERVAL_MS = 200;

/** A WebAssembly trap or abort (WebAssembly.RuntimeError; the DOM-free lib has no type for it). */
const isWasmTrap = (error: unknown): error is Error => error instanceof Error && error.name === 'RuntimeError';

/**
 * What a WebAssembly abort in the middle of training nearly always means: its heap cannot grow past
 * 4 GB (BERT-base fine-tuning at batch 8 needs more), and the module is unusable afterwards.
 */
function wasmOutOfMemory(error: Error): RunError {
  return new RunError(
    `the WebAssembly backend failed (${error.message.split('\n')[0]}), most likely out of memory: its heap is limited to 4 GB. ` +
      `Lower training.batch_size or data.max_length, or use a GPU (backend: webgpu), or backend: tensorflow (${installAdvice('tensorflow')}). ` +
      'Restart the engine (or the CLI) before the next run: the WebAssembly module cannot be used again in this process.',
    ['backend'],
  );
}

/** A GPU device lost (driver reset, GPU unplugged) or out of memory under a run. */
function gpuFailure(error: WebGpuDeviceError): RunError {
  return new RunError(
    `training on the GPU stopped: ${error.message}. Resume the run to continue from its last checkpoint; if the GPU ran out of memory, lower training.batch_size or data.max_length first.`,
    ['backend'],
  );
}

/** Makes the config's `backend` current; an explicit one that cannot be had blames the `backend` key. */
async function tensorBackendFor(loaded: LoadedConfig, configPath: string): Promise<BackendChoice> {
  try {
    return await selectBackend(loaded.config.backend, { searchFrom: [path.dirname(path.resolve(configPath)), process.cwd()] });
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw new RunError(error.message, ['backend']);
    throw error;
  }
}

/** Where a thrown error points: a config key, a data or vectors file line, or nowhere. */
function failureOf(error: unknown, loaded: LoadedConfig | undefined): RunFailed {
  if (error instanceof UnfinishedRunError) return { kind: 'failed', message: error.message, reason: 'unfinished-run' };
  if (error instanceof ConfigError) return { kind: 'failed', message: error.message, ...(error.problems[0] ? { location: error.problems[0].location } : {}) };
  const message = describeFileError(error) ?? (error instanceof Error ? error.message : String(error));
  let location: SourceLocation | undefined;
  // a data problem about the file as a whole (one class) points at its config key, as a RunError does
  const configKey = error instanceof RunError || (error instanceof DataError && !error.location) ? error.configKey : undefined;
  if (configKey && loaded) location = loaded.locate(configKey);
  if (error instanceof DataError && error.location) location = { file: error.location.file, ...(error.location.line ? { line: error.location.line } : {}) };
  if (error instanceof VectorsFormatError) location = { file: error.file, ...(/^\d+$/.test(error.where) ? { line: Number(error.where) } : {}) };
  const where = location && configKey && loaded ? `${location.file}:${location.line ?? 1}:${location.column ?? 1}: ` : '';
  return { kind: 'failed', message: `${where}${message}`, ...(location ? { location } : {}) };
}

/**
 * Runs the training a config describes, reporting through `onEvent`; resolves with the final event
 * (never rejects). The extension's engine process and the CLI both call this.
 */
export async function runTraining(configPath: string, options: RunOptions): Promise<RunOutcome> {
  const runId = options.runId ?? randomUUID();
  const now = options.now ?? (() => performance.now());
  const startedAt = Date.now();
  const clockStart = now();
  const stopSignal = options.signal ?? new AbortController().signal;
  const abortSignal = options.abortSignal ?? new AbortController().signal;
  let loaded: LoadedConfig | undefined;
  let metrics: MetricsLog | undefined;
  let tensorBackend: BackendChoice | undefined;
  let lock: RunLock | undefined;
  /** Set once this run has cleared the folder for itself: a failure then says so in its summary.json. */
  let held: { folder: RunFolder; staging: string | undefined } | undefined;
  let elapsedSeconds = (): number => (now() - clockStart) / 1000;
  const finish = (outcome: RunOutcome): RunOutcome => {
    options.onEvent(outcome);
    return outcome;
  };
  try {
    loaded = await loadConfig(configPath);
    const { config } = loaded;
    const trainer = TRAINERS[config.task];
    if (!trainer) {
      const known = Object.keys(TRAINERS).join(', ');
      throw new RunError(`task "${config.task}" cannot be trained by this version of the engine yet (trainers: ${known})`, ['task']);
    }
    tensorBackend = trainer.usesTensorBackend(config) ? await tensorBackendFor(loaded, configPath) : undefined;
    const folder = runFolderFor(config);
    await createRunFolder(folder, config.output.dir);
    lock = await lockRunFolder(folder.dir, path.resolve(configPath));
    await settleRunFolder(folder.dir, folder.checkpoints);
    if (options.resume && options.fresh) throw new RunError('resume and fresh contradict each other: resume continues the last checkpoint, fresh discards it');
    const resumeFrom = options.resume ? await latestCheckpoint(folder.checkpoints) : undefined;
    if (options.resume && !resumeFrom) throw new RunError(`nothing to resume: ${folder.checkpoints} holds no checkpoint; start the run without resume`);
    if (!options.resume && !options.fresh) await refuseToDiscardCheckpoints(folder, configPath);
    await clearPreviousRun(folder, !resumeFrom);
    held = { folder, staging: undefined };
    if (resumeFrom) await truncateMetrics(folder, resumeFrom);
    const staging = await createModelStaging(folder.dir);
    held.staging = staging;
    await writeFileAtomic(folder.resolvedConfig, resolvedConfigYaml(loaded));
    for (const note of loaded.notes) options.onEvent({ kind: 'log', ...note });

    const log = new MetricsLog(folder.metrics);
    metrics = log;
    const priorSeconds = resumeFrom?.elapsedSeconds ?? 0;
    elapsedSeconds = (): number => priorSeconds + (now() - clockStart) / 1000;
    let started = false;
    const context: TrainerContext = {
      loaded,
      config,
      folder,
      modelDir: staging,
      resumeFrom,
      ...(tensorBackend ? { tensorBackend } : {}),
      stopSignal,
      abortSignal,
      started(info) {
        if (started) throw new Error('a trainer reported started twice');
        started = true;
        const event: RunStarted = { kind: 'started', runId, name: config.name, task: config.task, runDir: folder.dir, startedAt, ...info };
        options.onEvent(event);
      },
      emit(event) {
        if (event.kind === 'epoch') log.append(event);
        options.onEvent(event);
      },
      logStep: (event) => log.append(event),
      checkpointPath: (epoch, step) => path.join(folder.checkpoints, checkpointName(epoch, step)),
      async recordCheckpoint(record) {
        const checkpoint = await recordCheckpoint(folder.checkpoints, { ...record, model: checkpointName(record.epoch, record.withinEpoch ? record.step : undefined), elapsedSeconds: elapsedSeconds() }, config.output.keep_checkpoints);
        options.onEvent({ kind: 'checkpoint', path: checkpoint.path, epoch: checkpoint.epoch, step: checkpoint.step });
      },
      latestCheckpoint: () => latestCheckpoint(folder.checkpoints),
      elapsedSeconds,
      now,
      progressIntervalMs: options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
    };
    const result = await trainer.train(context);
    await log.flush();
    const model: ModelHeld = result.status === 'completed' ? 'this run' : 'none';
    const summary = { name: config.name, status: result.status, runDir: folder.dir, model, elapsedSeconds: elapsedSeconds(), ...result.summary };
    const summaryText = `${JSON.stringify(summary, null, 2)}\n`;
    if (result.status === 'completed') {
      // the summary that says "this run" arrives with the model it describes
      await writeFileAtomic(path.join(staging, SUMMARY_FILE), summaryText);
      await installModel(folder.dir, staging);
    } else await writeFileAtomic(folder.summary, summaryText);
    return finish({ kind: 'finished', status: result.status, runDir: folder.dir, summary, elapsedSeconds: summary.elapsedSeconds });
  } catch (error) {
    await metrics?.flush().catch(() => undefined);
    const failure = failureOf(tensorBackend?.name === 'wasm' && isWasmTrap(error) ? wasmOutOfMemory(error) : error instanceof WebGpuDeviceError ? gpuFailure(error) : error, loaded);
    if (held && loaded) await recordFailure(held.folder, loaded.config.name, failure, elapsedSeconds()).catch(() => undefined);
    return finish(failure);
  } finally {
    if (held?.staging) await rm(held.staging, { recursive: true, force: true }).catch(() => undefined);
    await lock?.release().catch(() => undefined);
  }
}

/** summary.json of a failed run: what went wrong, and that the folder holds no model. */
async function recordFailure(folder: RunFolder, name: string, failure: RunFailed, elapsedSeconds: number): Promise<void> {
  const model: ModelHeld = 'none';
  const summary = { name, status: 'failed', runDir: folder.dir, model, elapsedSeconds, message: failure.message };
  await writeFileAtomic(folder.summary, `${JSON.stringify(summary, null, 2)}\n`);
}
