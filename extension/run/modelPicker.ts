// Which trained model a command uses: word vectors (a word2vec run folder or a vectors file) or a text
// classifier (a folder whose config.json has id2label). The one given, else the latest run finished
// since the last choice, else the one chosen before, else one picked from the runs and the workspace.
import * as vscode from 'vscode';
import type { RunTask } from '../../common/protocol/runEvents';
import type { Ctx } from '../ctx';
import type { RunRecord } from './runSupervisor';

export type ModelKind = 'vectors' | 'classifier';

export interface ChosenModel {
  /** A run folder, a model folder or a vectors file. */
  readonly path: string;
  readonly kind: ModelKind;
}

export interface ChooseModelOptions {
  /** Skips the choice: this path (its kind is checked). */
  readonly given?: string | undefined;
  /** Always asks, even when a model was chosen before. */
  readonly askAgain?: boolean;
  /** The kinds the command can use; both when absent. */
  readonly kinds?: readonly ModelKind[];
}

const REMEMBERED_KEY = 'nlpStudio.modelChoice';
const EXCLUDED = '**/{node_modules,checkpoints,.git}/**';
const KIND_OF_TASK: Record<RunTask, ModelKind> = {
  word2vec: 'vectors',
  'text-classification': 'classifier',
};
const KIND_NAMES: Record<ModelKind, string> = {
  vectors: 'word vectors',
  classifier: 'text classifier',
};

/** What was chosen last, and the latest finished run at the time: a run finished since then wins. */
interface Remembered {
  readonly path: string;
  readonly latestRunId: string | undefined;
}

/** The kind of model at `path`, or undefined when it is neither (or does not exist). */
export async function modelKindOf(path: string): Promise<ModelKind | undefined> {
  const uri = vscode.Uri.file(path);
  const info = await stat(uri);
  if (info === undefined) return undefined;
  if (info.type & vscode.FileType.File) return 'vectors'; // only word vectors are single files; the engine reads the format
  if (await isClassifierConfig(vscode.Uri.joinPath(uri, 'config.json'))) return 'classifier';
  for (const name of ['vectors.bin', 'vectors.txt', 'model.json', 'model/model.json']) {
    if ((await stat(vscode.Uri.joinPath(uri, name)))?.type === vscode.FileType.File) return 'vectors';
  }
  return undefined;
}

/** A model of one of `kinds`; undefined when the user cancelled (or the given path is not such a model, with a message). */
export async function chooseModel(ctx: Ctx, options: ChooseModelOptions = {}): Promise<ChosenModel | undefined> {
  const kinds = options.kinds ?? ['vectors', 'classifier'];
  const wanted = kinds.map((kind) => (kind === 'classifier' ? 'a ' : '') + KIND_NAMES[kind]).join(' or ');
  if (options.given) {
    const kind = await modelKindOf(options.given);
    if (kind === undefined || !kinds.includes(kind)) {
      void vscode.window.showErrorMessage(`NLP Studio: ${options.given} is not ${wanted} (a run folder, a model folder with config.json, or a vectors file).`);
      return undefined;
    }
    return remember(ctx, { path: options.given, kind });
  }
  if (!options.askAgain) {
    const remembered = ctx.extension.workspaceState.get<Remembered>(REMEMBERED_KEY);
    const newest = latestFinishedRun(ctx, ['vectors', 'classifier']);
    if (newest !== undefined && newest.runId !== remembered?.latestRunId && kinds.includes(KIND_OF_TASK[newest.task])) {
      return remember(ctx, { path: newest.runDir, kind: KIND_OF_TASK[newest.task] });
    }
    if (remembered) {
      const kind = await modelKindOf(remembered.path);
      if (kind !== undefined && kinds.includes(kind)) return { path: remembered.path, kind };
    }
    const latest = latestFinishedRun(ctx, kinds);
    if (latest) return remember(ctx, { path: latest.runDir, kind: KIND_OF_TASK[latest.task] });
  }
  const picked = await pickModel(ctx, kinds, wanted);
  return picked ? remember(ctx, picked) : undefined;
}

