// Each BERT-family architecture fine-tuned end to end through the real trainer with the staged
// schedule (frozen encoder, then all but the top layer frozen), exported in its own HF layout, and
// loaded for predictions; where PyTorch is installed, the exported folder is run through the
// independent PyTorch implementation of the architecture (make-references.py), which reads HF names.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { RunEvent } from '../../common/protocol/runEvents';
import { ENCODER_ARCHITECTURES } from '../../common/huggingface/architectures';
import { parseEncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { parameterSpecs } from '../../common/huggingface/architectures/parameterSpecs';
import { loadEncoderClassifier } from '../../engine/models/huggingfaceFolder';
import { readSafetensors } from '../../engine/models/safetensors';
import { loadTextClassifier } from '../../engine/models/textClassifier';
import { runTraining, type RunOutcome } from '../../engine/run/runTraining';
import { makeSentimentProject, type SentimentProject } from '../fixtures/classification/sentimentProject';
import { committedReference, forwardOn, maxDifference, runReference, torchMissing, TORCH_MISSING_REASON } from '../fixtures/models/references';
import { TINY_MODEL_TYPES, writeTinyEncoderFolder } from '../fixtures/models/tinyEncoders';

const STAGES = [
  'training:',
  '  batch_size: 16',
  '  warmup_ratio: 0',
  '  stages:',
  '    - { name: head, epochs: 3, learning_rate: 0.003, freeze: encoder }',
  '    - { name: top, epochs: 5, learning_rate: 0.005, freeze: all-but-top-1 }',
].join('\n');

let scratch: string;
before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  scratch = await mkdtemp(path.join(tmpdir(), 'classification-architectures-'));
});
after(() => rm(scratch, { recursive: true, force: true }));

for (const modelType of TINY_MODEL_TYPES) {
  describe(`${modelType}: staged fine-tuning end to end`, () => {
    const architecture = ENCODER_ARCHITECTURES[modelType]!;
    let pretrained: string;
    let project: SentimentProject;
    let events: RunEvent[];
    let outcome: RunOutcome;
    before(async () => {
      // The architecture's own initialisation (the numerics fixtures' large scales collapse some random
      // encoders' first token), without dropout so that the run is the same every time.
      pretrained = await writeTinyEncoderFolder(path.join(scratch, modelType), modelType, { initializerRange: 0.02, dropout: 0 });
      project = await makeSentimentProject({ pretrained, training: STAGES, train: 192 });
      events = [];
      outcome = await runTraining(project.config, { onEvent: (event) => events.push(event) });
    });
    after(() => rm(project.dir, { recursive: true, force: true }));

    test('the run finishes and learns the task', () => {
      assert.equal(outcome.kind, 'finished', JSON.stringify(outcome));
      const summary = (outcome).summary as { validation: { accuracy: number } };
      assert.ok(summary.validation.accuracy >= 0.85, `validation accuracy ${summary.validation.accuracy}`);
      const logs = events.flatMap((event) => (event.kind === 'log' ? [event.message] : []));
      assert.ok(logs.some((message) => message.includes(`${architecture.displayName} with 2 layers, hidden size 32`)), logs.join('\n'));
      assert.ok(logs.some((message) => message.includes(`the encoder is frozen, so its ${architecture.tokens.special.cls} features were computed once`)), logs.join('\n'));
    });

    test('the stages freeze the encoder, then all but its top layer', () => {
      const stages = events.flatMap((event) => (event.kind === 'stage' ? [event.frozen] : []));
      const head = architecture.head === 'pooler' ? 'pooler, classifier' : 'classifier';
      assert.deepEqual(stages, [`trains ${head}; frozen: embeddings, encoder.layer.0–1`, `trains encoder.layer.1, ${head}; frozen: embeddings, encoder.layer.0`]);
    });

    test(`the folder is a ${architecture.className} with HF names; frozen weights are the pretrained ones`, async () => {
      const config = JSON.parse(await readFile(path.join(project.runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(config.architectures, [architecture.className]);
      assert.equal(config.model_type, modelType);
      assert.deepEqual(config.id2label, { 0: 'neg', 1: 'pos' });
      const exported = (await readSafetensors(path.join(project.runDir, 'model.safetensors'))).tensors;
      const specs = parameterSpecs(parseEncoderConfig(config, 'config.json'));
      assert.deepEqual([...exported.keys()].sort(), specs.map((spec) => spec.name).sort());
      const original = (await readSafetensors(path.join(pretrained, 'model.safetensors'))).tensors;
      for (const spec of specs) {
        if (spec.group === 'classifier') continue;
        const same = maxDifference([...exported.get(spec.name)!.data], [...original.get(spec.name)!.data]) === 0;
        assert.equal(same, spec.group === 'embeddings' || spec.group === 'encoder.layer.0', `${spec.name} (${spec.group}) ${same ? 'unchanged' : 'trained'}`);
      }
    });

    test('predictions load it through the model_type table and agree with the run', async () => {
      const classifier = await loadTextClassifier(project.runDir);
      try {
        assert.equal(classifier.modelType, modelType);
        assert.deepEqual(classifier.labels, ['neg', 'pos']);
        const probabilities = await classifier.predict(['the movie good fun', 'bad story boring', 'hate the spam film', 'love a great plot']);
        assert.deepEqual(
          probabilities.map((row) => (row[1]! > row[0]! ? 'pos' : 'neg')),
          ['pos', 'neg', 'neg', 'pos'],
        );
      } finally {
        classifier.dispose();
      }
    });

    test('the exported folder runs in the PyTorch implementation of the architecture with the same logits', { skip: torchMissing ? TORCH_MISSING_REASON : false }, async () => {
      const fromTorch = runReference(modelType, project.runDir);
      const loaded = await loadEncoderClassifier(project.runDir);
      const { logits } = forwardOn(loaded.model, committedReference(modelType));
      loaded.model.dispose();
      assert.ok(maxDifference(logits, fromTorch.logits) < 1e-5, `logits differ by ${maxDifference(logits, fromTorch.logits)}`);
    });
  });
}
