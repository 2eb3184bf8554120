// transformers.js pipelines on local folders: tiny models of each kind (made from the committed tiny
// BERT and exported by the engine, test/fixtures/models/pipelineModels.ts) checked against the
// engine's own TensorFlow.js encoder; entities found in the text where they are; `nlp-studio predict`
// answering with the folder's task.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { isPipelineFolder, pipelineTasksOf } from '../../common/huggingface/pipelineTasks';
import type { PipelineEntity, PipelineOutput } from '../../common/protocol/engine';
import { runCli } from '../../engine/cli/commands';
import { encoderInputs } from '../../engine/models/encoderClassifier';
import { loadEncoderClassifier } from '../../engine/models/huggingfaceFolder';
import { readSafetensors } from '../../engine/models/safetensors';
import { loadTextClassifier } from '../../engine/models/textClassifier';
import { groupEntities, tokenSpans } from '../../engine/pipelines/entityOffsets';
import { loadPipeline } from '../../engine/pipelines/transformersPipelines';
import type { TokenBatch } from '../../engine/data/tokenBatches';
import { ENTITY_LABELS, NLI_LABELS, writePipelineModel } from '../fixtures/models/pipelineModels';

const TOLERANCE = 1e-4;
let scratch: string;
const folders: Record<string, string> = {};

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  scratch = await mkdtemp(path.join(tmpdir(), 'pipelines-'));
  for (const kind of ['token-classification', 'fill-mask', 'zero-shot-classification'] as const) folders[kind] = await writePipelineModel(path.join(scratch, kind), kind);
});
after(() => rm(scratch, { recursive: true, force: true }));

const softmax = (values: readonly number[]): number[] => {
  const largest = Math.max(...values);
  const exp = values.map((value) => Math.exp(value - largest));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((value) => value / sum);
};

/** The encoder's final hidden states through the engine (TensorFlow.js), [length, hidden] for one text, and its token ids. */
async function hiddenStates(folder: string, text: string, pair?: string): Promise<{ ids: number[]; hidden: number[][]; tokens: string[] }> {
  const { model, tokenizer } = await loadEncoderClassifier(folder);
  const encoded = tokenizer.encode([text], { maxLength: 32, ...(pair === undefined ? {} : { pairs: [pair] }) });
  const ids = encoded.inputIds[0]!;
  const hidden = tf.tidy(() => model.forward(encoderInputs(batchOf(encoded))).lastHiddenState.squeeze([0]).arraySync() as number[][]);
  model.dispose();
  return { ids, hidden, tokens: tokenizer.tokenize(text) };
}

/** The first text of an encoding as a one-row batch. */
function batchOf(encoded: { inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][] }): TokenBatch {
  const ids = encoded.inputIds[0]!;
  return { inputIds: Int32Array.from(ids), attentionMask: Int32Array.from(encoded.attentionMask[0]!), tokenTypeIds: Int32Array.from(encoded.tokenTypeIds[0]!), labels: new Int32Array(1), batchSize: 1, sequenceLength: ids.length, exampleIndices: Int32Array.of(0) };
}

const linear = (x: readonly number[], weight: Float32Array, bias: Float32Array, outputs: number): number[] =>
  Array.from({ length: outputs }, (_, o) => x.reduce((sum, value, i) => sum + value * weight[o * x.length + i]!, bias[o]!));

