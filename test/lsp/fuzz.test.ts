// Seeded sequences of edits through the real language server (the bundle, over stdio, as the editor
// drives it): after every edit the server publishes for that version, every range it publishes lies in
// the document, every request is answered (no error, nothing logged as failed), completion edits stay
// on the cursor's line, and every quick fix applies cleanly and yields a document the server answers for.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionRequest,
  CompletionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbolRequest,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  MessageType,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { applyEditsChecked, assertRangeInside, fuzzSettings, mutate, pick, projectFolder, seedConfigs, seededRandom, TOKENS, type Random } from '../fixtures/fuzz/configFuzz';

const root = path.resolve(__dirname, '..', '..');
const outFolder = mkdtempSync(path.join(tmpdir(), 'nlp-studio-fuzz-lsp-'));
const serverBundle = path.join(outFolder, 'server.js');
/** Edits per opened document before it is closed and another one opened. */
const EDITS_PER_DOCUMENT = 100;

/** Publishes by uri and version: the first one for a version is the signal that the server has read it. */
class Publishes {
  private readonly waiting = new Map<string, (params: PublishDiagnosticsParams) => void>();
  private readonly seen = new Map<string, PublishDiagnosticsParams>();

  push(params: PublishDiagnosticsParams): void {
    const key = `${params.uri}@${String(params.version)}`;
    if (!this.seen.has(key)) this.seen.set(key, params);
    this.waiting.get(key)?.(params);
    this.waiting.delete(key);
  }

  first(uri: string, version: number): Promise<PublishDiagnosticsParams> {
    const key = `${uri}@${version}`;
    const already = this.seen.get(key);
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }
}

/** A random incremental change: delete a few characters and insert a token, at a random place. */
function randomChange(document: TextDocument, random: Random): TextDocumentContentChangeEvent {
  const text = document.getText();
  if (random() < 0.1) return { text: mutate(text, random) };
  const start = Math.floor(random() * (text.length + 1));
  const end = Math.min(text.length, start + (random() < 0.5 ? 0 : Math.floor(random() * 8)));
  const newText = random() < 0.2 ? '' : pick(random, TOKENS);
  return { range: { start: document.positionAt(start), end: document.positionAt(end) }, text: newText };
}

function assertSymbolsInside(document: TextDocument, symbols: DocumentSymbol[]): void {
  for (const symbol of symbols) {
    assertRangeInside(document, symbol.range, `symbol ${symbol.name}`);
    assertRangeInside(document, symbol.selectionRange, `selection of ${symbol.name}`);
    assertSymbolsInside(document, symbol.children ?? []);
  }
}

