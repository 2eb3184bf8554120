// Configs built to break a YAML reader: every one gets a bounded, clear set of diagnostics at ranges
// the editor can show (positions from the editor's own line table), and nothing reaches stderr.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import { YAML_LIMITS } from '../../common/config/boundedYaml';
import { parseConfigDocument } from '../../common/config/configDocument';
import { MAX_DIAGNOSTICS } from '../../common/config/diagnostics';
import { syntaxAndSchemaDiagnostics } from '../../common/config/validate';

const URI = 'file:///work/limits.nlp.yaml';

function diagnose(text: string): Diagnostic[] {
  return syntaxAndSchemaDiagnostics(parseConfigDocument(URI, text));
}

/** The text a range covers, read through the editor's line table. */
function textAt(text: string, range: Diagnostic['range']): string {
  const lines = TextDocument.create(URI, 'nlp-config', 0, text);
  return text.slice(lines.offsetAt(range.start), lines.offsetAt(range.end));
}

function assertInside(text: string, diagnostics: Diagnostic[]): void {
  const lines = TextDocument.create(URI, 'nlp-config', 0, text);
  for (const { range } of diagnostics) {
    for (const position of [range.start, range.end]) {
      assert.deepEqual(lines.positionAt(lines.offsetAt(position)), position, `${JSON.stringify(position)} is outside the document`);
    }
  }
}

describe('config limits', () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.message);
  before(() => process.on('warning', onWarning));
  after(() => process.off('warning', onWarning));

  it('refuses 3,000 levels of flow nesting with one error where the limit is crossed', () => {
    const text = `task: word2vec\nname: x\ndata:\n  train: ${'['.repeat(3000)}${']'.repeat(3000)}\n`;
    const [only, ...rest] = diagnose(text);
    assert.deepEqual(rest, []);
    assert.match(only?.message ?? '', /nests more than 64 maps or lists/);
    // the root map and `data` are two levels: the 63rd `[` is the 65th collection
    assert.deepEqual(only?.range.start, { line: 3, character: '  train: '.length + YAML_LIMITS.maxDepth - 2 });
  });

  it('refuses deep block indentation the same way', () => {
    let text = 'task: word2vec\nname: x\ndata:\n';
    for (let depth = 1; depth <= 300; depth++) text += `${' '.repeat(depth)}k${depth}:\n`;
    const found = diagnose(text);
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /nests more than 64/);
  });

  for (const unit of ['{', '? ']) {
    it(`reads 800 × ${JSON.stringify(unit)} as one nesting error, without composing it`, () => {
      const found = diagnose(`task: word2vec\n${unit.repeat(800)}\n`);
      assert.equal(found.length, 1);
      assert.match(found[0]!.message, /nests more than 64/);
    });
  }

  it('refuses a file far larger than a config without parsing it', () => {
    const text = `task: word2vec\n${'x'.repeat(YAML_LIMITS.maxLength)}\n`;
    const found = diagnose(text);
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /^This file is 128 KiB; a config is at most 128 KiB\. Is it a data file\?$/);
    assert.equal(textAt(text, found[0]!.range), 'task: word2vec');
  });

  it('lists at most MAX_DIAGNOSTICS problems, then says how many more there are', () => {
    const text = `task: [\nwatch: [${', '.repeat(30_000)}]\n`;
    const found = diagnose(text);
    assert.ok(found.length <= MAX_DIAGNOSTICS + 1, `${found.length} diagnostics`);
    const last = found[found.length - 1]!;
    assert.equal(last.code, 'too-many-problems');
    assert.match(last.message, /^\d+ more YAML errors after this one are not listed\.$/);
    assertInside(text, found);
  });

  it('says a collection key is not a config key, and the YAML library warns nobody', () => {
    const text = 'task: word2vec\nname: x\n{a: 1}: 2\n? [b]\n: 3\n';
    const found = diagnose(text).filter((d) => d.message.startsWith('A config key'));
    assert.deepEqual(
      found.map((d) => [textAt(text, d.range), d.message]),
      [
        ['{a: 1}', 'A config key is a name, not a map or a list.'],
        ['[b]', 'A config key is a name, not a map or a list.'],
      ],
    );
    assert.deepEqual(warnings, []);
  });

  it('stops an alias bomb at the alias limit', () => {
    let text = 'task: word2vec\nname: x\nl0: &l0 [x, x, x, x, x, x, x, x, x]\n';
    for (let level = 1; level <= 9; level++) text += `l${level}: &l${level} [${Array(9).fill(`*l${level - 1}`).join(', ')}]\n`;
    const found = diagnose(text);
    assert.deepEqual(
      found.map((d) => d.message),
      ['The document cannot be read: too many aliases or an alias loop.'],
    );
  });

  it('treats a lone CR as a line break, as the editor does', () => {
    const text = 'task: word2vec\rname: x\rdata:\r  train: corpus.txt\r  zz: 1\r';
    const found = diagnose(text);
    assert.deepEqual(
      found.map((d) => [d.range.start.line, textAt(text, d.range), d.code]),
      [[4, 'zz', 'unknown-key']],
    );
  });

  it('keeps positions after a document-end marker and a multi-line token on the editor\'s lines', () => {
    for (const text of ['\t\t*a\t\t...\na%---\na!t |>}\n\nx y', '>,\'  ...\n\t: >>    ...\n[a#{\\? - ', '"\t...\n  \\"}\n,{\t#|: !t %["]---\n]  \t|{  ']) {
      assertInside(text, diagnose(text));
    }
    const text = 'task: word2vec\n...\nname: x\ndata: "a\n  b"\n  zz: 1\n';
    for (const d of diagnose(text)) assert.ok(textAt(text, d.range).length <= text.length);
    assertInside(text, diagnose(text));
  });

  it('names a duplicate key, and an empty duplicate key as empty, on its own line', () => {
    const named = 'task: word2vec\nname: x\nname: y\n';
    const [duplicate] = diagnose(named).filter((d) => d.code === 'duplicate-key');
    assert.equal(duplicate?.message, 'Duplicate key "name": keys in a map must be unique.');
    assert.equal(textAt(named, duplicate.range), 'name');
    for (const text of ['task: word2vec\n? \n: 1\n? \n: 2\n', 'task: word2vec\n: 1\n: 2\n', 'task: word2vec\r\n: 1\r\n: 2\r\n']) {
      const [empty] = diagnose(text).filter((d) => d.code === 'duplicate-key');
      assert.equal(empty?.message, 'Duplicate empty key: keys in a map must be unique.', JSON.stringify(text));
      assert.equal(empty?.range.start.line, empty?.range.end.line);
      assert.doesNotMatch(textAt(text, empty.range), /[\r\n]/);
    }
  });
});
