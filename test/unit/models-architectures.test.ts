// Every BERT-family architecture against an independent float64 PyTorch implementation of its HF
// definition (test/fixtures/models/make-references.py) on a random tiny model: tokenizer framing,
// forward pass, padding, export in the architecture's own layout.
import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ENCODER_ARCHITECTURES } from '../../common/huggingface/architectures';
import { EncoderConfigError, parseEncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { parameterSpecs } from '../../common/huggingface/architectures/parameterSpecs';
import { loadEncoderClassifier, type LoadedEncoderClassifier } from '../../engine/models/huggingfaceFolder';
import { readSafetensors } from '../../engine/models/safetensors';
import { writeClassifierFolder } from '../../engine/run/classification/classifierFolder';
import { committedReference, fixtureFolder, forwardOn, maxDifference, runReference, torchMissing, TORCH_MISSING_REASON } from '../fixtures/models/references';

const MODEL_TYPES = ['bert', 'distilbert', 'roberta', 'xlm-roberta', 'electra'];
let scratch: string;

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  scratch = await mkdtemp(path.join(tmpdir(), 'models-architectures-'));
});
after(() => rm(scratch, { recursive: true, force: true }));

test('the table covers every architecture the fixtures exercise', () => {
  assert.deepEqual(Object.keys(ENCODER_ARCHITECTURES).sort(), [...MODEL_TYPES].sort());
});

for (const modelType of MODEL_TYPES) {
  describe(`${modelType}: tiny-${modelType} against its PyTorch reference`, () => {
    const reference = committedReference(modelType);
    let loaded: LoadedEncoderClassifier;
    before(async () => {
      loaded = await loadEncoderClassifier(fixtureFolder(modelType));
    });
    after(() => loaded.model.dispose());

    test('loads with every parameter used and nothing fresh', () => {
      assert.deepEqual(loaded.notices, []);
      assert.equal(loaded.config.modelType, modelType);
      assert.equal(loaded.model.architecture, ENCODER_ARCHITECTURES[modelType]);
    });

    test("the tokenizer frames each text with the architecture's special tokens, as HF's tokenizer does", () => {
      reference.texts.forEach(([text, pair], row) => {
        const encoded = loaded.tokenizer.encode([text], { maxLength: 64, ...(pair === null ? {} : { pairs: [pair] }) });
        const length = reference.attention_mask[row]!.reduce((a, b) => a + b, 0);
        assert.deepEqual(encoded.inputIds[0], reference.input_ids[row]!.slice(0, length), `ids of ${JSON.stringify(text)}`);
        assert.deepEqual(encoded.tokenTypeIds[0], reference.token_type_ids[row]!.slice(0, length), `token types of ${JSON.stringify(text)}`);
      });
      assert.ok(reference.input_ids.some((row) => row.at(-1) === loaded.tokenizer.padTokenId), 'the batch has padding');
    });

    test('forward logits and every hidden state match to 1e-5', (t) => {
      const out = forwardOn(loaded.model, reference);
      const logits = maxDifference(out.logits, reference.logits);
      const hidden = maxDifference(out.hidden, reference.last_hidden_state);
      t.diagnostic(`${modelType}: max |logits - PyTorch float64| = ${logits.toExponential(2)}, hidden states ${hidden.toExponential(2)}`);
      assert.ok(logits < 1e-5, `logits differ by ${logits}`);
      assert.ok(hidden < 1e-5, `hidden states differ by ${hidden}`);
    });

    test('padding is masked (and, for RoBERTa, skipped by the positions): each sequence alone gives the same logits', () => {
      const batch = forwardOn(loaded.model, reference).logits;
      reference.input_ids.forEach((ids, row) => {
        const length = reference.attention_mask[row]!.reduce((a, b) => a + b, 0);
        const alone = forwardOn(loaded.model, {
          input_ids: [ids.slice(0, length)],
          attention_mask: [new Array<number>(length).fill(1)],
          token_type_ids: [reference.token_type_ids[row]!.slice(0, length)],
        });
        assert.ok(maxDifference(alone.logits[0], batch[row]) < 1e-5, `sequence ${row}`);
      });
    });

    test('exports its own HF layout (architectures, model_type, state-dict names) and reloads to the same logits', async () => {
      const architecture = ENCODER_ARCHITECTURES[modelType]!;
      const dir = path.join(scratch, `export-${modelType}`);
      const written = await writeClassifierFolder(dir, loaded.model, loaded.files);
      assert.ok(written.includes('tokenizer.json') && written.includes('model.safetensors') && written.includes('config.json'));
      const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(config.architectures, [architecture.className]);
      assert.equal(config.model_type, modelType);
      const source = JSON.parse(await readFile(path.join(fixtureFolder(modelType), 'config.json'), 'utf8')) as Record<string, unknown>;
      for (const [key, value] of Object.entries(source)) assert.deepEqual(config[key], value, `config.json ${key}`);
      const stored = (await readSafetensors(path.join(dir, 'model.safetensors'))).tensors;
      const original = (await readSafetensors(path.join(fixtureFolder(modelType), 'model.safetensors'))).tensors;
      assert.deepEqual([...stored.keys()].sort(), [...original.keys()].sort());
      for (const [name, tensor] of original) assert.deepEqual(stored.get(name)?.data, tensor.data, name);
      const reloaded = await loadEncoderClassifier(dir);
      assert.deepEqual(forwardOn(reloaded.model, reference).logits, forwardOn(loaded.model, reference).logits);
      reloaded.model.dispose();
    });

    test('the committed reference is what make-references.py computes now', { skip: torchMissing ? TORCH_MISSING_REASON : false }, () => {
      const fresh = runReference(modelType);
      assert.deepEqual(fresh.input_ids, reference.input_ids);
      assert.deepEqual(fresh.token_type_ids, reference.token_type_ids);
      assert.ok(maxDifference(fresh.logits, reference.logits) < 1e-8);
      assert.ok(maxDifference(fresh.last_hidden_state, reference.last_hidden_state) < 1e-8);
    });
  });
}