describe('entities where they are in the text', () => {
  test('tokens are found in order, ignoring case and accents, as uncased WordPiece, byte-level BPE and SentencePiece decode them', () => {
    assert.deepEqual(tokenSpans('Ana lives in São Paulo', ['ana', 'sao', 'pa', '##ulo']), [
      { start: 0, end: 3 },
      { start: 13, end: 16 },
      { start: 17, end: 19 },
      { start: 19, end: 22 },
    ]);
    assert.deepEqual(tokenSpans('Hi Paris', [' Paris', '▁Hi']), [{ start: 3, end: 8 }, undefined]);
  });

  test('BIO tags group into entities; a B starts a new one, a gap or another group ends one', () => {
    const text = 'Ana Maria met Bob in New York';
    const tokens = [
      { entity: 'B-PER', score: 0.9, index: 1, word: 'ana' },
      { entity: 'I-PER', score: 0.7, index: 2, word: 'maria' },
      { entity: 'B-PER', score: 0.8, index: 4, word: 'bob' },
      { entity: 'B-LOC', score: 0.6, index: 6, word: 'new' },
      { entity: 'I-LOC', score: 0.4, index: 7, word: 'york' },
    ];
    const entities = groupEntities(text, tokens);
    assert.deepEqual(
      entities.map(({ group, text: found, start, end }) => ({ group, found, start, end })),
      [
        { group: 'PER', found: 'Ana Maria', start: 0, end: 9 },
        { group: 'PER', found: 'Bob', start: 14, end: 17 },
        { group: 'LOC', found: 'New York', start: 21, end: 29 },
      ],
    );
    assert.ok(Math.abs(entities[0]!.score - 0.8) < 1e-12);
  });
});

