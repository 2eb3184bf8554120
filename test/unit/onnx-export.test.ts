// ONNX export checked by its real consumers: onnxruntime-node runs each exported graph and gives the
// engine's (TensorFlow.js) logits within 1e-4, on batches with padding, for every BERT-family
// architecture and the word-vector classifier; transformers.js' text-classification pipeline on the
// folder, local files only, gives the labels and probabilities `nlp-studio predict` prints.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../../engine/cli/commands';
import type { PredictLine } from '../../engine/cli/predictCommand';
import { assembleBatch, type TokenBatch } from '../../engine/data/tokenBatches';
import { tokenizeExamples } from '../../engine/data/tokenizedExamples';
import { WordTokenizer } from '../../engine/data/wordTokenizer';
import { EmbeddingClassifier, type EmbeddingClassifierConfig } from '../../engine/models/embeddingClassifier';
import { writeEmbeddingClassifierFolder } from '../../engine/models/embeddingClassifierFolder';
import { SINGLE_LABEL } from '../../engine/models/decision';
import { encoderInputs } from '../../engine/models/encoderClassifier';
import { loadEncoderClassifier } from '../../engine/models/huggingfaceFolder';
import { loadTextClassifier, TEXT_CLASSIFIER_LOADERS } from '../../engine/models/textClassifier';
import { probabilitiesOf } from '../../engine/training/classifierScores';
import { exportOnnx } from '../../engine/onnx/onnxExport';
import { OnnxSession } from '../../engine/onnx/onnxSession';
import { runTraining } from '../../engine/run/runTraining';
import { makeSentimentProject } from '../fixtures/classification/sentimentProject';
import { TINY_MODEL_TYPES } from '../fixtures/models/tinyEncoders';

const FIXTURES = path.resolve(__dirname, '../fixtures/models');
/** Different lengths, so every batch has padding. */
const TEXTS = ['the cat sat on the mat', 'hello', 'i love this movie , it was great fun', 'bad plot'];
const TOLERANCE = 1e-4;

let scratch: string;
before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  scratch = await mkdtemp(path.join(tmpdir(), 'onnx-export-'));
});
after(() => rm(scratch, { recursive: true, force: true }));

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]! - b[i]!));
  return largest;
}

async function copyFixture(name: string): Promise<string> {
  const folder = path.join(scratch, `${name}-${Math.random().toString(36).slice(2)}`);
  await cp(path.join(FIXTURES, name), folder, { recursive: true });
  return folder;
}

async function onnxLogits(file: string, batch: TokenBatch): Promise<Float32Array> {
  const session = await OnnxSession.open(file);
  try {
    return (await session.logits(batch)).data;
  } finally {
    await session.dispose();
  }
}

const importTransformers = () => import('@huggingface/transformers');

async function withTransformers<T>(use: (transformers: Awaited<ReturnType<typeof importTransformers>>) => Promise<T>): Promise<T> {
  const transformers = await importTransformers();
  transformers.env.allowRemoteModels = false;
  return use(transformers);
}

async function predictLines(folder: string, texts: readonly string[]): Promise<{ lines: PredictLine[]; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['predict', folder, ...texts], { cwd: scratch, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  assert.equal(code, 0, stderr);
  return { lines: stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as PredictLine), stderr };
}

for (const modelType of ['bert', ...TINY_MODEL_TYPES]) {
  test(`${modelType}: onnxruntime on onnx/model.onnx gives the engine's logits within 1e-4, with padding`, async () => {
    const folder = await copyFixture(`tiny-${modelType}`);
    const result = await exportOnnx(folder);
    const { model, tokenizer } = await loadEncoderClassifier(folder);
    const examples = tokenizeExamples(TEXTS.map((text) => ({ text, labelIds: [0] })), tokenizer, { maxLength: 24 });
    const batch = assembleBatch(examples, [0, 1, 2, 3]);
    assert.ok(batch.attentionMask.includes(0), 'the batch is padded');
    const engine = tf.tidy(() => model.forward(encoderInputs(batch)).logits).dataSync();
    model.dispose();
    const onnx = await onnxLogits(result.modelFile, batch);
    const difference = maxDifference(onnx, engine);
    console.log(`${modelType}: max |onnxruntime − engine| = ${difference.toExponential(2)}`);
    assert.ok(difference < TOLERANCE, `max difference ${difference}`);
    const session = await OnnxSession.open(result.modelFile);
    const wantsTokenTypes = modelType === 'bert' || modelType === 'electra';
    assert.deepEqual(session.inputNames, ['input_ids', 'attention_mask', ...(wantsTokenTypes ? ['token_type_ids'] : [])]);
    await session.dispose();
  });
}

