import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { EncoderClassifier, type EncoderInputs } from '../../engine/models/encoderClassifier';
import { EncoderConfigError, parseEncoderConfig, type EncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { readSafetensors, writeSafetensors, type FloatTensor } from '../../engine/models/safetensors';
import { tinyBertConfigJson, tinyBertWeights } from '../fixtures/models/tinyBert';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'models', 'tiny-bert');

interface Reference {
  readonly input_ids: number[][];
  readonly attention_mask: number[][];
  readonly token_type_ids: number[][];
  readonly logits: number[][];
  readonly pooled_output: number[][];
  readonly last_hidden_state: number[][][];
}
/** Outputs of an independent plain-PyTorch float64 BERT on the fixture (make-references.py). */
const reference = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'models', 'tiny-bert-reference.json'), 'utf8')) as Reference;

let config: EncoderConfig;
let checkpoint: Map<string, FloatTensor>;
let model: EncoderClassifier;

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  config = parseEncoderConfig(JSON.parse(readFileSync(path.join(FIXTURE, 'config.json'), 'utf8')), 'config.json');
  checkpoint = (await readSafetensors(path.join(FIXTURE, 'model.safetensors'))).tensors;
  const loaded = EncoderClassifier.fromCheckpoint(config, checkpoint);
  assert.deepEqual(loaded.notices, []);
  model = loaded.model;
});
after(() => model.dispose());

function inputs(ids: number[][], mask?: number[][], types?: number[][]): EncoderInputs {
  return {
    inputIds: tf.tensor2d(ids, undefined, 'int32'),
    ...(mask === undefined ? {} : { attentionMask: tf.tensor2d(mask, undefined, 'int32') }),
    ...(types === undefined ? {} : { tokenTypeIds: tf.tensor2d(types, undefined, 'int32') }),
  };
}

function run(which: EncoderClassifier, batch: EncoderInputs): { logits: number[][]; pooled: number[][]; hidden: number[][][] } {
  return tf.tidy(() => {
    const out = which.forward(batch);
    return { logits: out.logits.arraySync(), pooled: out.pooledOutput?.arraySync() ?? [], hidden: out.lastHiddenState.arraySync() };
  });
}

function maxDifference(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b);
  assert.ok(Array.isArray(a) && Array.isArray(b) && a.length === b.length, 'same shapes');
  return a.reduce((worst: number, item, i) => Math.max(worst, maxDifference(item, b[i])), 0);
}

const referenceBatch = (): EncoderInputs => inputs(reference.input_ids, reference.attention_mask, reference.token_type_ids);

