// Thousands of seeded mutations of real configs through every language feature, in process: each answer
// keeps the invariants the editor relies on (ranges inside the document, edits that apply cleanly, a
// completion edit on the cursor's line, outline selections inside their symbols). The LSP and CLI fuzz
// tests (test/lsp/fuzz.test.ts, test/unit/fuzz-validate.test.ts) drive the same through real processes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentSymbol, Position, Range } from 'vscode-languageserver-types';
import { codeActions } from '../../common/config/codeActions';
import { completion } from '../../common/config/completion';
import { parseConfigDocument } from '../../common/config/configDocument';
import type { ConfigFileSystem } from '../../common/config/fileSystem';
import { hover } from '../../common/config/hover';
import { documentSymbols } from '../../common/config/symbols';
import { MAX_DIAGNOSTICS } from '../../common/config/diagnostics';
import { semanticDiagnostics, syntaxAndSchemaDiagnostics } from '../../common/config/validate';
import { applyEditsChecked, assertRangeInside, editorLines, fuzzSettings, nextConfig, projectFolder, seedConfigs, seededRandom } from '../fixtures/fuzz/configFuzz';

/** An in-memory copy of the sample project: the fuzzer must not depend on disk timing. */
function memoryFileSystem(base: string): { fs: ConfigFileSystem; folder: string } {
  const folder = '/memory/project';
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(path.join(folder, path.relative(base, full)), readFileSync(full, 'utf8'));
    }
  };
  walk(base);
  const isDirectory = (p: string): boolean => [...files.keys()].some((file) => file.startsWith(`${p.replace(/\/$/, '')}/`));
  const fs: ConfigFileSystem = {
    stat: (p) => Promise.resolve(files.has(p) ? { kind: 'file', size: files.get(p)?.length ?? 0 } : isDirectory(p) ? { kind: 'directory', size: 0 } : undefined),
    readDirectory: (p) => {
      const names = new Map<string, 'file' | 'directory'>();
      for (const file of files.keys()) {
        const rel = path.relative(p, file);
        if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
        const [first, ...rest] = rel.split('/');
        if (first) names.set(first, rest.length > 0 ? 'directory' : 'file');
      }
      return Promise.resolve([...names].map(([name, kind]) => ({ name, kind })));
    },
    readHead: (p, maxBytes) => {
      const text = files.get(p);
      return text === undefined ? Promise.reject(new Error(`ENOENT ${p}`)) : Promise.resolve(text.slice(0, maxBytes));
    },
    readTextHead: (p, maxBytes) => fs.readHead(p, maxBytes),
    glob: (pattern, cwd) => Promise.resolve([...files.keys()].filter((file) => path.matchesGlob(path.relative(cwd, file), pattern))),
  };
  return { fs, folder };
}

function assertSymbolsInside(lines: TextDocument, symbols: DocumentSymbol[]): void {
  for (const symbol of symbols) {
    assertRangeInside(lines, symbol.range, `symbol ${symbol.name}`);
    assertRangeInside(lines, symbol.selectionRange, `selection of symbol ${symbol.name}`);
    const within = lines.offsetAt(symbol.range.start) <= lines.offsetAt(symbol.selectionRange.start) && lines.offsetAt(symbol.selectionRange.end) <= lines.offsetAt(symbol.range.end);
    assert.ok(within, `symbol ${symbol.name}: its selection ${JSON.stringify(symbol.selectionRange)} is not inside ${JSON.stringify(symbol.range)}`);
    assertSymbolsInside(lines, symbol.children ?? []);
  }
}

/** A completion edit replaces text on the cursor's line, around the cursor (what VS Code accepts). */
function assertCompletionRange(lines: TextDocument, range: Range, position: Position, label: string): void {
  assertRangeInside(lines, range, `completion ${label}`);
  assert.equal(range.start.line, range.end.line, `completion ${label}: ${JSON.stringify(range)} spans lines`);
  const offset = lines.offsetAt(position);
  assert.ok(lines.offsetAt(range.start) <= offset && offset <= lines.offsetAt(range.end), `completion ${label}: ${JSON.stringify(range)} does not hold the cursor ${JSON.stringify(position)}`);
}

describe('fuzz: the config language in process', () => {
  const { seed, cases, replay } = fuzzSettings(20_240_601, 3000);
  it(`keeps its invariants over ${cases} mutated configs (seed ${seed})`, async () => {
    const random = seededRandom(seed);
    const { fs, folder } = memoryFileSystem(projectFolder);
    const seeds = seedConfigs();
    assert.ok(seeds.length > 0);
    const uri = `file://${folder}/fuzz.nlp.yaml`;
    let text = '';
    for (let i = 0; i < cases; i++) {
      text = nextConfig(text, seeds, random);
      try {
        const lines = editorLines(text, uri);
        const doc = parseConfigDocument(uri, text);
        const diagnostics = [...syntaxAndSchemaDiagnostics(doc), ...(await semanticDiagnostics(doc, fs))];
        assert.ok(diagnostics.length <= MAX_DIAGNOSTICS + 2, `${diagnostics.length} diagnostics`);
        diagnostics.forEach((d) => assertRangeInside(lines, d.range, `diagnostic "${d.message}"`));
        const everywhere = { start: { line: 0, character: 0 }, end: lines.positionAt(text.length) };
        for (const action of codeActions(doc, everywhere, diagnostics)) {
          const fixed = applyEditsChecked(lines, action.edit?.changes?.[uri] ?? [], `quick fix "${action.title}"`);
          const after = parseConfigDocument(uri, fixed);
          syntaxAndSchemaDiagnostics(after).forEach((d) => assertRangeInside(editorLines(fixed, uri), d.range, `after "${action.title}": diagnostic "${d.message}"`));
        }
        const position = lines.positionAt(Math.floor(random() * (text.length + 1)));
        for (const item of (await completion(doc, position, fs)).items) {
          const edit = item.textEdit;
          if (edit && 'range' in edit) assertCompletionRange(lines, edit.range, position, item.label);
          assert.ok(!edit || 'range' in edit, `completion ${item.label}: an insert/replace edit`);
        }
        const answer = hover(doc, position);
        if (answer?.range) assertRangeInside(lines, answer.range, 'hover');
        assertSymbolsInside(lines, documentSymbols(doc));
      } catch (error) {
        assert.fail(`case ${i} of ${replay} failed: ${String((error as Error).stack)}\n--- text:\n${JSON.stringify(text)}`);
      }
    }
  });
});
