// The bundled examples must be valid configs whose data is really there: they are a new user's first run.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { configSchema } from '../../common/schema';
import type { NlpConfig } from '../../common/schema/config.generated';

const examplesDir = join(__dirname, '..', '..', 'examples');
const configs = readdirSync(examplesDir).filter((f) => f.endsWith('.nlp.yaml'));
const validate = new Ajv({ strict: false, allErrors: true }).compile(configSchema);

function load(file: string): NlpConfig {
  return parse(readFileSync(join(examplesDir, file), 'utf8')) as NlpConfig;
}

describe('examples', () => {
  it('include a word2vec run, a continued word2vec run and three spam classifiers (word vectors random or pretrained, tiny BERT)', () => {
    assert.deepEqual(configs.sort(), ['classify-spam-bert.nlp.yaml', 'classify-spam-random.nlp.yaml', 'classify-spam.nlp.yaml', 'word2vec-continue-moby.nlp.yaml', 'word2vec-sotu.nlp.yaml']);
  });

  for (const file of configs) {
    it(`${file} is valid per the schema`, () => {
      const valid = validate(load(file));
      assert.ok(valid, JSON.stringify(validate.errors, null, 2));
    });

    it(`${file} reads data files that exist`, () => {
      const config = load(file);
      const paths = [config.data.train, config.data.validation].flat().filter((p): p is string => typeof p === 'string');
      assert.ok(paths.length > 0);
      for (const path of paths) assert.ok(existsSync(resolve(examplesDir, path)), `${file}: ${path} exists`);
    });
  }

  it('continue training starts from the output folder of the first run', () => {
    const first = load('word2vec-sotu.nlp.yaml');
    const second = load('word2vec-continue-moby.nlp.yaml');
    assert.equal(resolve(examplesDir, second.word2vec?.init_from ?? ''), resolve(examplesDir, first.output?.dir ?? 'runs', first.name));
  });
});

describe('example data', () => {
  const dataDir = join(examplesDir, 'data');

  for (const name of ['spam-train.csv', 'spam-valid.csv']) {
    it(`${name} has a text,label header, one quoted record per line, and both labels`, () => {
      const [header, ...rows] = readFileSync(join(dataDir, name), 'utf8').trimEnd().split('\n');
      assert.equal(header, 'text,label');
      const labels = rows.map((row) => /,(ham|spam)$/.exec(row)?.[1]);
      assert.deepEqual(labels.filter((l) => l === undefined), [], 'every row ends with a label');
      assert.ok(labels.includes('ham') && labels.includes('spam'));
      for (const row of rows) {
        const text = row.slice(0, row.lastIndexOf(','));
        assert.ok(/^"([^"]|"")*"$/.test(text) || !/[",]/.test(text), `CSV quoting of: ${text.slice(0, 80)}`);
      }
    });
  }

  it('splits the spam data about 80/20 within each label', () => {
    const count = (name: string, label: string) =>
      readFileSync(join(dataDir, name), 'utf8').split('\n').filter((row) => row.endsWith(`,${label}`)).length;
    for (const label of ['ham', 'spam']) {
      const share = count('spam-valid.csv', label) / (count('spam-train.csv', label) + count('spam-valid.csv', label));
      assert.ok(Math.abs(share - 0.2) < 0.01, `${label}: ${share}`);
    }
  });

  it('has the word2vec corpora with one sentence per line', () => {
    for (const name of ['sotu-slice.txt', 'moby-dick-slice.txt']) {
      const lines = readFileSync(join(dataDir, name), 'utf8').trimEnd().split('\n');
      assert.ok(lines.length > 500, name);
      assert.ok(lines.every((line) => line.trim().length > 0), `${name} has no blank lines`);
    }
  });
});

