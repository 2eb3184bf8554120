// BERT training-step throughput (forward + backward + AdamW) against PyTorch on the same shapes and
// thread count (the target: ≥ 0.3× PyTorch), e.g.
//   node --import tsx bench/bert-step-vs-pytorch.ts [--layers 4] [--hidden 256] [--heads 4]
//        [--intermediate 1024] [--seq 128] [--batch 16] [--steps 5] [--warmup 2]
//        [--backends wasm,wasm-xnnpack,cpu] [--threads 1] [--profile] [--no-pytorch] [--python /usr/bin/python3]
// Ours: engine/models/encoderClassifier.ts + engine/training/adamW.ts on each backend listed (wasm has the engine's
// kernel repairs, and its matMul goes through OpenBLAS when the optional addon is built — wasm-xnnpack
// forces the WebAssembly route; wasm threads do not work in Node, so PyTorch and OpenBLAS run on
// --threads, 1 by default). The
// peer is bench/bert-step-vs-pytorch.py (plain torch, the same architecture), run by Debian's
// python3-torch. --profile times every kernel the engine dispatches (tf.profile crashes on wasm).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { nativeGemm } from '../engine/backend/nativeGemm';
import { selectBackend, type BackendPreference } from '../engine/backend/selectBackend';
import { useNativeGemm } from '../engine/backend/wasmKernels';
import { EncoderClassifier } from '../engine/models/encoderClassifier';
import { parseEncoderConfig, type EncoderConfig } from '../common/huggingface/architectures/encoderConfig';
import { AdamW } from '../engine/training/adamW';
import { namedGradients } from '../engine/training/namedGradients';

export interface StepResult {
  stepMs: number[];
  medianStepMs: number;
  samplesPerSecond: number;
  loss: number;
  parameters: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Kernel name → total milliseconds and calls, over everything dispatched through the engine. */
export function profileKernels(): { report(): string; stop(): void } {
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const original = engine.runKernel.bind(engine);
  const totals = new Map<string, { ms: number; calls: number }>();
  // Ops (forward and gradient) dispatch through here; kernels calling kernels directly count in their caller.
  engine.runKernel = (name, ...rest) => {
    const start = performance.now();
    try {
      return original(name, ...rest);
    } finally {
      const entry = totals.get(name) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - start;
      entry.calls++;
      totals.set(name, entry);
    }
  };
  return {
    report() {
      const all = [...totals].sort((a, b) => b[1].ms - a[1].ms);
      const sum = all.reduce((total, [, entry]) => total + entry.ms, 0);
      return all
        .slice(0, 15)
        .map(([name, entry]) => `  ${name.padEnd(22)} ${entry.ms.toFixed(0).padStart(7)} ms  ${((entry.ms / sum) * 100).toFixed(1).padStart(5)}%  ${entry.calls} calls`)
        .join('\n');
    },
    stop() {
      engine.runKernel = original;
    },
  };
}

/** A BERT of the given shape with random weights, trained `warmup + steps` steps on one fixed batch. */
export interface BertShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  seq: number;
  batch: number;
  vocab: number;
}

/** The BERT config of a bench shape: BERT's defaults (dropout 0.1, exact GELU), two labels. */
export function benchBertConfig(shape: BertShape): EncoderConfig {
  return parseEncoderConfig(
    {
      model_type: 'bert',
      vocab_size: shape.vocab,
      hidden_size: shape.hidden,
      num_hidden_layers: shape.layers,
      num_attention_heads: shape.heads,
      intermediate_size: shape.intermediate,
      hidden_act: 'gelu',
      hidden_dropout_prob: 0.1,
      attention_probs_dropout_prob: 0.1,
      max_position_embeddings: Math.max(512, shape.seq),
      type_vocab_size: 2,
      initializer_range: 0.02,
      layer_norm_eps: 1e-12,
      id2label: { 0: 'a', 1: 'b' },
    },
    'bench config',
  );
}

/** parseArgs options for a bench shape, with its defaults, and the shape they give. */
export function shapeOptions(defaults: BertShape): Record<keyof BertShape, { type: 'string'; default: string }> {
  return Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, { type: 'string', default: String(value) }])) as Record<keyof BertShape, { type: 'string'; default: string }>;
}

export function shapeFrom(values: Record<keyof BertShape, string>): BertShape {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Number(value)])) as unknown as BertShape;
}

