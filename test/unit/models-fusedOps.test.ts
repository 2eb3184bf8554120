import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  addSameShape,
  checkpointed,
  divideByConstant,
  dropout,
  geluErf,
  geluErfComposite,
  layerNorm,
  layerNormComposite,
  linear,
  maskedSoftmax,
} from '../../engine/models/fusedOps';

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
});

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0] ?? Infinity);
}

describe('custom-gradient ops match their plain-op composites', () => {
  test('GELU (erf): same values and gradients to 1e-5 on random inputs', () => {
    tf.tidy(() => {
      for (const seed of [1, 2, 3]) {
        const x = tf.randomNormal([37, 53], 0, 2.5, 'float32', seed);
        const dy = tf.randomNormal([37, 53], 0, 1, 'float32', seed + 100);
        assert.ok(maxDifference(geluErf(x), geluErfComposite(x)) === 0, 'forward values are identical');
        const [fused] = tf.grads((input: tf.Tensor) => geluErf(input))([x], dy);
        const [plain] = tf.grads((input: tf.Tensor) => geluErfComposite(input))([x], dy);
        const difference = maxDifference(fused as tf.Tensor, plain as tf.Tensor);
        assert.ok(difference < 1e-5, `gradient differs by ${difference}`);
      }
    });
  });

  test('LayerNorm: same values and gradients (x, gamma, beta) to 1e-5 on random inputs', () => {
    tf.tidy(() => {
      for (const seed of [1, 2, 3]) {
        const rows = 29;
        const width = 48;
        const x = tf.randomNormal<tf.Rank.R2>([rows, width], 0.3, 1.7, 'float32', seed);
        const gamma = tf.randomNormal([width], 1, 0.2, 'float32', seed + 10);
        const beta = tf.randomNormal([width], 0, 0.2, 'float32', seed + 20);
        const dy = tf.randomNormal([rows, width], 0, 1, 'float32', seed + 30);
        const eps = 1e-12;
        assert.ok(maxDifference(layerNorm(x, gamma, beta, eps), layerNormComposite(x, gamma, beta, eps)) === 0, 'forward values are identical');
        const fused = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(a as tf.Tensor2D, g, b, eps))([x, gamma, beta], dy);
        const plain = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNormComposite(a as tf.Tensor2D, g, b, eps))([x, gamma, beta], dy);
        ['x', 'gamma', 'beta'].forEach((name, i) => {
          const difference = maxDifference(fused[i] as tf.Tensor, plain[i] as tf.Tensor);
          assert.ok(difference < 1e-5, `d${name} differs by ${difference}`);
        });
      }
    });
  });

  test('linear, same-shape add, divide by a constant and masked softmax: gradients to 1e-5', () => {
    tf.tidy(() => {
      const x = tf.randomNormal<tf.Rank.R2>([13, 24], 0, 1, 'float32', 1);
      const w = tf.randomNormal<tf.Rank.R2>([24, 10], 0, 0.5, 'float32', 2);
      const b = tf.randomNormal([10], 0, 0.5, 'float32', 3);
      const dy = tf.randomNormal([13, 10], 0, 1, 'float32', 4);
      const fused = tf.grads((a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => linear(a as tf.Tensor2D, k as tf.Tensor2D, c))([x, w, b], dy);
      const plain = tf.grads((a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.matMul(a as tf.Tensor2D, k as tf.Tensor2D).add(c))([x, w, b], dy);
      fused.forEach((g, i) => assert.ok(maxDifference(g, plain[i] as tf.Tensor) < 1e-5, `linear input ${i}`));

      const y = tf.randomNormal<tf.Rank.R2>([13, 24], 0, 1, 'float32', 5);
      const dz = tf.randomNormal([13, 24], 0, 1, 'float32', 6);
      const fusedAdd = tf.grads((p: tf.Tensor, q: tf.Tensor) => addSameShape(p, q).mul(p))([x, y], dz);
      const plainAdd = tf.grads((p: tf.Tensor, q: tf.Tensor) => p.add(q).mul(p))([x, y], dz);
      fusedAdd.forEach((g, i) => assert.ok(maxDifference(g, plainAdd[i] as tf.Tensor) < 1e-5, `add input ${i}`));
      const [fusedDiv] = tf.grads((p: tf.Tensor) => divideByConstant(p, 3).square())([x], dz);
      const [plainDiv] = tf.grads((p: tf.Tensor) => p.div(3).square())([x], dz);
      assert.ok(maxDifference(fusedDiv as tf.Tensor, plainDiv as tf.Tensor) < 1e-5, 'divide');

      const scores = tf.randomNormal<tf.Rank.R4>([2, 3, 5, 5], 0, 2, 'float32', 7);
      const mask = tf.tensor4d([0, 0, 0, -1e9, -1e9, 0, 0, 0, 0, 0], [2, 1, 1, 5]);
      const ds = tf.randomNormal([2, 3, 5, 5], 0, 1, 'float32', 8);
      const [fusedSoftmax] = tf.grads((s: tf.Tensor) => maskedSoftmax(s as tf.Tensor4D, mask))([scores], ds);
      const [plainSoftmax] = tf.grads((s: tf.Tensor) => tf.softmax(s.add(mask), -1))([scores], ds);
      assert.ok(maxDifference(maskedSoftmax(scores, mask), tf.softmax(scores.add(mask), -1)) === 0, 'softmax values');
      assert.ok(maxDifference(fusedSoftmax as tf.Tensor, plainSoftmax as tf.Tensor) < 1e-5, 'softmax gradient');
    });
  });

  test('dropout scales the gradient by the same mask as the value', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([40, 30], 0.5, 2, 'float32', 1);
      const dy = tf.randomNormal([40, 30], 0, 1, 'float32', 2);
      const { value, grads: [dx] } = tf.valueAndGrads((a: tf.Tensor) => dropout(a, 0.4))([x], dy);
      // y = x·m and dx = dy·m, so dx = dy·y/x
      assert.ok(maxDifference(dx as tf.Tensor, dy.mul(value).div(x)) < 1e-5);
    });
  });

  test('checkpointed: the same values and gradients as running the function under the tape', () => {
    tf.tidy(() => {
      const x = tf.randomNormal<tf.Rank.R2>([9, 16], 0, 1, 'float32', 1);
      const w = tf.randomNormal<tf.Rank.R2>([16, 32], 0, 0.3, 'float32', 2);
      const b = tf.zeros([32]);
      const w2 = tf.randomNormal<tf.Rank.R2>([32, 16], 0, 0.3, 'float32', 3);
      const gamma = tf.randomNormal([16], 1, 0.1, 'float32', 4);
      const beta = tf.randomNormal([16], 0, 0.1, 'float32', 5);
      const dy = tf.randomNormal([9, 16], 0, 1, 'float32', 6);
      const block = ([a, k, c, k2, g, s]: tf.Tensor[]): tf.Tensor =>
        layerNorm(addSameShape(tf.matMul(geluErf(linear(a as tf.Tensor2D, k as tf.Tensor2D, c as tf.Tensor)), k2 as tf.Tensor2D), a as tf.Tensor2D), g as tf.Tensor, s as tf.Tensor, 1e-12);
      const inputs = [x, w, b, w2, gamma, beta];
      const direct = tf.grads((...xs: tf.Tensor[]) => block(xs))(inputs, dy);
      const viaCheckpoint = tf.grads((...xs: tf.Tensor[]) => checkpointed((ins) => block(ins), xs, true))(inputs, dy);
      assert.ok(maxDifference(checkpointed((ins) => block(ins), inputs, false), block(inputs)) === 0, 'values');
      direct.forEach((g, i) => assert.ok(maxDifference(g, viaCheckpoint[i] as tf.Tensor) < 1e-5, `input ${i}`));

      // With dropout the recomputation replays the forward pass's masks: y = x·m, dx = dy·m.
      const positive = tf.randomUniform([9, 16], 0.5, 2, 'float32', 7);
      const { value, grads: [dx] } = tf.valueAndGrads((a: tf.Tensor) => checkpointed(([input], drop) => drop(input as tf.Tensor, 0.5), [a], true))([positive], dy);
      assert.ok(maxDifference(dx as tf.Tensor, dy.mul(value).div(positive)) < 1e-5, 'dropout masks replayed');
    });
  });
});
