// The WebAssembly backend with the engine's kernel repairs computes what the pure-JS reference does:
// the repaired kernels alone, then a tiny BERT's forward pass and the gradients of all its parameters.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../engine/backend/selectBackend';
import { useNativeGemm } from '../../engine/backend/wasmKernels';
import { EncoderClassifier } from '../../engine/models/encoderClassifier';
import { parseEncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { mulberry32 } from '../../engine/data/seededRandom';
import { tinyBertConfigJson, tinyBertWeights } from '../fixtures/models/tinyBert';

const TOLERANCE = 1e-4;

before(async () => {
  // Starts wasm once (binaries, kernel repairs); each test then switches with tf.setBackend.
  assert.equal((await selectBackend('wasm')).name, 'wasm');
});

/** Runs `compute` on each backend, the tensors it returns read back as plain arrays. */
async function onBoth<T>(compute: () => T): Promise<{ cpu: T; wasm: T }> {
  const results: Partial<Record<'cpu' | 'wasm', T>> = {};
  for (const backend of ['cpu', 'wasm'] as const) {
    assert.ok(await tf.setBackend(backend), `${backend} starts`);
    results[backend] = compute();
  }
  return results as { cpu: T; wasm: T };
}

function randomArray(size: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: size }, () => random() * 2 - 1);
}

/** Runs `compute`, disposing every tensor it makes; it returns plain values. */
function withScope<T>(compute: () => T): T {
  tf.engine().startScope();
  try {
    return compute();
  } finally {
    tf.engine().endScope();
  }
}

/** Largest |a − b| over two flat arrays, scaled by the reference's magnitude when that exceeds 1. */
function maxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'same sizes');
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  return worst;
}

describe('wasm UnsortedSegmentSum (the gradient of gather)', () => {
  test('sums rows by segment and drops ids out of range, as the cpu backend', async () => {
    const ids = Int32Array.from([0, 3, 3, -1, 9, 12, 2, 0, 5, 5, 5, 9]);
    const { cpu, wasm } = await onBoth(() =>
      tf.tidy(() => {
        const x = tf.tensor(randomArray(ids.length * 2 * 3, 7), [ids.length, 2, 3]);
        return {
          float: tf.unsortedSegmentSum(x, tf.tensor1d(ids, 'int32'), 10).arraySync(),
          int: tf.unsortedSegmentSum(tf.range(0, ids.length, 1, 'int32'), tf.tensor1d(ids, 'int32'), 10).arraySync(),
        };
      }),
    );
    assert.ok(maxError((wasm.float as number[][][]).flat(2), (cpu.float as number[][][]).flat(2)) < 1e-6);
    assert.deepEqual(wasm.int, cpu.int);
  });

  test('gives the gradient of an embedding lookup', async () => {
    const { cpu, wasm } = await onBoth(() =>
      tf.tidy(() => {
        const table = tf.tensor2d(randomArray(20 * 4, 3), [20, 4]);
        return tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d([1, 5, 5, 19, 0, 1], 'int32')).square().sum())(table).dataSync();
      }),
    );
    assert.ok(maxError(wasm, cpu) < 1e-6);
  });
});

/** The matMul routes to test: XNNPACK always, the native OpenBLAS addon when it is built here. */
const ROUTES = [{ name: 'XNNPACK', native: false }, ...(useNativeGemm(true) ? [{ name: 'OpenBLAS', native: true }] : [])];

describe('wasm BatchMatMul', () => {
  const cases: [string, number[], number[]][] = [
    ['rank 2', [33, 17], [17, 9]],
    ['rank 3', [5, 33, 17], [5, 17, 9]],
    ['rank 4 (attention)', [2, 3, 16, 8], [2, 3, 8, 16]],
    ['shared right operand', [4, 33, 17], [17, 9]],
    ['shared left operand', [17, 9], [4, 9, 6]],
  ];
  for (const route of ROUTES) {
    for (const [name, aShape, bShape] of cases) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          test(`${route.name}: ${name}, transposeA ${transposeA}, transposeB ${transposeB}`, async () => {
            useNativeGemm(route.native);
            const swap = (shape: number[], yes: boolean): number[] => (yes ? [...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!] : shape);
            const a = swap(aShape, transposeA);
            const b = swap(bShape, transposeB);
            const size = (shape: number[]): number => shape.reduce((x, y) => x * y, 1);
            const { cpu, wasm } = await onBoth(() =>
              tf.tidy(() => {
                const product = tf.matMul(tf.tensor(randomArray(size(a), 1), a), tf.tensor(randomArray(size(b), 2), b), transposeA, transposeB);
                return { shape: product.shape, values: product.dataSync() };
              }),
            );
            assert.deepEqual(wasm.shape, cpu.shape);
            assert.ok(maxError(wasm.values, cpu.values) < 1e-5);
          });
        }
      }
    }
  }
});

