// The editor's data checks and the engine's data reading agree on every file: both read through
// common/data (encodings, CSV records, headers, labels), so a file `validate` passes is one the run
// reads, and a file the run refuses gets a diagnostic first.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { parseConfigDocument } from '../../common/config/configDocument';
import { nodeFileSystem } from '../../common/config/nodeFileSystem';
import { LABEL_SCAN_BYTES, type SemanticOptions } from '../../common/config/semanticDiagnostics';
import { validateConfig } from '../../common/config/validate';
import { readColumns } from '../../common/data/dataHeader';
import { caseCollisionMessage, labelsDifferingOnlyInCase } from '../../common/data/labels';
import { detectEncoding, unreadableHead } from '../../common/data/textEncoding';
import { CHECKED_HEAD_BYTES } from '../../common/data/textFile';
import { BadLineLog } from '../../engine/data/badLines';
import { loadLabelledData } from '../../engine/data/labelledData';
import { describeFileError } from '../../engine/io/fileErrors';
import { runTraining } from '../../engine/run/runTraining';
import { makeTinyRun, topicCorpus } from '../fixtures/engine/tinyRun';
import { dataWithDefaults } from '../../engine/config/schemaDefaults';

const folder = mkdtempSync(path.join(tmpdir(), 'nlp-studio-data-reading-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const CSV = 'text,label\nfree money now,spam\nlunch at noon,ham\nwin a prize,spam\n';

function utf16(text: string, order: 'le' | 'be', bom: boolean): Buffer {
  const le = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf16le');
  if (order === 'le') return le;
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1]!, le[i]!];
  return be;
}

/** Writes the data file and a classifier config naming it; returns both sides' view of it. */
async function bothSides(name: string, content: string | Buffer, options: SemanticOptions = {}): Promise<{ diagnostics: Diagnostic[]; engine: { labels: string[]; rows: number } | { error: string } }> {
  const dataFile = path.join(folder, name);
  writeFileSync(dataFile, content);
  const configFile = path.join(folder, `${name}.nlp.yaml`);
  const config = `task: text-classification\nname: t\nmodel:\n  type: embedding-classifier\n  vector_size: 4\ndata:\n  train: ${name}\n`;
  const diagnostics = await validateConfig(parseConfigDocument(pathToFileURL(configFile).href, config), nodeFileSystem, options);
  try {
    const data = await loadLabelledData({ data: dataWithDefaults({ train: [dataFile], format: 'csv' }), seed: 1 });
    return { diagnostics, engine: { labels: [...data.labels.names], rows: data.train.length } };
  } catch (error) {
    return { diagnostics, engine: { error: (error as Error).message } };
  }
}

const codes = (diagnostics: Diagnostic[]): string[] => diagnostics.map((d) => String(d.code));

