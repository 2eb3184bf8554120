// Every config in test/fixtures/malformed/ states the diagnostics it must get, in leading comments:
//   # expect: <line>:<col>-<endLine>:<endCol> <severity> <code> <message substring>
// (1-based, end exclusive: the CLI's numbers). A file gets exactly those diagnostics and no others.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { nodeFileSystem } from '../../common/config/nodeFileSystem';
import { parseConfigDocument } from '../../common/config/configDocument';
import { validateConfig } from '../../common/config/validate';
import { toCliDiagnostic, type CliDiagnostic } from '../../engine/cli/validateCommand';

const folder = resolve(__dirname, '../fixtures/malformed');
const files = readdirSync(folder).filter((name) => name.endsWith('.nlp.yaml')).sort();
const EXPECT = /^# expect: (\d+):(\d+)-(\d+):(\d+) (error|warning|info|hint) (\S+) (.+)$/;

interface Expectation {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

function expectations(text: string): Expectation[] {
  return text
    .split('\n')
    .map((line) => EXPECT.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, line, column, endLine, endColumn, severity, code, message]) => ({
      line: Number(line),
      column: Number(column),
      endLine: Number(endLine),
      endColumn: Number(endColumn),
      severity: severity ?? '',
      code: code ?? '',
      message: message ?? '',
    }));
}

function matches(actual: CliDiagnostic, expected: Expectation): boolean {
  return (
    actual.line === expected.line &&
    actual.column === expected.column &&
    actual.endLine === expected.endLine &&
    actual.endColumn === expected.endColumn &&
    actual.severity === expected.severity &&
    actual.code === expected.code &&
    actual.message.includes(expected.message)
  );
}

describe('malformed configs', () => {
  it('has a corpus of at least 40 configs, each stating what it expects', () => {
    assert.ok(files.length >= 40, `only ${files.length} malformed configs`);
    for (const file of files) assert.ok(expectations(readFileSync(join(folder, file), 'utf8')).length > 0, `${file} states no expectation`);
  });

  // Hub ids are looked up in a cache that holds nothing, whatever this machine has downloaded.
  const fs = { ...nodeFileSystem, huggingfaceCache: { dir: join(tmpdir(), 'nlp-studio-empty-hf-cache'), offline: false } };
  for (const file of files) {
    it(file, async () => {
      const path = join(folder, file);
      const text = readFileSync(path, 'utf8');
      const doc = parseConfigDocument(pathToFileURL(path).href, text);
      const actual = (await validateConfig(doc, fs)).map((d) => toCliDiagnostic(file, d));
      const unmatched = [...actual];
      for (const expected of expectations(text)) {
        const index = unmatched.findIndex((candidate) => matches(candidate, expected));
        assert.ok(index >= 0, `expected ${JSON.stringify(expected)}\ngot ${JSON.stringify(actual, null, 1)}`);
        unmatched.splice(index, 1);
      }
      assert.deepEqual(unmatched, [], 'diagnostics nobody expected');
      for (const d of await validateConfig(doc, nodeFileSystem)) assert.equal(d.source, 'nlp-studio');
    });
  }
});
