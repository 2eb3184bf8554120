// "NLP Studio: Check training environment": the engine looks at what this machine offers (WebGPU
// adapters and Vulkan, the optional TensorFlow bindings, CUDA, WebAssembly) and the report opens as a
// read-only Markdown preview of a virtual document, so no untitled editor is left to close or save.
import * as vscode from 'vscode';
import { EnvironmentReportRequest, type EnvironmentReportResult } from '../../common/protocol/engine';
import type { Ctx } from '../ctx';

const SCHEME = 'nlp-studio-report';
export const ENVIRONMENT_REPORT_URI = vscode.Uri.from({ scheme: SCHEME, path: '/Training environment.md' });

/** The text of each report, served read-only; a new report refreshes an open preview. */
class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly texts = new Map<string, string>();

  show(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changeEmitter.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

const providers = new WeakMap<Ctx, ReportDocuments>();

function reportDocuments(ctx: Ctx): ReportDocuments {
  let documents = providers.get(ctx);
  if (!documents) {
    documents = new ReportDocuments();
    ctx.own(vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents));
    providers.set(ctx, documents);
  }
  return documents;
}

/** Resolves to the report shown (for scripts and tests). */
export const checkEnvironment = (ctx: Ctx) => async (): Promise<EnvironmentReportResult> => {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'NLP Studio: checking the training environment…' },
    () => ctx.runs.ensureEngine().connection.sendRequest(EnvironmentReportRequest),
  );
  ctx.engineLog.info(`environment: training runs on ${result.auto ? `${result.auto.device} (auto picks ${result.auto.name}: ${result.auto.reason})` : 'nothing: no backend works'}`);
  reportDocuments(ctx).show(ENVIRONMENT_REPORT_URI, result.markdown);
  await vscode.commands.executeCommand('markdown.showPreview', ENVIRONMENT_REPORT_URI);
  return result;
};
