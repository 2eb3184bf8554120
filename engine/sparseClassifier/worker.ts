// Entry point of a sparse classifier training thread (bundled on its own as out/sparseClassifierWorker.js).
// It claims the epoch's batches one at a time from a shared counter until none are left, so threads
// that run faster take more; each batch is one optimisation step at the schedule's rate for its index.
import { parentPort, workerData } from 'node:worker_threads';
import { mulberry32, SeededRandom } from '../data/seededRandom';
import { linearWarmupDecayFactor } from '../training/learningRateSchedule';
import { Control, SparseKernel } from './kernel';
import { PROGRESS_FIELDS, Progress, type EpochJob, type FromSparseWorker, type SparseWorkerSetup, type ToSparseWorker } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('engine/sparseClassifier/worker.ts must run in a worker thread');
const setup = workerData as SparseWorkerSetup;
const control = new Int32Array(setup.control);
const progress = new Float64Array(setup.progress);
const kernel = new SparseKernel(setup.memory, setup.layout, setup.thread, control);
const slot = setup.thread * PROGRESS_FIELDS;

function runEpoch(job: EpochJob): boolean {
  const count = setup.layout.train.count;
  const batches = Math.ceil(count / job.batchSize);
  const { stage } = job;
  for (;;) {
    if (Atomics.load(control, Control.Cancel) !== 0) return false;
    const batch = Atomics.add(control, Control.NextBatch, 1);
    if (batch >= batches) return true;
    const from = batch * job.batchSize;
    const to = Math.min(count, from + job.batchSize);
    const step = job.firstStep + batch;
    // Masks seeded by the step, not by a stream per thread: the same masks whichever thread takes the
    // batch, and a run resumed at any step draws what the uninterrupted one drew.
    kernel.setRandom(mulberry32(batchDropoutSeed(job.seed, step)));
    const stageStep = step - stage.startStep;
    const learningRate = stage.peakLearningRate * linearWarmupDecayFactor(stageStep, stage.steps, stage.warmupSteps);
    const loss = kernel.trainBatch(from, to, learningRate, job.settings, job.source);
    progress[slot + Progress.LossSum]! += loss;
    progress[slot + Progress.Examples]! += to - from;
    progress[slot + Progress.Batches]! += 1;
    if (!Number.isFinite(loss)) return true; // the main thread sees the non-finite sum and stops the run
  }
}

function batchDropoutSeed(seed: number, step: number): number {
  return new SeededRandom(seed, 1000 + step).nextInt(2 ** 31);
}

port.on('message', (message: ToSparseWorker) => {
  if (message.type === 'close') {
    port.close();
    return;
  }
  try {
    let cancelled = false;
    if (message.type === 'epoch') cancelled = !runEpoch(message);
    else kernel.encodePooled(message.set === 'train' ? kernel.train : kernel.validation, message.from, message.to);
    port.postMessage({ type: 'done', cancelled } satisfies FromSparseWorker);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: 'failed', message: failure.message, stack: failure.stack } satisfies FromSparseWorker);
  }
});
