// YAML and schema diagnostics: `[[…]]` in a fixture marks the exact range a diagnostic must cover.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic, type Range } from 'vscode-languageserver-types';
import { parseConfigDocument, type ConfigDocument } from '../../common/config/configDocument';
import { deprecationDiagnostics } from '../../common/config/schemaDiagnostics';
import { syntaxAndSchemaDiagnostics } from '../../common/config/validate';
import type { JsonSchema } from '../../common/schema';

/** The document without its `[[`/`]]` markers, and the range they enclosed. */
function marked(source: string): { doc: ConfigDocument; range: Range } {
  const start = source.indexOf('[[');
  const end = source.indexOf(']]') - 2;
  assert.ok(start >= 0 && end >= start, 'fixture needs [[…]]');
  const doc = parseConfigDocument('file:///work/demo.nlp.yaml', source.replace('[[', '').replace(']]', ''));
  return { doc, range: doc.rangeOf(start, end) };
}

function only(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code} diagnostic expected, got ${JSON.stringify(diagnostics, null, 1)}`);
  return found[0] as Diagnostic;
}

const HEAD = 'task: text-classification\nname: demo\nmodel:\n  pretrained: bert-base-uncased\ndata:\n  train: train.csv\n';

describe('syntaxAndSchemaDiagnostics', () => {
  it('finds nothing wrong in the sample project configs', () => {
    for (const name of ['classifier', 'word2vec', 'embedding']) {
      const path = resolve(__dirname, `../fixtures/project/${name}.nlp.yaml`);
      const doc = parseConfigDocument(`file://${path}`, readFileSync(path, 'utf8'));
      assert.deepEqual(syntaxAndSchemaDiagnostics(doc), [], name);
    }
  });

  it('puts an unknown key on the key, with a did-you-mean and the fix data', () => {
    const { doc, range } = marked(`${HEAD}training:\n  stages:\n    - epochs: 1\n      [[lerning_rate]]: 0.001\n`);
    const d = only(syntaxAndSchemaDiagnostics(doc), 'unknown-key');
    assert.deepEqual(d.range, range);
    assert.equal(d.message, 'Unknown key "lerning_rate" in training.stages[0]. Did you mean "learning_rate"?');
    assert.deepEqual(d.data, { replacements: ['learning_rate'], preferFirst: true });
    assert.equal(d.source, 'nlp-studio');
    assert.equal(d.severity, DiagnosticSeverity.Error);
  });

  it('does not suggest a key that is far from every allowed one', () => {
    const { doc, range } = marked(`${HEAD}[[zzzzzz]]: 1\n`);
    const d = only(syntaxAndSchemaDiagnostics(doc), 'unknown-key');
    assert.deepEqual(d.range, range);
    assert.doesNotMatch(d.message, /Did you mean/);
    assert.match(d.message, /Allowed keys: task, name/);
  });

  it('puts type, enum and range errors on the value', () => {
    const cases = [
      { text: `${HEAD}seed: [["42"]]\n`, code: 'type', message: 'Expected an integer for "seed", got the string "42".' },
      { text: `${HEAD}backend: [[tensorflow-cpu]]\n`, code: 'enum', message: 'Allowed values: auto, webgpu, tensorflow-gpu, tensorflow, wasm, cpu. Did you mean "tensorflow-gpu"?' },
      { text: `${HEAD}seed: [[-3]]\n`, code: 'range', message: '"seed" must be at least 0, got -3.' },
    ];
    for (const { text, code, message } of cases) {
      const { doc, range } = marked(text);
      const d = only(syntaxAndSchemaDiagnostics(doc), code);
      assert.deepEqual(d.range, range, text);
      assert.ok(d.message.includes(message), d.message);
    }
  });

  it('reports a missing key on its parent key, and at the top level on the first key', () => {
    const nested = marked(`${HEAD}[[training]]:\n  stages:\n    - learning_rate: 0.1\n`.replace('[[training]]', 'training').replace('    - learning_rate', '    - [[learning_rate]]'));
    const stage = only(syntaxAndSchemaDiagnostics(nested.doc), 'required');
    assert.deepEqual(stage.range, nested.range);
    assert.equal(stage.message, 'Missing required key "epochs" in training.stages[0].');
    assert.deepEqual(stage.data, { insertKey: { path: ['training', 'stages', 0], key: 'epochs' } });

    const root = marked('# a comment\n[[task]]: word2vec\ndata:\n  train: corpus.txt\n');
    const d = only(syntaxAndSchemaDiagnostics(root.doc), 'required');
    assert.deepEqual(d.range, root.range);
    assert.equal(d.message, 'Missing required key "name".');
  });

  it('says which section does not apply to the task, on its key', () => {
    const { doc, range } = marked('task: word2vec\nname: w\ndata:\n  train: c.txt\n[[training]]:\n  batch_size: 4\n');
    const d = only(syntaxAndSchemaDiagnostics(doc), 'not-for-task');
    assert.deepEqual(d.range, range);
    assert.equal(d.message, '`training` does not apply to task word2vec.');
  });

  it('collapses the anyOf of data.train into one type error', () => {
    const { doc, range } = marked('task: word2vec\nname: w\ndata:\n  train: [[{a: 1}]]\n');
    const diagnostics = syntaxAndSchemaDiagnostics(doc);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.deepEqual(diagnostics[0]?.range, range);
    assert.equal(diagnostics[0]?.message, 'Expected a string or a list of strings for "train", got a map.');
  });

  it('reports the errors inside the anyOf branch whose type matched', () => {
    const { doc, range } = marked('task: word2vec\nname: w\ndata:\n  train: [a.txt, [[""]]]\n');
    const d = only(syntaxAndSchemaDiagnostics(doc), 'range');
    assert.deepEqual(d.range, range);
    assert.equal(d.message, 'data.train[1] must not be empty.');
  });

  it('reports YAML syntax errors and duplicate keys at the parser range, without schema noise', () => {
    const broken = marked('task: word2vec\nname: w\ndata:\n  train: c.txt\n[[\t]]bad: 1\n');
    const syntax = syntaxAndSchemaDiagnostics(broken.doc);
    assert.deepEqual(syntax.map((d) => d.code), ['yaml-syntax']);
    assert.deepEqual(syntax[0]?.range, broken.range);

    const duplicate = marked('task: word2vec\nname: w\n[[name]]: x\ndata:\n  train: c.txt\n');
    const d = only(syntaxAndSchemaDiagnostics(duplicate.doc), 'duplicate-key');
    assert.deepEqual(d.range, duplicate.range);
    assert.equal(d.message, 'Duplicate key "name": keys in a map must be unique.');
  });

  it('reports an empty document as missing its required keys, at the start', () => {
    const doc = parseConfigDocument('file:///work/empty.nlp.yaml', '');
    const diagnostics = syntaxAndSchemaDiagnostics(doc);
    assert.deepEqual(diagnostics.map((d) => d.message), ['Missing required key "task".', 'Missing required key "name".', 'Missing required key "data".']);
    for (const d of diagnostics) assert.deepEqual(d.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  });

  it('warns about keys the schema deprecates, tagged Deprecated', () => {
    const schema: JsonSchema = { type: 'object', properties: { lr: { type: 'number', deprecationMessage: 'Use learning_rate.' }, learning_rate: { type: 'number' } } };
    const { doc, range } = marked('learning_rate: 1\n[[lr]]: 2\n');
    const [d, ...rest] = deprecationDiagnostics(doc, schema);
    assert.deepEqual(rest, []);
    assert.deepEqual(d?.range, range);
    assert.equal(d?.message, 'Use learning_rate.');
    assert.equal(d?.severity, DiagnosticSeverity.Warning);
    assert.deepEqual(d?.tags, [DiagnosticTag.Deprecated]);
  });

  it('returns diagnostics in position order', () => {
    const doc = parseConfigDocument('file:///work/x.nlp.yaml', 'seed: -1\ntask: nope\nname: ""\nzzz: 1\n');
    const lines = syntaxAndSchemaDiagnostics(doc).map((d) => d.range.start.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
    assert.ok(lines.length >= 4);
  });
});
