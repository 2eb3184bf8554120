// The word2vec run's NaN/inf stop: a model continued from a folder with a NaN in one word's vector makes
// the loss NaN in the first epoch; the run fails with a message that says so and where, and writes no
// model (the kernels' side, a non-finite loss and no trap, is word2vec-kernel.test.ts's).
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

for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
  test(`continuing a model with ${bad} in a vector: the run stops on the non-finite loss, says what to do, writes no model`, async () => {
    // the same settings as the config's, trained briefly, one vector damaged
    const { model } = await trainWord2Vec({ files: [path.join(made.dir, 'corpus.txt')], options: { vectorSize: 16, window: 3, minCount: 2, sample: 0, epochs: 1, threads: 1 } });
    const apple = model.vocabulary.indexOf('apple')!;
    model.input[apple * model.dim + 5] = bad;
    await saveFullModel(path.join(made.dir, 'damaged-model'), model);
    await rm(made.runDir, { recursive: true, force: true });

    const outcome = await runTraining(made.config, { onEvent: () => {} });
    assert.equal(outcome.kind, 'failed', JSON.stringify(outcome));
    assert.match(outcome.kind === 'failed' ? outcome.message : '', /The training loss became (NaN|-?Infinity) in epoch 1 \(word \d+\); the run stopped and wrote no model\. Lower word2vec\.alpha/);
    const written = await readdir(made.runDir);
    for (const model of ['vectors.txt', 'vectors.bin', 'model']) assert.ok(!written.includes(model), `${model} was written: ${written.join(', ')}`);
  });
}
