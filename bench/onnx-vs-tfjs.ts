// ONNX against TensorFlow.js for predictions, in one run on the same folders: warm predict latency of
// one sentence (p50/p95) through onnxruntime (onnx/model.onnx) and through the engine's TensorFlow.js
// path (the `auto` backend: WebAssembly with SIMD here), on a tiny BERT of the example's shape and on a random
// BERT-base-shaped model (12 layers, hidden 768, vocabulary 30,522); and the export time of the
// BERT-base-shaped model (target under 10 s). Target: onnxruntime at least 3× faster on BERT-base.
//   node --import tsx bench/onnx-vs-tfjs.ts [--calls 30]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePredictionBackend, TEXT_CLASSIFIER_LOADERS } from '../engine/models/textClassifier';
import { exportOnnx } from '../engine/onnx/onnxExport';
import { loadOnnxTextClassifier } from '../engine/onnx/onnxTextClassifier';
import * as tf from '@tensorflow/tfjs';
import { TINY_VOCAB, writeTinyBertFolder } from '../test/fixtures/models/tinyBert';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '30' } } });
const calls = Number(values.calls);
const TEXT = 'I really love this movie, the story was great and the actor was fun to watch all the way to the end.';
const EXPORT_TARGET_S = 10;
const SPEEDUP_TARGET = 3;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function latency(predict: (texts: string[]) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await predict([TEXT]); // warm: kernels compiled, caches filled
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await predict([TEXT]);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'onnx-bench-'));
  try {
    const tiny = path.join(scratch, 'tiny-bert');
    // The example's tiny BERT's shape (examples/models/tiny-bert-spam: 2 layers, hidden 128) with a classifier head.
    await writeTinyBertFolder(tiny, { hiddenSize: 128, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 512, maxPositionEmbeddings: 512, labels: ['ham', 'spam'], initializerRange: 0.02 });
    const base = path.join(scratch, 'bert-base-shaped');
    const vocab = [...TINY_VOCAB, ...Array.from({ length: 30522 - TINY_VOCAB.length }, (_, i) => `w${i}`)];
    await writeTinyBertFolder(base, { hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072, maxPositionEmbeddings: 512, vocab, labels: ['neg', 'pos'], initializerRange: 0.02 });
    await ensurePredictionBackend();
    console.log(`TensorFlow.js backend: ${tf.getBackend()}; ${calls} warm calls of one ${TEXT.split(' ').length}-word sentence each`);
    for (const [name, folder] of [['tiny BERT (2 layers, hidden 128)', tiny], ['BERT-base-shaped (random)', base]] as const) {
      const exported = await exportOnnx(folder);
      if (folder === base) console.log(`export of the BERT-base-shaped model: ${exported.seconds.toFixed(2)} s (target < ${EXPORT_TARGET_S} s: ${exported.seconds < EXPORT_TARGET_S ? 'met' : 'NOT met'})`);
      const viaTf = await TEXT_CLASSIFIER_LOADERS.bert!(folder);
      const tfTimes = await latency((texts) => viaTf.logits(texts));
      viaTf.dispose();
      const viaOnnx = await loadOnnxTextClassifier(folder, exported.modelFile);
      const onnxTimes = await latency((texts) => viaOnnx.logits(texts));
      viaOnnx.dispose();
      const ms = (value: number): string => `${value.toFixed(1)} ms`;
      console.log(`${name}:`);
      console.log(`  TensorFlow.js (${tf.getBackend()}): p50 ${ms(tfTimes.p50)}, p95 ${ms(tfTimes.p95)}`);
      console.log(`  onnxruntime:            p50 ${ms(onnxTimes.p50)}, p95 ${ms(onnxTimes.p95)}`);
      const ratio = tfTimes.p50 / onnxTimes.p50;
      const ratio95 = tfTimes.p95 / onnxTimes.p95;
      console.log(`  onnxruntime is ${ratio.toFixed(1)}× faster at p50, ${ratio95.toFixed(1)}× at p95${folder === base ? ` (target ≥ ${SPEEDUP_TARGET}×: ${ratio >= SPEEDUP_TARGET ? 'met' : 'NOT met'})` : ''}`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
