// Snapshot test of the TextMate grammar, tokenized by the same engine VS Code uses (vscode-textmate + oniguruma).
// UPDATE_SNAPSHOTS=1 rewrites the .snap files; otherwise any change in tokens fails with a diff.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { configSchema } from '../../common/schema';

const root = join(__dirname, '..', '..');
const grammarPath = join(root, 'syntaxes', 'nlp-config.tmLanguage.json');
const fixturesDir = join(root, 'test', 'fixtures', 'grammar');
const SCOPE = 'source.nlp-config';

interface Token {
  text: string;
  scopes: string[];
}

let grammar: vsctm.IGrammar;

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => oniguruma.createOnigScanner(patterns),
      createOnigString: (text: string) => oniguruma.createOnigString(text),
    }),
    loadGrammar: (scopeName: string) =>
      Promise.resolve(scopeName === SCOPE ? vsctm.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null),
  });
  const loaded = await registry.loadGrammar(SCOPE);
  assert.ok(loaded, 'the grammar loads');
  return loaded;
}

function tokenize(text: string): Token[][] {
  let state = vsctm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** Scopes of the token that covers `text` on a one-line document (the first such token). */
function scopesOf(line: string, text: string): string[] {
  const tokens = tokenize(line)[0] ?? [];
  const token = tokens.find((t) => t.text === text);
  assert.ok(token, `no token "${text}" in ${JSON.stringify(line)}: ${JSON.stringify(tokens.map((t) => t.text))}`);
  return token.scopes;
}

function hasScope(scopes: string[], prefix: string): boolean {
  return scopes.some((s) => s === prefix || s.startsWith(prefix + '.'));
}

/** The snapshot text: each source line, then each of its tokens with its scopes (the root scope left out). */
function renderSnapshot(text: string): string {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const tokenized = tokenize(lines.join('\n'));
  const out: string[] = [];
  lines.forEach((line, i) => {
    out.push(`> ${line}`);
    for (const token of tokenized[i] ?? []) {
      const scopes = token.scopes.filter((s) => s !== SCOPE).join(' ');
      out.push(`  ${JSON.stringify(token.text)}${scopes ? ' ' + scopes : ''}`);
    }
  });
  return out.join('\n') + '\n';
}

/** The first parenthesised alternation of a repository rule's match, e.g. `^(task|name)…` → ['task', 'name']. */
function alternationIn(ruleName: string, group = 1): string[] {
  const raw = JSON.parse(readFileSync(grammarPath, 'utf8')) as { repository: Record<string, { match?: string }> };
  const match = raw.repository[ruleName]?.match;
  assert.ok(match, `grammar has a repository rule "${ruleName}" with a match`);
  const groups = [...match.matchAll(/\(([A-Za-z0-9_|-]+)\)/g)].map((m) => m[1] ?? '');
  return (groups[group - 1] ?? '').split('|').sort();
}

function enumOf(key: string): string[] {
  const property = configSchema.properties?.[key];
  assert.ok(property && typeof property === 'object' && property.enum, `schema has an enum for "${key}"`);
  return property.enum.map(String);
}

before(async () => {
  grammar = await loadGrammar();
});

describe('grammar snapshots', () => {
  const fixtures = readdirSync(fixturesDir).filter((f) => f.endsWith('.nlp.yaml'));

  it('has fixtures', () => assert.ok(fixtures.length >= 3));

  for (const fixture of fixtures) {
    it(fixture, () => {
      const actual = renderSnapshot(readFileSync(join(fixturesDir, fixture), 'utf8'));
      const snapPath = join(fixturesDir, fixture + '.snap');
      if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(snapPath)) {
        if (process.env.UPDATE_SNAPSHOTS !== '1') assert.fail(`missing snapshot ${snapPath}: run with UPDATE_SNAPSHOTS=1`);
        writeFileSync(snapPath, actual);
        return;
      }
      assert.equal(actual, readFileSync(snapPath, 'utf8'), `tokens of ${fixture} changed; if intended, rerun with UPDATE_SNAPSHOTS=1`);
    });
  }
});

