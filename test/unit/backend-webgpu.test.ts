// The webgpu backend on the adapter this machine has: CI's is Mesa's llvmpipe through Dawn's OpenGL
// ES route (test/setup.sh installs it), a real GPU's is Vulkan. The tiny BERT's forward pass, every
// gradient and AdamW agree with the cpu backend; a staged fine-tune ends where the same run on wasm
// ends, with flat memory; a lost device fails the run with a clear message. Kept small: llvmpipe on
// two cores is slower than wasm. Without any adapter the tests skip, except in CI, where they fail.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { RunEpoch, RunEvent } from '../../common/protocol/runEvents';
import { BackendUnavailableError, selectBackend } from '../../engine/backend/selectBackend';
import { ALLOW_SOFTWARE_ENV, discoverWebGpu, isSoftwareAdapter, pickAdapter, type WebGpuAdapterReport } from '../../engine/backend/webgpuBackend';
import { EncoderClassifier } from '../../engine/models/encoderClassifier';
import { parseEncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { readSafetensors } from '../../engine/models/safetensors';
import { loadTextClassifier } from '../../engine/models/textClassifier';
import { crossEntropy } from '../../engine/run/classification/crossEntropy';
import { runTraining, type RunOutcome } from '../../engine/run/runTraining';
import { AdamW } from '../../engine/training/adamW';
import { namedGradients } from '../../engine/training/namedGradients';
import { makeSentimentProject, TINY_BERT_FOLDER, type SentimentProject } from '../fixtures/classification/sentimentProject';

const TOLERANCE = 1e-4;

const adapter = (overrides: Partial<WebGpuAdapterReport>): WebGpuAdapterReport => ({
  backend: 'vulkan',
  featureLevel: 'core',
  vendor: 'nvidia',
  architecture: 'hopper',
  device: 'NVIDIA H200',
  description: '',
  isFallbackAdapter: false,
  software: false,
  limits: {},
  ...overrides,
});

describe('which WebGPU adapter counts as a GPU', () => {
  test('fallback adapters and CPU rasterisers are software, whatever they call themselves', () => {
    const software = (info: Partial<WebGpuAdapterReport>): boolean => isSoftwareAdapter(adapter(info));
    assert.equal(software({}), false);
    assert.equal(software({ isFallbackAdapter: true }), true);
    assert.equal(software({ vendor: 'mesa', architecture: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'OpenGL ES 3.2 Mesa 22.3.6' }), true);
    assert.equal(software({ device: 'llvmpipe (LLVM 19.1.7, 256 bits)', architecture: '' }), true);
    assert.equal(software({ vendor: 'google', device: 'SwiftShader Device (Subzero)' }), true);
    assert.equal(software({ vendor: 'microsoft', device: 'Microsoft Basic Render Driver' }), true);
    assert.equal(software({ architecture: 'software', device: 'x' }), true);
  });

  test('auto takes a GPU (native API before OpenGL ES) and never a software adapter; software only when allowed', () => {
    const llvmpipe = adapter({ backend: 'opengles', featureLevel: 'compatibility', device: 'llvmpipe', software: true });
    const gl = adapter({ backend: 'opengles', featureLevel: 'compatibility', device: 'NVIDIA H200 GL' });
    const vulkan = adapter({});
    assert.equal(pickAdapter([llvmpipe, gl, vulkan], false), vulkan);
    assert.equal(pickAdapter([llvmpipe, gl], false), gl);
    assert.equal(pickAdapter([llvmpipe], false), undefined);
    assert.equal(pickAdapter([llvmpipe], true), llvmpipe);
    assert.equal(pickAdapter([], true), undefined);
  });
});

describe('webgpu on this machine', async () => {
  const discovered = await discoverWebGpu();
  const available = pickAdapter(discovered.adapters, true);
  const missing = `no WebGPU adapter here (${discovered.unavailable ?? discovered.notes.join('; ')})`;
  // CI installs an adapter (test/setup.sh): there a missing one is a failure, not a skip.
  const skip = available === undefined && !process.env.CI ? `${missing}; test/setup.sh installs Mesa's` : false;
  const projects: SentimentProject[] = [];
  before(() => assert.ok(skip || available, missing));
  after(async () => {
    delete process.env[ALLOW_SOFTWARE_ENV];
    for (const project of projects) await rm(project.dir, { recursive: true, force: true });
    if (withoutDropout) await rm(withoutDropout, { recursive: true, force: true });
  });

  /** Switches to webgpu (allowing this machine's software adapter) with every op on the device. */
  async function useWebGpu(): Promise<void> {
    process.env[ALLOW_SOFTWARE_ENV] = '1';
    const choice = await selectBackend('webgpu');
    assert.equal(choice.name, 'webgpu');
    // By default webgpu computes small tensors on the CPU; these tests are about the GPU kernels.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  }

  test('an explicit backend: webgpu on a software adapter is refused with the reason, unless allowed', { skip: skip || (available?.software === false && 'this adapter is a GPU') }, async () => {
    delete process.env[ALLOW_SOFTWARE_ENV];
    await assert.rejects(selectBackend('webgpu'), (error: unknown) => {
      assert.ok(error instanceof BackendUnavailableError);
      assert.match(error.message, /^backend: webgpu is not available here: only software adapters: .+\. A software adapter computes on the CPU, slower than backend: wasm; NLP_STUDIO_WEBGPU_ALLOW_SOFTWARE=1 allows it/);
      return true;
    });
    const auto = await selectBackend('auto');
    assert.notEqual(auto.name, 'webgpu');
    // auto does not start a route that can only give llvmpipe (no render node), or declines what it gives.
    assert.match(auto.reason, /webgpu: (only software adapters|Dawn found no adapter \(.*opengles: not tried)/);
    process.env[ALLOW_SOFTWARE_ENV] = '1';
    const allowed = await selectBackend('webgpu');
    assert.match(allowed.device, /^software adapter: .+ through WebGPU$/);
    assert.equal(tf.getBackend(), 'webgpu');
  });

  test('the kernel repairs: AddN of more tensors than a shader binds, transposes of integer and bool tensors', { skip }, async () => {
    await useWebGpu();
    const inputs = Array.from({ length: 40 }, (_, i) => tf.fill([4096], i + 1));
    const sum = tf.addN(inputs);
    assert.deepEqual([...new Set(await sum.data())], [820]);
    // x[a][b][c][d] of shape [2, 3, 2, 2] → out[a][d][b][c], by hand.
    const values = Array.from({ length: 24 }, (_, i) => (i % 5 === 0 ? 0 : i));
    const expected: number[] = [];
    for (let a = 0; a < 2; a++) for (let d = 0; d < 2; d++) for (let b = 0; b < 3; b++) for (let c = 0; c < 2; c++) expected.push(values[a * 12 + b * 4 + c * 2 + d]!);
    for (const dtype of ['int32', 'bool', 'float32'] as const) {
      const transposed = tf.tidy(() => tf.transpose(tf.tensor4d(values, [2, 3, 2, 2], dtype), [0, 3, 1, 2]));
      assert.deepEqual(Array.from(await transposed.data()), dtype === 'bool' ? expected.map((value) => Number(value !== 0)) : expected, dtype);
      transposed.dispose();
    }
    // A reduction over an outer axis transposes inside the kernel.
    const columnSums = tf.tidy(() => tf.tensor3d(values, [2, 3, 4], 'int32').sum(1));
    const sums = Array.from({ length: 8 }, (_, i) => [0, 1, 2].reduce((total, b) => total + values[Math.floor(i / 4) * 12 + b * 4 + (i % 4)]!, 0));
    assert.deepEqual(Array.from(await columnSums.data()), sums);
    columnSums.dispose();
    tf.dispose([...inputs, sum]);
  });

  test('the tiny BERT: logits, every gradient and three AdamW steps match the cpu backend within 1e-4', { skip }, async () => {
    const config = parseEncoderConfig(JSON.parse(readFileSync(path.join(TINY_BERT_FOLDER, 'config.json'), 'utf8')), 'config.json');
    const checkpoint = (await readSafetensors(path.join(TINY_BERT_FOLDER, 'model.safetensors'))).tensors;
    const ids = [
      [2, 36, 40, 41, 3, 0],
      [2, 50, 61, 72, 80, 3],
      [2, 44, 3, 0, 0, 0],
    ];
    const mask = ids.map((row) => row.map((id) => (id === 0 ? 0 : 1)));
    const labels = [0, 1, 1];
    type Result = { logits: Float32Array; parameters: number; gradients: Map<string, Float32Array>; weights: Map<string, Float32Array> };
    const trainOn = async (): Promise<Result> => {
      const { model } = EncoderClassifier.fromCheckpoint(config, checkpoint);
      const batch = () => ({ inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32') });
      const loss = (): tf.Scalar => tf.tidy(() => crossEntropy(model.forward(batch()).logits, tf.tensor1d(labels, 'int32')));
      const logits = tf.tidy(() => model.forward(batch()).logits);
      const result: Result = { logits: (await logits.data()) as Float32Array, parameters: model.variables.size, gradients: new Map(), weights: new Map() };
      logits.dispose();
      const optimizer = new AdamW({ weightDecay: 0.01 });
      for (let step = 0; step < 3; step++) {
        const { loss: value, gradients } = namedGradients(loss, model.variables);
        if (step === 0) for (const [name, gradient] of gradients) result.gradients.set(name, (await gradient.data()) as Float32Array);
        optimizer.applyGradients(model.variables, gradients, 1e-3);
        tf.dispose([value, ...gradients.values()]);
      }
      for (const [name, variable] of model.variables) result.weights.set(name, (await variable.data()) as Float32Array);
      optimizer.dispose();
      model.dispose();
      return result;
    };
    assert.ok(await tf.setBackend('cpu'));
    const reference = await trainOn();
    await useWebGpu();
    const tensorsBefore = tf.memory().numTensors;
    const gpu = await trainOn();
    assert.equal(tf.memory().numTensors, tensorsBefore, 'every tensor of the steps was disposed');

    const worst = (a: Float32Array, b: Float32Array): number => a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i]!)), 0);
    assert.ok(worst(gpu.logits, reference.logits) < TOLERANCE, `logits differ by ${worst(gpu.logits, reference.logits)}`);
    assert.equal(gpu.gradients.size, gpu.parameters, 'a gradient for every parameter');
    assert.deepEqual([...gpu.gradients.keys()].sort(), [...reference.gradients.keys()].sort());
    // A key bias adds the same q·b to every score of a query, which softmax ignores: its true gradient
    // is 0, and what a backend computes is rounding noise that Adam (m/√v) turns into ±lr steps.
    const roundingOnly = (name: string): boolean => name.endsWith('attention.self.key.bias');
    for (const [name, gradient] of gpu.gradients) {
      const cpu = reference.gradients.get(name)!;
      assert.ok(worst(gradient, cpu) < TOLERANCE, `gradient of ${name} differs by ${worst(gradient, cpu)}`);
      if (roundingOnly(name)) assert.ok(worst(gradient, new Float32Array(gradient.length)) < 1e-6, `${name}: a gradient of ~0`);
      else assert.ok(gradient.some((value) => value !== 0), `${name} has a gradient`);
    }
    for (const [name, weights] of gpu.weights) {
      if (!roundingOnly(name)) assert.ok(worst(weights, reference.weights.get(name)!) < TOLERANCE, `${name} after AdamW differs by ${worst(weights, reference.weights.get(name)!)}`);
    }
  });

  const STAGES = [
    'training:',
    '  batch_size: 16',
    '  warmup_ratio: 0',
    '  stages:',
    '    - { name: head, epochs: 2, learning_rate: 0.01, freeze: encoder }',
    '    - { name: all, epochs: 3, learning_rate: 0.002, freeze: none }',
  ].join('\n');

  let withoutDropout: string | undefined;
  /** The tiny BERT with dropout off: dropout masks are random draws no two runs share. */
  async function deterministicBert(): Promise<string> {
    if (withoutDropout) return withoutDropout;
    const folder = await mkdtemp(path.join(tmpdir(), 'nlp-webgpu-bert-'));
    await cp(TINY_BERT_FOLDER, folder, { recursive: true });
    const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(folder, 'config.json'), JSON.stringify({ ...config, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, classifier_dropout: 0 }));
    return (withoutDropout = folder);
  }

  async function train(
    backend: 'wasm' | 'webgpu',
    onEvent: (event: RunEvent) => void = () => undefined,
  ): Promise<{ project: SentimentProject; outcome: RunOutcome; epochs: RunEpoch[] }> {
    const project = await makeSentimentProject({ training: STAGES, train: 48, pretrained: await deterministicBert() });
    projects.push(project);
    await writeFile(project.config, `${await readFile(project.config, 'utf8')}backend: ${backend}\n`);
    const epochs: RunEpoch[] = [];
    const outcome = await runTraining(project.config, {
      onEvent: (event) => {
        if (event.kind === 'epoch') epochs.push(event);
        onEvent(event);
      },
    });
    return { project, outcome, epochs };
  }

  test('a staged fine-tune on webgpu ends with the validation metrics of the same run on wasm; memory stays flat; predictions agree', { skip }, async () => {
    process.env[ALLOW_SOFTWARE_ENV] = '1';
    const onWasm = await train('wasm');
    assert.equal(onWasm.outcome.kind, 'finished', JSON.stringify(onWasm.outcome));
    let started: RunEvent | undefined;
    const onGpu = await train('webgpu', (event) => void (event.kind === 'started' && (started = event)));
    assert.equal(onGpu.outcome.kind, 'finished', JSON.stringify(onGpu.outcome));
    assert.ok(started?.kind === 'started' && started.backend?.name === 'webgpu' && /through WebGPU$/.test(started.backend.device ?? ''), JSON.stringify(started));

    type Summary = { validation: { loss: number; accuracy: number; macroF1: number } };
    const wasmSummary = (onWasm.outcome.kind === 'finished' ? onWasm.outcome.summary : {}) as Summary;
    const gpuSummary = (onGpu.outcome.kind === 'finished' ? onGpu.outcome.summary : {}) as Summary;
    assert.ok(Math.abs(gpuSummary.validation.loss - wasmSummary.validation.loss) < 1e-3, `validation loss ${gpuSummary.validation.loss} on webgpu, ${wasmSummary.validation.loss} on wasm`);
    assert.equal(gpuSummary.validation.accuracy, wasmSummary.validation.accuracy);
    assert.equal(gpuSummary.validation.macroF1, wasmSummary.validation.macroF1);
    onGpu.epochs.forEach((epoch, index) => assert.ok(Math.abs(epoch.trainLoss - onWasm.epochs[index]!.trainLoss) < 1e-3, `epoch ${epoch.epoch} train loss`));

    // Memory after each epoch of a stage is the same: no tensor or GPU buffer leaks step by step.
    for (const stage of ['head', 'all']) {
      const memory = onGpu.epochs.filter((epoch) => epoch.stage === stage).map((epoch) => epoch.memory!);
      assert.ok(memory.length >= 2 && memory.every((entry) => entry.gpuBytes !== undefined), JSON.stringify(memory));
      for (const later of memory.slice(1)) {
        assert.equal(later.tensors, memory[0]!.tensors, `tensors after each ${stage} epoch: ${JSON.stringify(memory)}`);
        assert.equal(later.gpuBytes, memory[0]!.gpuBytes, `GPU bytes after each ${stage} epoch: ${JSON.stringify(memory)}`);
      }
    }

    // The classifier trained on webgpu predicts on webgpu as the wasm-trained one does on wasm.
    const texts = ['a great fun movie', 'this film was bad and boring', 'the plot'];
    const predict = async (runDir: string): Promise<Float32Array[]> => {
      const classifier = await loadTextClassifier(runDir);
      try {
        return await classifier.predict(texts);
      } finally {
        classifier.dispose();
      }
    };
    const gpuProbabilities = await predict(onGpu.project.runDir);
    assert.equal(tf.getBackend(), 'webgpu', 'predictions stay on the backend the run chose');
    await selectBackend('wasm');
    const wasmProbabilities = await predict(onWasm.project.runDir);
    gpuProbabilities.forEach((row, i) => row.forEach((p, j) => assert.ok(Math.abs(p - wasmProbabilities[i]![j]!) < 1e-3, `text ${i}, class ${j}: ${p} vs ${wasmProbabilities[i]![j]}`)));
  });

  test('a run whose GPU device is lost fails cleanly, says so, and the next run gets a new device', { skip }, async () => {
    process.env[ALLOW_SOFTWARE_ENV] = '1';
    let destroyed = false;
    const lost = await train('webgpu', (event) => {
      if (event.kind === 'step' && !destroyed) {
        destroyed = true;
        (tf.backend() as WebGPUBackend).device.destroy();
      }
    });
    assert.ok(destroyed);
    assert.equal(lost.outcome.kind, 'failed');
    const failure = lost.outcome.kind === 'failed' ? lost.outcome : undefined;
    assert.match(failure?.message ?? '', /training on the GPU stopped: the GPU device .+ was lost \(destroyed.*\)\. Resume the run to continue from its last checkpoint/);
    assert.ok(failure?.location?.file.endsWith('classify.nlp.yaml'), 'points at the config');
    const again = await selectBackend('webgpu');
    assert.equal(again.name, 'webgpu');
    const sum = tf.tidy(() => tf.fill([2048], 2).sum());
    assert.equal((await sum.data())[0], 4096);
    sum.dispose();
  });
});