/** The vectors "Explore embeddings" shows: a run folder or vectors file; undefined when cancelled. */
export async function chooseVectors(ctx: Ctx, options: { given?: string | undefined; askAgain?: boolean } = {}): Promise<string | undefined> {
  return (await chooseModel(ctx, { ...options, kinds: ['vectors'] }))?.path;
}

function latestFinishedRun(ctx: Ctx, kinds: readonly ModelKind[]): RunRecord | undefined {
  return ctx.runs.allRuns.filter((run) => run.status === 'completed' && kinds.includes(KIND_OF_TASK[run.task])).at(-1);
}

interface ModelItem extends vscode.QuickPickItem {
  readonly model?: ChosenModel;
  readonly browse?: true;
}

async function pickModel(ctx: Ctx, kinds: readonly ModelKind[], wanted: string): Promise<ChosenModel | undefined> {
  const items: ModelItem[] = [];
  const seen = new Set<string>();
  const add = (model: ChosenModel, label: string, detail?: string): void => {
    if (seen.has(model.path)) return;
    seen.add(model.path);
    items.push({
      label,
      description: KIND_NAMES[model.kind],
      ...(detail ? { detail } : {}),
      model,
    });
  };
  const runs = ctx.runs.allRuns.filter((run) => run.status === 'completed' && kinds.includes(KIND_OF_TASK[run.task]));
  if (runs.length > 0)
    items.push({
      label: 'Runs of this session',
      kind: vscode.QuickPickItemKind.Separator,
    });
  for (const run of [...runs].reverse()) add({ path: run.runDir, kind: KIND_OF_TASK[run.task] }, `$(history) ${run.name}`, vscode.workspace.asRelativePath(run.runDir));
  const found: ChosenModel[] = [];
  if (kinds.includes('classifier')) {
    for (const uri of await vscode.workspace.findFiles('**/config.json', EXCLUDED, 200)) {
      const folder = vscode.Uri.joinPath(uri, '..');
      if (await isClassifierConfig(uri)) found.push({ path: folder.fsPath, kind: 'classifier' });
    }
  }
  if (kinds.includes('vectors')) {
    for (const uri of await vscode.workspace.findFiles('**/vectors.{bin,txt}', EXCLUDED, 200)) found.push({ path: uri.fsPath, kind: 'vectors' });
  }
  if (found.length > 0)
    items.push({
      label: 'In the workspace',
      kind: vscode.QuickPickItemKind.Separator,
    });
  for (const model of found) add(model, vscode.workspace.asRelativePath(model.path));
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    {
      label: '$(folder-opened) Browse…',
      description: 'a model folder or a word2vec .txt/.bin file',
      browse: true,
    },
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Model to use',
    placeHolder: `Choose ${wanted}`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  if (picked.model) return picked.model;
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    canSelectFolders: kinds.includes('classifier') || kinds.includes('vectors'),
    canSelectFiles: kinds.includes('vectors'),
    openLabel: 'Use this model',
    ...(kinds.includes('classifier') ? {} : { filters: { 'word2vec vectors': ['bin', 'txt', 'vec'] } }),
  });
  const target = chosen?.[0]?.fsPath;
  if (target === undefined) return undefined;
  const kind = await modelKindOf(target);
  if (kind === undefined || !kinds.includes(kind)) {
    void vscode.window.showErrorMessage(`NLP Studio: ${target} is not ${wanted}.`);
    return undefined;
  }
  return { path: target, kind };
}

async function remember(ctx: Ctx, model: ChosenModel): Promise<ChosenModel> {
  const remembered: Remembered = {
    path: model.path,
    latestRunId: latestFinishedRun(ctx, ['vectors', 'classifier'])?.runId,
  };
  await ctx.extension.workspaceState.update(REMEMBERED_KEY, remembered);
  return model;
}

async function stat(uri: vscode.Uri): Promise<vscode.FileStat | undefined> {
  try {
    return await vscode.workspace.fs.stat(uri);
  } catch {
    return undefined;
  }
}

/** A config.json with an id2label object: a classifier folder (BERT or NLP Studio's own). */
async function isClassifierConfig(uri: vscode.Uri): Promise<boolean> {
  try {
    const json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as { id2label?: unknown };
    return typeof json.id2label === 'object' && json.id2label !== null;
  } catch {
    return false;
  }
}