export function trainSteps(options: BertShape & { steps: number; warmup: number; onStep?: (index: number) => void }): StepResult {
  const config = benchBertConfig(options);
  const model = EncoderClassifier.initialised(config, 1);
  const parameters = [...model.variables.values()].reduce((total, variable) => total + variable.size, 0);
  const optimizer = new AdamW({ weightDecay: 0.01 });
  const ids = tf.randomUniform<tf.Rank.R2>([options.batch, options.seq], 5, options.vocab, 'int32', 1);
  const half = Math.floor(options.batch / 2);
  const masked = Math.floor((options.seq * 3) / 4);
  const maskRows = Array.from({ length: options.batch }, (_, row) => Array.from({ length: options.seq }, (_, i) => (row >= half && i >= masked ? 0 : 1)));
  const attentionMask = tf.tensor2d(maskRows, undefined, 'int32');
  const labels = tf.tensor1d(Array.from({ length: options.batch }, (_, i) => i % 2), 'int32');
  const times: number[] = [];
  let loss = Number.NaN;
  try {
    for (let step = 0; step < options.warmup + options.steps; step++) {
      const start = performance.now();
      const result = namedGradients(
        () =>
          tf.tidy(() => {
            const logits = model.forward({ inputIds: ids, attentionMask }, { training: true }).logits;
            const logProbabilities = tf.logSoftmax(logits);
            return logProbabilities.mul(tf.oneHot(labels, 2)).sum(1).mean().neg() as tf.Scalar;
          }),
        model.variables,
      );
      loss = result.loss.dataSync()[0]!;
      optimizer.applyGradients(model.variables, result.gradients, 5e-5);
      result.loss.dispose();
      for (const gradient of result.gradients.values()) gradient.dispose();
      // Reading one weight back makes sure every update has run before the clock stops.
      model.variables.get('classifier.bias')!.dataSync();
      const elapsed = performance.now() - start;
      if (step >= options.warmup) times.push(elapsed);
      options.onStep?.(step);
    }
  } finally {
    tf.dispose([ids, attentionMask, labels]);
    optimizer.dispose();
    model.dispose();
  }
  const middle = median(times);
  return { stepMs: times, medianStepMs: middle, samplesPerSecond: options.batch / (middle / 1000), loss, parameters };
}

function pytorch(python: string, shape: BertShape, threads: string, steps: number, warmup: number): (StepResult & { peer: string; threads: number; parameters: number }) | undefined {
  const script = path.join(__dirname, 'bert-step-vs-pytorch.py');
  const args = [script, ...Object.entries(shape).flatMap(([key, value]) => [`--${key}`, String(value)]), '--threads', threads, '--steps', String(steps), '--warmup', String(warmup)];
  const result = spawnSync(python, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(`PyTorch peer failed: ${result.stderr || result.error?.message}\n`);
    return undefined;
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as StepResult & { peer: string; threads: number; parameters: number };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      layers: { type: 'string', default: '4' },
      hidden: { type: 'string', default: '256' },
      heads: { type: 'string', default: '4' },
      intermediate: { type: 'string', default: '1024' },
      seq: { type: 'string', default: '128' },
      batch: { type: 'string', default: '16' },
      vocab: { type: 'string', default: '30522' },
      steps: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      backends: { type: 'string', default: 'wasm' },
      threads: { type: 'string', default: '1' },
      python: { type: 'string', default: '/usr/bin/python3' },
      profile: { type: 'boolean', default: false },
      'no-pytorch': { type: 'boolean', default: false },
    },
  });
  const shape = {
    layers: Number(values.layers),
    hidden: Number(values.hidden),
    heads: Number(values.heads),
    intermediate: Number(values.intermediate),
    seq: Number(values.seq),
    batch: Number(values.batch),
    vocab: Number(values.vocab),
  };
  const steps = Number(values.steps);
  const warmup = Number(values.warmup);
  const shapeBatch = shape.batch;
  const describe = `${shape.layers} layers, hidden ${shape.hidden}, ${shape.heads} heads, intermediate ${shape.intermediate}, seq ${shape.seq}, batch ${shape.batch}, vocab ${shape.vocab}`;
  console.log(`BERT training step (forward + backward + AdamW): ${describe}; ${warmup} warm-up + ${steps} timed steps.`);
  // On a shared machine the fastest step is the least disturbed one: ratios are given on it and on the median.
  const best = (result: StepResult): number => Math.min(...result.stepMs);
  const line = (label: string, result: StepResult): string =>
    `${label}: best ${best(result).toFixed(0)} ms/step (${(shapeBatch / (best(result) / 1000)).toFixed(2)} samples/s), median ${result.medianStepMs.toFixed(0)} ms (${result.samplesPerSecond.toFixed(2)} samples/s)  [${result.stepMs.map((ms) => ms.toFixed(0)).join(', ')} ms]`;
  const ours = new Map<string, StepResult>();
  // Native matMul threads follow --threads, as PyTorch's do.
  nativeGemm().gemm?.setThreads(Number(values.threads));
  for (const backend of values.backends.split(',')) {
    // 'wasm-xnnpack': the WebAssembly backend without the native OpenBLAS matMul, when that is built.
    const xnnpackOnly = backend === 'wasm-xnnpack';
    const selected = await selectBackend((xnnpackOnly ? 'wasm' : backend) as BackendPreference);
    const native = useNativeGemm(!xnnpackOnly);
    const choice = { ...selected, name: selected.name === 'wasm' ? (native ? 'wasm + OpenBLAS matMul' : 'wasm, XNNPACK matMul') : selected.name };
    const profiler = values.profile ? profileKernels() : undefined;
    const result = trainSteps({ ...shape, steps, warmup });
    profiler?.stop();
    ours.set(choice.name, result);
    console.log(line(`ours (${choice.name})`, result));
    if (profiler) console.log(`kernels on ${choice.name}, all ${warmup + steps} steps:\n${profiler.report()}`);
  }
  if (values['no-pytorch']) return;
  const peer = pytorch(values.python, shape, values.threads, steps, warmup);
  if (!peer) return;
  console.log(line(`${peer.peer} (${peer.threads} thread${peer.threads === 1 ? '' : 's'})`, peer));
  for (const [name, result] of ours) {
    const onBest = best(peer) / best(result);
    const onMedian = result.samplesPerSecond / peer.samplesPerSecond;
    console.log(`ratio ours (${name}) / PyTorch: ${onBest.toFixed(3)}× on the best steps, ${onMedian.toFixed(3)}× on the medians  (target ≥ 0.3×)`);
  }
}

if (require.main === module) void main();
