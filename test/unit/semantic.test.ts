// Semantic checks against the sample project in test/fixtures/project/, read through the real file system.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { nodeFileSystem } from '../../common/config/nodeFileSystem';
import { parseConfigDocument } from '../../common/config/configDocument';
import type { ConfigFileSystem } from '../../common/config/fileSystem';
import { describeVectorsHead } from '../../common/vectorsHead';
import { readColumns } from '../../common/data/dataHeader';
import { semanticDiagnostics, validateConfig } from '../../common/config/validate';

const project = resolve(__dirname, '../fixtures/project');

function projectDoc(text: string, name = 'inline.nlp.yaml') {
  return parseConfigDocument(pathToFileURL(join(project, name)).href, text);
}

const CLASSIFIER = `task: text-classification
name: demo
model:
  pretrained: models/tiny-bert
data:
  train: data/train.csv
`;

function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code));
}

describe('semanticDiagnostics', () => {
  it('passes the complete sample configs', async () => {
    for (const name of ['classifier.nlp.yaml', 'word2vec.nlp.yaml', 'embedding.nlp.yaml']) {
      const doc = projectDoc(readFileSync(join(project, name), 'utf8'), name);
      assert.deepEqual(await validateConfig(doc, nodeFileSystem), [], name);
    }
  });

  it('suggests the closest column and carries it for the quick fix', async () => {
    const doc = projectDoc(`${CLASSIFIER}  label_column: lable\n`);
    const [d, ...rest] = await semanticDiagnostics(doc, nodeFileSystem);
    assert.deepEqual(rest, []);
    assert.equal(d?.code, 'missing-column');
    assert.equal(d?.message, 'Column "lable" not found in data/train.csv (columns: text, label). Did you mean "label"?');
    assert.deepEqual(d?.data, { replacements: ['label'], preferFirst: true });
    assert.equal(doc.text.split('\n')[d?.range.start.line ?? -1]?.slice(d?.range.start.character, d?.range.end.character), 'lable');
  });

  it('checks only the text column for word2vec (there is no label)', async () => {
    const doc = projectDoc('task: word2vec\nname: w\ndata:\n  train: data/train.tsv\n  text_column: sentence\n');
    assert.deepEqual(await semanticDiagnostics(doc, nodeFileSystem), []);
  });

  it('treats an unknown non-local id as a Hub model, and a relative path as a missing folder', async () => {
    const emptyCache = { ...nodeFileSystem, huggingfaceCache: { dir: join(tmpdir(), 'nlp-studio-no-such-hf-cache'), offline: false } };
    const hub = await semanticDiagnostics(projectDoc(CLASSIFIER.replace('models/tiny-bert', 'google/bert_uncased_L-2_H-128_A-2')), emptyCache);
    assert.deepEqual(codes(hub), ['hub-model']);
    assert.equal(hub[0]?.severity, DiagnosticSeverity.Information);
    assert.match(hub[0]?.message ?? '', /the first run downloads it from the Hub/);
    const local = await semanticDiagnostics(projectDoc(CLASSIFIER.replace('models/tiny-bert', './models/tiny-bret')), nodeFileSystem);
    assert.deepEqual(codes(local), ['missing-file']);
    assert.match(local[0]?.message ?? '', /Did you mean "\.\/models\/tiny-bert"\?/);
  });

  it('judges a model folder by its architecture, as the engine does: pytorch_model.bin weights, DistilBERT n_layers', async () => {
    const distil = (freeze: string) => `${CLASSIFIER.replace('models/tiny-bert', 'models/distilbert-torch')}training:\n  stages:\n    - epochs: 1\n      freeze: ${freeze}\n`;
    assert.deepEqual(codes(await semanticDiagnostics(projectDoc(distil('all-but-top-3')), nodeFileSystem)), []);
    const tooMany = await semanticDiagnostics(projectDoc(distil('all-but-top-4')), nodeFileSystem);
    assert.deepEqual(codes(tooMany), ['stage-schedule']);
    assert.match(tooMany[0]?.message ?? '', /the model has 3/);
  });

  it('skips values that failed the schema', async () => {
    const doc = projectDoc('task: text-classification\nname: demo\nmodel:\n  pretrained: 5\ndata:\n  train: 7\n  text_column: [x]\n');
    assert.deepEqual(await semanticDiagnostics(doc, nodeFileSystem), []);
  });

  it('skips path checks for documents that are not files', async () => {
    const doc = parseConfigDocument('untitled:Untitled-1', CLASSIFIER.replace('data/train.csv', 'nowhere.csv'));
    assert.deepEqual(await semanticDiagnostics(doc, nodeFileSystem), []);
  });

  it('matches a glob against files and checks vector sizes against the header', async () => {
    const doc = projectDoc('task: text-classification\nname: e\nmodel:\n  type: embedding-classifier\n  vectors: vectors/small.txt\n  vector_size: 4\ndata:\n  train: data/*.jsonl\n');
    assert.deepEqual(await semanticDiagnostics(doc, nodeFileSystem), []);
    const wrong = await semanticDiagnostics(projectDoc(doc.text.replace('vector_size: 4', 'vector_size: 300')), nodeFileSystem);
    assert.deepEqual(codes(wrong), ['vector-size']);
    assert.deepEqual(wrong[0]?.data, { replacements: ['4'], preferFirst: true });
  });

  it('reads the dimension of header-less GloVe vectors the way the engine does', async () => {
    const doc = projectDoc('task: text-classification\nname: e\nmodel:\n  type: embedding-classifier\n  vectors: vectors/glove.txt\n  vector_size: 4\ndata:\n  train: data/*.jsonl\n');
    assert.deepEqual(await semanticDiagnostics(doc, nodeFileSystem), []);
    const wrong = await semanticDiagnostics(projectDoc(doc.text.replace('vector_size: 4', 'vector_size: 5')), nodeFileSystem);
    assert.deepEqual(codes(wrong), ['vector-size']);
  });

  it('says where early stopping would end a stage before the schedule goes on', async () => {
    const config = (patience: string, head: number) =>
      `${CLASSIFIER}training:\n  early_stopping:\n${patience}    metric: macro_f1\n  stages:\n    - { name: head, epochs: ${head}, learning_rate: 0.001, freeze: encoder }\n    - { name: all, epochs: 3, learning_rate: 0.00003, freeze: none }\n`;
    const long = await semanticDiagnostics(projectDoc(config('    patience: 2\n', 30)), nodeFileSystem);
    assert.deepEqual(codes(long), ['stage-schedule']);
    assert.equal(long[0]?.severity, 3);
    assert.match(long[0]?.message ?? '', /Early stopping ends a stage, not the run: with patience 2, stage 1 \("head"\), 30 epochs ends after 2 epoch\(s\)/);
    assert.match(projectDoc(config('    patience: 2\n', 30)).text.split('\n')[long[0].range.start.line] ?? '', /patience: 2/);
    // The default patience (2) applies when none is written; a short head stage or the last stage is not mentioned.
    assert.deepEqual(codes(await semanticDiagnostics(projectDoc(config('', 5)), nodeFileSystem)), ['stage-schedule']);
    assert.deepEqual(codes(await semanticDiagnostics(projectDoc(config('    patience: 2\n', 2)), nodeFileSystem)), []);
  });

  it('says which keys do nothing for this model or this data', async () => {
    const config = `${CLASSIFIER}  max_length: 32\ntraining:\n  threads: 2\n  decision_threshold: 0.3\n`;
    const found = await semanticDiagnostics(projectDoc(config), nodeFileSystem);
    assert.deepEqual(codes(found), ['no-effect', 'no-effect']);
    assert.match(found[0]?.message ?? '', /^training\.threads does nothing here: it needs model\.type: embedding-classifier/);
    assert.match(found[1]?.message ?? '', /^training\.decision_threshold does nothing here: it needs data\.multi_label: true/);
    assert.deepEqual(found[1]?.data, { removePath: ['training', 'decision_threshold'] });
    const multi = await semanticDiagnostics(projectDoc(config.replace('  max_length: 32', '  max_length: 32\n  multi_label: true')), nodeFileSystem);
    assert.deepEqual(codes(multi), ['no-effect']);
  });

  it('warns about a high learning rate only where the encoder trains', async () => {
    const stages = (freeze: string) => `${CLASSIFIER}training:\n  stages:\n    - epochs: 1\n      learning_rate: 0.05\n      freeze: ${freeze}\n`;
    assert.deepEqual(codes(await semanticDiagnostics(projectDoc(stages('encoder')), nodeFileSystem)), []);
    assert.deepEqual(codes(await semanticDiagnostics(projectDoc(stages('all-but-top-1')), nodeFileSystem)), ['learning-rate']);
  });

  it('never reads more than a file head', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'nlp-studio-semantic-'));
    after(() => rmSync(folder, { recursive: true, force: true }));
    writeFileSync(join(folder, 'big.csv'), `text,label\n${'some text,pos\n'.repeat(400_000)}`); // ~5.6 MB
    const reads: number[] = [];
    const recording: ConfigFileSystem = {
      ...nodeFileSystem,
      readHead: (path, maxBytes) => (reads.push(maxBytes), nodeFileSystem.readHead(path, maxBytes)),
      readTextHead: (path, maxBytes) => (reads.push(maxBytes), nodeFileSystem.readTextHead(path, maxBytes)),
    };
    const doc = parseConfigDocument(pathToFileURL(join(folder, 'big.nlp.yaml')).href, 'task: word2vec\nname: w\ndata:\n  train: big.csv\n  text_column: txt\n');
    const diagnostics = await semanticDiagnostics(doc, recording);
    assert.deepEqual(codes(diagnostics), ['missing-column']);
    assert.ok(reads.length > 0 && reads.every((bytes) => bytes <= 64 * 1024), JSON.stringify(reads));
  });
});