describe('wasm Sum and Identity', () => {
  test('sums over leading axes (as a product with ones), other axes and everything, as the cpu backend', async () => {
    const { cpu, wasm } = await onBoth(() =>
      tf.tidy(() => {
        const x = tf.tensor(randomArray(6 * 5 * 4, 9), [6, 5, 4]);
        return [x.sum(0), x.sum([0, 1]), x.sum(0, true), x.sum([1, 0], true), x.sum(1), x.sum(-1), x.sum(), tf.range(0, 12, 1, 'int32').reshape([3, 4]).sum(0)].map((t) => ({
          shape: t.shape,
          values: [...t.dataSync()],
        }));
      }),
    );
    for (const [i, expected] of cpu.entries()) {
      assert.deepEqual(wasm[i]!.shape, expected.shape, `case ${i}`);
      assert.ok(maxError(wasm[i]!.values, expected.values) < 1e-5, `case ${i}`);
    }
  });

  test('a clone shares the data and outlives the original', async () => {
    assert.ok(await tf.setBackend('wasm'));
    const original = tf.tensor1d([1, 2, 3]);
    const copy = original.clone();
    original.dispose();
    assert.deepEqual([...copy.dataSync()], [1, 2, 3]);
    copy.dispose();
  });
});

describe('tiny BERT on wasm and on cpu', () => {
  for (const route of ROUTES) {
    test(`${route.name}: forward pass and the gradients of every parameter agree within 1e-4`, async () => {
      useNativeGemm(route.native);
      const config = parseEncoderConfig(tinyBertConfigJson({ hiddenSize: 32, numAttentionHeads: 4, numHiddenLayers: 2 }), 'tiny config');
      const weights = tinyBertWeights({ hiddenSize: 32, numAttentionHeads: 4, numHiddenLayers: 2, initializerRange: 0.05 });
      const ids = [
        [2, 36, 14, 44, 5, 3, 0, 0],
        [2, 56, 57, 7, 3, 60, 61, 3],
        [2, 27, 48, 14, 45, 90, 5, 3],
      ];
      const mask = ids.map((row) => row.map((id) => (id === 0 ? 0 : 1)));
      const types = ids.map((row, r) => row.map((_, i) => (r === 1 && i > 4 ? 1 : 0)));
      const labels = [0, 2, 1];

      const { cpu, wasm } = await onBoth(() => {
        const { model } = EncoderClassifier.fromCheckpoint(config, weights);
        try {
          return withScope(() => {
            const inputs = {
              inputIds: tf.tensor2d(ids, undefined, 'int32'),
              attentionMask: tf.tensor2d(mask, undefined, 'int32'),
              tokenTypeIds: tf.tensor2d(types, undefined, 'int32'),
            };
            const logits = model.forward(inputs).logits.dataSync();
            const loss = (): tf.Scalar => {
              const logProbabilities = tf.logSoftmax(model.forward(inputs).logits);
              return logProbabilities.mul(tf.oneHot(tf.tensor1d(labels, 'int32'), logProbabilities.shape[1])).sum(1).mean().neg() as tf.Scalar;
            };
            const { value, grads } = tf.variableGrads(loss, [...model.variables.values()]);
            const gradients = new Map([...model.variables].map(([name, variable]) => [name, grads[variable.name]?.dataSync()]));
            return { logits, loss: value.dataSync()[0]!, gradients };
          });
        } finally {
          model.dispose();
        }
      });

      assert.ok(maxError(wasm.logits, cpu.logits) < TOLERANCE, `logits differ by ${maxError(wasm.logits, cpu.logits)}`);
      assert.ok(Math.abs(wasm.loss - cpu.loss) < TOLERANCE);
      assert.equal(wasm.gradients.size, cpu.gradients.size);
      const worst: [string, number][] = [];
      for (const [name, expected] of cpu.gradients) {
        const actual = wasm.gradients.get(name);
        assert.ok(expected && actual, `${name} has a gradient on both backends`);
        worst.push([name, maxError(actual, expected)]);
      }
      const failing = worst.filter(([, error]) => !(error < TOLERANCE));
      assert.deepEqual(failing, [], 'every gradient within tolerance');
      // Not vacuous: the embedding gradients (UnsortedSegmentSum) are non-zero.
      assert.ok(cpu.gradients.get('bert.embeddings.word_embeddings.weight')!.some((value) => value !== 0));
    });
  }
});
