// One BERT training step (forward + backward + AdamW) on the GPU: ours on the webgpu backend against
// PyTorch on the same GPU, eager fp32 and bf16 autocast, in one run (the issue's target: ≥ 0.25× the
// fp32 samples/s). BERT-base shape by default:
//   node --import tsx bench/gpu-bert-step.ts [--layers 12] [--hidden 768] [--heads 12] [--intermediate 3072]
//        [--seq 128] [--batch 32] [--vocab 30522] [--steps 5] [--warmup 2] [--python python3] [--no-pytorch]
// The peer is bench/gpu-bert-step.py (the model of bench/bert-step-vs-pytorch.py, on CUDA).
// On a software adapter (llvmpipe; set NLP_STUDIO_WEBGPU_ALLOW_SOFTWARE=1) it is a correctness run
// — finite losses, flat GPU memory — and prints no ratio: llvmpipe's speed says nothing about a GPU.
// scripts/device/gpu-check.sh runs it on a GPU machine from a bundle (no node_modules there).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../engine/backend/selectBackend';
import { tensorMemory } from '../engine/backend/tensorMemory';
import { EncoderClassifier } from '../engine/models/encoderClassifier';
import { AdamW } from '../engine/training/adamW';
import { namedGradients } from '../engine/training/namedGradients';
import { formatTensorMemory } from '../common/tensorMemory';
import { benchBertConfig, shapeFrom, shapeOptions, type BertShape as Shape } from './bert-step-vs-pytorch';

interface StepResult {
  stepMs: number[];
  medianStepMs: number;
  samplesPerSecond: number;
  losses: number[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function resultOf(times: number[], batch: number, losses: number[]): StepResult {
  const middle = median(times);
  return { stepMs: times, medianStepMs: middle, samplesPerSecond: batch / (middle / 1000), losses };
}

/** `warmup + steps` steps on one fixed batch; a step ends when its loss and an updated weight are read back. */
async function trainSteps(shape: Shape, steps: number, warmup: number): Promise<StepResult & { gpuBytes: (number | undefined)[] }> {
  const config = benchBertConfig(shape);
  const model = EncoderClassifier.initialised(config, 1);
  const optimizer = new AdamW({ weightDecay: 0.01 });
  const ids = tf.randomUniform<tf.Rank.R2>([shape.batch, shape.seq], 5, shape.vocab, 'int32', 1);
  // As the peer: the second half of the batch is padded over its last quarter.
  const maskRows = Array.from({ length: shape.batch }, (_, row) => Array.from({ length: shape.seq }, (_, i) => (row >= shape.batch / 2 && i >= (shape.seq * 3) / 4 ? 0 : 1)));
  const attentionMask = tf.tensor2d(maskRows, undefined, 'int32');
  const labels = tf.tensor1d(Array.from({ length: shape.batch }, (_, i) => i % 2), 'int32');
  const times: number[] = [];
  const losses: number[] = [];
  const gpuBytes: (number | undefined)[] = [];
  try {
    for (let step = 0; step < warmup + steps; step++) {
      const start = performance.now();
      const { loss, gradients } = namedGradients(
        () =>
          tf.tidy(() => {
            const logits = model.forward({ inputIds: ids, attentionMask }, { training: true }).logits;
            return tf.logSoftmax(logits).mul(tf.oneHot(labels, 2)).sum(1).mean().neg() as tf.Scalar;
          }),
        model.variables,
      );
      optimizer.applyGradients(model.variables, gradients, 5e-5);
      const value = (await loss.data())[0]!;
      await model.variables.get('classifier.bias')!.data();
      const elapsed = performance.now() - start;
      tf.dispose([loss, ...gradients.values()]);
      losses.push(value);
      gpuBytes.push(tensorMemory().gpuBytes);
      if (step >= warmup) times.push(elapsed);
      process.stderr.write(`step ${step + 1}/${warmup + steps}: ${elapsed.toFixed(0)} ms, loss ${value.toFixed(4)}, ${formatTensorMemory(tensorMemory())}\n`);
    }
  } finally {
    tf.dispose([ids, attentionMask, labels]);
    optimizer.dispose();
    model.dispose();
  }
  return { ...resultOf(times, shape.batch, losses), gpuBytes };
}

interface PeerResult {
  peer: string;
  device: string;
  modes: Record<string, StepResult>;
}

function pytorch(python: string, shape: Shape, steps: number, warmup: number): PeerResult | undefined {
  // Beside this file; the device bundle (scripts/device) gets copies of both peer scripts beside it.
  const args = [path.join(__dirname, 'gpu-bert-step.py'), ...Object.entries(shape).flatMap(([key, value]) => [`--${key}`, String(value)]), '--steps', String(steps), '--warmup', String(warmup)];
  const result = spawnSync(python, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(`PyTorch peer failed: ${result.stderr || result.error?.message}\n`);
    return undefined;
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as PeerResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...shapeOptions({ layers: 12, hidden: 768, heads: 12, intermediate: 3072, seq: 128, batch: 32, vocab: 30522 }),
      steps: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      python: { type: 'string', default: 'python3' },
      'no-pytorch': { type: 'boolean', default: false },
    },
  });
  const { layers, hidden, heads, intermediate, seq, batch, vocab } = values;
  const shape = shapeFrom({ layers, hidden, heads, intermediate, seq, batch, vocab });
  const steps = Number(values.steps);
  const warmup = Number(values.warmup);
  const choice = await selectBackend('webgpu');
  const software = choice.device.startsWith('software adapter');
  console.log(`BERT training step (forward + backward + AdamW), ${shape.layers} layers, hidden ${shape.hidden}, ${shape.heads} heads, seq ${shape.seq}, batch ${shape.batch}; ${warmup} warm-up + ${steps} timed steps.`);
  console.log(`ours: ${choice.device} (${choice.reason})`);
  const ours = await trainSteps(shape, steps, warmup);
  const finite = ours.losses.every(Number.isFinite);
  const timedBytes = ours.gpuBytes.slice(warmup);
  const flat = timedBytes.every((bytes) => bytes === timedBytes[0]);
  console.log(`ours: median ${ours.medianStepMs.toFixed(1)} ms/step = ${ours.samplesPerSecond.toFixed(2)} samples/s  [${ours.stepMs.map((ms) => ms.toFixed(0)).join(', ')} ms]`);
  console.log(`check: losses ${finite ? 'finite' : 'NOT FINITE'} (${ours.losses.map((loss) => loss.toFixed(4)).join(', ')}); GPU memory over the timed steps ${flat ? `flat at ${timedBytes[0]} bytes` : `NOT FLAT: ${timedBytes.join(', ')}`}`);
  if (software) console.log('a software adapter: this was a correctness run; its timings are not a GPU speed and no ratio is given.');
  const peer = values['no-pytorch'] ? undefined : pytorch(values.python, shape, steps, warmup);
  if (peer) {
    for (const [mode, result] of Object.entries(peer.modes)) {
      console.log(`${peer.peer} ${mode} on ${peer.device}: median ${result.medianStepMs.toFixed(1)} ms/step = ${result.samplesPerSecond.toFixed(2)} samples/s  [${result.stepMs.map((ms) => ms.toFixed(0)).join(', ')} ms]`);
      if (!software && peer.device !== 'cpu') console.log(`ratio ours (webgpu) / PyTorch ${mode}: ${(ours.samplesPerSecond / result.samplesPerSecond).toFixed(3)}×${mode === 'fp32' ? '  (target ≥ 0.25×)' : ''}`);
    }
  }
  if (!finite || !flat) process.exitCode = 1;
}

if (require.main === module) void main();
