// Hosts the embedding explorer: asks the engine for a 2-D projection of the most frequent words of the
// chosen vectors, and answers the panel's neighbour requests through the engine too.
import * as vscode from 'vscode';
import { NeighboursRequest, ProjectionRequest } from '../../common/protocol/engine';
import { EMBEDDING_EXPLORER_VIEW_TYPE, type EmbeddingExplorerInbound, type EmbeddingExplorerOutbound, type EmbeddingExplorerState } from '../../common/protocol/panels';
import type { Ctx } from '../ctx';
import { attachPanel, panelOptions } from './panelResources';

const TITLE = 'NLP Studio: Embeddings';
const WORDS_SETTING = 'embeddingExplorer.words';

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class EmbeddingExplorerHost implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private vectorsPath: string | undefined;
  private readonly serializer: vscode.Disposable;

  constructor(private readonly ctx: Ctx) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(EMBEDDING_EXPLORER_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: EmbeddingExplorerState | undefined) => {
        this.vectorsPath = state?.vectorsPath;
        this.adopt(panel);
        return Promise.resolve();
      },
    });
  }

  /** Opens (or re-targets) the explorer on a run folder or vectors file. */
  show(vectorsPath: string): void {
    this.vectorsPath = vectorsPath;
    if (this.panel) {
      this.panel.reveal();
      void this.postProjection();
      return;
    }
    this.adopt(vscode.window.createWebviewPanel(EMBEDDING_EXPLORER_VIEW_TYPE, TITLE, vscode.ViewColumn.Active, panelOptions(this.ctx.extensionUri)));
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    attachPanel<EmbeddingExplorerOutbound>(panel, this.ctx.extensionUri, 'embeddingExplorer', TITLE, {
      onMessage: (message) => this.receive(message),
      onDispose: () => (this.panel = undefined),
    });
  }

  private receive(message: EmbeddingExplorerOutbound): void {
    switch (message.type) {
      case 'ready':
        this.vectorsPath ??= message.vectorsPath;
        void this.postProjection();
        return;
      case 'neighbours':
        void this.answerNeighbours(message.requestId, message.word, message.count);
        return;
    }
  }

  private async postProjection(): Promise<void> {
    const vectorsPath = this.vectorsPath;
    if (!vectorsPath) return;
    const count = vscode.workspace.getConfiguration('nlpStudio').get<number>(WORDS_SETTING, 20_000);
    try {
      const projection = await this.ctx.runs.ensureEngine().connection.sendRequest(ProjectionRequest, { vectorsPath, count });
      this.post({ type: 'projection', vectorsPath, projection });
    } catch (error) {
      this.post({ type: 'error', message: `Could not project ${vscode.workspace.asRelativePath(vectorsPath)}: ${errorMessage(error)}` });
    }
  }

  private async answerNeighbours(requestId: number, word: string, count: number): Promise<void> {
    const vectorsPath = this.vectorsPath;
    if (!vectorsPath) return;
    try {
      const result = await this.ctx.runs.ensureEngine().connection.sendRequest(NeighboursRequest, { vectorsPath, word, count });
      this.post({ type: 'neighbours', requestId, word, result });
    } catch (error) {
      this.post({ type: 'error', requestId, message: errorMessage(error) });
    }
  }

  private post(message: EmbeddingExplorerInbound): void {
    void this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    this.serializer.dispose();
  }
}