describe('pipelines on tiny exported models, against the engine', () => {
  test('config.json says each folder’s task; folders with a head the engine’s classifiers are not are pipeline folders', async () => {
    for (const [kind, folder] of Object.entries(folders)) {
      const config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(pipelineTasksOf(config)[0], kind);
      const has = (file: string): boolean => ['onnx/model.onnx', 'model.safetensors'].includes(file);
      assert.equal(isPipelineFolder(config, has), kind !== 'zero-shot-classification', kind);
    }
    await assert.rejects(loadTextClassifier(folders['token-classification']!), /BertForTokenClassification is a token-classification model, not a text classifier/);
  });

  test('token-classification: entities are the tokens the engine labels, grouped, with their probabilities within 1e-4', async () => {
    const folder = folders['token-classification']!;
    const text = 'hello world , the cat sat on the mat with a dog';
    const pipeline = await loadPipeline(folder, 'token-classification');
    assert.match(pipeline.runtime, /^transformers\.js \S+ on onnxruntime \S+ \(onnx\/model\.onnx\)$/);
    const [output] = (await pipeline.run([text], {})) as [Extract<PipelineOutput, { task: 'token-classification' }>];
    pipeline.dispose();
    const { hidden, tokens } = await hiddenStates(folder, text);
    const { tensors } = await readSafetensors(path.join(folder, 'model.safetensors'));
    const weight = tensors.get('classifier.weight')!.data;
    const bias = tensors.get('classifier.bias')!.data;
    const predicted = tokens.map((word, i) => {
      const probabilities = softmax(linear(hidden[i + 1]!, weight, bias, ENTITY_LABELS.length));
      const best = probabilities.indexOf(Math.max(...probabilities));
      return { entity: ENTITY_LABELS[best]!, score: probabilities[best]!, index: i + 1, word };
    });
    const expected = groupEntities(
      text,
      predicted.filter((token) => token.entity !== 'O'),
    );
    assert.ok(expected.length > 0, 'the tiny model finds some entities');
    assert.equal(output.entities.length, expected.length, JSON.stringify(output.entities));
    output.entities.forEach((entity: PipelineEntity, i) => {
      assert.deepEqual([entity.group, entity.start, entity.end, entity.text], [expected[i]!.group, expected[i]!.start, expected[i]!.end, text.slice(entity.start, entity.end)]);
      assert.ok(Math.abs(entity.score - expected[i]!.score) < TOLERANCE);
    });
  });

  test('fill-mask: the top fills and their probabilities are the engine’s, within 1e-4', async () => {
    const folder = folders['fill-mask']!;
    const text = 'the cat sat on the [MASK] .';
    const pipeline = await loadPipeline(folder, 'fill-mask');
    const [output] = (await pipeline.run([text], { topK: 3 })) as [Extract<PipelineOutput, { task: 'fill-mask' }>];
    await assert.rejects(pipeline.run(['no mask here'], {}), /the text has no \[MASK\]/);
    pipeline.dispose();
    const { ids, hidden } = await hiddenStates(folder, text);
    const { tensors } = await readSafetensors(path.join(folder, 'model.safetensors'));
    const get = (name: string): Float32Array => tensors.get(name)!.data;
    const dense = linear(hidden[ids.indexOf(4)]!, get('cls.predictions.transform.dense.weight'), get('cls.predictions.transform.dense.bias'), 32).map((x) => 0.5 * x * (1 + erf(x / Math.SQRT2)));
    const mean = dense.reduce((a, b) => a + b, 0) / dense.length;
    const variance = dense.reduce((a, b) => a + (b - mean) ** 2, 0) / dense.length;
    const normed = dense.map((x) => (x - mean) / Math.sqrt(variance + 1e-12));
    const scores = softmax(linear(normed, get('bert.embeddings.word_embeddings.weight'), get('cls.predictions.bias'), 100));
    const top = scores.map((score, id) => ({ score, id })).sort((a, b) => b.score - a.score).slice(0, 3);
    assert.equal(output.fills.length, 3);
    output.fills.forEach((fill, i) => assert.ok(Math.abs(fill.score - top[i]!.score) < TOLERANCE, `${fill.token} ${fill.score} vs ${top[i]!.score}`));
    assert.ok(output.fills[0]!.sequence.startsWith('the cat sat on the'));
  });

  test('zero-shot-classification: each candidate label’s score is the engine’s entailment softmax over the hypotheses, within 1e-4', async () => {
    const folder = folders['zero-shot-classification']!;
    const text = 'i love this movie';
    const labels = ['good', 'bad', 'boring'];
    const pipeline = await loadPipeline(folder, 'zero-shot-classification');
    const [output] = (await pipeline.run([text], { candidateLabels: labels })) as [Extract<PipelineOutput, { task: 'zero-shot-classification' }>];
    await assert.rejects(pipeline.run([text], {}), /needs candidate labels/);
    pipeline.dispose();
    const { model, tokenizer } = await loadEncoderClassifier(folder);
    const entailment = NLI_LABELS.indexOf('entailment');
    const logits = labels.map((label) => {
      const encoded = tokenizer.encode([text], { maxLength: 32, pairs: [`This example is ${label}.`] });
      return tf.tidy(() => model.forward(encoderInputs(batchOf(encoded))).logits.dataSync()[entailment]!);
    });
    model.dispose();
    const expected = softmax(logits);
    for (const { label, score } of output.scores) assert.ok(Math.abs(score - expected[labels.indexOf(label)]!) < TOLERANCE, `${label}: ${score} vs ${expected[labels.indexOf(label)]}`);
    assert.ok(output.scores[0]!.score >= output.scores[1]!.score, 'best first');
  });

  test('nlp-studio predict answers with the folder’s task, says the runtime, and asks for --labels on a zero-shot model', async () => {
    const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(['predict', ...args], { cwd: scratch, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
      return { code, stdout, stderr };
    };
    const entities = await run([folders['token-classification']!, 'hello world , the cat sat on the mat']);
    assert.equal(entities.code, 0, entities.stderr);
    assert.match(entities.stderr, /token-classification pipeline \(bert\) on transformers\.js/);
    const line = JSON.parse(entities.stdout) as { text: string; task: string; entities: PipelineEntity[] };
    assert.equal(line.task, 'token-classification');
    for (const entity of line.entities) assert.equal(line.text.slice(entity.start, entity.end), entity.text);
    const fills = await run([folders['fill-mask']!, 'the [MASK] sat', '--top-k', '2']);
    assert.equal((JSON.parse(fills.stdout) as { fills: unknown[] }).fills.length, 2);
    assert.equal((await run([folders['zero-shot-classification']!, '--task', 'zero-shot-classification', 'a text'])).code, 2);
    const zeroShot = await run([folders['zero-shot-classification']!, '--task', 'zero-shot-classification', '--labels', 'good, bad', 'a text']);
    assert.equal(zeroShot.code, 0, zeroShot.stderr);
    assert.deepEqual((JSON.parse(zeroShot.stdout) as { scores: { label: string }[] }).scores.map((score) => score.label).sort(), ['bad', 'good']);
    assert.equal((await run([folders['fill-mask']!, '--task', 'summarization', 'x'])).code, 2);
  });
});

/** erf by its Maclaurin series, exact to float64 for the small activations here (BERT's GELU). */
function erf(x: number): number {
  let sum = x;
  let term = x;
  for (let n = 1; n < 60; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
