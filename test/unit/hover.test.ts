import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-types';
import { configSchema, type JsonSchema } from '../../common/schema';
import { hover } from '../../common/config/hover';
import { withCaret } from '../fixtures/editing/caret';

function hoverText(textWithCaret: string): string | undefined {
  const { doc, position } = withCaret(textWithCaret);
  const result = hover(doc, position);
  return result ? (result.contents as MarkupContent).value : undefined;
}

const section = (name: string): JsonSchema => configSchema.properties?.[name] as JsonSchema;
const property = (name: string, key: string): JsonSchema => section(name).properties?.[key] as JsonSchema;

describe('hover', () => {
  it('shows a key description with its type, default and range', () => {
    const text = hoverText('training:\n  batch_si|ze: 16');
    assert.equal(
      text,
      `**batch_size**\n\n${property('training', 'batch_size').markdownDescription}\n\nType: \`integer\` · Default: \`16\` · Range: \`1 ≤ value ≤ 4096\``,
    );
  });

  it('shows exclusive bounds', () => {
    assert.match(hoverText('data:\n  validation_sp|lit: 0.1') ?? '', /Range: `0 < value ≤ 0\.5`/);
  });

  it('lists the allowed values of an enum key with their descriptions', () => {
    const text = hoverText('back|end: auto') ?? '';
    const backend = section('backend');
    assert.ok(text.startsWith(`**backend**\n\n${backend.markdownDescription}`));
    assert.ok(text.includes(`- \`wasm\`: ${backend.enumDescriptions?.[backend.enum?.indexOf('wasm') ?? -1]}`));
    assert.ok(text.includes('Default: `"auto"`'));
  });

  it('shows the description of an enum value under the cursor', () => {
    const schema = property('word2vec', 'algorithm');
    assert.equal(hoverText('word2vec:\n  algorithm: cb|ow'), `\`cbow\`: ${schema.enumDescriptions?.[1]}`);
    assert.equal(hoverText('output:\n  formats: [hugging|face]'), `\`huggingface\`: ${(property('output', 'formats').items as JsonSchema).enumDescriptions?.[0]}`);
    assert.equal(hoverText('output:\n  formats:\n    - word2vec-te|xt'), `\`word2vec-text\`: ${(property('output', 'formats').items as JsonSchema).enumDescriptions?.[2]}`);
  });

  it('describes keys of a stage through the $ref, and the union type of data.train', () => {
    const stage = (configSchema.definitions?.stage as JsonSchema).properties?.learning_rate as JsonSchema;
    assert.ok(hoverText('training:\n  stages:\n    - epochs: 1\n      learning_r|ate: 0.001')?.includes(stage.markdownDescription ?? '?'));
    assert.match(hoverText('data:\n  tr|ain: a.csv') ?? '', /Type: `string \| string\[\]`/);
  });

  it('has the word range and nothing for unknown keys or comments', () => {
    const { doc, position } = withCaret('seed: 4|2');
    assert.deepEqual(hover(doc, position)?.range, { start: { line: 0, character: 6 }, end: { line: 0, character: 8 } });
    assert.equal(hoverText('colour|: red'), undefined);
    assert.equal(hoverText('# a comm|ent'), undefined);
  });
});