const EMBEDDING_WORDS = ['[PAD]', '[UNK]', 'the', 'cat', 'sat', 'on', 'mat', 'hello', 'love', 'movie', 'great', 'fun', 'bad', 'plot', ',', "don't", 'i'];

async function embeddingClassifierFolder(pooling: EmbeddingClassifierConfig['pooling'], hiddenSize: number): Promise<{ folder: string; model: EmbeddingClassifier }> {
  const config: EmbeddingClassifierConfig = { vocabSize: EMBEDDING_WORDS.length, vectorSize: 6, pooling, hiddenSize, dropout: 0.1, labels: ['ham', 'spam', 'other'], lowercase: true, maxLength: 12, wordNgrams: 1, ngramBuckets: 0, decision: SINGLE_LABEL };
  const embeddings = Float32Array.from({ length: EMBEDDING_WORDS.length * 6 }, (_, i) => (i < 6 ? 0 : Math.sin(i * 1.7)));
  const model = EmbeddingClassifier.initialised(config, embeddings, 5);
  const folder = path.join(scratch, `embedding-${pooling}-${hiddenSize}`);
  await writeEmbeddingClassifierFolder(folder, config, EMBEDDING_WORDS, await model.exportState());
  return { folder, model };
}

describe('the word-vector classifier as ONNX', () => {
  for (const [pooling, hidden] of [['mean-max', 4], ['mean', 0], ['max', 3]] as const) {
    test(`${pooling} pooling, hidden ${hidden}: onnxruntime gives the engine's logits within 1e-4, with padding`, async () => {
      const { folder, model } = await embeddingClassifierFolder(pooling, hidden);
      const result = await exportOnnx(folder);
      const tokenizer = new WordTokenizer(EMBEDDING_WORDS, true);
      const examples = tokenizeExamples(['The cat sat on the MAT', 'hello', "I don't love the plot, great fun"].map((text) => ({ text, labelIds: [0] })), tokenizer, { maxLength: 12 });
      const batch = assembleBatch(examples, [0, 1, 2]);
      assert.ok(batch.attentionMask.includes(0), 'the batch is padded');
      const engine = tf.tidy(() => model.batchLogits(batch, false)).dataSync();
      model.dispose();
      const difference = maxDifference(await onnxLogits(result.modelFile, batch), engine);
      console.log(`embedding classifier (${pooling}): max |onnxruntime − engine| = ${difference.toExponential(2)}`);
      assert.ok(difference < TOLERANCE, `max difference ${difference}`);
    });
  }

  test('its tokenizer.json splits and numbers words as the engine does', async () => {
    const { folder } = await embeddingClassifierFolder('mean', 0);
    await exportOnnx(folder);
    const { Tokenizer } = (await import('@huggingface/tokenizers')) as unknown as { Tokenizer: new (json: object, config: object) => { encode(text: string): { ids: number[] } } };
    const json = JSON.parse(await readFile(path.join(folder, 'tokenizer.json'), 'utf8')) as object;
    const config = JSON.parse(await readFile(path.join(folder, 'tokenizer_config.json'), 'utf8')) as object;
    const library = new Tokenizer(json, config);
    const engine = new WordTokenizer(EMBEDDING_WORDS, true);
    for (const text of ["The cat, the MAT!", "don't   stop-me now", 'naïve café — 42%', "i'm 'quoted' Hello,world", 'tabs\tand\nlines']) {
      assert.deepEqual(library.encode(text).ids, [...engine.tokenIds(text, 100)], text);
    }
  });
});

