import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DelimitedRecordParser, type DelimitedRecord } from '../../common/data/delimitedRecords';

/** Parses `text` fed in pieces of `pieceSize` characters (Infinity: at once). */
function parse(text: string, delimiter = ',', pieceSize = Infinity): DelimitedRecord[] {
  const parser = new DelimitedRecordParser(delimiter);
  const records: DelimitedRecord[] = [];
  for (let start = 0; start < text.length; start += Math.min(pieceSize, text.length)) records.push(...parser.push(text.slice(start, start + pieceSize)));
  records.push(...parser.end());
  return records;
}

const rows = (records: DelimitedRecord[]): [number, string[]][] => records.map((record) => [record.line, record.fields]);

describe('CSV/TSV records (RFC 4180)', () => {
  test('quoted fields hold delimiters, doubled quotes and line breaks; lines are where records start', () => {
    const text = 'text,label\n"a, b",x\n"say ""hi""",y\n"two\nlines",z\nlast,w';
    assert.deepEqual(rows(parse(text)), [
      [1, ['text', 'label']],
      [2, ['a, b', 'x']],
      [3, ['say "hi"', 'y']],
      [4, ['two\nlines', 'z']],
      [6, ['last', 'w']],
    ]);
  });

  test('CRLF and lone CR end records; a CRLF inside quotes is kept; a BOM is dropped; blank lines are skipped', () => {
    const text = '\uFEFFtext,label\r\n"one\r\ntwo",a\r\n\r\nthree,b\rfour,c\r\n';
    assert.deepEqual(rows(parse(text)), [
      [1, ['text', 'label']],
      [2, ['one\r\ntwo', 'a']],
      [5, ['three', 'b']],
      [6, ['four', 'c']],
    ]);
  });

  test('the same records whatever the chunk boundaries (CR|LF and quote|quote split across chunks)', () => {
    const text = '\uFEFFtext,label\r\n"say ""hi"", then\r\nbye",a\r\nplain,"b"\r\n"",c';
    const whole = parse(text);
    for (const pieceSize of [1, 2, 3, 5, 7]) assert.deepEqual(parse(text, ',', pieceSize), whole, `pieces of ${pieceSize}`);
    assert.deepEqual(rows(whole).at(-1), [5, ['', 'c']]);
  });

  test('empty fields, a trailing delimiter, tabs, and lenient quotes inside unquoted fields', () => {
    assert.deepEqual(rows(parse('a,,b,\n')), [[1, ['a', '', 'b', '']]]);
    assert.deepEqual(rows(parse('x\t"y,z"\t5 " inch\n', '\t')), [[1, ['x', 'y,z', '5 " inch']]]);
    assert.deepEqual(rows(parse('"closed"tail,b')), [[1, ['closedtail', 'b']]]);
  });

  test('a quoted field still open at the end of the file is flagged', () => {
    const records = parse('text,label\n"never closed,a\nmore');
    assert.deepEqual(
      records.map((record) => [record.line, record.unterminatedQuote]),
      [
        [1, false],
        [2, true],
      ],
    );
  });
});
