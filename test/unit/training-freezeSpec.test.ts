// Stage `freeze` values → which parameter groups train.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFreezePlan, parseFreeze, planFreeze, trainableParameters } from '../../engine/training/freezeSpec';

// EncoderClassifier.groups for a 2-layer model, in state-dict order.
const twoLayer = ['embeddings', 'encoder.layer.0', 'encoder.layer.1', 'pooler', 'classifier'];

describe('training: freeze spec', () => {
  it('parses the schema pattern, defaulting to none', () => {
    assert.deepEqual(parseFreeze('none'), { kind: 'none' });
    assert.deepEqual(parseFreeze('encoder'), { kind: 'encoder' });
    assert.deepEqual(parseFreeze('embeddings'), { kind: 'embeddings' });
    assert.deepEqual(parseFreeze('all-but-top-12'), { kind: 'all-but-top', top: 12 });
    for (const bad of ['all-but-top-0', 'all-but-top-02', 'top-2', 'Encoder', '', 'all-but-top-']) {
      assert.throws(() => parseFreeze(bad), /not one of encoder, embeddings, none or all-but-top-N/, bad);
    }
  });

  it('splits a 2-layer model for each value', () => {
    const none = planFreeze('none', twoLayer);
    assert.deepEqual(none.trainable, twoLayer);
    assert.deepEqual(none.frozen, []);
    assert.equal(none.encoderFrozen, false);

    const embeddings = planFreeze('embeddings', twoLayer);
    assert.deepEqual(embeddings.trainable, ['encoder.layer.0', 'encoder.layer.1', 'pooler', 'classifier']);
    assert.deepEqual(embeddings.frozen, ['embeddings']);
    assert.equal(embeddings.encoderFrozen, false);

    const encoder = planFreeze('encoder', twoLayer);
    assert.deepEqual(encoder.trainable, ['pooler', 'classifier']);
    assert.deepEqual(encoder.frozen, ['embeddings', 'encoder.layer.0', 'encoder.layer.1']);
    assert.equal(encoder.encoderFrozen, true);

    const top1 = planFreeze('all-but-top-1', twoLayer);
    assert.deepEqual(top1.trainable, ['encoder.layer.1', 'pooler', 'classifier']);
    assert.deepEqual(top1.frozen, ['embeddings', 'encoder.layer.0']);
    assert.equal(top1.encoderFrozen, false);

    // Every layer trainable: the same as freezing only the embeddings.
    assert.deepEqual(planFreeze('all-but-top-2', twoLayer).trainable, embeddings.trainable);
  });

  it('counts "top" by layer index, whatever order the groups come in', () => {
    const shuffled = ['classifier', 'encoder.layer.2', 'encoder.layer.10', 'embeddings', ...Array.from({ length: 12 }, (_, i) => `encoder.layer.${i}`).filter((n) => n !== 'encoder.layer.2' && n !== 'encoder.layer.10'), 'pooler'];
    const plan = planFreeze({ kind: 'all-but-top', top: 2 }, shuffled);
    assert.deepEqual(plan.trainable, ['classifier', 'encoder.layer.10', 'encoder.layer.11', 'pooler']);
  });

  it('says clearly when N exceeds the layer count', () => {
    assert.throws(
      () => planFreeze('all-but-top-3', twoLayer),
      /all-but-top-3 asks for the top 3 encoder layers to train, but the model has 2; use at most all-but-top-2/,
    );
    // The word-vector classifier has embeddings and a head only.
    assert.throws(() => planFreeze('all-but-top-1', ['embeddings', 'classifier']), /has 0; this model has no encoder layers/);
    assert.deepEqual(planFreeze('encoder', ['embeddings', 'classifier']).trainable, ['classifier']);
  });

  it('rejects gaps in the layer numbering', () => {
    assert.throws(() => planFreeze('none', ['embeddings', 'encoder.layer.0', 'encoder.layer.2']), /numbered 0…1; got 0, 2/);
  });

  it('selects the trainable parameters and describes the plan', () => {
    const groups = new Map(twoLayer.map((name) => [name, [`${name}.a`, `${name}.b`]]));
    assert.deepEqual(trainableParameters(groups, planFreeze('all-but-top-1', twoLayer)), [
      'encoder.layer.1.a', 'encoder.layer.1.b', 'pooler.a', 'pooler.b', 'classifier.a', 'classifier.b',
    ]);
    assert.throws(() => trainableParameters(new Map(), planFreeze('none', ['pooler'])), /no parameter group pooler/);
    assert.equal(describeFreezePlan(planFreeze('encoder', twoLayer)), 'trains pooler, classifier; frozen: embeddings, encoder.layer.0–1');
    assert.equal(describeFreezePlan(planFreeze('all-but-top-1', twoLayer)), 'trains encoder.layer.1, pooler, classifier; frozen: embeddings, encoder.layer.0');
    assert.equal(describeFreezePlan(planFreeze('none', twoLayer)), 'trains embeddings, encoder.layer.0–1, pooler, classifier; frozen: nothing');
  });
});