describe('transformers.js runs the exported folders', () => {
  for (const modelType of ['bert', 'roberta']) {
    test(`${modelType}: pipeline('text-classification', folder) gives nlp-studio predict's labels and probabilities within 1e-4`, async () => {
      const folder = await copyFixture(`tiny-${modelType}`);
      assert.equal(await runCli(['export', folder, '--format', 'onnx'], { cwd: scratch, stdout: () => undefined, stderr: (text) => assert.fail(text) }), 0);
      const { lines, stderr } = await predictLines(folder, TEXTS);
      assert.match(stderr, /onnxruntime/);
      // The engine's TensorFlow.js path agrees too: the ONNX answer is the model's, not another one.
      const viaTensorflow = await TEXT_CLASSIFIER_LOADERS[modelType]!(folder);
      const reference = (await viaTensorflow.logits(TEXTS)).map((row) => probabilitiesOf(row, viaTensorflow.decision));
      viaTensorflow.dispose();
      const outputs = await withTransformers(async ({ pipeline }) => {
        const classify = await pipeline('text-classification', folder, { local_files_only: true });
        const result = (await classify([...TEXTS], { top_k: null })) as { label: string; score: number }[][];
        await classify.dispose();
        return result;
      });
      lines.forEach((line, i) => {
        const scores = outputs[i]!;
        assert.equal(scores[0]!.label, line.label, TEXTS[i]);
        for (const { label, score } of scores) assert.ok(Math.abs(score - line.probabilities[label]!) < TOLERANCE, `${TEXTS[i]}: ${label}`);
        Object.values(line.probabilities).forEach((probability, id) => assert.ok(Math.abs(probability - reference[i]![id]!) < TOLERANCE));
      });
    });
  }

  test("the word-vector classifier: transformers.js' base model and TextClassificationPipeline give nlp-studio predict's answer", async () => {
    const { folder, model } = await embeddingClassifierFolder('mean-max', 4);
    model.dispose();
    await exportOnnx(folder);
    const texts = ['The cat sat on the MAT', 'hello', "I don't love the plot, great fun"];
    const { lines } = await predictLines(folder, texts);
    const outputs = await withTransformers(async ({ AutoModel, AutoTokenizer, TextClassificationPipeline }) => {
      // model_type is this engine's own, which transformers.js has no class for: AutoModel builds its base class, which runs the graph.
      const classify = new TextClassificationPipeline({ task: 'text-classification', model: await AutoModel.from_pretrained(folder, { local_files_only: true }), tokenizer: await AutoTokenizer.from_pretrained(folder, { local_files_only: true }) });
      const result = (await classify(texts, { top_k: null })) as { label: string; score: number }[][];
      await classify.dispose();
      return result;
    });
    lines.forEach((line, i) => {
      assert.equal(outputs[i]![0]!.label, line.label);
      for (const { label, score } of outputs[i]!) assert.ok(Math.abs(score - line.probabilities[label]!) < TOLERANCE, `${texts[i]}: ${label}`);
    });
  });

  test("--quantize: model_quantized.onnx is under half the size, close to the float model, and transformers.js loads it for dtype 'q8'", async () => {
    const folder = await copyFixture('tiny-bert');
    const result = await exportOnnx(folder, { quantize: true });
    const [float, quantized] = await Promise.all([stat(result.modelFile), stat(result.quantizedFile!)]);
    assert.ok(quantized.size < float.size / 2, `${quantized.size} vs ${float.size}`);
    const q8 = await withTransformers(async ({ pipeline }) => {
      const classify = await pipeline('text-classification', folder, { local_files_only: true, dtype: 'q8' });
      const result = (await classify([...TEXTS], { top_k: null })) as { label: string; score: number }[][];
      await classify.dispose();
      return result;
    });
    const { lines } = await predictLines(folder, TEXTS);
    lines.forEach((line, i) => {
      for (const { label, score } of q8[i]!) assert.ok(Math.abs(score - line.probabilities[label]!) < 0.1, `${TEXTS[i]}: ${label} ${score} vs ${line.probabilities[label]}`);
    });
  });
});

