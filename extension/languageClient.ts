// Starts the config language server (out/server.js) in its own Node process, talking LSP over IPC.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type NodeModule } from 'vscode-languageclient/node';
import type { Ctx } from './ctx';

export const LANGUAGE_ID = 'nlp-config';
const CLIENT_ID = 'nlpStudio'; // the client reads its trace level from `nlpStudio.trace.server`
const CLIENT_NAME = 'NLP Studio Language Server';

export function createLanguageClient(ctx: Ctx): LanguageClient {
  const server: NodeModule = {
    module: vscode.Uri.joinPath(ctx.extensionUri, 'out', 'server.js').fsPath,
    transport: TransportKind.ipc,
  };
  const outputChannel = ctx.own(vscode.window.createOutputChannel(CLIENT_NAME));
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: LANGUAGE_ID },
      { scheme: 'untitled', language: LANGUAGE_ID },
    ],
    outputChannel,
    // Data files and model folders feed the semantic checks: tell the server when they change.
    synchronize: { fileEvents: ctx.own(vscode.workspace.createFileSystemWatcher('**/*')) },
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, { run: server, debug: server }, clientOptions);
}
