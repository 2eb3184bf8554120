// Fine-tuning a BERT-base-sized model (random weights: 12 layers, hidden 768, 12 heads, intermediate
// 3072, vocab 30522, ~110 M parameters) at batch 8, seq 128: peak resident memory over a few AdamW
// training steps (the issue's target: it fits in 4 GB) and the step time, e.g.
//   node --import tsx bench/bert-base-memory.ts [--backend wasm|cpu|auto] [--steps 2] [--batch 8] [--seq 128] [--layers 12]
// The peak is the kernel's VmHWM (/proc/self/status) — training steps are synchronous, so a timer
// could not sample inside them — with the RSS after each step beside it. The wasm backend's heap
// is a 32-bit WebAssembly memory: it cannot grow past 4 GB whatever the machine has.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendPreference } from '../engine/backend/selectBackend';
import { trainSteps } from './bert-step-vs-pytorch';

const MB = 2 ** 20;

function statusField(field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? (Number(match[1]) * 1024) / MB : undefined;
  } catch {
    return undefined; // not Linux
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'wasm' },
      steps: { type: 'string', default: '2' },
      batch: { type: 'string', default: '8' },
      seq: { type: 'string', default: '128' },
      layers: { type: 'string', default: '12' },
    },
  });
  const choice = await selectBackend(values.backend as BackendPreference);
  const shape = { layers: Number(values.layers), hidden: 768, heads: 12, intermediate: 3072, vocab: 30522, seq: Number(values.seq), batch: Number(values.batch) };
  console.log(`BERT-base fine-tuning step (forward + backward + AdamW), ${shape.layers} layers, batch ${shape.batch}, seq ${shape.seq}, on ${choice.name} (${choice.reason})`);
  const before = process.memoryUsage().rss / MB;
  const heap = (): string => {
    const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
    return wasm ? `, wasm heap ${(wasm.HEAPU8.length / MB).toFixed(0)} MB` : '';
  };
  let result;
  try {
    result = trainSteps({
      ...shape,
      steps: Number(values.steps),
      warmup: 0,
      onStep: (index) => console.log(`  after step ${index + 1}: RSS ${(process.memoryUsage().rss / MB).toFixed(0)} MB${heap()}, live tensors ${(tf.memory().numBytes / MB).toFixed(0)} MB`),
    });
  } catch (error) {
    // The wasm heap cannot grow past 4 GB: allocation fails inside a kernel and the module aborts.
    const peak = statusField('VmHWM');
    console.log(`FAILED during the first steps: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}${heap()}`);
    console.log(`peak resident memory (VmHWM): ${peak === undefined ? 'unknown' : `${peak.toFixed(0)} MB`} — target ≤ 4 GB: NOT met (does not fit)`);
    process.exit(1);
  }
  const peak = statusField('VmHWM');
  console.log(`parameters: ${(result.parameters / 1e6).toFixed(1)} M (BertForSequenceClassification, 2 labels); RSS before the model: ${before.toFixed(0)} MB`);
  console.log(`step time: ${result.stepMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')} (${(shape.batch / (result.medianStepMs / 1000)).toFixed(2)} samples/s)`);
  console.log(`peak resident memory (VmHWM): ${peak === undefined ? 'unknown (no /proc)' : `${peak.toFixed(0)} MB = ${(peak / 1024).toFixed(2)} GB`} — target ≤ 4 GB: ${peak === undefined ? '?' : peak <= 4096 ? 'met' : 'NOT met'}`);
}

void main();
