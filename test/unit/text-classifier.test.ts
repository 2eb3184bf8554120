// Text classifiers from folders: the loader table and its errors, BERT predictions against the
// model's own forward pass, the engine's store (reload on change, least recently used out), and
// evaluation on labelled files (metrics, bad lines, unknown labels with file:line).
import { SINGLE_LABEL } from '../../engine/models/decision';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../../engine/data/dataError';
import { loadEncoderClassifier } from '../../engine/models/huggingfaceFolder';
import { loadTextClassifier, TEXT_CLASSIFIER_LOADERS, type TextClassifier } from '../../engine/models/textClassifier';
import { ClassifierStore } from '../../engine/prediction/classifierStore';
import { evaluateTextClassifier } from '../../engine/prediction/evaluateClassifier';
import { TINY_LABELS, writeTinyBertFolder } from '../fixtures/models/tinyBert';

const FIXTURE = path.resolve(__dirname, '../fixtures/models/tiny-bert');
const TEXTS = ['this movie is great', 'bad', 'i really hate this boring film , it was not fun at all', 'the cat sat on the mat'];
let scratch: string;

const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0);

/** A classifier that answers fixed probabilities (as logits, their logarithms), counting loads and disposals. */
function fakeClassifier(folder: string, log: string[], labels = ['ham', 'spam']): TextClassifier {
  log.push(`load ${path.basename(folder)}`);
  // The class named in the text (else the first) gets 0.9; the others share the rest.
  const probabilities = (texts: readonly string[]): Float32Array[] =>
    texts.map((text) => {
      const chosen = Math.max(
        0,
        labels.findIndex((label) => text.includes(label)),
      );
      return Float32Array.from(labels, (_, i) => (i === chosen ? 0.9 : 0.1 / (labels.length - 1)));
    });
  return {
    folder,
    modelType: 'fake',
    labels,
    runtime: 'fake',
    decision: SINGLE_LABEL,
    logits: (texts) => Promise.resolve(probabilities(texts).map((row) => row.map(Math.log))),
    predict: (texts) => Promise.resolve(probabilities(texts)),
    dispose: () => log.push(`dispose ${path.basename(folder)}`),
  };
}

