import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompletionItemKind, type CompletionItem, type MarkupContent, type TextEdit } from 'vscode-languageserver-types';
import { configSchema, type JsonSchema } from '../../common/schema';
import { nodeFileSystem } from '../../common/config/nodeFileSystem';
import { completion } from '../../common/config/completion';
import { withCaret } from '../fixtures/editing/caret';

async function complete(textWithCaret: string): Promise<CompletionItem[]> {
  const { doc, position } = withCaret(textWithCaret);
  return (await completion(doc, position, nodeFileSystem)).items;
}

const labels = (items: CompletionItem[]): string[] => items.map((item) => item.label);
const item = (items: CompletionItem[], label: string): CompletionItem => {
  const found = items.find((candidate) => candidate.label === label);
  assert.ok(found, `no item "${label}" in ${labels(items).join(', ')}`);
  return found;
};
const edit = (completionItem: CompletionItem): TextEdit => completionItem.textEdit as TextEdit;
const property = (section: string, key: string): JsonSchema => {
  const sectionSchema = configSchema.properties?.[section] as JsonSchema;
  return sectionSchema.properties?.[key] as JsonSchema;
};

describe('completion of keys', () => {
  it('offers the keys of the indented map on an empty line, without those already present', async () => {
    const items = await complete('training:\n  batch_size: 16\n  |');
    assert.deepEqual(
      labels(items).filter((label) => !label.includes(':')),
      ['optimizer', 'weight_decay', 'max_grad_norm', 'warmup_ratio', 'eval_every', 'threads', 'decision_threshold', 'log_every_steps', 'early_stopping', 'stages'],
    );
    assert.equal(edit(item(items, 'optimizer')).newText, 'optimizer: ');
    assert.equal(edit(item(items, 'early_stopping')).newText, 'early_stopping:\n  $0');
    assert.equal(edit(item(items, 'stages')).newText, 'stages:\n  - $0');
  });

  it('replaces the partially typed key and documents it from the schema', async () => {
    const items = await complete('task: text-classification\nname: x\nmodel:\n  type: bert\n  pre|');
    const pretrained = item(items, 'pretrained');
    assert.deepEqual(edit(pretrained).range, { start: { line: 4, character: 2 }, end: { line: 4, character: 5 } });
    assert.deepEqual(pretrained.documentation, { kind: 'markdown', value: property('model', 'pretrained').markdownDescription });
    assert.ok(!labels(items).includes('type'), 'type is already present');
  });

  it('offers only the sections of the document task', async () => {
    const word2vec = labels(await complete('task: word2vec\nname: vectors\n|'));
    assert.ok(word2vec.includes('word2vec') && word2vec.includes('data') && word2vec.includes('output'));
    assert.ok(!word2vec.includes('model') && !word2vec.includes('training') && !word2vec.includes('task'));
    const classification = labels(await complete('task: text-classification\n|'));
    assert.ok(classification.includes('model') && classification.includes('training'));
    assert.ok(!classification.includes('word2vec'));
  });

  it('sorts required keys first in an empty document and offers the whole-config snippet', async () => {
    const items = await complete('|');
    const keys = [...items].filter((i) => i.kind !== CompletionItemKind.Snippet).sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
    assert.deepEqual(labels(keys).slice(0, 3), ['task', 'name', 'data']);
    const whole = item(items, 'text-classification config');
    assert.match(edit(whole).newText, /^task: text-classification\nname: \$\{1:my-classifier\}\nmodel:\n {2}type: bert\n/);
  });

  it('keeps the value when renaming an existing key', async () => {
    const items = await complete('training:\n  batch_si|ze: 16');
    assert.equal(edit(item(items, 'batch_size')).newText, 'batch_size');
    assert.deepEqual(edit(item(items, 'batch_size')).range, { start: { line: 1, character: 2 }, end: { line: 1, character: 12 } });
  });

  it('offers the keys of a stage inside a stages list', async () => {
    const items = await complete('training:\n  stages:\n    - name: head\n      epochs: 1\n      |');
    assert.deepEqual(labels(items).filter((l) => !l.includes(' ')), ['learning_rate', 'freeze', 'warmup_ratio']);
    const next = await complete('training:\n  stages:\n    - name: head\n      epochs: 1\n    - |');
    assert.ok(labels(next).includes('epochs') && labels(next).includes('name'));
    // The stage snippet's 2nd+ lines line up with the key after `- ` (the editor adds the line's own indent).
    assert.equal(edit(item(next, 'new stage')).newText, 'name: ${1:stage}\n  epochs: 1\n  learning_rate: 0.00003\n  freeze: none');
  });

  it('offers nothing inside a comment', async () => {
    assert.deepEqual(await complete('training:\n  # batch|'), []);
  });
});

