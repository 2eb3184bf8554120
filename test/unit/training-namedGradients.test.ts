// Gradients keyed by parameter name, for the trainable parameters only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { namedGradients } from '../../engine/training/namedGradients';

describe('training: named gradients', () => {
  it('returns the loss and one gradient per trainable name', () => {
    const a = tf.variable(tf.tensor([1, 2]));
    const b = tf.variable(tf.tensor([3]));
    // loss = Σ a² + 5·b: d/da = 2a, d/db = 5; b frozen → no gradient for it.
    const lossOf = (): tf.Scalar => a.square().sum().add(b.mul(5).sum());
    const { loss, gradients } = namedGradients(lossOf, new Map([['layer.a', a]]));
    assert.equal(loss.dataSync()[0], 20);
    assert.deepEqual([...gradients.keys()], ['layer.a']);
    assert.deepEqual(Array.from(gradients.get('layer.a')!.dataSync()), [2, 4]);
    loss.dispose();
    gradients.forEach((gradient) => gradient.dispose());
    const both = namedGradients(lossOf, new Map([['layer.b', b], ['layer.a', a]]));
    assert.deepEqual(Array.from(both.gradients.get('layer.b')!.dataSync()), [5]);
    both.loss.dispose();
    both.gradients.forEach((gradient) => gradient.dispose());
    a.dispose();
    b.dispose();
  });
});
