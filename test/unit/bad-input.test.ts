// Bad input never crashes (issue 12): each case the adversarial pass found, reproduced through the
// real CLI (the bundle `npm run build` writes) or the real reader, gets an error that names the file
// and what is wrong in it, and nothing is allocated, trained or printed from it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { nodeFileSystem } from '../../common/config/nodeFileSystem';
import { parseConfigDocument } from '../../common/config/configDocument';
import { semanticDiagnostics } from '../../common/config/validate';
import { ENCODER_ARCHITECTURES } from '../../common/huggingface/architectures';
import { parseEncoderConfig } from '../../common/huggingface/architectures/encoderConfig';
import { encoderParameterCount, parameterSpecs } from '../../common/huggingface/architectures/parameterSpecs';
import { MAX_VECTOR_DIMENSIONS } from '../../common/vectorsHead';
import { elementCount, readSafetensorsHeader } from '../../engine/models/safetensors';
import { readVectors } from '../../engine/word2vec/vectorsFormat';

const root = resolve(__dirname, '../..');
const cli = join(root, 'out/cli.js');
const TINY_BERT = join(root, 'test/fixtures/models/tiny-bert');
const scratch = mkdtempSync(join(tmpdir(), 'nlp-studio-bad-input-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(args: string[], cwd = scratch): { code: number | null; out: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, out: result.stdout + result.stderr };
}

/** A copy of tiny-bert whose config.json has `changes`. */
function tinyBertWith(name: string, changes: Record<string, unknown>): string {
  const folder = join(scratch, name);
  cpSync(TINY_BERT, folder, { recursive: true });
  const file = join(folder, 'config.json');
  writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), ...changes }));
  return folder;
}

describe("a config.json whose sizes the weights beside it cannot hold", () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['num_hidden_layers', { num_hidden_layers: 10_000_000 }],
    ['hidden_size', { hidden_size: 2_000_000 }],
    ['vocab_size', { vocab_size: 1_000_000_000 }],
    ['intermediate_size', { intermediate_size: 1_000_000_000 }],
  ];
  for (const [key, changes] of cases) {
    it(`${key}: predict refuses it at once, naming config.json and the key`, () => {
      const folder = tinyBertWith(key, changes);
      const { code, out } = run(['predict', folder, 'a good film']);
      assert.equal(code, 1, out);
      assert.match(out, new RegExp(`${join(folder, 'config.json')}: ${key} ${String(changes[key])} describes an encoder of .* but .*model\\.safetensors \\(94708 bytes\\) holds at most 47354`));
      assert.doesNotMatch(out, /\n\s+at /);
    });
  }

  it('the language server says the same of the folder as the config is typed', async () => {
    const folder = tinyBertWith('server', { num_hidden_layers: 10_000_000 });
    const doc = parseConfigDocument(pathToFileURL(join(scratch, 'c.nlp.yaml')).href, `task: text-classification\nname: x\nmodel:\n  pretrained: ${folder}\n`);
    const found = (await semanticDiagnostics(doc, nodeFileSystem)).filter((d) => d.code === 'incomplete-model');
    assert.equal(found.length, 1);
    assert.match(found[0]?.message ?? '', /has an unusable config\.json: num_hidden_layers 10000000 describes an encoder of .* but model\.safetensors \(94708 bytes\)/);
  });

  it('the count the check uses is the encoder parameters, for every architecture', () => {
    for (const modelType of Object.keys(ENCODER_ARCHITECTURES)) {
      for (const json of [{}, { embedding_size: 64, hidden_size: 96, num_attention_heads: 3, num_hidden_layers: 3, intermediate_size: 50 }]) {
        const config = parseEncoderConfig({ model_type: modelType, ...json }, 'c.json');
        const listed = parameterSpecs(config).filter((spec) => spec.group !== 'classifier' && spec.group !== 'pooler');
        assert.equal(encoderParameterCount(config), listed.reduce((sum, spec) => sum + elementCount(spec.shape), 0), modelType);
      }
    }
  });
});

