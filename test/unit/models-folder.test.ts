import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadEncoderClassifier, loadFolderTokenizer, locateHuggingfaceFolder } from '../../engine/models/huggingfaceFolder';
import { ModelFolderError } from '../../common/huggingface/modelFolderFiles';
import { writeTinyBertFolder } from '../fixtures/models/tinyBert';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'models', 'tiny-bert');
const reference = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'models', 'tiny-bert-reference.json'), 'utf8')) as {
  readonly logits: number[][];
};

let scratch: string;
before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  scratch = await mkdtemp(path.join(tmpdir(), 'models-folder-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A copy of the fixture without some of its files. */
async function fixtureWithout(name: string, ...files: string[]): Promise<string> {
  const folder = path.join(scratch, name);
  await cp(FIXTURE, folder, { recursive: true });
  for (const file of files) await rm(path.join(folder, file));
  return folder;
}

// Ids hand-checked against tiny-bert/vocab.txt (line number - 1): [CLS]=2 [SEP]=3 [UNK]=1 [PAD]=0,
// the=11 cat=36 ##s=77 sat=40 on=23 mat=39 .=5 hello=55 ,=6 world=56 !=7 un=72 ##believ=76 ##able=83
// movie=47 was=15 great=46 i=30 love=57 it=29 walk=73 ##ing=79.
const SENTENCES = ['The cats sat on the mat.', 'Hello, world! Unbelievable'];
const EXPECTED_IDS = [
  [2, 11, 36, 77, 40, 23, 11, 39, 5, 3],
  [2, 55, 6, 56, 7, 72, 76, 83, 3, 0],
];
const EXPECTED_MASK = [
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
];

describe('tokenizer of a Hugging Face folder (@huggingface/tokenizers)', () => {
  test('tokenizer.json: lower-cased WordPiece ids, dynamic padding, truncation keeping [SEP], pairs, [UNK]', async () => {
    const tokenizer = await loadFolderTokenizer(await locateHuggingfaceFolder(FIXTURE));
    assert.equal(tokenizer.source, 'tokenizer.json');
    assert.equal(tokenizer.vocabSize, 100);
    assert.equal(tokenizer.padTokenId, 0);
    assert.deepEqual(tokenizer.tokenize('Unbelievable walking Zebra'), ['un', '##believ', '##able', 'walk', '##ing', '[UNK]']);
    const batch = tokenizer.encode(SENTENCES, { maxLength: 32 });
    assert.deepEqual(batch.inputIds, EXPECTED_IDS);
    assert.deepEqual(batch.attentionMask, EXPECTED_MASK);
    assert.deepEqual(batch.tokenTypeIds, [new Array<number>(10).fill(0), new Array<number>(10).fill(0)]);
    assert.deepEqual(tokenizer.encode(SENTENCES, { maxLength: 5 }).inputIds, [[2, 11, 36, 77, 3], [2, 55, 6, 56, 3]]);
    const pair = tokenizer.encode(['the movie was great'], { maxLength: 32, pairs: ['I love it'] });
    assert.deepEqual(pair.inputIds, [[2, 11, 47, 15, 46, 3, 30, 57, 29, 3]]);
    assert.deepEqual(pair.tokenTypeIds, [[0, 0, 0, 0, 0, 0, 1, 1, 1, 1]]);
    // longest_first: the longer text loses a token, then (equal lengths) the pair; [SEP]s stay.
    const truncatedPair = tokenizer.encode(['the movie was great'], { maxLength: 8, pairs: ['I love it'] });
    assert.deepEqual(truncatedPair.inputIds, [[2, 11, 47, 15, 3, 30, 57, 3]]);
    assert.deepEqual(truncatedPair.tokenTypeIds, [[0, 0, 0, 0, 0, 1, 1, 1]]);
  });

  test('vocab.txt alone (the library reads tokenizer.json only) is tokenised by a WordPiece tokenizer.json built from it, with the same ids', async () => {
    const vocabOnly = await fixtureWithout('vocab-only', 'tokenizer.json', 'tokenizer_config.json');
    const tokenizer = await loadFolderTokenizer(await locateHuggingfaceFolder(vocabOnly));
    assert.match(tokenizer.source, /vocab\.txt/);
    assert.deepEqual(tokenizer.encode(SENTENCES, { maxLength: 32 }).inputIds, EXPECTED_IDS);

    const withConfig = await fixtureWithout('vocab-and-config', 'tokenizer.json');
    assert.deepEqual((await loadFolderTokenizer(await locateHuggingfaceFolder(withConfig))).encode(SENTENCES, { maxLength: 32 }).inputIds, EXPECTED_IDS);

    const cased = await fixtureWithout('vocab-cased', 'tokenizer.json');
    // Older tokenizer_config.json files give special tokens as AddedToken objects.
    await writeFile(path.join(cased, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false, cls_token: { __type: 'AddedToken', content: '[CLS]' } }));
    const casedTokenizer = await loadFolderTokenizer(await locateHuggingfaceFolder(cased));
    assert.deepEqual(casedTokenizer.tokenize('The cat'), ['[UNK]', 'cat']);
    assert.deepEqual(casedTokenizer.encode(['The cat'], { maxLength: 8 }).inputIds, [[2, 1, 36, 3]]);
  });

  test('tokenizer.json without tokenizer_config.json', async () => {
    const folder = await fixtureWithout('no-tokenizer-config', 'tokenizer_config.json', 'vocab.txt');
    const tokenizer = await loadFolderTokenizer(await locateHuggingfaceFolder(folder));
    assert.deepEqual(tokenizer.encode(SENTENCES, { maxLength: 32 }).inputIds, EXPECTED_IDS);
  });
});

describe('loading a BERT classifier from a folder', () => {
  test('the committed tiny BERT: tokenizer → model reproduces the PyTorch reference logits', async () => {
    const loaded = await loadEncoderClassifier(path.relative(process.cwd(), FIXTURE));
    try {
      assert.deepEqual(loaded.notices, []);
      assert.deepEqual(loaded.config.id2label, ['negative', 'neutral', 'positive']);
      const batch = loaded.tokenizer.encode(SENTENCES, { maxLength: 32 });
      const logits = tf.tidy(() =>
        loaded.model
          .forward({
            inputIds: tf.tensor2d(batch.inputIds, undefined, 'int32'),
            attentionMask: tf.tensor2d(batch.attentionMask, undefined, 'int32'),
            tokenTypeIds: tf.tensor2d(batch.tokenTypeIds, undefined, 'int32'),
          })
          .logits.arraySync(),
      );
      logits.forEach((row, i) => row.forEach((value, j) => assert.ok(Math.abs(value - (reference.logits[i]?.[j] ?? NaN)) < 1e-5)));
    } finally {
      loaded.model.dispose();
    }
  });

  test('a base model without a head (BertModel names, F16 weights) gets a fresh head and says so; labels can be given', async () => {
    const folder = await writeTinyBertFolder(path.join(scratch, 'base'), { withoutHead: true, withoutPrefix: true, dtype: 'F16', tokenizerFiles: 'vocab.txt' });
    const loaded = await loadEncoderClassifier(folder, { labels: ['ham', 'spam'], seed: 3 });
    try {
      assert.equal(loaded.notices.length, 1);
      assert.match(loaded.notices[0] ?? '', /model\.safetensors has no classification head .* a new head for 2 labels was initialised/);
      assert.deepEqual(loaded.model.variables.get('classifier.weight')?.shape, [32, 2]);
      assert.deepEqual(loaded.config.id2label, ['ham', 'spam']);
    } finally {
      loaded.model.dispose();
    }
  });

  test('a Hub model id given for a folder says where Hub ids work', async () => {
    for (const id of ['bert-base-uncased', 'google/bert_uncased_L-2_H-128_A-2']) {
      await assert.rejects(loadEncoderClassifier(id, { baseDir: scratch }), (error: unknown) => {
        assert.ok(error instanceof ModelFolderError);
        assert.match(error.message, new RegExp(`^'${id}' is not a local folder\\. A Hub id is read from the Hugging Face cache .* as a config's model\\.pretrained`));
        assert.match(error.message, /local folder in Hugging Face layout \(config\.json, tokenizer\.json or vocab\.txt, model\.safetensors or pytorch_model\.bin\)/);
        return true;
      });
    }
    await assert.rejects(locateHuggingfaceFolder('./models/bert', scratch), /The model folder .*models\/bert does not exist/);
    await assert.rejects(locateHuggingfaceFolder(path.join(FIXTURE, 'config.json')), /config\.json is a file; it must be a local folder/);
  });

  test('an incomplete folder is an error naming the folder and every missing file', async () => {
    const folder = await fixtureWithout('incomplete', 'model.safetensors', 'tokenizer.json', 'vocab.txt');
    await assert.rejects(loadEncoderClassifier(folder), (error: unknown) => {
      assert.ok(error instanceof ModelFolderError);
      assert.equal(error.message, `The model folder ${folder} is incomplete: missing tokenizer.json or vocab.txt, model.safetensors or pytorch_model.bin.`);
      return true;
    });
    const torchOnly = path.join(scratch, 'torch-only');
    await mkdir(torchOnly);
    await writeFile(path.join(torchOnly, 'pytorch_model.bin'), '');
    await assert.rejects(locateHuggingfaceFolder(torchOnly), /incomplete: missing config\.json, tokenizer\.json or vocab\.txt\.$/);
  });

  test('a bad config.json or weights file in the folder is an error naming the file', async () => {
    const badConfig = await fixtureWithout('bad-config');
    await writeFile(path.join(badConfig, 'config.json'), '{"model_type": "bert", "hidden_size": ');
    await assert.rejects(loadEncoderClassifier(badConfig), new RegExp(`${badConfig}/config\\.json: cannot read it as JSON`));
    const badWeights = await fixtureWithout('bad-weights');
    await writeFile(path.join(badWeights, 'model.safetensors'), Buffer.alloc(4));
    await assert.rejects(loadEncoderClassifier(badWeights), new RegExp(`${badWeights}/model\\.safetensors: not a valid safetensors file`));
  });
});
