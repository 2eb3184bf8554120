// Entry point of a word2vec training thread (bundled on its own as out/word2vecWorker.js).
import { parentPort, workerData } from 'node:worker_threads';
import { EpochRunner } from './epochRunner';
import type { FromWorker, ToWorker, WorkerSetup } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('engine/word2vec/worker.ts must run in a worker thread');
const runner = new EpochRunner(workerData as WorkerSetup);

port.on('message', (message: ToWorker) => {
  if (message.type === 'close') {
    port.close();
    return;
  }
  runner.runEpoch(message.skipLines, message.state).then(
    (completed) => port.postMessage({ type: 'epochDone', epoch: message.epoch, cancelled: !completed, state: runner.kernelState } satisfies FromWorker),
    (error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ type: 'failed', message: failure.message, stack: failure.stack } satisfies FromWorker);
    },
  );
});