describe('a vectors file with a value float32 cannot hold, too many dimensions, or repeated words', () => {
  const corpus = 'the dog sat on the mat\nthe cat sat on the dog\n'.repeat(20);
  const labelled = ['{"text": "the dog sat", "label": "a"}', '{"text": "the cat sat", "label": "b"}'].join('\n').repeat(1) + '\n';
  /** A project folder with `vectors.txt` and a config using it; returns the config's path. */
  function project(name: string, vectors: string, task: 'word2vec' | 'embedding'): string {
    const folder = join(scratch, name);
    cpSync(join(root, 'test/fixtures/project/data'), join(folder, 'data'), { recursive: true });
    writeFileSync(join(folder, 'corpus.txt'), corpus);
    writeFileSync(join(folder, 'labelled.jsonl'), labelled.repeat(10));
    writeFileSync(join(folder, 'vectors.txt'), vectors);
    const config =
      task === 'word2vec'
        ? 'task: word2vec\nname: w\ndata:\n  train: corpus.txt\nword2vec:\n  min_count: 1\n  epochs: 1\n  init_from: vectors.txt\n'
        : 'task: text-classification\nname: e\nmodel:\n  type: embedding-classifier\n  vectors: vectors.txt\ndata:\n  train: labelled.jsonl\n  validation_split: 0.5\ntraining:\n  stages:\n    - epochs: 1\n      learning_rate: 0.01\n';
    writeFileSync(join(folder, 'c.nlp.yaml'), config);
    return join(folder, 'c.nlp.yaml');
  }
  const huge = '3 4\nthe 0.1 0.2 0.3 0.4\ndog 1e39 0.6 0.7 0.8\ncat 0.1 0.1 0.1 0.1\n';

  for (const task of ['word2vec', 'embedding'] as const) {
    it(`1e39 (finite, but not as a float32): ${task} train refuses it with file:line`, () => {
      const config = project(`huge-${task}`, huge, task);
      const { code, out } = run(['train', config]);
      assert.equal(code, 1, out);
      assert.match(out, /vectors\.txt:3: value 1 of "dog" is not a finite float32 \(\|x\| ≤ 3\.4028235e38\): "1e39"/);
      assert.doesNotMatch(out, /NaN|RuntimeError|\n\s+at /);
    });
  }

  it('5,000 dimensions (the schema allows 4,096): train and validate refuse it alike, and so does the reader', async () => {
    const row = (word: string): string => `${word} ${Array.from({ length: 5000 }, () => '0').join(' ')}\n`;
    const config = project('wide', `2 5000\n${row('the')}${row('dog')}`, 'embedding');
    const said = /"vectors\.txt" cannot be read as word vectors: the header "2 5000" gives 5000 dimensions; at most 4096 are supported/;
    for (const command of ['train', 'validate']) {
      const { code, out } = run([command, config]);
      assert.equal(code, 1, out);
      assert.match(out, said);
    }
    const vectors = join(scratch, 'wide', 'vectors.txt');
    await assert.rejects(readVectors(vectors), /vectors\.txt:1: the header "2 5000" gives 5000 dimensions; at most 4096 are supported/);
    writeFileSync(vectors, row('the') + row('dog'));
    await assert.rejects(readVectors(vectors), /vectors\.txt:1: the first line holds a word and 5000 dimensions; at most 4096/);
    assert.match(run(['validate', config]).out, /the first line holds a word and 5000 dimensions; at most 4096/);
  });

  it('the limit is the schema\'s, for both vector_size keys', () => {
    const schema = JSON.parse(readFileSync(join(root, 'common/schema/nlp-config.schema.json'), 'utf8')) as { properties: Record<string, { properties: Record<string, { maximum?: number }> }> };
    assert.equal(MAX_VECTOR_DIMENSIONS, schema.properties.model?.properties.vector_size?.maximum);
    assert.equal(MAX_VECTOR_DIMENSIONS, schema.properties.word2vec?.properties.vector_size?.maximum);
  });

  it('a word2vec run folder continued from, whose saved weights hold a NaN: refused naming the file', () => {
    const config = project('full-model', '2 4\nthe 0.1 0.2 0.3 0.4\ndog 0.5 0.6 0.7 0.8\n', 'word2vec');
    const folder = join(scratch, 'full-model');
    writeFileSync(config, 'task: word2vec\nname: first\ndata:\n  train: corpus.txt\nword2vec:\n  min_count: 1\n  epochs: 1\n  vector_size: 4\n');
    const first = run(['train', config]);
    assert.equal(first.code, 0, first.out);
    const manifest = JSON.parse(readFileSync(join(folder, 'runs/first/model/model.json'), 'utf8')) as { input: string };
    const weights = join(folder, 'runs/first/model', manifest.input);
    const bytes = readFileSync(weights);
    bytes.writeFloatLE(Number.NaN, 8);
    writeFileSync(weights, bytes);
    writeFileSync(config, 'task: word2vec\nname: second\ndata:\n  train: corpus.txt\nword2vec:\n  min_count: 1\n  epochs: 1\n  init_from: runs/first\n');
    const { code, out } = run(['train', config]);
    assert.equal(code, 1, out);
    assert.match(out, new RegExp(`${weights.replace(/[.]/g, '\\.')}: tensor '${manifest.input.replace(/[.]/g, '\\.')}' holds NaN at index 2`));
    assert.doesNotMatch(out, /RuntimeError|lower the learning rate|\n\s+at /);
  });

  it('repeated words: the first vector is kept and train says so, naming a few and counting the rest', () => {
    const rows = ['the 0.1 0.2 0.3 0.4', 'dog 0.5 0.6 0.7 0.8', ...Array.from({ length: 8 }, (_, i) => `${i % 2 === 0 ? 'the' : 'dog'} 9 9 9 ${i}`)];
    const config = project('repeats', `${rows.length} 4\n${rows.join('\n')}\n`, 'embedding');
    const { code, out } = run(['train', config]);
    assert.equal(code, 0, out);
    assert.match(out, /vectors\.txt:4: the word "the" repeats line 2; the first vector is kept/);
    assert.match(out, /vectors\.txt: 3 more repeated word\(s\); the first vector of each is kept/);
  });
});