describe('file heads', () => {
  it('reads CSV headers with quotes, TSV headers, and JSONL fields', () => {
    assert.deepEqual(readColumns('\uFEFF"a,b",c\r\n1,2\n', 'csv'), ['a,b', 'c']);
    assert.deepEqual(readColumns('x\ty\n', 'tsv'), ['x', 'y']);
    assert.deepEqual(readColumns('\n{"text": "t", "label": 1}\n', 'jsonl'), ['text', 'label']);
    assert.equal(readColumns('not json\n', 'jsonl'), undefined);
  });

  it('tells the vector formats apart from a file head', () => {
    assert.deepEqual(describeVectorsHead('3 4\nthe 0.1'), { format: 'word2vec-text', count: 3, dim: 4 });
    assert.deepEqual(describeVectorsHead('3 4\nthe \u0000\uFFFD\uFFFD\u0000 dog'), { format: 'word2vec-binary', count: 3, dim: 4 });
    assert.deepEqual(describeVectorsHead('the 0.1 -2e-3\n, 1 2\n'), { format: 'glove', dim: 2 });
    assert.deepEqual(describeVectorsHead('the 0.1 -2e-3\n', true), { format: 'glove', dim: 2 });
    assert.ok('problem' in describeVectorsHead('the 0.1 0.2\nof 0.3\n'));
    assert.ok('problem' in describeVectorsHead('two three\n'));
    assert.ok('problem' in describeVectorsHead(''));
  });
});
