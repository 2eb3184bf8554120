// The language server as the editor sees it: the bundled out/server.js over stdio, driven by a real LSP client.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import {
  CodeActionRequest,
  CompletionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbolRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CompletionList,
  type DocumentSymbol,
  type MarkupContent,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { editingFolder } from '../fixtures/editing/caret';

const root = path.resolve(__dirname, '..', '..');
const serverBundle = path.join(root, 'out', 'server.js');
const uri = pathToFileURL(path.join(editingFolder, 'broken.nlp.yaml')).toString();

const brokenText = [
  'task: text-classification',
  'name: tiny',
  'model:',
  '  type: bert',
  '  pretrained: models/tiny-bert',
  'data:',
  '  train: data/train.csv',
  '  validation: data/missing.csv',
  '  label_colum: label',
  'training:',
  '  optimizer: adamw',
  '',
].join('\n');

/** Diagnostics notifications as they arrive; a test waits for the first one that satisfies it. */
class DiagnosticsInbox {
  private readonly received: PublishDiagnosticsParams[] = [];
  private readonly waiting: { accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];

  push(params: PublishDiagnosticsParams): void {
    this.received.push(params);
    for (const waiter of [...this.waiting]) {
      if (waiter.accept(params)) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.resolve(params);
      }
    }
  }

  next(accept: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams> {
    const already = this.received.find(accept);
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.waiting.push({ accept, resolve }));
  }
}

describe('language server over stdio', { timeout: 60_000 }, () => {
  let child: ChildProcessWithoutNullStreams;
  let connection: ProtocolConnection;
  const inbox = new DiagnosticsInbox();
  const stderr: string[] = [];

  before(async () => {
    await build({
      entryPoints: [path.join(root, 'server', 'server.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: serverBundle,
      external: ['vscode'],
      logLevel: 'warning',
    });
    child = spawn(process.execPath, [serverBundle, '--stdio'], { cwd: root, stdio: 'pipe' });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => inbox.push(params));
    connection.listen();
  });

  after(() => {
    connection?.dispose();
    if (child && child.exitCode === null) child.kill();
  });

  it('initializes with the editing capabilities', async () => {
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(editingFolder).toString(),
      capabilities: {},
      workspaceFolders: null,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    assert.equal(result.capabilities.textDocumentSync, 2);
    assert.deepEqual(result.capabilities.completionProvider?.triggerCharacters, [':', ' ', '/', '.', '-']);
    assert.equal(result.capabilities.hoverProvider, true);
    assert.equal(result.capabilities.documentSymbolProvider, true);
    assert.ok(typeof result.capabilities.codeActionProvider === 'object');
  });

  it('publishes schema diagnostics, then semantic ones, for an opened config', async () => {
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'nlp-config', version: 1, text: brokenText },
    });
    const schema = await inbox.next((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'unknown-key'));
    const unknownKey = schema.diagnostics.find((d) => d.code === 'unknown-key');
    assert.deepEqual(unknownKey?.range, { start: { line: 8, character: 2 }, end: { line: 8, character: 13 } });
    assert.match(unknownKey?.message ?? '', /label_column/);
    const semantic = await inbox.next((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'missing-file'));
    const missing = semantic.diagnostics.find((d) => d.code === 'missing-file');
    assert.deepEqual(missing?.range, { start: { line: 7, character: 14 }, end: { line: 7, character: 30 } });
    assert.match(missing?.message ?? '', /data\/missing\.csv/);
    assert.ok(semantic.diagnostics.some((d) => d.code === 'unknown-key'), 'semantic results come with the schema ones');
    assert.equal(semantic.version, 1);
  });

  it('offers a quick fix for the unknown key', async () => {
    const published = await inbox.next((p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'unknown-key'));
    const unknownKey = published.diagnostics.find((d) => d.code === 'unknown-key')!;
    const actions = await connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: unknownKey.range,
      context: { diagnostics: [unknownKey], only: ['quickfix'] },
    });
    const rename = actions?.find((action) => action.title === 'Rename to "label_column"');
    assert.ok(rename && 'edit' in rename, `got ${JSON.stringify(actions)}`);
    assert.deepEqual(rename.edit?.changes?.[uri], [{ range: unknownKey.range, newText: 'label_column' }]);
  });

  it('completes values and hovers keys', async () => {
    const list = (await connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 10, character: 13 },
    })) as CompletionList;
    assert.deepEqual(
      list.items.map((item) => item.label),
      ['adamw', 'adam', 'sgd'],
    );
    assert.deepEqual((list.items[1]?.textEdit as TextEdit).range, { start: { line: 10, character: 13 }, end: { line: 10, character: 18 } });
    const hover = await connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 10, character: 4 } });
    assert.match((hover?.contents as MarkupContent).value, /^\*\*optimizer\*\*\n\nOptimiser\./);
  });

  it('answers document symbols', async () => {
    const symbols = (await connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((symbol) => symbol.name),
      ['task', 'name', 'model', 'data', 'training'],
    );
  });

  it('clears the diagnostics when an edit fixes the config', async () => {
    const fixedLine = (line: number, text: string): { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string } => ({
      range: { start: { line, character: 0 }, end: { line, character: brokenText.split('\n')[line]!.length } },
      text,
    });
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [fixedLine(8, '  label_column: label'), fixedLine(7, '  validation: data/validation.csv')],
    });
    const cleared = await inbox.next((p) => p.uri === uri && p.version === 2);
    assert.deepEqual(cleared.diagnostics, []);
  });

  it('shuts down and exits on request', async () => {
    await connection.sendRequest(ShutdownRequest.type);
    const exited = once(child, 'exit');
    await connection.sendNotification(ExitNotification.type);
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
    assert.doesNotMatch(stderr.join(''), /Error/);
  });
});
