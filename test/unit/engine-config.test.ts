// Config loading for a run: the editor's validation, schema defaults, paths relative to the config file.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { configSchema, type JsonSchema } from '../../common/schema';
import { ConfigError } from '../../engine/config/configError';
import { loadConfig, resolvedConfigYaml } from '../../engine/config/loadConfig';
import { dataWithDefaults, withSchemaDefaults } from '../../engine/config/schemaDefaults';
import { sectionOf } from '../../engine/config/resolvedConfig';
import { loadLabelledData } from '../../engine/data/labelledData';
import { EarlyStopping } from '../../engine/training/earlyStopping';
import { makeTinyRun, type TinyRun } from '../fixtures/engine/tinyRun';

const projects: TinyRun[] = [];
function project(extraConfig?: string): TinyRun {
  const made = makeTinyRun({ lines: 10, ...(extraConfig ? { extraConfig } : {}) });
  projects.push(made);
  return made;
}
const word2vecDefaults = (configSchema.properties!.word2vec as JsonSchema).properties!;
const defaultOf = (key: string): unknown => (word2vecDefaults[key] as JsonSchema).default;

describe('engine config loading', () => {
  after(() => {
    for (const made of projects) rmSync(made.dir, { recursive: true, force: true });
  });

  it('fills the schema defaults, creating the task section but not forbidden or optional ones', () => {
    const filled = withSchemaDefaults({ task: 'word2vec', name: 'x', data: { train: 'a.txt' } });
    assert.equal(filled.seed, 42);
    assert.equal(filled.backend, 'auto');
    assert.deepEqual(filled.output, { dir: 'runs', keep_checkpoints: 2, checkpoint_every: 'epoch', quantize: false });
    const word2vec = filled.word2vec as Record<string, unknown>;
    for (const key of ['algorithm', 'vector_size', 'window', 'min_count', 'negative', 'sample', 'epochs', 'alpha', 'min_alpha']) assert.equal(word2vec[key], defaultOf(key), key);
    assert.equal(filled.model, undefined, 'model is forbidden for word2vec');
    assert.equal(filled.training, undefined, 'training is forbidden for word2vec');
    const classifier = withSchemaDefaults({ task: 'text-classification', name: 'x', data: { train: 'a.csv' }, model: { type: 'bert' }, training: { stages: [{ epochs: 1, learning_rate: 1e-3 }] } });
    const training = classifier.training as Record<string, unknown>;
    assert.equal(training.early_stopping, undefined, 'an optional feature stays off');
    assert.deepEqual(training.stages, [{ epochs: 1, learning_rate: 1e-3, freeze: 'none' }]);
    assert.equal(classifier.word2vec, undefined);
  });

  it('the engine uses the schema\'s defaults, not its own: change one in the schema and the engine follows', async () => {
    const data = (configSchema.properties!.data as JsonSchema).properties!;
    const early = ((configSchema.properties!.training as JsonSchema).properties!.early_stopping as JsonSchema).properties!;
    const separator = data.label_separator as JsonSchema;
    const patience = early.patience as JsonSchema;
    const saved = [separator.default, patience.default];
    const made = project();
    const file = join(made.dir, 'tags.csv');
    writeFileSync(file, 'text,label\na,x;y\nb,y\nc,x\n');
    try {
      separator.default = ';';
      patience.default = 7;
      const loaded = await loadLabelledData({ data: dataWithDefaults({ train: [file], multi_label: true }), seed: 1 });
      assert.deepEqual(loaded.labels.names, ['x', 'y']);
      const filled = withSchemaDefaults({ task: 'text-classification', name: 'x', data: { train: 'a.csv' }, training: { early_stopping: {} } }) as { training: { early_stopping: { metric: 'loss'; patience: number; min_delta: number } } };
      assert.equal(new EarlyStopping(filled.training.early_stopping).patience, 7);
    } finally {
      [separator.default, patience.default] = saved;
    }
  });

  it('a loaded config has every defaulted key, typed as required', async () => {
    const { config } = await loadConfig(project().config);
    // These compile only because ResolvedConfig makes the schema-defaulted keys required.
    const keepCheckpoints: number = config.output.keep_checkpoints;
    const lowercase: boolean = config.data.lowercase;
    const negative: number = sectionOf(config, 'word2vec').negative;
    const outputDefault = (key: string): unknown => ((configSchema.properties!.output as JsonSchema).properties![key] as JsonSchema).default;
    const dataDefault = (key: string): unknown => ((configSchema.properties!.data as JsonSchema).properties![key] as JsonSchema).default;
    assert.deepEqual([keepCheckpoints, lowercase, negative], [outputDefault('keep_checkpoints'), dataDefault('lowercase'), defaultOf('negative')]);
  });

  it('resolves paths against the config folder and expands globs, keeping values the user wrote', async () => {
    const { dir, config } = project();
    mkdirSync(join(dir, 'more'));
    writeFileSync(join(dir, 'more', 'b.txt'), 'banana apple\n');
    writeFileSync(join(dir, 'more', 'a.txt'), 'apple banana\n');
    writeFileSync(config, 'task: word2vec\nname: globbed\ndata:\n  train: [corpus.txt, "more/*.txt"]\nword2vec:\n  epochs: 2\noutput:\n  dir: ../elsewhere\n');
    const loaded = await loadConfig(config);
    assert.deepEqual(loaded.config.data.train, [join(dir, 'corpus.txt'), join(dir, 'more/a.txt'), join(dir, 'more/b.txt')]);
    assert.equal(loaded.config.output.dir, join(dir, '../elsewhere'));
    assert.equal(loaded.config.word2vec?.epochs, 2);
    assert.equal(loaded.config.word2vec?.vector_size, defaultOf('vector_size'));
    assert.deepEqual(loaded.written.word2vec, { epochs: 2 });
    const yaml = resolvedConfigYaml(loaded);
    assert.match(yaml, /^# Resolved from /);
    assert.deepEqual(parse(yaml), JSON.parse(JSON.stringify(loaded.config)));
    assert.deepEqual(loaded.locate(['word2vec', 'epochs']), { file: config, line: 6, column: 11 });
  });

  it('fails with file:line:col: message for every error the editor shows', async () => {
    const { config } = project('bogus: 1\nmore: 2');
    await assert.rejects(loadConfig(config), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 2);
      assert.deepEqual(
        error.message.split('\n').map((line) => line.replace(config, 'CONFIG')),
        ['CONFIG:16:1: Unknown key "bogus". Allowed keys: task, name, seed, backend, model, data, training, word2vec, output.', 'CONFIG:17:1: Unknown key "more". Did you mean "model"?'],
      );
      return true;
    });
  });
});
