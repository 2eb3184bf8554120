import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BadLineLog, formatBadLine } from '../../engine/data/badLines';
import { DataError } from '../../engine/data/dataError';
import { LabelMap, readLabelMap, writeLabelMap } from '../../engine/data/labelMap';
import { loadLabelledData, type LabelledDataSettings } from '../../engine/data/labelledData';
import { readLabelledRows, type LabelledRowOptions } from '../../engine/data/labelledRows';
import { stratifiedSplit } from '../../engine/data/stratifiedSplit';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'data');
const fixture = (name: string): string => path.join(FIXTURES, name);
// Computed once with SeededRandom's integer arithmetic; a change here changes every user's split.
const PINNED_SEED_3 = [9, 16, 23, 36, 74];
const COLUMNS: LabelledRowOptions = { textColumn: 'text', labelColumn: 'label' };

let scratch: string;
before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'data-labelled-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function readAll(file: string, options: LabelledRowOptions, badLines = new BadLineLog('skip')): Promise<[number, string, string][]> {
  const rows: [number, string, string][] = [];
  for await (const row of readLabelledRows(file, options, badLines)) rows.push([row.line, row.text, row.labels.join('|')]);
  return rows;
}

describe('labelled rows from CSV, TSV and JSONL', () => {
  test('CSV: quoting, multi-line fields, and bad lines skipped with file:line and a reason', async () => {
    const file = fixture('reviews.csv');
    const badLines = new BadLineLog('skip');
    assert.deepEqual(await readAll(file, COLUMNS, badLines), [
      [2, 'Great, really great', 'pos'],
      [3, 'She said "wow" twice', 'pos'],
      [4, 'line one\nline two', 'neg'],
      [9, 'last one', 'pos'],
    ]);
    assert.deepEqual(badLines.lines.map(formatBadLine), [
      `${file}:6: 3 fields, the header has 2`,
      `${file}:7: empty text in column "text"`,
      `${file}:8: no label in column "label"`,
    ]);
    assert.equal(badLines.count, 3);
  });

  test('bad_lines: error stops at the first bad line, naming it', async () => {
    const file = fixture('reviews.csv');
    await assert.rejects(readAll(file, COLUMNS, new BadLineLog('error')), (error: unknown) => {
      assert.ok(error instanceof DataError);
      assert.equal(error.message, `${file}:6: 3 fields, the header has 2 (data.bad_lines: error)`);
      assert.deepEqual(error.location, { file, line: 6 });
      assert.deepEqual(error.configKey, ['data', 'bad_lines']);
      return true;
    });
  });

  test('CRLF line ends and a BOM, written byte for byte', async () => {
    const file = path.join(scratch, 'crlf.csv');
    await writeFile(file, Buffer.from('\uFEFFtext,label\r\n"a\r\nb",x\r\nc,y\r\n', 'utf8'));
    assert.deepEqual(await readAll(file, COLUMNS), [
      [2, 'a\r\nb', 'x'],
      [4, 'c', 'y'],
    ]);
    const jsonl = path.join(scratch, 'crlf.jsonl');
    await writeFile(jsonl, '\uFEFF{"text":"a","label":"x"}\r\n{"text":"b","label":"y"}\r\n');
    assert.deepEqual(await readAll(jsonl, COLUMNS), [
      [1, 'a', 'x'],
      [2, 'b', 'y'],
    ]);
  });

  test('JSONL: blank lines ignored; invalid JSON, non-objects, empty text and missing labels reported', async () => {
    const file = fixture('reviews.jsonl');
    const badLines = new BadLineLog('skip');
    assert.deepEqual(await readAll(file, COLUMNS, badLines), [
      [1, 'good film', 'pos'],
      [2, 'bad film', 'neg'],
      [8, 'fine again', 'neg'],
    ]);
    assert.deepEqual(
      badLines.lines.map((bad) => [bad.line, bad.reason.replace(/ \(.*\)$/, '')]),
      [
        [4, 'invalid JSON'],
        [5, 'not a JSON object'],
        [6, 'no text in field "text"'],
        [7, 'no label in field "label"'],
      ],
    );
  });

  test('TSV with other column names and integer labels; the format may be declared', async () => {
    const options = { textColumn: 'sentence', labelColumn: 'class' };
    assert.deepEqual(await readAll(fixture('ids.tsv'), options), [
      [2, 'the first', '1'],
      [3, 'the second', '0'],
      [4, 'the third', '2'],
      [5, 'quoted\ttab', '1'],
    ]);
    const renamed = path.join(scratch, 'ids.data');
    await writeFile(renamed, await readFile(fixture('ids.tsv')));
    assert.equal((await readAll(renamed, { ...options, format: 'tsv' })).length, 4);
    await assert.rejects(readAll(renamed, options), /ids\.data: a plain-text file holds no labels/);
  });

  test('a column missing from the header, and a missing file, are errors whatever bad_lines says', async () => {
    await assert.rejects(readAll(fixture('reviews.csv'), { textColumn: 'body', labelColumn: 'label' }), (error: unknown) => {
      assert.ok(error instanceof DataError);
      assert.match(error.message, /reviews\.csv:1: no column "body" in the header \(text, label\)$/);
      assert.deepEqual(error.configKey, ['data', 'text_column']);
      return true;
    });
    await assert.rejects(readAll(path.join(scratch, 'absent.csv'), COLUMNS), /absent\.csv: cannot read the data file/);
    await assert.rejects(readAll(path.join(scratch, 'absent.jsonl'), COLUMNS), /absent\.jsonl: cannot read the data file/);
  });
});