describe('data both sides read alike', () => {
  for (const [name, content] of [
    ['utf16le-bom.csv', utf16(CSV, 'le', true)],
    ['utf16be-bom.csv', utf16(CSV, 'be', true)],
    ['utf16le.csv', utf16(CSV, 'le', false)],
    ['cr-only.csv', CSV.replace(/\n/g, '\r')],
    ['utf8-bom.csv', `\uFEFF${CSV}`],
  ] as const) {
    it(`reads ${name}: no diagnostic, and the run gets every row`, async () => {
      const { diagnostics, engine } = await bothSides(name, content);
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(engine, { labels: ['ham', 'spam'], rows: 3 });
    });
  }

  it('refuses one class in validate, and in the run with a clear message (not a oneHot error)', async () => {
    const { diagnostics, engine } = await bothSides('one-class.csv', 'text,label\na,ham\nb,ham\n');
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.message, d.range.start.line]),
      [['single-class', 'one-class.csv has one class ("ham"): a classifier needs at least two.', 6]],
    );
    assert.ok('error' in engine && /one-class\.csv has one class \("ham"\): a classifier needs at least two/.test(engine.error), JSON.stringify(engine));
  });

  it('counts classes that occur: integer label 1 alone is one class', async () => {
    const { diagnostics, engine } = await bothSides('one-id.csv', 'text,label\na,1\nb,1\n');
    assert.deepEqual(codes(diagnostics), ['single-class']);
    assert.ok('error' in engine);
  });

  it('leaves one class in a file larger than it reads to the run', async () => {
    const { diagnostics, engine } = await bothSides('big-one-class.csv', `text,label\n${'some words,ham\n'.repeat(Math.ceil(LABEL_SCAN_BYTES / 15) + 10)}`);
    assert.deepEqual(diagnostics, []);
    assert.ok('error' in engine && /one class/.test(engine.error));
  });

  it('compares labels exactly, and warns where they differ only in case', async () => {
    const { diagnostics, engine } = await bothSides('case.csv', 'text,label\na,ham\nb,HAM\nc,spam\n');
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.message]),
      [['label-case', 2, 'Labels "HAM" and "ham" in case.csv differ only in case: they are two different classes, since labels are compared exactly as written.']],
    );
    assert.deepEqual(engine, { labels: ['HAM', 'ham', 'spam'], rows: 3 });
    assert.deepEqual(labelsDifferingOnlyInCase(['spam', 'Spam', 'ham', 'HAM', 'Ham']), [
      ['HAM', 'Ham'],
      ['HAM', 'ham'],
      ['Spam', 'spam'],
    ]);
    assert.equal(caseCollisionMessage(['A', 'a']), 'Labels "A" and "a" differ only in case: they are two different classes, since labels are compared exactly as written.');
  });

  for (const [name, content, reason] of [
    ['binary.csv', Buffer.concat([Buffer.from('text,label\na,ham\n'), Buffer.from([0, 1, 2, 0, 0, 0xff, 0x10, 0, 0, 0])]), /NUL bytes/],
    ['latin1.csv', Buffer.from('text,label\ncaf\xe9,ham\nthe,spam\n', 'latin1'), /not UTF-8 text/],
  ] as const) {
    it(`names what is wrong with ${name}, without printing its bytes`, async () => {
      const { diagnostics, engine } = await bothSides(name, content);
      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0]?.code, 'unreadable-data');
      assert.match(diagnostics[0].message, reason);
      assert.ok('error' in engine && reason.test(engine.error), JSON.stringify(engine));
      for (const text of [diagnostics[0].message, engine.error]) assert.doesNotMatch(text, /[\0\uFFFD]/);
    });
  }

  it('skips a row with NUL bytes past the checked head as a bad line', async () => {
    const badLines = new BadLineLog('skip');
    const file = path.join(folder, 'late-nul.csv');
    const rows = 'a few words,ham\nother words,spam\n'.repeat(CHECKED_HEAD_BYTES / 16);
    writeFileSync(file, `text,label\n${rows}bad\0row,ham\n`);
    const data = await loadLabelledData({ data: dataWithDefaults({ train: [file] }), seed: 1, onBadLine: (bad) => badLines.report(bad.file, bad.line, bad.reason) });
    assert.equal(data.train.length, rows.split('\n').length - 1);
    assert.deepEqual(
      badLines.lines.map((bad) => [bad.line, bad.reason]),
      [[rows.split('\n').length + 1, 'it holds NUL bytes (binary data?)']],
    );
  });

  it('detects encodings from BOMs and from the NULs of UTF-16 text', () => {
    assert.equal(detectEncoding(Buffer.from('text,label\n')), 'utf-8');
    assert.equal(detectEncoding(utf16('text,label\n', 'le', true)), 'utf-16le');
    assert.equal(detectEncoding(utf16('text,label\n', 'be', true)), 'utf-16be');
    assert.equal(detectEncoding(utf16('text,label\n', 'le', false)), 'utf-16le');
    assert.equal(detectEncoding(utf16('text,label\n', 'be', false)), 'utf-16be');
    assert.equal(unreadableHead(Buffer.from('ok\n')), undefined);
    assert.equal(unreadableHead(Buffer.from('caf\u00e9 \uFFFD\n')), undefined, 'a real U+FFFD is text');
  });

  it('reads a header with the engine\'s parser: CR-only lines and quoted names', () => {
    assert.deepEqual(readColumns('text,label\ra,b\r', 'csv'), ['text', 'label']);
    assert.deepEqual(readColumns('"the, text", label \r\nx,y\r\n', 'csv'), ['the, text', 'label']);
  });
});

