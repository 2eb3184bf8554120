// Which model answers "Predict on selection": the user's pick, kept per workspace, shown in the status
// bar. Nothing replaces it behind the user's back: a run that finishes offers its model, it does not
// take over.
import * as vscode from 'vscode';
import { describeModel, type ModelInfo } from './modelCatalog';

const STATE_KEY = 'nlpStudio.predictionModel';
export const SELECT_PREDICTION_MODEL_COMMAND = 'nlpStudio.selectPredictionModel';

export class PredictionModel implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ModelInfo | undefined>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly workspaceState: vscode.Memento) {}

  /** The pick as it was made (not checked against the disk). */
  get current(): ModelInfo | undefined {
    return this.workspaceState.get<ModelInfo>(STATE_KEY);
  }

  async use(model: ModelInfo | undefined): Promise<void> {
    await this.workspaceState.update(STATE_KEY, model);
    this.changeEmitter.fire(model);
  }

  /** The pick, read again from the disk (a retrained run may be another kind now); cleared when it is gone. */
  async resolve(): Promise<ModelInfo | undefined> {
    const current = this.current;
    if (!current) return undefined;
    const now = await describeModel(current.path);
    if (now?.kind !== current.kind || now.description !== current.description || now.name !== current.name) await this.use(now);
    return now;
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

/** The status-bar item that says which model answers a selection; a click chooses another. */
export function describePredictionModel(model: ModelInfo | undefined, relativePath: (path: string) => string): { text: string; tooltip: string } {
  if (!model) return { text: '$(sparkle) No prediction model', tooltip: 'Predict on selection: no model chosen yet. Click to choose one.' };
  return {
    text: `$(sparkle) ${model.name}`,
    tooltip: `Predict on selection answers with ${model.name}: ${model.description} (${relativePath(model.path)}).\nClick to choose another model.`,
  };
}

export function createPredictionStatusBar(predictionModel: PredictionModel): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('nlpStudio.predictionModel', vscode.StatusBarAlignment.Right, 100);
  item.name = 'NLP Studio prediction model';
  item.command = SELECT_PREDICTION_MODEL_COMMAND;
  const refresh = (model: ModelInfo | undefined): void => {
    const { text, tooltip } = describePredictionModel(model, (path) => vscode.workspace.asRelativePath(path));
    item.text = text;
    item.tooltip = tooltip;
    item.show();
  };
  refresh(predictionModel.current);
  return vscode.Disposable.from(item, predictionModel.onDidChange(refresh));
}
