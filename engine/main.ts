// The engine process: the extension forks out/engine.js and talks JSON-RPC over Node IPC. Runs train
// here, never in the extension host, so a crash or a blocked thread cannot take the editor down.
import { randomUUID } from 'node:crypto';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError, ErrorCodes } from 'vscode-jsonrpc/node';
import {
  ClassifierEvaluateRequest,
  ClassifierPredictRequest,
  EnvironmentReportRequest,
  NeighboursRequest,
  PipelineRequest,
  ProjectionRequest,
  RunEventNotification,
  StartRunRequest,
  StopRunRequest,
  type DataErrorLocation,
  type StartRunResult,
} from '../common/protocol/engine';
import type { RunFailed } from '../common/protocol/runEvents';
import { DataError } from './data/dataError';
import { ClassifierStore } from './prediction/classifierStore';
import { PipelineStore } from './pipelines/pipelineStore';
import { environmentReport } from './backend/environmentReport';
import { formatEnvironmentReport } from './backend/formatEnvironmentReport';
import { runTraining, type RunOutcome } from './run/runTraining';
import { VectorStore } from './vectors/vectorStore';

interface ActiveRun {
  stop: AbortController;
  abort: AbortController;
  done: Promise<RunOutcome>;
}

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
const runs = new Map<string, ActiveRun>();
const vectors = new VectorStore();
const classifiers = new ClassifierStore();
const pipelines = new PipelineStore();

/**
 * Answers a failed request with the error's own message (vscode-jsonrpc would wrap it in "Request …
 * failed with message"), and a data error's file:line as `data`, for the editor to point at.
 */
function answering<P, R>(handler: (params: P) => Promise<R>): (params: P) => Promise<R> {
  return async (params) => {
    try {
      return await handler(params);
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const location: DataErrorLocation | undefined = error instanceof DataError && error.location ? { ...error.location } : undefined;
      throw new ResponseError<DataErrorLocation | undefined>(ErrorCodes.InvalidRequest, message, location);
    }
  };
}

connection.onRequest(StartRunRequest, (params) => {
  const runId = params.runId ?? randomUUID();
  if (runs.has(runId)) throw new ResponseError(ErrorCodes.InvalidParams, `a run with id ${runId} is already running`);
  return new Promise<StartRunResult>((resolve, reject) => {
    let answered = false;
    const stop = new AbortController();
    const abort = new AbortController();
    const done = runTraining(params.configPath, {
      runId,
      resume: params.resume ?? false,
      fresh: params.fresh ?? false,
      signal: stop.signal,
      abortSignal: abort.signal,
      onEvent(event) {
        void connection.sendNotification(RunEventNotification, { runId, event });
        if (answered) return;
        if (event.kind === 'started') {
          answered = true;
          resolve({ runId, runDir: event.runDir });
        } else if (event.kind === 'failed') {
          answered = true;
          reject(new ResponseError<RunFailed>(ErrorCodes.InvalidRequest, event.message, event));
        }
      },
    });
    runs.set(runId, { stop, abort, done });
    void done.finally(() => runs.delete(runId));
  });
});

connection.onRequest(StopRunRequest, async (params) => {
  const run = runs.get(params.runId);
  if (!run) return; // already over: nothing to stop
  (params.mode === 'abort' ? run.abort : run.stop).abort();
  await run.done;
});

connection.onRequest(NeighboursRequest, (params) => vectors.neighbours(params));
connection.onRequest(ProjectionRequest, (params) => vectors.projection(params));
connection.onRequest(ClassifierPredictRequest, answering((params) => classifiers.predict(params)));
connection.onRequest(ClassifierEvaluateRequest, answering((params) => classifiers.evaluate(params)));
connection.onRequest(PipelineRequest, answering((params) => pipelines.run(params)));
connection.onRequest(EnvironmentReportRequest, async (params) => {
  const report = await environmentReport(params.searchFrom);
  return { markdown: formatEnvironmentReport(report), ...('name' in report.auto ? { auto: report.auto } : {}) };
});

/** A crash outside a run's own error handling still ends every run with `failed`, then the process. */
function failEverything(error: unknown): void {
  const message = `the engine crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  process.stderr.write(`${message}\n`);
  const sends = [...runs.keys()].map((runId) => connection.sendNotification(RunEventNotification, { runId, event: { kind: 'failed', message } }));
  void Promise.allSettled(sends).then(() => process.exit(1));
}
process.on('uncaughtException', failEverything);
process.on('unhandledRejection', failEverything);

connection.onClose(() => process.exit(0));
process.on('disconnect', () => process.exit(0));
connection.listen();