describe('fuzz: the language server over LSP', { timeout: 600_000 }, () => {
  const { seed, cases, replay } = fuzzSettings(20_250_113, 2000);
  let child: ChildProcessWithoutNullStreams;
  let connection: ProtocolConnection;
  const publishes = new Publishes();
  const failures: string[] = [];
  const stderr: string[] = [];

  before(async () => {
    await build({ entryPoints: [path.join(root, 'server', 'server.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: serverBundle, external: ['vscode'], logLevel: 'warning' });
    child = spawn(process.execPath, [serverBundle, '--stdio'], { cwd: root, stdio: 'pipe' });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => publishes.push(params));
    // A handler that threw is answered with a fallback and logged: for the fuzzer, that is a failure.
    connection.onNotification(LogMessageNotification.type, (params) => {
      if (params.type === MessageType.Error) failures.push(params.message);
    });
    connection.listen();
    await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(projectFolder).toString(), capabilities: {}, workspaceFolders: null });
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(() => {
    connection?.dispose();
    if (child && child.exitCode === null) child.kill();
    rmSync(outFolder, { recursive: true, force: true });
  });

  it(`keeps its invariants over ${cases} edits (seed ${seed})`, async () => {
    const random = seededRandom(seed);
    const seeds = seedConfigs();
    let edits = 0;
    let context = '';
    try {
      for (let session = 0; edits < cases; session++) {
        const uri = pathToFileURL(path.join(projectFolder, `fuzz-${session}.nlp.yaml`)).toString();
        let document = TextDocument.create(uri, 'nlp-config', 1, pick(random, seeds));
        await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'nlp-config', version: 1, text: document.getText() } });
        let published = await publishes.first(uri, 1);

        /** Sends changes as the next version and waits for the server's diagnostics of it. */
        const change = async (changes: TextDocumentContentChangeEvent[]): Promise<void> => {
          const version = document.version + 1;
          document = TextDocument.update(document, changes, version);
          await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
          published = await publishes.first(uri, version);
          edits++;
        };

        for (let step = 0; step < EDITS_PER_DOCUMENT && edits < cases; step++) {
          context = `edit ${edits} (session ${session}, step ${step}) of ${replay}`;
          published.diagnostics.forEach((d) => assertRangeInside(document, d.range, `published "${d.message}"`));
          const roll = random();
          if (roll < 0.15) await checkCompletion(document, random);
          else if (roll < 0.22) await checkHoverAndSymbols(document, random);
          else if (roll < 0.35) {
            const fixed = await checkCodeActions(document, published.diagnostics, random);
            if (fixed !== undefined) {
              await change([{ text: fixed }]);
              const symbols = (await connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[] | null;
              assert.ok(Array.isArray(symbols), 'the server answers for the fixed document');
              continue;
            }
          }
          await change([randomChange(document, random)]);
          assert.deepEqual(failures, [], 'the server logged a failed handler');
        }
        await connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
      }
    } catch (error) {
      assert.fail(`${context}: ${String((error as Error).stack)}`);
    }
    assert.equal(edits, cases);
    assert.deepEqual(failures, []);
    assert.equal(stderr.join(''), '');
  });

  async function checkCompletion(document: TextDocument, random: Random): Promise<void> {
    const position = document.positionAt(Math.floor(random() * (document.getText().length + 1)));
    const list = (await connection.sendRequest(CompletionRequest.type, { textDocument: { uri: document.uri }, position })) as CompletionList;
    for (const item of list.items) {
      const edit = item.textEdit;
      if (!edit || !('range' in edit)) continue;
      assertRangeInside(document, edit.range, `completion ${item.label}`);
      assert.equal(edit.range.start.line, position.line, `completion ${item.label} edits another line`);
      assert.equal(edit.range.end.line, position.line, `completion ${item.label} reaches past its line`);
      assert.ok(edit.range.start.character <= position.character && position.character <= edit.range.end.character, `completion ${item.label} does not hold the cursor`);
    }
  }

  async function checkHoverAndSymbols(document: TextDocument, random: Random): Promise<void> {
    const position = document.positionAt(Math.floor(random() * (document.getText().length + 1)));
    const answer = await connection.sendRequest(HoverRequest.type, { textDocument: { uri: document.uri }, position });
    if (answer?.range) assertRangeInside(document, answer.range, 'hover');
    const symbols = (await connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: document.uri } })) as DocumentSymbol[];
    assertSymbolsInside(document, symbols);
  }

  /** Checks every action for the published diagnostics applies cleanly; returns the text of one applied, if any. */
  async function checkCodeActions(document: TextDocument, diagnostics: Diagnostic[], random: Random): Promise<string | undefined> {
    const range = { start: { line: 0, character: 0 }, end: document.positionAt(document.getText().length) };
    const actions = (await connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: document.uri }, range, context: { diagnostics } })) ?? [];
    const results = actions.map((action) => {
      assert.ok('edit' in action, `"${action.title}" is a code action with an edit`);
      return applyEditsChecked(document, action.edit?.changes?.[document.uri] ?? [], `quick fix "${action.title}"`);
    });
    return results.length > 0 ? pick(random, results) : undefined;
  }
});
