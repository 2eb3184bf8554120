// Quick fixes: apply each edit to the text, validate again, and check the problem is gone.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Range } from 'vscode-languageserver-types';
import { nodeFileSystem } from '../../common/config/nodeFileSystem';
import { codeActions, FILL_DEFAULTS_KIND } from '../../common/config/codeActions';
import { parseConfigDocument, type ConfigDocument } from '../../common/config/configDocument';
import { syntaxAndSchemaDiagnostics, validateConfig } from '../../common/config/validate';

const uri = pathToFileURL(join(resolve(__dirname, '../fixtures/project'), 'fix.nlp.yaml')).href;
const everywhere: Range = { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } };

function apply(doc: ConfigDocument, action: CodeAction): string {
  const edits = action.edit?.changes?.[doc.uri];
  assert.ok(edits, `${action.title} has no edits`);
  return TextDocument.applyEdits(TextDocument.create(doc.uri, 'nlp-config', 1, doc.text), edits);
}

function fixes(doc: ConfigDocument, diagnostics: Diagnostic[]): CodeAction[] {
  return codeActions(doc, everywhere, diagnostics).filter((action) => action.kind === 'quickfix');
}

const STAGES = `task: text-classification
name: demo
model:
  pretrained: models/tiny-bert
data:
  train: data/train.csv
training:
  stages:
    - epochs: 1   # the head
      lerning_rate: 0.001
      freeze: encoder
`;

describe('codeActions', () => {
  it('renames an unknown key to the suggestion, preferred over adding the key', async () => {
    const doc = parseConfigDocument(uri, STAGES);
    const actions = fixes(doc, syntaxAndSchemaDiagnostics(doc));
    const rename = actions.find((a) => a.title === 'Rename to "learning_rate"');
    const add = actions.find((a) => a.title === 'Add "learning_rate" to training.stages[0]');
    assert.equal(rename?.isPreferred, true);
    assert.equal(add?.isPreferred, undefined);
    const fixed = parseConfigDocument(uri, apply(doc, rename));
    assert.deepEqual(await validateConfig(fixed, nodeFileSystem), []);
    assert.match(fixed.text, /# the head/);
  });

  it('inserts a missing required key at the indentation of its map', () => {
    const doc = parseConfigDocument(uri, STAGES.replace('lerning_rate', 'learning_rate').replace('    - epochs: 1   # the head\n', '    - freeze: none\n').replace('      freeze: encoder\n', ''));
    const add = fixes(doc, syntaxAndSchemaDiagnostics(doc)).find((a) => a.title === 'Add "epochs" to training.stages[0]');
    assert.ok(add);
    assert.equal(add.isPreferred, true);
    const text = apply(doc, add);
    assert.match(text, /\n {6}learning_rate: 0\.001\n {6}epochs: 1\n$/);
    assert.deepEqual(syntaxAndSchemaDiagnostics(parseConfigDocument(uri, text)), []);
  });

  it('fills a missing top-level section from the schema snippet, and a key into a flow map', async () => {
    const doc = parseConfigDocument(uri, 'task: text-classification\nname: demo\nmodel: {type: embedding-classifier}\n');
    const add = fixes(doc, syntaxAndSchemaDiagnostics(doc)).find((a) => a.title === 'Add "data"');
    assert.ok(add);
    const withData = parseConfigDocument(uri, apply(doc, add));
    assert.match(withData.text, /\ndata:\n {2}train: data\/train\.csv\n/);
    const addSize = fixes(withData, await validateConfig(withData, nodeFileSystem)).find((a) => a.title === 'Add "vector_size" to model');
    assert.ok(addSize);
    const text = apply(withData, addSize);
    assert.match(text, /model: \{type: embedding-classifier, vector_size: 1\}/);
    assert.deepEqual(await validateConfig(parseConfigDocument(uri, text), nodeFileSystem), []);
  });

  it('offers the allowed values for a bad enum value, the close one first and preferred', () => {
    const doc = parseConfigDocument(uri, `${STAGES.replace('lerning_rate', 'learning_rate')}  optimizer: sgdd\n`);
    const actions = fixes(doc, syntaxAndSchemaDiagnostics(doc));
    assert.deepEqual(actions.map((a) => a.title), ['Change to sgd', 'Change to adamw', 'Change to adam']);
    assert.equal(actions[0]?.isPreferred, true);
    assert.deepEqual(syntaxAndSchemaDiagnostics(parseConfigDocument(uri, apply(doc, actions[1] as CodeAction))), []);
  });

  it('offers only the fixes of diagnostics in the requested range', () => {
    const doc = parseConfigDocument(uri, `${STAGES}seed: -1\n`);
    const diagnostics = syntaxAndSchemaDiagnostics(doc);
    const onSeed = codeActions(doc, { start: { line: 11, character: 0 }, end: { line: 11, character: 0 } }, diagnostics);
    assert.equal(onSeed.filter((a) => a.kind === 'quickfix').length, 0);
  });

  it('fixes a missing file and a conflict from semantic diagnostics', async () => {
    const doc = parseConfigDocument(uri, STAGES.replace('lerning_rate', 'learning_rate').replace('data/train.csv', 'data/trian.csv\n  validation: data/valid.csv\n  validation_split: 0.2'));
    const diagnostics = await validateConfig(doc, nodeFileSystem);
    assert.deepEqual(diagnostics.map((d) => d.code), ['missing-file', 'conflict']);
    let text = doc.text;
    for (const title of ['Change to data/train.csv', 'Remove data.validation_split']) {
      const current = parseConfigDocument(uri, text);
      const action = fixes(current, await validateConfig(current, nodeFileSystem)).find((a) => a.title === title);
      assert.ok(action, title);
      text = apply(current, action);
    }
    assert.deepEqual(await validateConfig(parseConfigDocument(uri, text), nodeFileSystem), []);
    assert.doesNotMatch(text, /validation_split/);
  });

  it('fills in defaults, keeping comments, and then has nothing left to fill', () => {
    const doc = parseConfigDocument(uri, STAGES.replace('lerning_rate', 'learning_rate'));
    const fill = codeActions(doc, everywhere, []).find((a) => a.kind === FILL_DEFAULTS_KIND);
    assert.equal(fill?.title, 'Fill in defaults');
    const text = apply(doc, fill);
    const filled = parseConfigDocument(uri, text);
    assert.deepEqual(syntaxAndSchemaDiagnostics(filled), []);
    assert.match(text, /# the head/);
    const value = filled.value as { seed: number; data: { max_length: number }; training: { batch_size: number; stages: { freeze: string }[] } };
    assert.equal(value.seed, 42);
    assert.equal(value.data.max_length, 128);
    assert.equal(value.training.batch_size, 16);
    assert.equal(value.training.stages[0]?.freeze, 'encoder');
    assert.equal((filled.value as { model: { pooling?: string } }).model.pooling, undefined, 'pooling is for embedding-classifier only');
    assert.equal(codeActions(filled, everywhere, []).length, 0);
  });
});