describe('config.json per architecture', () => {
  test("each architecture's keys and the defaults of HF's config class", () => {
    const distil = parseEncoderConfig({ model_type: 'distilbert', dim: 64, n_layers: 3, n_heads: 4, hidden_dim: 128, activation: 'relu', dropout: 0.2, attention_dropout: 0.3 }, 'c.json');
    assert.deepEqual(
      [distil.hiddenSize, distil.numHiddenLayers, distil.numAttentionHeads, distil.intermediateSize, distil.hiddenAct, distil.hiddenDropoutProb, distil.attentionProbsDropoutProb],
      [64, 3, 4, 128, 'relu', 0.2, 0.3],
    );
    const distilDefaults = parseEncoderConfig({ model_type: 'distilbert' }, 'c.json');
    assert.deepEqual(
      [distilDefaults.hiddenSize, distilDefaults.numHiddenLayers, distilDefaults.numAttentionHeads, distilDefaults.intermediateSize, distilDefaults.classifierDropout, distilDefaults.typeVocabSize, distilDefaults.layerNormEps],
      [768, 6, 12, 3072, 0.2, 0, 1e-12],
    );
    const electra = parseEncoderConfig({ model_type: 'electra' }, 'c.json');
    assert.deepEqual([electra.embeddingSize, electra.hiddenSize, electra.numAttentionHeads, electra.intermediateSize, electra.classifierDropout], [128, 256, 4, 1024, 0.1]);
    const roberta = parseEncoderConfig({ model_type: 'roberta', classifier_dropout: 0.3 }, 'c.json');
    assert.deepEqual([roberta.vocabSize, roberta.padTokenId, roberta.classifierDropout, roberta.keptIntegers], [50265, 1, 0.3, { bos_token_id: 0, eos_token_id: 2 }]);
    assert.equal(parseEncoderConfig({ model_type: 'xlm-roberta' }, 'c.json').vocabSize, 30522);
    assert.equal(parseEncoderConfig({ model_type: 'bert' }, 'c.json').embeddingSize, 768);
  });

  test('an ELECTRA whose embedding size equals its hidden size has no embeddings_project, as in HF', () => {
    const names = (embedding: number): string[] => parameterSpecs(parseEncoderConfig({ model_type: 'electra', embedding_size: embedding, hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 1 }, 'c.json')).map((spec) => spec.name);
    assert.ok(names(32).includes('electra.embeddings_project.weight'));
    assert.ok(!names(64).some((name) => name.includes('embeddings_project')));
  });

  test('what the engine cannot run is refused, naming the file and the key', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ model_type: 'distilbert', sinusoidal_pos_embds: true }, /sinusoidal_pos_embds true is not supported \(only false\)/],
      [{ model_type: 'distilbert', dim: 30, n_heads: 4 }, /dim 30 is not a multiple of n_heads 4/],
      [{ model_type: 'roberta', position_embedding_type: 'relative_key' }, /position_embedding_type "relative_key" is not supported/],
      [{ model_type: 'electra', embedding_size: 0 }, /embedding_size must be an integer ≥ 1, got 0/],
      [{ model_type: 'xlm-roberta', eos_token_id: -1 }, /eos_token_id must be an integer ≥ 0/],
    ];
    for (const [json, expected] of cases) {
      assert.throws(() => parseEncoderConfig(json, '/m/config.json'), (error: unknown) => error instanceof EncoderConfigError && /^\/m\/config\.json: /.test(error.message) && expected.test(error.message));
    }
  });
});