describe('text classifier folders', () => {
  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'nlp-studio-text-classifier-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('loads every BERT-family architecture through the loader table and names every supported model_type when one is unknown', async () => {
    for (const type of ['bert', 'distilbert', 'roberta', 'xlm-roberta', 'electra']) assert.ok(Object.hasOwn(TEXT_CLASSIFIER_LOADERS, type), type);
    const folder = path.join(scratch, 'unknown-type');
    await cp(FIXTURE, folder, { recursive: true });
    await writeFile(path.join(folder, 'config.json'), JSON.stringify({ model_type: 'gpt2', id2label: { 0: 'a' } }));
    await assert.rejects(loadTextClassifier(folder), (error: Error) => {
      assert.match(error.message, /model_type "gpt2"/);
      for (const type of Object.keys(TEXT_CLASSIFIER_LOADERS)) assert.ok(error.message.includes(JSON.stringify(type)), `${type} named in: ${error.message}`);
      return true;
    });
  });

  it('says what is wrong with a folder: missing, a file, no config.json, no id2label', async () => {
    await assert.rejects(loadTextClassifier(path.join(scratch, 'nowhere')), /does not exist/);
    const file = path.join(scratch, 'a-file.txt');
    await writeFile(file, 'hello');
    await assert.rejects(loadTextClassifier(file), /is a file/);
    const empty = path.join(scratch, 'empty');
    await mkdir(empty);
    await assert.rejects(loadTextClassifier(empty), /has no config\.json/);
    const encoder = path.join(scratch, 'encoder-only');
    await writeTinyBertFolder(encoder, { withoutHead: true });
    await assert.rejects(loadTextClassifier(encoder), /no id2label/);
    const broken = path.join(scratch, 'broken-json');
    await mkdir(broken);
    await writeFile(path.join(broken, 'config.json'), '{ "model_type": ');
    await assert.rejects(loadTextClassifier(broken), /config\.json: cannot read it as JSON/);
  });

  it("predicts probabilities that sum to 1 and match the model's forward pass, text by text and batched", async () => {
    const classifier = await loadTextClassifier(FIXTURE);
    const { model, tokenizer } = await loadEncoderClassifier(FIXTURE);
    try {
      assert.equal(classifier.modelType, 'bert');
      assert.deepEqual(classifier.labels, TINY_LABELS);
      const batched = await classifier.predict(TEXTS);
      assert.equal(batched.length, TEXTS.length);
      for (const [i, text] of TEXTS.entries()) {
        const row = batched[i]!;
        assert.equal(row.length, TINY_LABELS.length);
        assert.ok(Math.abs(sum(row) - 1) < 1e-5, `sums to ${sum(row)}`);
        // The reference: one unpadded sequence through the model, softmax of its logits.
        const encoded = tokenizer.encode([text], { maxLength: 32 });
        const expected = tf.tidy(() =>
          tf
            .softmax(
              model.forward({
                inputIds: tf.tensor2d(encoded.inputIds, undefined, 'int32'),
                tokenTypeIds: tf.tensor2d(encoded.tokenTypeIds, undefined, 'int32'),
              }).logits,
            )
            .dataSync(),
        );
        for (let k = 0; k < row.length; k++) assert.ok(Math.abs(row[k]! - expected[k]!) < 1e-5, `${text}: class ${k} ${row[k]} vs ${expected[k]}`);
        const alone = (await classifier.predict([text]))[0]!;
        for (let k = 0; k < row.length; k++) assert.ok(Math.abs(row[k]! - alone[k]!) < 1e-5, 'padding in a batch changes nothing');
      }
      assert.deepEqual(await classifier.predict([]), []);
      // Texts longer than the model's 32 positions are truncated, not an error.
      const long = (await classifier.predict(['good '.repeat(100)]))[0]!;
      assert.ok(Math.abs(sum(long) - 1) < 1e-5);
    } finally {
      classifier.dispose();
      model.dispose();
    }
  });

  it('keeps a classifier loaded, reloads it when its weights change on disk, and disposes the least recently used', async () => {
    const folder = path.join(scratch, 'changing');
    await writeTinyBertFolder(folder, { seed: 1 });
    const store = new ClassifierStore({ capacity: 2 });
    try {
      const first = await store.predict({
        modelPath: folder,
        texts: ['this movie is great'],
      });
      assert.deepEqual(first.labels, TINY_LABELS);
      assert.equal(first.modelType, 'bert');
      const again = await store.predict({
        modelPath: folder,
        texts: ['this movie is great'],
      });
      assert.deepEqual(again, first, 'the same model answers the same');
      const held = await store.with(folder, (classifier) => Promise.resolve(classifier));

      await writeTinyBertFolder(folder, { seed: 2 });
      const later = new Date(Date.now() + 5_000);
      await utimes(path.join(folder, 'model.safetensors'), later, later);
      const changed = await store.predict({
        modelPath: folder,
        texts: ['this movie is great'],
      });
      assert.notDeepEqual(changed.predictions[0]!.probabilities, first.predictions[0]!.probabilities, 'the new weights answer');
      await assert.rejects(held.predict(['x']), /disposed/, 'the replaced model was freed');
      assert.equal(store.size, 1);
    } finally {
      store.dispose();
    }
  });

  it('evicts the least recently used classifier, but not while a request still uses it', async () => {
    const log: string[] = [];
    const store = new ClassifierStore({
      capacity: 2,
      load: (folder) => Promise.resolve(fakeClassifier(folder, log)),
    });
    const folders = ['a', 'b', 'c'].map((name) => path.join(scratch, 'fake', name));
    for (const folder of folders) await mkdir(folder, { recursive: true });
    const [a, b, c] = folders as [string, string, string];
    await store.predict({ modelPath: a, texts: ['x'] });
    await store.predict({ modelPath: b, texts: ['x'] });
    let release!: () => void;
    let started!: () => void;
    const inUse = new Promise<void>((resolve) => (started = resolve));
    const using = store.with(b, () => {
      started();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await inUse;
    await store.predict({ modelPath: a, texts: ['x'] }); // b is now the least recently used
    await store.predict({ modelPath: c, texts: ['x'] }); // b is evicted while in use
    assert.deepEqual(log, ['load a', 'load b', 'load c']);
    release();
    await using;
    await Promise.resolve();
    assert.deepEqual(log, ['load a', 'load b', 'load c', 'dispose b']);
    const result = await store.predict({
      modelPath: c,
      texts: ['this is spam'],
    });
    assert.deepEqual(
      result.predictions.map((prediction) => prediction.label),
      ['spam'],
    );
    assert.equal(store.size, 2);
    store.dispose();
    await Promise.resolve();
    assert.deepEqual(log.slice(4).sort(), ['dispose a', 'dispose c']);
  });

  it('does not keep a failed load: the next request tries again', async () => {
    let attempts = 0;
    const store = new ClassifierStore({
      load: (folder) => {
        attempts++;
        return attempts === 1 ? Promise.reject(new Error('not yet')) : Promise.resolve(fakeClassifier(folder, []));
      },
    });
    await assert.rejects(store.predict({ modelPath: scratch, texts: ['x'] }), /not yet/);
    assert.equal((await store.predict({ modelPath: scratch, texts: ['spam'] })).predictions[0]!.label, 'spam');
    assert.equal(attempts, 2);
  });
});