describe('BERT forward pass', () => {
  test('matches an independent PyTorch implementation to 1e-5 (logits, pooled output, every hidden state)', () => {
    const out = run(model, referenceBatch());
    assert.ok(maxDifference(out.logits, reference.logits) < 1e-5, `logits differ by ${maxDifference(out.logits, reference.logits)}`);
    assert.ok(maxDifference(out.pooled, reference.pooled_output) < 1e-5, 'pooled output');
    assert.ok(maxDifference(out.hidden, reference.last_hidden_state) < 1e-5, `hidden states differ by ${maxDifference(out.hidden, reference.last_hidden_state)}`);
  });

  test('padding is masked: a padded batch gives each sequence what it gives alone', () => {
    const batch = run(model, referenceBatch());
    reference.input_ids.forEach((ids, row) => {
      const length = reference.attention_mask[row]?.reduce((a, b) => a + b, 0) ?? 0;
      const alone = run(model, inputs([ids.slice(0, length)], undefined, [reference.token_type_ids[row]?.slice(0, length) ?? []]));
      assert.ok(maxDifference(alone.logits[0], batch.logits[row]) < 1e-5, `logits of sequence ${row}`);
      assert.ok(maxDifference(alone.hidden[0], batch.hidden[row]?.slice(0, length)) < 1e-5, `hidden states of sequence ${row}`);
    });
    // Without the mask the padded sequences change: the mask is what makes them equal.
    const unmasked = run(model, inputs(reference.input_ids, undefined, reference.token_type_ids));
    assert.ok(maxDifference(unmasked.logits[3], batch.logits[3]) > 1e-3);
  });

  test('token type ids default to zeros and the attention mask to ones', () => {
    const ids = [reference.input_ids[0] ?? []];
    const explicit = run(model, inputs(ids, [ids[0]?.map(() => 1) ?? []], [ids[0]?.map(() => 0) ?? []]));
    const implicit = run(model, inputs(ids));
    assert.deepEqual(implicit.logits, explicit.logits);
  });

  test('dropout only in training mode; gradients reach every parameter and are finite', () => {
    const evalLogits = run(model, referenceBatch()).logits;
    assert.deepEqual(run(model, referenceBatch()).logits, evalLogits, 'eval mode is deterministic');
    const trainingLogits = tf.tidy(() => model.forward(referenceBatch(), { training: true }).logits.arraySync());
    assert.ok(maxDifference(trainingLogits, evalLogits) > 1e-4, 'dropout changes training outputs');

    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, model.forward(referenceBatch()).logits));
    assert.ok(Number.isFinite(value.dataSync()[0]));
    const byId = new Map([...model.variables].map(([name, variable]) => [variable.name, name]));
    assert.deepEqual(new Set(Object.keys(grads).map((id) => byId.get(id))), new Set(model.variables.keys()));
    for (const [id, grad] of Object.entries(grads)) {
      const values = grad.dataSync();
      assert.ok(values.every(Number.isFinite), `gradient of ${byId.get(id)}`);
    }
    // Padding rows of the word embeddings that no input uses get no gradient; used ones do.
    const wordGrad = grads[model.variables.get('bert.embeddings.word_embeddings.weight')?.name ?? '']?.arraySync() as number[][];
    assert.ok((wordGrad[36] ?? []).some((g) => g !== 0), 'the embedding of "cat" is trained');
    assert.ok((wordGrad[99] ?? []).every((g) => g === 0), 'an unused token gets no gradient');
    tf.dispose([value, labels, ...Object.values(grads)]);
  });
});

