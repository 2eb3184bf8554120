// Thousands of random mutations of real configs: every language feature must answer, never throw.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { Range } from 'vscode-languageserver-types';
import { mulberry32 } from '../../engine/data/seededRandom';
import { codeActions } from '../../common/config/codeActions';
import { completion } from '../../common/config/completion';
import { parseConfigDocument } from '../../common/config/configDocument';
import type { ConfigFileSystem } from '../../common/config/fileSystem';
import { hover } from '../../common/config/hover';
import { documentSymbols } from '../../common/config/symbols';
import { semanticDiagnostics, syntaxAndSchemaDiagnostics } from '../../common/config/validate';

const MUTATIONS = 3000;
const root = path.resolve(__dirname, '../..');
const projectFolder = path.join(root, 'test/fixtures/project');

/** Seeded, so a failure reproduces from its seed. */
const prng = mulberry32;

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
    glob: (pattern, cwd) => Promise.resolve([...files.keys()].filter((file) => path.matchesGlob(path.relative(cwd, file), pattern))),
  };
  return { fs, folder };
}

function seedConfigs(): string[] {
  const examples = path.join(root, 'examples');
  const fromExamples = existsSync(examples) ? readdirSync(examples).filter((name) => name.endsWith('.nlp.yaml')).map((name) => path.join(examples, name)) : [];
  const fromProject = readdirSync(projectFolder).filter((name) => name.endsWith('.nlp.yaml')).map((name) => path.join(projectFolder, name));
  return [...fromExamples, ...fromProject].map((file) => readFileSync(file, 'utf8'));
}

const TOKENS = [':', ' ', '  ', '\t', '-', '- ', '[', ']', '{', '}', '"', "'", '#', '&a', '*a', '|', '>', '?', '!!str', '\n', '0', '-1', '1e309', 'null', '~', 'true',
  'learning_rate: ', 'stages:', '  - epochs: 1\n', 'task: word2vec', 'freeze: all-but-top-99', 'train: data/*.csv', 'vectors: vectors/small.txt', 'pretrained: models/tiny-bert',
  'model:', 'training:', 'word2vec:', 'negative: 0', '\u{1F600}', '\uFEFF', '\r\n', '%YAML 1.2\n---\n', '...\n'];

function mutate(text: string, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const at = Math.floor(random() * (text.length + 1));
  const lines = text.split('\n');
  const line = Math.floor(random() * lines.length);
  switch (Math.floor(random() * 9)) {
    case 0: return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 8));
    case 1: return text.slice(0, at) + text.slice(at, at + 5) + text.slice(at);
    case 2: return text.slice(0, at) + text.charAt(at + 1) + text.charAt(at) + text.slice(at + 2);
    case 3: lines.splice(line, 1); return lines.join('\n');
    case 4: lines.splice(line, 0, lines[Math.floor(random() * lines.length)] ?? ''); return lines.join('\n');
    case 5: { const other = Math.floor(random() * lines.length); [lines[line], lines[other]] = [lines[other] ?? '', lines[line] ?? '']; return lines.join('\n'); }
    case 6: lines[line] = random() < 0.5 ? ` ${lines[line] ?? ''}` : (lines[line] ?? '').replace(/^ {1,2}/, ''); return lines.join('\n');
    case 7: return text.slice(0, at) + pick(TOKENS) + text.slice(at);
    default: return text.slice(0, at) + `${pick(['zz', 'lerning_rate', 'epochs', 'name', 'seed', 'train'])}: ${pick(TOKENS)}\n` + text.slice(at);
  }
}

describe('fuzz', () => {
  it(`answers ${MUTATIONS} mutated configs without throwing`, async () => {
    const random = prng(20_240_601);
    const { fs, folder } = memoryFileSystem(projectFolder);
    const seeds = seedConfigs();
    assert.ok(seeds.length > 0);
    const uri = `file://${folder}/fuzz.nlp.yaml`;
    const everywhere: Range = { start: { line: 0, character: 0 }, end: { line: 100_000, character: 0 } };
    let text = '';
    for (let i = 0; i < MUTATIONS; i++) {
      // mostly one mutation of a seed; sometimes keep mutating the previous text, which drifts further
      text = mutate(random() < 0.7 || text === '' ? seeds[i % seeds.length] ?? '' : text, random);
      if (random() < 0.5) text = mutate(text, random);
      try {
        const doc = parseConfigDocument(uri, text);
        const diagnostics = syntaxAndSchemaDiagnostics(doc);
        assert.ok(Array.isArray(diagnostics));
        const semantic = await semanticDiagnostics(doc, fs);
        assert.ok(Array.isArray(semantic));
        assert.ok(Array.isArray(codeActions(doc, everywhere, [...diagnostics, ...semantic])));
        const position = doc.positionAt(Math.floor(random() * (text.length + 1)));
        assert.ok(Array.isArray((await completion(doc, position, fs)).items));
        const answer = hover(doc, position);
        assert.ok(answer === null || typeof answer === 'object');
        assert.ok(Array.isArray(documentSymbols(doc)));
      } catch (error) {
        assert.fail(`mutation ${i} threw ${String((error as Error).stack)}\n--- text:\n${text}`);
      }
    }
  });
});