describe('whole-section snippets from defaultSnippets', () => {
  it('offers a schedule per kind of model in a stages list, with rates that work for it', async () => {
    const items = await complete('training:\n  |');
    const labelsOffered = labels(items);
    for (const label of ['freeze → train head → unfreeze → train all (BERT)', 'freeze → train head → unfreeze → train all (word vectors)', 'train everything (random word vectors)']) {
      assert.ok(labelsOffered.includes(`stages: ${label}`), `${label} in ${labelsOffered.join(', ')}`);
    }
    assert.match(edit(item(items, 'stages: freeze → train head → unfreeze → train all (word vectors)')).newText, /learning_rate: 0\.01\n\s+freeze: embeddings[\s\S]*learning_rate: 0\.003\n\s+freeze: none/);
  });

  it('offers training with a stages schedule', async () => {
    const items = await complete('task: text-classification\n|');
    const training = item(items, 'training: freeze → train head → unfreeze → train all (BERT)');
    assert.equal(
      edit(training).newText,
      [
        'training:',
        '  stages:',
        '    - name: head',
        '      epochs: 1',
        '      learning_rate: 0.001',
        '      freeze: encoder',
        '    - name: all',
        '      epochs: 2',
        '      learning_rate: 0.00003',
        '      freeze: none',
      ].join('\n'),
    );
  });

  it('offers model for BERT and for a word-vector classifier', async () => {
    const items = await complete('task: text-classification\n|');
    assert.equal(edit(item(items, 'model: BERT from a local folder')).newText, 'model:\n  type: bert\n  pretrained: ${1:models/tiny-bert}');
    assert.equal(
      edit(item(items, 'model: word-vector classifier')).newText,
      'model:\n  type: embedding-classifier\n  vectors: ${1:runs/vectors/vectors.bin}\n  pooling: mean',
    );
  });

  it('follows the document indentation', async () => {
    const items = await complete('task: text-classification\ndata:\n    train: x.csv\n|');
    assert.equal(edit(item(items, 'model: BERT from a local folder')).newText, 'model:\n    type: bert\n    pretrained: ${1:models/tiny-bert}');
  });
});

describe('completion of values', () => {
  it('offers enum values with their descriptions after `key: `', async () => {
    const items = await complete('word2vec:\n  algorithm: |');
    assert.deepEqual(labels(items), ['skipgram', 'cbow']);
    const schema = property('word2vec', 'algorithm');
    assert.deepEqual(item(items, 'cbow').documentation, { kind: 'markdown', value: schema.enumDescriptions?.[1] });
    assert.equal(item(items, 'skipgram').detail, 'default');
  });

  it('inserts a space when the cursor is right after the colon', async () => {
    const items = await complete('backend:|');
    assert.deepEqual(labels(items), ['auto', 'webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    assert.equal(edit(item(items, 'wasm')).newText, ' wasm');
  });

  it('offers booleans and defaults', async () => {
    assert.deepEqual(labels(await complete('word2vec:\n  hs: |')), ['true', 'false']);
    assert.ok(labels(await complete('training:\n  batch_size: |')).includes('16'));
  });

  it('offers enum items inside a flow sequence and a block sequence', async () => {
    const flow = await complete('output:\n  formats: [huggingface, wo|]');
    assert.deepEqual(labels(flow), ['huggingface', 'onnx', 'word2vec-text', 'word2vec-binary']);
    assert.deepEqual(edit(item(flow, 'word2vec-text')).range, { start: { line: 1, character: 25 }, end: { line: 1, character: 27 } });
    assert.deepEqual(labels(await complete('output:\n  formats:\n    - |')), ['huggingface', 'onnx', 'word2vec-text', 'word2vec-binary']);
  });

  it('offers freeze examples', async () => {
    const items = await complete('training:\n  stages:\n    - epochs: 1\n      freeze: |');
    assert.deepEqual(labels(items), ['none', 'encoder', 'embeddings', 'all-but-top-2']);
  });
});

describe('completion of paths, columns and model folders', () => {
  it('lists the folder of the typed prefix, relative to the config', async () => {
    const items = await complete('task: text-classification\ndata:\n  train: data/|');
    assert.deepEqual(labels(items), ['reviews.jsonl', 'train.csv', 'validation.csv']);
    assert.deepEqual(edit(item(items, 'train.csv')).range, { start: { line: 2, character: 14 }, end: { line: 2, character: 14 } });
  });

  it('lists folders only for output.dir, each retriggering completion', async () => {
    const items = await complete('output:\n  dir: |');
    assert.deepEqual(labels(items), ['runs', 'data/', 'models/', 'notes/', 'runs/']);
    assert.equal(item(items, 'models/').command?.command, 'editor.action.triggerSuggest');
  });

  it('reads column names from the header of a CSV train file', async () => {
    const items = await complete('data:\n  train: data/train.csv\n  label_column: |');
    assert.deepEqual(labels(items), ['label', 'text']);
  });

  it('reads field names from the first line of a JSONL train file, inside quotes', async () => {
    const items = await complete('data:\n  train: data/reviews.jsonl\n  text_column: "se|"');
    assert.ok(labels(items).includes('sentence') && labels(items).includes('category'));
    assert.deepEqual(edit(item(items, 'sentence')).range, { start: { line: 2, character: 16 }, end: { line: 2, character: 18 } });
    assert.equal(item(items, 'sentence').detail, 'column of data/reviews.jsonl');
  });

  it('offers local model folders that hold a config.json, and not other folders', async () => {
    const items = await complete('model:\n  pretrained: |');
    const folder = item(items, 'models/tiny-bert');
    assert.equal(folder.detail, 'local model');
    assert.match((folder.documentation as MarkupContent).value, /`config\.json`, `model\.safetensors`, `vocab\.txt`/);
    assert.ok(!labels(items).includes('notes'));
  });
});
