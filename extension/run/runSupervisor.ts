// Starts, stops and follows training runs in the engine process. Everything else in the extension (status
// bar, training panel, commands) reads runs from here and listens to its two events.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { ResponseError } from 'vscode-jsonrpc';
import { RunEventNotification, StartRunRequest, StopRunRequest, type StartRunParams } from '../../common/protocol/engine';
import type { RunCaching, RunDownload, RunEvent, RunFailed, RunStep, RunTask } from '../../common/protocol/runEvents';
import { formatTensorMemory } from '../../common/tensorMemory';
import { EngineProcess, type EngineExit } from './engineProcess';

export type RunStatus = 'running' | 'stopping' | 'completed' | 'stopped' | 'failed';

export interface RunRecord {
  runId: string;
  configPath: string;
  name: string;
  task: RunTask;
  runDir: string;
  status: RunStatus;
  /** Every event of the run, in order: the training panel replays them when it opens late. */
  events: RunEvent[];
  latestStep?: RunStep;
  /** Features being cached for a frozen stage, until the stage's first step. */
  caching?: RunCaching;
  /** Why the run failed, or how it ended. */
  message?: string;
}

export interface RunEventWithRecord {
  run: RunRecord;
  event: RunEvent;
}

/** A run that failed before it started answers with the `failed` event as data: keep its file:line. */
/** A run the engine would not start; `reason` when the user can be offered a remedy (RunFailed's). */
export class RunStartError extends Error {
  constructor(
    message: string,
    readonly reason?: RunFailed['reason'],
  ) {
    super(message);
  }
}

function startFailure(error: unknown): Error {
  if (!(error instanceof ResponseError)) return error instanceof Error ? error : new Error(String(error));
  const failed = error.data as RunFailed | undefined;
  const location = failed?.location;
  const where = location ? `${location.file}${location.line ? `:${location.line}${location.column ? `:${location.column}` : ''}` : ''}: ` : '';
  return new RunStartError(`${where}${failed?.message ?? error.message}`, failed?.reason);
}

const isActive = (run: RunRecord): boolean => run.status === 'running' || run.status === 'stopping';

export class RunSupervisor implements vscode.Disposable {
  private engine: EngineProcess | undefined;
  private readonly runs = new Map<string, RunRecord>();
  /** Config paths of runs asked for whose `started` event has not arrived yet, by run id. */
  private readonly pendingConfigs = new Map<string, string>();
  private readonly eventEmitter = new vscode.EventEmitter<RunEventWithRecord>();
  /** Every event of every run, after the run's record has been updated. */
  readonly onRunEvent = this.eventEmitter.event;
  private readonly changeEmitter = new vscode.EventEmitter<RunRecord>();
  /** A run started, changed status or made progress. */
  readonly onDidChangeRun = this.changeEmitter.event;
  private readonly downloadEmitter = new vscode.EventEmitter<{ runId: string; download?: RunDownload }>();
  /**
   * A pretrained model arriving from the Hub for a run that has not started yet (it starts when this is
   * done); without `download` when the run's start is over (started, failed or cancelled).
   */
  readonly onDownload = this.downloadEmitter.event;
  private readonly downloading = new Set<string>();

