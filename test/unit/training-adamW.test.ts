// AdamW by parameter name (torch.optim.AdamW semantics) and global-norm clipping (clip_grad_norm_).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { AdamW, isNoDecayParameter } from '../../engine/training/adamW';
import { clipByGlobalNorm, globalNorm } from '../../engine/training/clipByGlobalNorm';

const created: tf.Variable[] = [];
function variable(values: number[], shape?: number[]): tf.Variable {
  const made = tf.variable(tf.tensor(values, shape), true);
  created.push(made);
  return made;
}
const grads = (entries: Record<string, number[] | [number[], number[]]>): Map<string, tf.Tensor> =>
  new Map(Object.entries(entries).map(([name, values]) => [name, tf.tensor(values)]));
const disposeAll = (map: ReadonlyMap<string, tf.Tensor>): void => map.forEach((tensor) => tensor.dispose());
const valuesOf = (tensor: tf.Tensor): number[] => Array.from(tensor.dataSync());
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    const [a, e] = [actual[i] ?? NaN, expected[i] ?? NaN];
    assert.ok(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} ≠ ${e}`);
  }
}

describe('training: AdamW', () => {
  tf.setBackend('cpu').catch(() => undefined);
  after(() => created.forEach((made) => made.dispose()));

  it('exempts biases and LayerNorm parameters from decay (HF no_decay)', () => {
    for (const name of ['bert.encoder.layer.0.attention.self.query.bias', 'classifier.bias', 'bert.embeddings.LayerNorm.weight', 'bert.encoder.layer.3.output.LayerNorm.bias', 'bert.embeddings.LayerNorm.gamma']) {
      assert.equal(isNoDecayParameter(name), true, name);
    }
    for (const name of ['bert.embeddings.word_embeddings.weight', 'bert.encoder.layer.0.attention.self.query.weight', 'bert.pooler.dense.weight', 'classifier.weight']) {
      assert.equal(isNoDecayParameter(name), false, name);
    }
    const optimizer = new AdamW({ weightDecay: 0.01 });
    assert.equal(optimizer.decays('classifier.weight'), true);
    assert.equal(optimizer.decays('classifier.bias'), false);
    assert.equal(new AdamW({ weightDecay: 0 }).decays('classifier.weight'), false);
  });

  it('takes one step exactly as the written-down update', () => {
    const [lr, wd, b1, b2, eps] = [0.01, 0.1, 0.9, 0.999, 1e-8];
    const start = [0.5, -1.5, 2];
    const g = [0.2, -3, 0];
    const w = variable(start);
    const optimizer = new AdamW({ weightDecay: wd });
    const gradients = grads({ 'dense.weight': g });
    optimizer.applyGradients(new Map([['dense.weight', w]]), gradients, lr);
    disposeAll(gradients);
    // t = 1: m = (1−β1)g, v = (1−β2)g², p ← p(1 − lr·λ) − lr/(1−β1) · m / (√v/√(1−β2) + ε).
    const expected = start.map((p, i) => {
      const gi = g[i] ?? 0;
      const m = (1 - b1) * gi;
      const v = (1 - b2) * gi * gi;
      return p * (1 - lr * wd) - (lr / (1 - b1)) * (m / (Math.sqrt(v) / Math.sqrt(1 - b2) + eps));
    });
    assertClose(valuesOf(w), expected, 1e-7, 'step 1');
    // At t = 1 the Adam part is lr·sign(g) (up to ε): 0.5·0.999 − 0.01, −1.5·0.999 + 0.01, 2·0.999.
    assertClose(valuesOf(w), [0.4895, -1.4885, 1.998], 1e-6, 'sign step');
    assert.equal(optimizer.stepOf('dense.weight'), 1);
    optimizer.dispose();
  });

  it('matches torch.optim.AdamW over three steps with per-step learning rates', () => {
    // Reference: PyTorch 1.13 (Debian python3-torch), AdamW(betas=(0.9, 0.999), eps=1e-8), param
    // groups [w: weight_decay 0.1], [b, LayerNorm.weight: weight_decay 0]; lr set per step.
    const parameters = new Map([
      ['dense.weight', variable([0.5, -1.0, 2.0, 0.25, 0.0, -0.75], [2, 3])],
      ['dense.bias', variable([0.1, -0.2, 0.3])],
      ['LayerNorm.weight', variable([1.0, 1.5, 0.5])],
    ]);
    const steps: [number, Record<string, number[] | [number[], number[]]>][] = [
      [1e-3, { 'dense.weight': [[0.3, -0.1, 0.0], [1.0, -2.0, 0.5]], 'dense.bias': [0.01, -0.5, 2.0], 'LayerNorm.weight': [0.2, 0.2, -0.2] }],
      [5e-2, { 'dense.weight': [[-0.3, 0.4, 0.1], [0.5, -1.0, 0.0]], 'dense.bias': [0.02, 0.5, -1.0], 'LayerNorm.weight': [0.1, -0.3, 0.0] }],
      [2e-2, { 'dense.weight': [[0.05, 0.05, -0.6], [0.7, 0.2, -0.1]], 'dense.bias': [-0.03, 0.1, 0.4], 'LayerNorm.weight': [0.0, 0.4, 1.0] }],
    ];
    const torchAfter = [
      { w: [0.498950005, -0.998899996, 1.99979997, 0.248974994, 0.000999999931, -0.750925004], b: [0.0989999995, -0.199000001, 0.299000025], ln: [0.999000013, 1.49899995, 0.500999987] },
      { w: [0.499086827, -1.02188063, 1.95259404, 0.201121137, 0.0476039797, -0.780673325], b: [0.0507409237, -0.201631576, 0.285683185], ln: [0.952391028, 1.51138508, 0.534502923] },
      { w: [0.497400284, -1.02996278, 1.95940113, 0.181722701, 0.0607236996, -0.786761522], b: [0.052072905, -0.204227582, 0.279378325], ln: [0.93797946, 1.50445533, 0.524003923] },
    ];
    const optimizer = new AdamW({ weightDecay: 0.1 });
    steps.forEach(([lr, entries], index) => {
      const gradients = grads(entries);
      optimizer.applyGradients(parameters, gradients, lr);
      disposeAll(gradients);
      const expected = torchAfter[index]!;
      assertClose(valuesOf(parameters.get('dense.weight')!), expected.w, 2e-7, `w after step ${index + 1}`);
      assertClose(valuesOf(parameters.get('dense.bias')!), expected.b, 2e-7, `b after step ${index + 1}`);
      assertClose(valuesOf(parameters.get('LayerNorm.weight')!), expected.ln, 2e-7, `ln after step ${index + 1}`);
    });
    optimizer.dispose();
  });

  it('converges on a small quadratic', () => {
    const target = tf.tensor([1, -2, 3, 0.5]);
    const x = variable([0, 0, 0, 0]);
    const parameters = new Map([['x', x]]);
    const optimizer = new AdamW({ weightDecay: 0 });
    const before = tf.memory().numTensors;
    for (let step = 0; step < 400; step++) {
      const { value, grads: byVariable } = tf.variableGrads(() => x.sub(target).square().sum<tf.Scalar>(), [x]);
      const gradients = new Map([['x', byVariable[x.name]!]]);
      optimizer.applyGradients(parameters, gradients, 0.05);
      disposeAll(gradients);
      value.dispose();
    }
    assertClose(valuesOf(x), [1, -2, 3, 0.5], 1e-3, 'minimum');
    assert.equal(tf.memory().numTensors, before + 2, 'only m and v stay: no tensor leaks per step');
    target.dispose();
    optimizer.dispose();
  });

  it('keeps each parameter’s state by name across freeze → unfreeze', () => {
    // Staged: a and b train, then a is frozen for two steps, then both train again (in another order).
    const staged = new Map([['a', variable([1, 2])], ['b', variable([3])]]);
    const optimizer = new AdamW({ weightDecay: 0.01 });
    const gA = [[0.5, -0.25], [0.1, 0.2], [-1, 0.3]];
    const gB = [[1], [2], [-0.5], [0.25], [0.75]];
    const step = (params: Map<string, tf.Variable>, entries: Record<string, number[]>, lr: number): void => {
      const gradients = grads(entries);
      optimizer.applyGradients(params, gradients, lr);
      disposeAll(gradients);
    };
    step(staged, { a: gA[0]!, b: gB[0]! }, 0.1);
    const frozenA = valuesOf(staged.get('a')!);
    step(staged, { b: gB[1]! }, 0.1); // a frozen: no gradient
    step(new Map([['b', staged.get('b')!]]), { b: gB[2]! }, 0.1); // or left out altogether
    assert.deepEqual(valuesOf(staged.get('a')!), frozenA, 'a unchanged while frozen');
    assert.equal(optimizer.stepOf('a'), 1);
    assert.equal(optimizer.stepOf('b'), 3);
    step(new Map([['b', staged.get('b')!], ['a', staged.get('a')!]]), { a: gA[1]!, b: gB[3]! }, 0.05);
    step(staged, { a: gA[2]!, b: gB[4]! }, 0.05);
    assert.equal(optimizer.stepOf('a'), 3);

    // Reference: a alone, seeing only its own gradients, must end identical (t and moments per name).
    const alone = new Map([['a', variable([1, 2])]]);
    const reference = new AdamW({ weightDecay: 0.01 });
    [[gA[0]!, 0.1], [gA[1]!, 0.05], [gA[2]!, 0.05]].forEach(([g, lr]) => {
      const gradients = grads({ a: g as number[] });
      reference.applyGradients(alone, gradients, lr as number);
      disposeAll(gradients);
    });
    assert.deepEqual(valuesOf(staged.get('a')!), valuesOf(alone.get('a')!));
    optimizer.dispose();
    reference.dispose();
  });

  it('exports and imports its state as plain arrays, continuing identically', async () => {
    const first = new Map([['w', variable([0.3, -0.7])]]);
    const optimizer = new AdamW({ weightDecay: 0.01 });
    const stepWith = (opt: AdamW, params: Map<string, tf.Variable>, g: number[]): void => {
      const gradients = grads({ w: g });
      opt.applyGradients(params, gradients, 0.01);
      disposeAll(gradients);
    };
    stepWith(optimizer, first, [1, -2]);
    stepWith(optimizer, first, [0.5, 0.5]);
    const state = await optimizer.exportState();
    assert.equal(state.parameters.length, 1);
    const entry = state.parameters[0]!;
    assert.equal(entry.step, 2);
    assert.deepEqual(entry.shape, [2]);
    assert.ok(entry.m instanceof Float32Array && entry.v instanceof Float32Array);
    const copy = JSON.parse(JSON.stringify({ ...entry, m: [...entry.m], v: [...entry.v] })) as { name: string; step: number; shape: number[]; m: number[]; v: number[] };

    const second = new Map([['w', variable(valuesOf(first.get('w')!))]]);
    const restored = new AdamW({ weightDecay: 0.01 });
    restored.importState({ parameters: [{ ...copy, m: Float32Array.from(copy.m), v: Float32Array.from(copy.v) }] });
    stepWith(optimizer, first, [-0.2, 0.9]);
    stepWith(restored, second, [-0.2, 0.9]);
    assert.deepEqual(valuesOf(second.get('w')!), valuesOf(first.get('w')!));
    assert.equal(restored.stepOf('w'), 3);

    assert.throws(() => restored.importState({ parameters: [{ ...entry, shape: [3] }] }), /shape \[3\] needs 3 values, got 2 and 2/);
    const wrongShape = new Map([['w', variable([1, 2, 3])]]);
    const gradients = grads({ w: [1, 1, 1] });
    assert.throws(() => restored.applyGradients(wrongShape, gradients, 0.01), /AdamW state for w has shape \[2\], the parameter \[3\]/);
    assert.throws(() => restored.applyGradients(new Map(), gradients, 0.01), /gradient for w, which is not among the parameters/);
    disposeAll(gradients);
    optimizer.dispose();
    restored.dispose();
  });
});

describe('training: global-norm clipping', () => {
  it('scales by maxNorm / (norm + 1e-6) and returns the pre-clip norm, as clip_grad_norm_', async () => {
    const gradients = grads({ a: [3, 4], c: [12] });
    const result = await clipByGlobalNorm(gradients, 1);
    assert.equal(result.norm, 13);
    assert.equal(result.clipped, true);
    // torch.nn.utils.clip_grad_norm_([a, c], 1.0) on the same gradients (PyTorch 1.13).
    assertClose(valuesOf(result.gradients.get('a')!), [0.23076921701431274, 0.307692289352417], 1e-7, 'a');
    assertClose(valuesOf(result.gradients.get('c')!), [0.923076868057251], 1e-7, 'c');
    assert.deepEqual(valuesOf(gradients.get('a')!), [3, 4], 'inputs untouched');
    assertClose([await globalNorm(result.gradients.values())], [1], 1e-6, 'clipped norm');
    disposeAll(result.gradients);

    const loose = await clipByGlobalNorm(gradients, 20);
    assert.equal(loose.clipped, false);
    assert.equal(loose.gradients, gradients);
    const off = await clipByGlobalNorm(gradients, 0);
    assert.equal(off.clipped, false);
    assert.equal(off.norm, 13);
    assert.equal(off.gradients, gradients);
    await assert.rejects(clipByGlobalNorm(gradients, -1), /max_grad_norm must be ≥ 0/);
    disposeAll(gradients);
    assert.equal(await globalNorm([]), 0);
  });
});
