// The process picture held in the imports: common/ is imported by every process and imports none of
// them (no vscode, TensorFlow.js or DOM); the engine and the server are peers over common/config, so
// neither imports the other.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(__dirname, '../..');

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder)).flatMap((name) => {
    const relative = path.join(folder, name);
    if (statSync(path.join(root, relative)).isDirectory()) return sourceFiles(relative);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [relative] : [];
  });
}

/** Every module a file imports (static, dynamic and require), resolved to a repository path when relative. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
  return specifiers.map((specifier) => (specifier.startsWith('.') ? path.relative(root, path.resolve(root, path.dirname(file), specifier)) : specifier));
}

function violations(folder: string, forbidden: (imported: string) => boolean): string[] {
  return sourceFiles(folder).flatMap((file) => importsOf(file).filter(forbidden).map((imported) => `${file} imports ${imported}`));
}

describe('layering', () => {
  it('common/ imports no process: not vscode, TensorFlow.js, the engine, the server, the extension or the webviews', () => {
    const forbidden = (imported: string): boolean =>
      imported === 'vscode' || imported.startsWith('@tensorflow/') || /^(engine|server|extension|webviews)(\/|$)/.test(imported) || imported === 'vscode-languageserver' || imported.startsWith('vscode-languageserver/');
    assert.deepEqual(violations('common', forbidden), []);
  });

  it('the engine and the server are peers: neither imports the other', () => {
    assert.deepEqual(violations('engine', (imported) => /^server(\/|$)/.test(imported)), []);
    assert.deepEqual(violations('server', (imported) => /^(engine|extension)(\/|$)/.test(imported)), []);
  });

  it('common/ code uses no DOM globals', () => {
    const dom = /\b(window|document|navigator|localStorage|HTMLElement)\s*[.[]/;
    const found = sourceFiles('common').filter((file) => dom.test(readFileSync(path.join(root, file), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
    assert.deepEqual(found, []);
  });
});