describe('paths that cannot be what the config needs', () => {
  const validate = async (config: string, options: SemanticOptions = {}): Promise<Diagnostic[]> =>
    validateConfig(parseConfigDocument(pathToFileURL(path.join(folder, 'paths.nlp.yaml')).href, config), nodeFileSystem, options);
  writeFileSync(path.join(folder, 'corpus.txt'), 'a b c\n');

  it('names the file standing where a folder should be', async () => {
    const [d, ...rest] = await validate('task: word2vec\nname: w\ndata:\n  train: corpus.txt/more.txt\n');
    assert.deepEqual(rest, []);
    assert.equal(d?.message, 'File not found: "corpus.txt/more.txt" (relative to the config\'s folder): "corpus.txt" is a file, not a folder.');
  });

  it('refuses an output.dir that is a file', async () => {
    const found = await validate('task: word2vec\nname: w\ndata:\n  train: corpus.txt\noutput:\n  dir: corpus.txt\n');
    assert.deepEqual(
      found.map((d) => d.message),
      ['"corpus.txt" is a file; output.dir is a folder (created when missing).'],
    );
  });

  it('warns in the editor when a config reads or writes outside the workspace, and the CLI (no workspace) does not', async () => {
    const workspace = path.join(folder, 'workspace');
    await mkdir(workspace, { recursive: true });
    const config = 'task: word2vec\nname: w\ndata:\n  train: corpus.txt\noutput:\n  dir: runs\n';
    const found = await validate(config, { workspaceFolders: [workspace] });
    assert.deepEqual(
      found.map((d) => [d.code, d.severity, d.message.replace(folder, '<tmp>')]),
      [
        ['outside-workspace', 2, '"corpus.txt" is outside the workspace (<tmp>/corpus.txt): the run would read it.'],
        ['outside-workspace', 2, '"runs" is outside the workspace (<tmp>/runs): the run would write there.'],
      ],
    );
    assert.deepEqual(await validate(config, { workspaceFolders: [folder] }), []);
    assert.deepEqual(await validate(config), []);
  });

  it('describes file errors in words, naming the file in the way', async () => {
    mkdirSync(path.join(folder, 'sub'), { recursive: true });
    const error = await mkdir(path.join(folder, 'corpus.txt', 'runs', 'x'), { recursive: true }).catch((e: unknown) => e);
    assert.equal(describeFileError(error), `${path.join(folder, 'corpus.txt', 'runs', 'x')}: ${path.join(folder, 'corpus.txt')} is a file, not a folder`);
    assert.equal(describeFileError(new Error('not a file error')), undefined);
  });
});

describe('word2vec corpora through the same readers', () => {
  it('trains on a UTF-16 corpus as on its UTF-8 text, and refuses a binary one by name', async () => {
    const { dir, config, runDir } = makeTinyRun({ epochs: 1 });
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'corpus.txt'), utf16(topicCorpus(400), 'le', true));
    const outcome = await runTraining(config, { onEvent: () => undefined });
    assert.equal(outcome.kind, 'finished', JSON.stringify(outcome));
    const words = readFileSync(path.join(runDir, 'vectors.txt'), 'utf8').split('\n').slice(1, -1).map((line) => line.split(' ')[0]).sort();
    assert.deepEqual(words, [...new Set(topicCorpus(400).split(/\s+/).filter(Boolean))].sort());

    writeFileSync(path.join(dir, 'corpus.txt'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 0, 0]));
    const refused = await runTraining(config, { onEvent: () => undefined });
    assert.equal(refused.kind, 'failed');
    assert.match(refused.kind === 'failed' ? refused.message : '', /corpus\.txt.* cannot be read as text: it holds NUL bytes/);
  });
});