describe('label maps', () => {
  test('names are sorted by code point whatever the order met; integer ids keep their value', () => {
    assert.deepEqual(LabelMap.fromLabels(['spam', 'ham', 'Spam', 'ham']).names, ['Spam', 'ham', 'spam']);
    assert.deepEqual(LabelMap.fromLabels(['2', '0', '10', '2']).names.length, 11);
    assert.equal(LabelMap.fromLabels(['2', '0', '1']).idOf('2'), 2);
    assert.deepEqual(LabelMap.fromLabels(['1', 'two']).names, ['1', 'two']);
  });

  test('saved as id2label/label2id and read back', async () => {
    const labels = LabelMap.fromLabels(['spam', 'ham']);
    assert.deepEqual(labels.toJson(), { id2label: { 0: 'ham', 1: 'spam' }, label2id: { ham: 0, spam: 1 } });
    const file = path.join(scratch, 'labels.json');
    await writeLabelMap(file, labels);
    assert.deepEqual((await readLabelMap(file)).names, ['ham', 'spam']);
    assert.throws(() => LabelMap.fromJson({ id2label: { 0: 'a', 2: 'b' } }), /id2label must map the ids 0…1/);
    assert.throws(() => LabelMap.fromJson({ id2label: { 0: 'a', 1: 'b' }, label2id: { a: 1, b: 0 } }), /label2id gives "a" id 1/);
  });
});

describe('loading labelled data', () => {
  const settings = (data: Partial<LabelledDataSettings>): LabelledDataSettings => ({ train: [fixture('reviews.csv')], ...data });

  test('train from several files, validation from a file, labels from training; skipped lines reported as they happen', async () => {
    const seen: string[] = [];
    const loaded = await loadLabelledData({ data: settings({ train: [fixture('reviews.csv'), fixture('reviews.jsonl')], validation: fixture('reviews.csv') }), seed: 1, onBadLine: (bad) => seen.push(`${path.basename(bad.file)}:${bad.line}`) });
    assert.deepEqual(loaded.labels.names, ['neg', 'pos']);
    assert.equal(loaded.train.length, 7);
    assert.deepEqual(loaded.train[3], { text: 'last one', labelIds: [1], file: fixture('reviews.csv'), line: 9 });
    assert.equal(loaded.validationFrom, 'file');
    assert.equal(loaded.validation.length, 4);
    assert.deepEqual(seen, ['reviews.csv:6', 'reviews.csv:7', 'reviews.csv:8', 'reviews.jsonl:4', 'reviews.jsonl:5', 'reviews.jsonl:6', 'reviews.jsonl:7', 'reviews.csv:6', 'reviews.csv:7', 'reviews.csv:8']);
  });

  test('a validation label never seen in training is an error naming its file:line', async () => {
    const validation = fixture('reviews-valid.csv');
    await assert.rejects(loadLabelledData({ data: settings({ validation }), seed: 1 }), (error: unknown) => {
      assert.ok(error instanceof DataError);
      assert.equal(error.message, `${validation}:4: label "meh" does not occur in the training data (its labels: neg, pos)`);
      assert.deepEqual(error.configKey, ['data', 'validation']);
      return true;
    });
  });

  test('a given label map (a model’s id2label) is used as is; a training label outside it is an error', async () => {
    const labels = LabelMap.fromJson({ id2label: { 0: 'pos', 1: 'neg', 2: 'meh' } });
    const loaded = await loadLabelledData({ data: settings({ validation: fixture('reviews-valid.csv') }), seed: 1, labels });
    assert.deepEqual(loaded.validation.map((example) => example.labelIds), [[0], [1], [2]]);
    await assert.rejects(loadLabelledData({ data: settings({}), seed: 1, labels: LabelMap.fromJson({ id2label: { 0: 'pos' } }) }), /reviews\.csv:4: label "neg" does not occur in the given label map \(its labels: pos\)/);
  });

  test('validation_split: stratified and seeded', async () => {
    const loaded = await loadLabelledData({ data: { train: [path.join(__dirname, '..', '..', 'examples', 'data', 'spam-train.csv')], validation_split: 0.2 }, seed: 7 });
    assert.equal(loaded.validationFrom, 'split');
    const count = (examples: { labelIds: readonly number[] }[], label: number): number => examples.filter((example) => example.labelIds[0] === label).length;
    // 800 ham and 381 spam: round(800 × 0.2) = 160 and round(381 × 0.2) = 76 held out.
    assert.deepEqual([count(loaded.validation, 0), count(loaded.validation, 1)], [160, 76]);
    assert.deepEqual([count(loaded.train, 0), count(loaded.train, 1)], [640, 305]);
  });
});

