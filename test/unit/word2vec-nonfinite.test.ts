// A word2vec run continued from a damaged model: a NaN or infinity is refused as the folder is read, and
// finite values large enough to overflow make the loss non-finite in the first epoch, which stops the run;
// either way the message says what and where, and no model is written (the kernels' side, a non-finite
// loss and no trap, is word2vec-kernel.test.ts's).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runTraining } from '../../engine/run/runTraining';
import { saveFullModel } from '../../engine/word2vec/fullModel';
import { trainWord2Vec } from '../../engine/word2vec/trainer';
import { makeTinyRun } from '../fixtures/engine/tinyRun';

const made = makeTinyRun({ lines: 100, epochs: 2 });
writeFileSync(made.config, readFileSync(made.config, 'utf8').replace('word2vec:\n', 'word2vec:\n  init_from: damaged-model\n'));
after(() => rm(made.dir, { recursive: true, force: true }));

const REFUSED_AS_READ = /damaged-model[/\\]input\.f32: tensor 'input\.f32' holds (NaN|Infinity) at index \d+: the weights are damaged/;
const LOSS_STOP = /The training loss became (NaN|-?Infinity) in epoch 1 \(word \d+\); the run stopped and wrote no model\. Lower word2vec\.alpha/;
// A NaN or infinity in the saved matrix is refused as the folder is read; finite values so large that the
// dot products overflow reach the kernels, and the loss stop.
const CASES = [
  { what: 'NaN', damage: (v: Float32Array, at: number) => (v[at + 5] = Number.NaN), message: REFUSED_AS_READ },
  { what: 'Infinity', damage: (v: Float32Array, at: number) => (v[at + 5] = Number.POSITIVE_INFINITY), message: REFUSED_AS_READ },
  { what: 'huge finite values', damage: (v: Float32Array, at: number) => v.fill(3e38, at, at + 16), message: LOSS_STOP },
];
for (const { what, damage, message } of CASES) {
  test(`continuing a model with ${what} in a vector: the run stops, says what to do, writes no model`, async () => {
    // the same settings as the config's, trained briefly, one vector damaged
    const { model } = await trainWord2Vec({ files: [path.join(made.dir, 'corpus.txt')], options: { vectorSize: 16, window: 3, minCount: 2, sample: 0, epochs: 1, threads: 1 } });
    const apple = model.vocabulary.indexOf('apple')!;
    damage(model.input, apple * model.dim);
    await saveFullModel(path.join(made.dir, 'damaged-model'), model);
    await rm(made.runDir, { recursive: true, force: true });

    const outcome = await runTraining(made.config, { onEvent: () => {} });
    assert.equal(outcome.kind, 'failed', JSON.stringify(outcome));
    assert.match(outcome.kind === 'failed' ? outcome.message : '', message);
    const written = await readdir(made.runDir);
    for (const model of ['vectors.txt', 'vectors.bin', 'model']) assert.ok(!written.includes(model), `${model} was written: ${written.join(', ')}`);
  });
}
