// The one list a command offers to choose a model from: this session's runs, the workspace's models,
// and Browse…, each row saying what the model is and where it lives.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { admits, describeModel, findModels, type CatalogOptions, type ModelInfo } from './modelCatalog';

export interface PickOptions extends CatalogOptions {
  readonly title: string;
  readonly placeHolder: string;
  /** The model in use now, marked in the list and placed first. */
  readonly current?: string | undefined;
}

interface ModelItem extends vscode.QuickPickItem {
  readonly model?: ModelInfo;
  readonly browse?: true;
}

const KIND_NAMES: Readonly<Record<ModelInfo['kind'], string>> = { classifier: 'a text classifier', vectors: 'word vectors', pipeline: 'a folder transformers.js runs' };
const wanted = (options: CatalogOptions): string => options.kinds.map((kind) => KIND_NAMES[kind]).join(' or ');

/** The model at `given` when it is one `options` admit; else (with a message saying why) undefined. */
export async function modelAt(given: string, options: CatalogOptions): Promise<ModelInfo | undefined> {
  const model = await describeModel(given);
  if (model && admits(options, model)) return model;
  const what = model ? `${model.description}, not ${wanted(options)}` : `not ${wanted(options)} (a run folder, a model folder with config.json, or a vectors file)`;
  void vscode.window.showErrorMessage(`NLP Studio: ${given} is ${what}.`);
  return undefined;
}

/** The given model when it fits, else one the user picks; undefined when cancelled. */
export async function resolveModel(ctx: Ctx, given: string | undefined, options: PickOptions): Promise<ModelInfo | undefined> {
  return given === undefined ? pickModel(ctx, options) : modelAt(given, options);
}

export async function pickModel(ctx: Ctx, options: PickOptions): Promise<ModelInfo | undefined> {
  const models = await findModels(ctx.runs.allRuns, options);
  const sessionRuns = new Set(ctx.runs.allRuns.map((run) => run.runDir));
  const ordered = [...models.filter((model) => model.path === options.current), ...models.filter((model) => model.path !== options.current)];
  const items: ModelItem[] = [];
  let section: string | undefined;
  for (const model of ordered) {
    const heading = model.path === options.current ? 'In use' : sessionRuns.has(model.path) ? 'Runs of this session' : 'In the workspace';
    if (heading !== section) items.push({ label: heading, kind: vscode.QuickPickItemKind.Separator });
    section = heading;
    items.push({
      label: `${sessionRuns.has(model.path) ? '$(history) ' : ''}${model.name}`,
      description: model.description,
      detail: vscode.workspace.asRelativePath(model.path),
      model,
    });
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(folder-opened) Browse…', description: 'a model folder or a word2vec .txt/.bin file', browse: true });
  const picked = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true });
  if (!picked?.model && !picked?.browse) return undefined;
  if (picked.model) return picked.model;
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    canSelectFolders: true,
    canSelectFiles: options.kinds.includes('vectors'),
    openLabel: 'Use this model',
    ...(options.kinds.includes('classifier') ? {} : { filters: { 'word2vec vectors': ['bin', 'txt', 'vec'] } }),
  });
  const target = chosen?.[0]?.fsPath;
  return target === undefined ? undefined : modelAt(target, options);
}