describe('multi-label data', () => {
  test('CSV/TSV label cells split on data.label_separator, JSONL lists or separated strings; an empty set is an example', async () => {
    const csv = path.join(scratch, 'multi.csv');
    await writeFile(csv, 'text,label\nscores and votes,sports|politics\nnothing at all,\nrain,weather | weather\n');
    const loaded = await loadLabelledData({ data: { train: [csv], multi_label: true }, seed: 1 });
    assert.equal(loaded.multiLabel, true);
    assert.deepEqual(loaded.labels.names, ['politics', 'sports', 'weather']);
    assert.deepEqual(loaded.train.map((example) => example.labelIds), [[0, 1], [], [2]]);
    const tsv = path.join(scratch, 'multi.tsv');
    await writeFile(tsv, 'text\ttags\na, b\tx;y\n');
    const semicolons = await loadLabelledData({ data: { train: [tsv], multi_label: true, label_separator: ';', label_column: 'tags' }, seed: 1 });
    assert.deepEqual(semicolons.labels.names, ['x', 'y']);
    const jsonl = path.join(scratch, 'multi.jsonl');
    await writeFile(jsonl, '{"text": "a", "label": ["sports", "politics"]}\n{"text": "b", "label": "weather|sports"}\n{"text": "c", "label": []}\n{"text": "d", "label": [3]}\n{"text": "e", "label": {"no": 1}}\n');
    const bad: string[] = [];
    const fromJson = await loadLabelledData({ data: { train: [jsonl], multi_label: true }, seed: 1, onBadLine: (line) => bad.push(formatBadLine(line)) });
    assert.deepEqual(fromJson.labels.names, ['3', 'politics', 'sports', 'weather']);
    assert.deepEqual(fromJson.train.map((example) => example.labelIds), [[1, 2], [2, 3], [], [0]]);
    assert.equal(bad.length, 1);
    assert.match(bad[0]!, /multi\.jsonl:5: no label in field "label" \(a list of class names or integer ids\)/);
    // Without multi_label the same cell is one label, separator and all.
    const single = await loadLabelledData({ data: { train: [csv] }, seed: 1 });
    assert.deepEqual(single.labels.names, ['sports|politics', 'weather | weather'], 'one label per row');
    assert.equal(single.train.length, 2, 'the row without a label is a bad line');
  });
});

describe('stratified split', () => {
  const items = Array.from({ length: 1000 }, (_, i) => ({ id: i, label: i % 10 === 0 ? 2 : i % 3 === 0 ? 1 : 0 }));
  const labelOf = (item: { label: number }): number => item.label;

  test('each class keeps its share; the parts partition the input, in input order', () => {
    const { train, validation } = stratifiedSplit(items, labelOf, 0.25, 42);
    for (const label of [0, 1, 2]) {
      const total = items.filter((item) => item.label === label).length;
      assert.equal(validation.filter((item) => item.label === label).length, Math.round(total * 0.25), `label ${label}`);
    }
    const ids = [...train, ...validation].map((item) => item.id).sort((a, b) => a - b);
    assert.deepEqual(ids, items.map((item) => item.id));
    assert.ok(train.every((item, i) => i === 0 || train[i - 1]!.id < item.id));
  });

  test('the same seed gives the same split; another seed another; exact members pinned for cross-machine determinism', () => {
    const ids = (seed: number): number[] => stratifiedSplit(items, labelOf, 0.1, seed).validation.map((item) => item.id);
    assert.deepEqual(ids(3), ids(3));
    assert.notDeepEqual(ids(3), ids(4));
    assert.deepEqual(ids(3).slice(0, 5), PINNED_SEED_3);
  });

  test('a class of one stays in training; a class of two gives one to validation at ratio 0.5', () => {
    const tiny = [{ label: 0 }, { label: 1 }, { label: 1 }];
    const { train, validation } = stratifiedSplit(tiny, labelOf, 0.5, 1);
    assert.deepEqual([train.length, validation.length], [2, 1]);
    assert.equal(validation[0]!.label, 1);
  });
});