describe('evaluating a classifier on labelled data', () => {
  const log: string[] = [];
  const classifier = fakeClassifier('/models/spam', log);

  before(async () => {
    scratch ??= await mkdtemp(path.join(tmpdir(), 'nlp-studio-text-classifier-'));
    await mkdir(scratch, { recursive: true });
  });

  it('computes accuracy, macro-F1, loss, per-class metrics and the confusion matrix, skipping bad lines', async () => {
    const file = path.join(scratch, 'mail.csv');
    await writeFile(file, ['text,label', 'free spam now,spam', 'meeting today,ham', 'spam spam,ham', 'hello,ham', ',ham', 'click here,spam', 'too,many,fields', ''].join('\n'));
    const evaluation = await evaluateTextClassifier(classifier, {
      modelPath: classifier.folder,
      dataPath: file,
    });
    assert.equal(evaluation.count, 5);
    // Predicted spam for texts with "spam": rows true, columns predicted (ham, spam).
    assert.deepEqual(evaluation.confusionMatrix, [
      [2, 1],
      [1, 1],
    ]);
    assert.equal(evaluation.accuracy, 3 / 5);
    const hamF1 = (2 * 2) / (2 * 2 + 1 + 1);
    const spamF1 = (2 * 1) / (2 * 1 + 1 + 1);
    assert.ok(Math.abs(evaluation.macroF1 - (hamF1 + spamF1) / 2) < 1e-12);
    assert.deepEqual(
      evaluation.perClass.map((entry) => [entry.label, entry.support]),
      [
        ['ham', 3],
        ['spam', 2],
      ],
    );
    const expectedLoss = -(Math.log(0.9) * 3 + Math.log(0.1) * 2) / 5;
    assert.ok(Math.abs(evaluation.loss - expectedLoss) < 1e-6, `${evaluation.loss} vs ${expectedLoss}`);
    assert.equal(evaluation.badLines.count, 2);
    assert.deepEqual(
      evaluation.badLines.lines.map((bad) => `${path.basename(bad.file)}:${bad.line}`),
      ['mail.csv:6', 'mail.csv:8'],
    );
  });

  it('reads JSONL with other field names', async () => {
    const file = path.join(scratch, 'mail.jsonl');
    await writeFile(file, [JSON.stringify({ body: 'spam offer', kind: 'spam' }), JSON.stringify({ body: 'lunch?', kind: 'ham' })].join('\n'));
    const evaluation = await evaluateTextClassifier(classifier, {
      modelPath: classifier.folder,
      dataPath: file,
      textColumn: 'body',
      labelColumn: 'kind',
    });
    assert.equal(evaluation.accuracy, 1);
  });

  it("stops at a label the model does not know, with file:line, naming the model's classes", async () => {
    const file = path.join(scratch, 'unknown-label.csv');
    await writeFile(file, 'text,label\nhello,ham\nbuy now,phishing\n');
    await assert.rejects(
      evaluateTextClassifier(classifier, {
        modelPath: classifier.folder,
        dataPath: file,
      }),
      (error: Error) => {
        assert.ok(error instanceof DataError);
        assert.deepEqual(error.location, { file, line: 3 });
        assert.match(error.message, /unknown-label\.csv:3: label "phishing" is not a class of the model \(its classes: ham, spam\)/);
        return true;
      },
    );
  });

  it('says which column is missing (file:line of the header) and when no example is left', async () => {
    const wrongHeader = path.join(scratch, 'wrong-header.csv');
    await writeFile(wrongHeader, 'sentence,label\nhello,ham\n');
    await assert.rejects(
      evaluateTextClassifier(classifier, {
        modelPath: classifier.folder,
        dataPath: wrongHeader,
      }),
      /wrong-header\.csv:1: no column "text"/,
    );
    const onlyBad = path.join(scratch, 'only-bad.csv');
    await writeFile(onlyBad, 'text,label\n,ham\n');
    await assert.rejects(
      evaluateTextClassifier(classifier, {
        modelPath: classifier.folder,
        dataPath: onlyBad,
      }),
      /only-bad\.csv: no labelled examples \(1 bad lines skipped\)/,
    );
    await assert.rejects(
      evaluateTextClassifier(classifier, {
        modelPath: classifier.folder,
        dataPath: path.join(scratch, 'missing.csv'),
      }),
      /cannot read the data file/,
    );
  });
});
