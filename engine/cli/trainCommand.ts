// `nlp-studio train <config.nlp.yaml> [--json] [--resume | --fresh]`: the engine's run, in this process.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { runTraining } from '../run/runTraining';
import type { CliIo } from './io';
import { formatFinished, ProgressPrinter } from './trainProgress';

/** What the command needs of its process beyond CliIo: a terminal or not, and Ctrl+C. */
export interface TrainHost {
  stderrIsTTY: boolean;
  /** Calls `handler` on each SIGINT; returns a function that stops listening. */
  onInterrupt(handler: () => void): () => void;
}

export const processTrainHost: TrainHost = {
  stderrIsTTY: process.stderr.isTTY === true,
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

export const EXIT_STOPPED = 130;

export async function trainCommand(files: string[], options: { json: boolean; resume: boolean; fresh: boolean }, io: CliIo, host: TrainHost = processTrainHost): Promise<number> {
  if (files.length !== 1) {
    io.stderr('nlp-studio train: give one config file, e.g. nlp-studio train examples/word2vec-sotu.nlp.yaml\n');
    return 2;
  }
  const file = files[0]!;
  const configPath = path.resolve(io.cwd, file);
  if (!(await stat(configPath).catch(() => undefined))?.isFile()) {
    io.stderr(`nlp-studio train: file not found: ${file}\n`);
    return 2;
  }
  const printer = new ProgressPrinter((text) => io.stderr(text), host.stderrIsTTY, io.cwd);
  const stop = new AbortController();
  const abort = new AbortController();
  const stopListening = host.onInterrupt(() => {
    if (!stop.signal.aborted) {
      if (!options.json) printer.line('Stopping: saving a checkpoint… (Ctrl+C again to stop at once, without one)');
      stop.abort();
    } else {
      abort.abort();
    }
  });
  try {
    const outcome = await runTraining(configPath, {
      resume: options.resume,
      fresh: options.fresh,
      signal: stop.signal,
      abortSignal: abort.signal,
      onEvent(event) {
        if (options.json) io.stdout(`${JSON.stringify(event)}\n`);
        else printer.print(event);
      },
    });
    if (outcome.kind === 'failed') {
      if (options.json) io.stderr(`nlp-studio train: ${outcome.message}\n`);
      else printer.line(`nlp-studio train: ${outcome.message}`);
      return 1;
    }
    if (!options.json) {
      printer.line(formatFinished(outcome, io.cwd));
      if (outcome.status === 'stopped' && outcome.summary.resumable === true) printer.line(`Resume with: nlp-studio train ${file} --resume`);
    }
    return outcome.status === 'completed' ? 0 : EXIT_STOPPED;
  } finally {
    stopListening();
  }
}
