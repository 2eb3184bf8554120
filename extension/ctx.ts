// The extension's context: owns every disposable, so deactivation releases everything in one place.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { PredictionModel } from './models/predictionModel';
import { EmbeddingExplorerHost } from './panels/embeddingExplorerHost';
import { TrainingPanelHost } from './panels/trainingPanelHost';
import { RunSupervisor } from './run/runSupervisor';

/** A command handler built from the context; commands are factories so they stay testable and lazy. */
export type CommandFactory = (ctx: Ctx) => (...args: never[]) => unknown;

export class Ctx {
  /** The running language client, once started. */
  languageClient: LanguageClient | undefined;
  /** The engine's log: what it prints, and how runs start and end. */
  readonly engineLog: vscode.LogOutputChannel;
  /** Training runs and the engine process they run in. */
  readonly runs: RunSupervisor;
  /** The model "Predict on selection" answers with, kept per workspace. */
  readonly predictionModel: PredictionModel;
  readonly trainingPanel: TrainingPanelHost;
  readonly embeddingExplorer: EmbeddingExplorerHost;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.engineLog = this.own(vscode.window.createOutputChannel('NLP Studio Engine', { log: true }));
    this.runs = this.own(new RunSupervisor(vscode.Uri.joinPath(extension.extensionUri, 'out', 'engine.js').fsPath, this.engineLog));
    this.predictionModel = this.own(new PredictionModel(extension.workspaceState));
    this.trainingPanel = this.own(new TrainingPanelHost(this));
    this.embeddingExplorer = this.own(new EmbeddingExplorerHost(this));
  }

  /** The folder the extension is installed in (templates/, out/server.js live there). */
  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  /** Ties a disposable to the extension's lifetime. */
  own<T extends vscode.Disposable>(disposable: T): T {
    this.extension.subscriptions.push(disposable);
    return disposable;
  }

  registerCommand(id: string, factory: CommandFactory): void {
    this.own(vscode.commands.registerCommand(id, factory(this)));
  }
}
