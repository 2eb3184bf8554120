import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import { parseConfigDocument } from '../../common/config/configDocument';
import { documentSymbols } from '../../common/config/symbols';
import { editingFolder } from '../fixtures/editing/caret';

type Outline = [name: string, kind: SymbolKind, children?: Outline[]];
const outline = (symbols: DocumentSymbol[]): Outline[] =>
  symbols.map((symbol) => (symbol.children?.length ? [symbol.name, symbol.kind, outline(symbol.children)] : [symbol.name, symbol.kind]));

const file = path.join(editingFolder, 'classifier.nlp.yaml');
const doc = parseConfigDocument(pathToFileURL(file).toString(), readFileSync(file, 'utf8'));

describe('document symbols', () => {
  it('outlines sections, keys and stages with their kinds', () => {
    const stageKeys: Outline[] = [
      ['name', SymbolKind.String],
      ['epochs', SymbolKind.Number],
      ['learning_rate', SymbolKind.Number],
      ['freeze', SymbolKind.String],
    ];
    assert.deepEqual(outline(documentSymbols(doc)), [
      ['task', SymbolKind.String],
      ['name', SymbolKind.String],
      ['model', SymbolKind.Module, [['type', SymbolKind.String], ['pretrained', SymbolKind.String]]],
      ['data', SymbolKind.Module, [['train', SymbolKind.String], ['validation', SymbolKind.String], ['text_column', SymbolKind.String], ['label_column', SymbolKind.String]]],
      [
        'training',
        SymbolKind.Module,
        [
          ['batch_size', SymbolKind.Number],
          ['stages', SymbolKind.Array, [['stage 1: head', SymbolKind.Object, stageKeys], ['stage 2: all', SymbolKind.Object, stageKeys]]],
        ],
      ],
      ['output', SymbolKind.Module, [['dir', SymbolKind.String]]],
    ]);
  });

  it('gives each entry its whole extent as range and its key as selection range', () => {
    const training = documentSymbols(doc).find((symbol) => symbol.name === 'training');
    assert.ok(training);
    assert.deepEqual(training.selectionRange, { start: { line: 11, character: 0 }, end: { line: 11, character: 8 } });
    assert.deepEqual(training.range, { start: { line: 11, character: 0 }, end: { line: 21, character: 18 } });
    const stages = training.children?.find((symbol) => symbol.name === 'stages');
    assert.equal(stages?.detail, '2 items');
    assert.deepEqual(stages?.children?.[1]?.range, { start: { line: 18, character: 6 }, end: { line: 21, character: 18 } });
    assert.equal(training.children?.[0]?.detail, '8');
  });

  it('outlines scalar sequence items by value and copes with documents that are not maps', () => {
    const formats = parseConfigDocument('file:///x.nlp.yaml', 'output:\n  formats: [huggingface, word2vec-text]\n');
    assert.deepEqual(outline(documentSymbols(formats)), [
      ['output', SymbolKind.Module, [['formats', SymbolKind.Array, [['huggingface', SymbolKind.String], ['word2vec-text', SymbolKind.String]]]]],
    ]);
    assert.deepEqual(documentSymbols(parseConfigDocument('file:///x.nlp.yaml', '')), []);
    assert.deepEqual(documentSymbols(parseConfigDocument('file:///x.nlp.yaml', '- just\n- a list\n')), []);
  });
});
