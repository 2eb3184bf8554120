// Entry point: wires commands and starts the config language server; everything else lives elsewhere.
import * as vscode from 'vscode';
import { newConfig } from './commands/newConfig';
import { Ctx } from './ctx';
import { createLanguageClient } from './languageClient';

let ctx: Ctx | undefined;

export async function activate(extension: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(extension);
  ctx.registerCommand('nlpStudio.newConfig', newConfig);
  ctx.languageClient = createLanguageClient(ctx);
  try {
    await ctx.languageClient.start();
  } catch (error) {
    // Commands still work without the server; say why the config checks are missing.
    void vscode.window.showErrorMessage(`NLP Studio: the config language server did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Returning the stop promise lets VS Code wait for the server to shut down cleanly. */
export function deactivate(): Promise<void> | undefined {
  const client = ctx?.languageClient;
  ctx = undefined;
  return client?.stop();
}