describe('BERT parameters', () => {
  test('are grouped for freezing: embeddings, each encoder layer, pooler, classifier', () => {
    assert.deepEqual([...model.groups.keys()], ['embeddings', 'encoder.layer.0', 'encoder.layer.1', 'pooler', 'classifier']);
    assert.deepEqual([...model.groups.values()].map((group) => group.length), [5, 16, 16, 2, 2]);
    const grouped = [...model.groups.values()].flat();
    assert.equal(new Set(grouped).size, model.variables.size);
    assert.ok(grouped.every((variable) => variable.trainable));
    // Dense kernels are stored [in, out]: the query kernel of a 32-wide model is square, the FFN is not.
    assert.deepEqual(model.variables.get('bert.encoder.layer.0.intermediate.dense.weight')?.shape, [32, 64]);
    assert.deepEqual(model.variables.get('classifier.weight')?.shape, [32, 3]);
  });

  test('export maps back to exactly the checkpoint tensors (names, HF shapes, bits); rewriting reloads to the same logits', async () => {
    const state = await model.exportHuggingfaceState();
    assert.deepEqual([...state.keys()].sort(), [...checkpoint.keys()].sort());
    for (const [name, tensor] of state) {
      const original = checkpoint.get(name);
      assert.deepEqual(tensor.shape, original?.shape, name);
      assert.deepEqual(tensor.data, original?.data, name);
    }
    const folder = await mkdtemp(path.join(tmpdir(), 'models-bert-'));
    try {
      const file = path.join(folder, 'model.safetensors');
      await writeSafetensors(file, state, { format: 'pt' });
      const reloaded = EncoderClassifier.fromCheckpoint(config, (await readSafetensors(file)).tensors).model;
      assert.deepEqual(run(reloaded, referenceBatch()).logits, run(model, referenceBatch()).logits);
      reloaded.dispose();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('checkpoint names without the bert. prefix (BertModel) and with LayerNorm gamma/beta load the same model', () => {
    const renamed = new Map<string, FloatTensor>();
    for (const [name, tensor] of checkpoint) {
      renamed.set(name.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'), tensor);
    }
    renamed.set('embeddings.position_ids', { shape: [32], data: new Float32Array(32) });
    const { model: other, notices } = EncoderClassifier.fromCheckpoint(config, renamed);
    assert.deepEqual(notices, [], 'position_ids is a buffer, silently ignored');
    assert.deepEqual(run(other, referenceBatch()).logits, run(model, referenceBatch()).logits);
    other.dispose();
  });

  test('a missing classifier head is initialised fresh as HF does, with a notice; the encoder is untouched', async () => {
    const withoutHead = tinyBertWeights({ withoutHead: true });
    assert.ok(!withoutHead.has('classifier.weight'));
    const { model: fresh, notices } = EncoderClassifier.fromCheckpoint(config, withoutHead, { source: 'base.safetensors', seed: 7 });
    assert.equal(notices.length, 1);
    assert.match(notices[0] ?? '', /base\.safetensors has no classification head \(classifier\.weight, classifier\.bias\): a new head for 3 labels was initialised/);
    const weights = Array.from(fresh.variables.get('classifier.weight')?.dataSync() ?? []);
    const mean = weights.reduce((a, b) => a + b, 0) / weights.length;
    const std = Math.sqrt(weights.reduce((a, b) => a + (b - mean) ** 2, 0) / weights.length);
    assert.ok(Math.abs(mean) < 0.01 && std > 0.012 && std < 0.028, `normal(0, initializer_range 0.02): mean ${mean}, std ${std}`);
    assert.deepEqual([...(fresh.variables.get('classifier.bias')?.dataSync() ?? [])], [0, 0, 0]);
    const encoder = await fresh.exportHuggingfaceState();
    for (const [name, tensor] of checkpoint) if (!name.startsWith('classifier.')) assert.deepEqual(encoder.get(name)?.data, tensor.data, name);
    // Same seed, same head.
    const again = EncoderClassifier.fromCheckpoint(config, withoutHead, { seed: 7 }).model;
    assert.deepEqual(Array.from(again.variables.get('classifier.weight')?.dataSync() ?? []), weights);
    fresh.dispose();
    again.dispose();
  });

  test('a head for another number of labels is replaced, with a notice; unused tensors are reported', () => {
    const twoLabels: EncoderConfig = { ...config, id2label: ['ham', 'spam'] };
    const extra = new Map(checkpoint);
    extra.set('cls.predictions.bias', { shape: [100], data: new Float32Array(100) });
    const { model: other, notices } = EncoderClassifier.fromCheckpoint(twoLabels, extra, { source: 'm.safetensors' });
    assert.match(notices.join('\n'), /head for another number of labels \(classifier\.weight is \[3, 32\], expected \[2, 32\].*\): a new head for 2 labels/);
    assert.match(notices.join('\n'), /1 tensor\(s\) in m\.safetensors are not used by BertForSequenceClassification: cls\.predictions\.bias/);
    assert.deepEqual(other.variables.get('classifier.weight')?.shape, [32, 2]);
    other.dispose();
  });

  test('a missing or mis-shaped encoder weight is an error naming it and the source', () => {
    const missing = new Map(checkpoint);
    missing.delete('bert.encoder.layer.1.attention.self.key.weight');
    assert.throws(
      () => EncoderClassifier.fromCheckpoint(config, missing, { source: 'x.safetensors' }),
      /x\.safetensors does not match config\.json \(a BERT with 2 layers, hidden size 32\): missing bert\.encoder\.layer\.1\.attention\.self\.key\.weight/,
    );
    const misshaped = new Map(checkpoint);
    misshaped.set('bert.embeddings.LayerNorm.bias', { shape: [31], data: new Float32Array(31) });
    assert.throws(() => EncoderClassifier.fromCheckpoint(config, misshaped), /wrong shapes: bert\.embeddings\.LayerNorm\.bias is \[31\], expected \[32\]/);
  });

  test('a model initialised from scratch follows HF _init_weights; loading and disposing leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const scratch = EncoderClassifier.initialised(config, 5);
    assert.deepEqual(Array.from(scratch.variables.get('bert.embeddings.LayerNorm.weight')?.dataSync() ?? []), new Array<number>(32).fill(1));
    assert.deepEqual(Array.from(scratch.variables.get('bert.pooler.dense.bias')?.dataSync() ?? []), new Array<number>(32).fill(0));
    const words = scratch.variables.get('bert.embeddings.word_embeddings.weight')?.arraySync() as number[][];
    assert.ok(words[config.padTokenId]?.every((value) => value === 0), 'the [PAD] embedding is zero');
    assert.ok(words[5]?.some((value) => value !== 0));
    tf.tidy(() => {
      scratch.forward(referenceBatch());
    });
    scratch.dispose();
    const loaded = EncoderClassifier.fromCheckpoint(config, checkpoint).model;
    loaded.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => loaded.forward(referenceBatch()), /disposed/);
  });

  test('a sequence longer than max_position_embeddings is refused', () => {
    const ids = [Array.from({ length: 33 }, () => 11)];
    assert.throws(() => tf.tidy(() => model.forward(inputs(ids))), /sequence length 33 exceeds the 32 positions of the model \(max_position_embeddings 32\)/);
  });
});

describe('BERT config.json', () => {
  test('fields, HF defaults, labels', () => {
    assert.equal(config.layerNormEps, 1e-12);
    assert.equal(config.hiddenAct, 'gelu');
    assert.deepEqual(config.id2label, ['negative', 'neutral', 'positive']);
    const defaults = parseEncoderConfig({ model_type: 'bert' }, 'c.json');
    assert.equal(defaults.hiddenSize, 768);
    assert.equal(defaults.vocabSize, 30522);
    assert.equal(defaults.classifierDropout, 0.1);
    assert.deepEqual(defaults.id2label, ['LABEL_0', 'LABEL_1']);
    assert.deepEqual(parseEncoderConfig({ num_labels: 3 }, 'c.json').id2label, ['LABEL_0', 'LABEL_1', 'LABEL_2']);
  });

  test('unusable configs are errors naming the file', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ model_type: 'gpt2' }, /model_type is "gpt2"; the supported model types are "bert", "distilbert", "roberta", "xlm-roberta", "electra"/],
      [{ hidden_size: 30, num_attention_heads: 4 }, /hidden_size 30 is not a multiple of num_attention_heads 4/],
      [{ hidden_act: 'swish' }, /hidden_act "swish" is not supported/],
      [{ id2label: { 0: 'a', 2: 'b' } }, /id2label must map the ids 0…1/],
      [{ id2label: { 0: 'a', 1: 'b' }, num_labels: 3 }, /num_labels is 3 but id2label has 2 labels/],
      [{ vocab_size: 'many' }, /vocab_size must be an integer/],
      [{ position_embedding_type: 'relative_key' }, /position_embedding_type "relative_key" is not supported/],
    ];
    for (const [json, expected] of cases) {
      assert.throws(() => parseEncoderConfig({ ...tinyBertConfigJson(), ...json }, '/m/config.json'), (error: unknown) => {
        assert.ok(error instanceof EncoderConfigError);
        assert.match(error.message, /^\/m\/config\.json: /);
        assert.match(error.message, expected);
        return true;
      });
    }
  });
});
