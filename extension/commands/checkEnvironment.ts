// "NLP Studio: Check training environment": the engine looks at what this machine offers (Node
// bindings, CUDA/cuDNN, WebAssembly) and the report opens as a Markdown preview.
import * as vscode from 'vscode';
import { EnvironmentReportRequest, type EnvironmentReportResult } from '../../common/protocol/engine';
import type { Ctx } from '../ctx';

/** Resolves to the report shown (for scripts and tests). */
export const checkEnvironment = (ctx: Ctx) => async (): Promise<EnvironmentReportResult> => {
  const searchFrom = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'NLP Studio: checking the training environment…' },
    () => ctx.runs.ensureEngine().connection.sendRequest(EnvironmentReportRequest, { searchFrom }),
  );
  ctx.engineLog.info(`environment: auto backend ${result.auto ? `${result.auto.name} (${result.auto.reason})` : 'none'}`);
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: result.markdown });
  await vscode.commands.executeCommand('markdown.showPreview', document.uri);
  return result;
};