describe('grammar scopes', () => {
  it('marks a top-level section key', () => {
    assert.ok(hasScope(scopesOf('task: word2vec', 'task'), 'keyword.other.section'));
    assert.ok(hasScope(scopesOf('training:', 'training'), 'keyword.other.section'));
  });

  it('treats an indented or longer key as an ordinary key', () => {
    const nested = scopesOf('  task: x', 'task');
    assert.ok(hasScope(nested, 'entity.name.tag') && !hasScope(nested, 'keyword.other.section'));
    assert.ok(!hasScope(scopesOf('taskforce: x', 'taskforce'), 'keyword.other.section'));
  });

  it('marks comments, but not a # inside a word', () => {
    assert.ok(hasScope(scopesOf('# x', ' x'), 'comment.line.number-sign'));
    assert.ok(hasScope(scopesOf('a: b # c', '#'), 'punctuation.definition.comment'));
    assert.ok(hasScope(scopesOf('a: b#c', 'b#c'), 'string.unquoted.plain'));
  });

  it('marks YAML 1.2 numbers only when the whole scalar is a number', () => {
    for (const n of ['1e-5', '.5', '-3', '0.001', '+7', '-1.5e+3']) assert.ok(hasScope(scopesOf(`x: ${n}`, n), 'constant.numeric'), n);
    assert.ok(hasScope(scopesOf('x: 1e-5abc', '1e-5abc'), 'string.unquoted.plain'));
  });

  it('marks booleans and null of the core schema, and leaves yes/no as strings', () => {
    assert.ok(hasScope(scopesOf('x: true', 'true'), 'constant.language.boolean'));
    assert.ok(hasScope(scopesOf('x: ~', '~'), 'constant.language.null'));
    assert.ok(hasScope(scopesOf('x: yes', 'yes'), 'string.unquoted.plain'));
  });

  it('marks escapes in double-quoted strings', () => {
    assert.ok(hasScope(scopesOf('x: "a\\tb"', '\\t'), 'constant.character.escape'));
  });

  it('knows every top-level key of the schema as a section, and no other', () => {
    const schemaKeys = Object.keys(configSchema.properties ?? {}).sort();
    assert.deepEqual(alternationIn('section-key'), schemaKeys, 'syntaxes/nlp-config.tmLanguage.json#section-key lists the schema keys');
    for (const key of schemaKeys) assert.ok(hasScope(scopesOf(`${key}: x`, key), 'keyword.other.section'), key);
  });

  it('knows every task and backend of the schema, and no other', () => {
    assert.deepEqual(alternationIn('task-pair', 2), enumOf('task').sort());
    assert.deepEqual(alternationIn('backend-pair', 2), enumOf('backend').sort());
    for (const task of enumOf('task')) assert.ok(hasScope(scopesOf(`task: ${task}`, task), 'support.constant.task'), task);
    for (const backend of enumOf('backend')) {
      assert.ok(hasScope(scopesOf(`backend: ${backend}  # c`, backend), 'support.constant.backend'), backend);
    }
    assert.ok(!hasScope(scopesOf('task: sentiment', 'sentiment'), 'support.constant'));
  });
});

describe('language configuration', () => {
  interface OnEnterRule {
    beforeText: string;
    action: { indent: string; appendText?: string };
  }
  interface LanguageConfiguration {
    comments: { lineComment: string };
    wordPattern: string;
    folding: { offSide: boolean };
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
    onEnterRules: OnEnterRule[];
  }
  const config = JSON.parse(readFileSync(join(root, 'syntaxes', 'language-configuration.json'), 'utf8')) as LanguageConfiguration;

  /** The action VS Code takes on Enter at the end of `line`: the first rule whose beforeText matches. */
  function onEnter(line: string): OnEnterRule['action'] | undefined {
    return config.onEnterRules.find((rule) => new RegExp(rule.beforeText).test(line))?.action;
  }

  function wordAt(line: string, column: number): string | undefined {
    return [...line.matchAll(new RegExp(config.wordPattern, 'g'))].find((m) => m.index <= column && column < m.index + m[0].length)?.[0];
  }

  it('uses # comments and indentation folding', () => {
    assert.equal(config.comments.lineComment, '#');
    assert.equal(config.folding.offSide, true);
  });

  it('indents after a key that opens a block, and not after a key with a value', () => {
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    for (const line of ['training:', '  stages:  # schedule', '  - early_stopping:', 'notes: |', 'x: [']) assert.ok(increase.test(line), line);
    for (const line of ['task: word2vec', '  - war', '# a comment']) assert.ok(!increase.test(line), line);
  });

  it('keeps list dashes sensible on Enter', () => {
    assert.deepEqual(onEnter('  - war'), { indent: 'none', appendText: '- ' });
    assert.deepEqual(onEnter('    - name: head'), { indent: 'none', appendText: '  ' });
    assert.deepEqual(onEnter('  - early_stopping:'), { indent: 'indent', appendText: '  ' });
    assert.deepEqual(onEnter('model:'), { indent: 'indent' });
    assert.deepEqual(onEnter('literal: |'), { indent: 'indent' });
    assert.equal(onEnter('task: word2vec'), undefined);
  });

  it('selects hyphenated and underscored names and numbers as one word', () => {
    assert.equal(wordAt('task: text-classification', 10), 'text-classification');
    assert.equal(wordAt('  vector_size: 100', 5), 'vector_size');
    assert.equal(wordAt('    freeze: all-but-top-2', 20), 'all-but-top-2');
    assert.equal(wordAt('  sample: 1e-5', 11), '1e-5');
  });
});