  constructor(
    private readonly enginePath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The run in progress, if any (one at a time: a run uses every core). */
  get activeRun(): RunRecord | undefined {
    return [...this.runs.values()].find(isActive);
  }

  /** The most recently started run of this session. */
  get latestRun(): RunRecord | undefined {
    return [...this.runs.values()].at(-1);
  }

  get allRuns(): readonly RunRecord[] {
    return [...this.runs.values()];
  }

  /** Starts a run of `configPath`; resolves once the engine has started it. */
  async start(params: StartRunParams): Promise<RunRecord> {
    const active = this.activeRun;
    if (active) throw new Error(`A run is already in progress: ${active.name}. Stop it first.`);
    const engine = this.ensureEngine();
    const runId = params.runId ?? randomUUID();
    this.pendingConfigs.set(runId, params.configPath);
    try {
      await engine.connection.sendRequest(StartRunRequest, { ...params, runId });
    } catch (error) {
      throw startFailure(error);
    } finally {
      this.pendingConfigs.delete(runId);
      if (this.downloading.delete(runId)) this.downloadEmitter.fire({ runId });
    }
    const run = this.runs.get(runId);
    if (!run) throw new Error(`The engine started run ${runId} but never reported it.`);
    return run;
  }

  /**
   * Stops a run: the first call asks the engine to save a checkpoint and stop; a second call while it is
   * still stopping kills the engine.
   */
  async stop(run: RunRecord): Promise<void> {
    const engine = this.engine;
    if (!engine || !isActive(run)) return;
    if (run.status === 'stopping') {
      this.log.warn(`second stop: killing the engine for ${run.name}`);
      this.finish(run, 'failed', 'Killed by a second Stop before the checkpoint was saved; the previous checkpoint is kept.');
      engine.kill();
      return;
    }
    this.update(run, { status: 'stopping' });
    await engine.connection.sendRequest(StopRunRequest, { runId: run.runId, mode: 'checkpoint' });
  }

  /** Cancels a run that has not started yet (a download in progress): the start then fails with the reason. */
  async cancelStart(runId: string): Promise<void> {
    if (!this.pendingConfigs.has(runId) || !this.engine) return;
    await this.engine.connection.sendRequest(StopRunRequest, { runId, mode: 'abort' });
  }

  /** The engine's process id while it runs (for diagnostics and the crash tests). */
  get enginePid(): number | undefined {
    return this.engine?.isRunning ? this.engine.pid : undefined;
  }

  /** The engine for requests that are not runs (neighbours, projections); started on demand. */
  ensureEngine(): EngineProcess {
    if (this.engine?.isRunning) return this.engine;
    const engine = EngineProcess.start(this.enginePath, this.log);
    engine.connection.onNotification(RunEventNotification, ({ runId, event }) => this.handleEvent(runId, event));
    engine.onExit((exit) => this.handleEngineExit(engine, exit));
    this.engine = engine;
    return engine;
  }

  private handleEvent(runId: string, event: RunEvent): void {
    let run = this.runs.get(runId);
    if (!run && event.kind === 'download') {
      this.downloading.add(runId);
      this.downloadEmitter.fire({ runId, download: event });
      return;
    }
    if (!run) {
      if (event.kind !== 'started') {
        this.log.warn(`event ${event.kind} for unknown run ${runId}`);
        return;
      }
      run = {
        runId,
        configPath: this.pendingConfigs.get(runId) ?? '',
        name: event.name,
        task: event.task,
        runDir: event.runDir,
        status: 'running',
        events: [],
      };
      this.runs.set(runId, run);
    }
    run.events.push(event);
    if (event.kind === 'step') run.latestStep = event;
    if (event.kind === 'caching' || event.kind === 'step') run.caching = event.kind === 'caching' ? event : undefined;
    if (event.kind === 'log') this.log[event.level === 'warning' ? 'warn' : event.level](`${run.name}: ${event.message}`);
    if (event.kind === 'epoch' && event.memory) this.log.info(`${run.name}: memory after epoch ${event.epoch}: ${formatTensorMemory(event.memory)}`);
    if (event.kind === 'finished') this.finish(run, event.status, event.status === 'stopped' ? 'Stopped; resume continues from the checkpoint.' : 'Completed.');
    else if (event.kind === 'failed') this.finish(run, 'failed', event.message);
    else this.changeEmitter.fire(run);
    this.eventEmitter.fire({ run, event });
  }

  private handleEngineExit(engine: EngineProcess, exit: EngineExit): void {
    if (this.engine === engine) this.engine = undefined;
    const reason = `The engine process exited (${exit.signal ?? `code ${exit.code ?? '?'}`})${exit.stderrTail ? `: ${exit.stderrTail.split('\n').at(-1) ?? ''}` : '.'}`;
    this.log.info(reason);
    for (const run of this.runs.values()) {
      if (!isActive(run)) continue;
      this.finish(run, 'failed', reason);
      const event: RunEvent = { kind: 'failed', message: reason };
      run.events.push(event);
      this.eventEmitter.fire({ run, event });
    }
  }

  private finish(run: RunRecord, status: RunStatus, message: string): void {
    if (!isActive(run)) return;
    this.update(run, { status, message });
  }

  private update(run: RunRecord, change: Partial<RunRecord>): void {
    Object.assign(run, change);
    this.changeEmitter.fire(run);
  }

  dispose(): void {
    this.engine?.dispose();
    this.eventEmitter.dispose();
    this.changeEmitter.dispose();
    this.downloadEmitter.dispose();
  }
}