describe('a classifier whose model.safetensors holds NaN or infinite weights', () => {
  /** A copy of tiny-bert with `value` written over one weight of `tensor`. */
  async function poisoned(name: string, tensor: string, value: number): Promise<string> {
    const folder = join(scratch, name);
    cpSync(TINY_BERT, folder, { recursive: true });
    const file = join(folder, 'model.safetensors');
    const header = await readSafetensorsHeader(file);
    const entry = header.tensors.get(tensor);
    assert.ok(entry !== undefined && entry.dtype === 'F32', tensor);
    const bytes = readFileSync(file);
    bytes.writeFloatLE(value, header.dataStart + entry.begin + 4 * 5);
    writeFileSync(file, bytes);
    return folder;
  }

  it('predict and eval refuse a NaN, naming the file and the tensor', async () => {
    const folder = await poisoned('nan', 'bert.encoder.layer.1.attention.self.query.weight', Number.NaN);
    writeFileSync(join(scratch, 'eval.csv'), 'text,label\nthis movie is great,positive\nbad film,negative\n');
    for (const args of [['predict', folder, 'a good film'], ['eval', folder, join(scratch, 'eval.csv')]]) {
      const { code, out } = run(args);
      assert.equal(code, 1, out);
      assert.match(out, new RegExp(`${join(folder, 'model.safetensors')}: tensor 'bert\\.encoder\\.layer\\.1\\.attention\\.self\\.query\\.weight' holds NaN at index 5`));
      assert.doesNotMatch(out, /null|"loss"|accuracy/);
    }
  });

  it('continued training from it is refused the same way, with an infinite weight', async () => {
    const folder = await poisoned('inf', 'bert.embeddings.word_embeddings.weight', Number.NEGATIVE_INFINITY);
    const project = join(scratch, 'continue');
    cpSync(join(root, 'test/fixtures/project/data'), join(project, 'data'), { recursive: true });
    writeFileSync(join(project, 'c.nlp.yaml'), `task: text-classification\nname: c\nmodel:\n  pretrained: ${folder}\ndata:\n  train: data/train.csv\n  validation_split: 0.5\n`);
    const { code, out } = run(['train', join(project, 'c.nlp.yaml')]);
    assert.equal(code, 1, out);
    assert.match(out, /model\.safetensors: tensor 'bert\.embeddings\.word_embeddings\.weight' holds -Infinity at index 5/);
  });
});

describe('a folder where a file belongs, or a file where a folder does: a sentence with the path, never EISDIR or ENOTDIR', () => {
  const project = join(scratch, 'paths');
  const w2v = join(project, 'w.nlp.yaml');
  const noRawCode = (out: string): void => assert.doesNotMatch(out, /EISDIR|ENOTDIR|EEXIST|illegal operation|\.tmp\b|\n\s+at /);
  it('the run folder\'s outputs', () => {
    cpSync(join(root, 'test/fixtures/project/data'), join(project, 'data'), { recursive: true });
    writeFileSync(w2v, 'task: word2vec\nname: w\ndata:\n  train: data/corpus-1.txt\nword2vec:\n  min_count: 1\n  epochs: 1\n');
    // A folder where the run's own output goes is part of the previous model, which a run clears as a unit.
    mkdirSync(join(project, 'runs/w/vectors.txt'), { recursive: true });
    const folderInTheWay = run(['train', w2v], project);
    assert.equal(folderInTheWay.code, 0, folderInTheWay.out);
    assert.ok(statSync(join(project, 'runs/w/vectors.txt')).isFile());
    rmSync(join(project, 'runs'), { recursive: true });
    mkdirSync(join(project, 'runs/w'), { recursive: true });
    writeFileSync(join(project, 'runs/w/checkpoints'), '');
    const fileInTheWay = run(['train', w2v], project);
    assert.equal(fileInTheWay.code, 1, fileInTheWay.out);
    assert.match(fileInTheWay.out, new RegExp(`${join(project, 'runs/w/checkpoints')}: is a file; a folder is expected here`));
    noRawCode(fileInTheWay.out);
  });

  it('the files given on the command line', () => {
    const cases: Array<[string[], RegExp]> = [
      [['train', 'data'], /nlp-studio train: data: is a folder, not a file/],
      [['train', 'w.nlp.yaml/x'], /nlp-studio train: w\.nlp\.yaml\/x: .*w\.nlp\.yaml is a file, not a folder/],
      [['predict', TINY_BERT, '--file', 'data'], /nlp-studio predict: --file data: is a folder, not a file/],
      [['eval', TINY_BERT, 'data'], /nlp-studio eval: the data file data: is a folder, not a file/],
      [['eval', TINY_BERT, 'w.nlp.yaml/x.csv'], /the data file w\.nlp\.yaml\/x\.csv: .*w\.nlp\.yaml is a file, not a folder/],
    ];
    for (const [args, expected] of cases) {
      const { code, out } = run(args, project);
      assert.equal(code, 2, out);
      assert.match(out, expected);
      noRawCode(out);
    }
  });
});