describe('nlp-studio export', () => {
  const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['export', ...args], { cwd: scratch, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
    return { code, stdout, stderr };
  };

  test('names what it wrote; usage errors exit 2, folders it cannot export exit 1 with the reason', async () => {
    const folder = await copyFixture('tiny-distilbert');
    const written = await run([folder, '--format', 'onnx', '--quantize']);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /DistilBERT classifier exported to ONNX/);
    assert.match(written.stdout, /onnx\/model\.onnx/);
    assert.match(written.stdout, /onnx\/model_quantized\.onnx/);
    assert.equal((await run([folder, '--format', 'tflite'])).code, 2);
    assert.equal((await run([])).code, 2);
    const missing = await run([path.join(scratch, 'nothing-here')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not a model folder/);
    const base = await copyFixture('tiny-bert');
    const config = JSON.parse(await readFile(path.join(base, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(base, 'config.json'), JSON.stringify({ ...config, architectures: ['BertModel'] }));
    const headless = await run([base]);
    assert.equal(headless.code, 1);
    assert.match(headless.stderr, /BertModel has no head to export/);
  });

  test('a model retrained after its export predicts through TensorFlow.js again, not the stale ONNX file', async () => {
    const folder = await copyFixture('tiny-bert');
    await exportOnnx(folder);
    const onnx = await loadTextClassifier(folder);
    assert.match(onnx.runtime, /^onnxruntime /);
    onnx.dispose();
    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(folder, 'model.safetensors'), later, later);
    const tensorflow = await loadTextClassifier(folder);
    assert.match(tensorflow.runtime, /^TensorFlow\.js/);
    tensorflow.dispose();
  });
});

test('a run with output.formats [huggingface, onnx] and quantize writes both graphs, and summary.json has the int8 accuracy change', async () => {
  const project = await makeSentimentProject({ training: ['training:', '  batch_size: 16', '  stages:', '    - { name: all, epochs: 4, learning_rate: 0.02, freeze: none }'].join('\n') });
  const yaml = (await readFile(project.config, 'utf8'))
    .replace(/model:\n {2}type: bert\n {2}pretrained: .*\n/, 'model:\n  type: embedding-classifier\n  vector_size: 16\n  pooling: mean\n  hidden_size: 8\n')
    .replace('output:\n', 'output:\n  formats: [huggingface, onnx]\n  quantize: true\n');
  await writeFile(project.config, yaml);
  const outcome = await runTraining(project.config, { onEvent: () => undefined });
  assert.equal(outcome.kind, 'finished', JSON.stringify(outcome));
  const summary = JSON.parse(await readFile(path.join(project.runDir, 'summary.json'), 'utf8')) as {
    validation: { accuracy: number };
    onnx: { model: string; quantized: string; validation: { accuracy: number; quantizedAccuracy: number; accuracyChange: number } };
    files: string[];
  };
  assert.equal(summary.onnx.model, 'onnx/model.onnx');
  assert.equal(summary.onnx.quantized, 'onnx/model_quantized.onnx');
  // The float graph scores what the engine scored; the change is the int8 graph's difference from it.
  assert.ok(Math.abs(summary.onnx.validation.accuracy - summary.validation.accuracy) < 1e-9, JSON.stringify(summary.onnx));
  assert.ok(Math.abs(summary.onnx.validation.accuracyChange - (summary.onnx.validation.quantizedAccuracy - summary.onnx.validation.accuracy)) < 1e-12);
  assert.ok(summary.files.includes(path.join(project.runDir, 'onnx', 'model.onnx')));
  const { stderr } = await predictLines(project.runDir, ['good fun', 'boring spam']);
  assert.match(stderr, /onnxruntime/);
  await rm(project.dir, { recursive: true, force: true });
});
