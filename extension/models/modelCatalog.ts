// The trained models a command can use, found among this session's runs and in the workspace, each
// said for what it is: a text classifier answers a selection with a label, word vectors answer a word
// with its neighbours. A classifier's own vectors.txt is its fine-tuned embedding layer: offered to
// the embedding explorer, under that name, never as "word vectors" in a list of models to predict with.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isPipelineFolder, ONNX_DTYPE_FILES, pipelineTasksOf, type PipelineTask } from '../../common/huggingface/pipelineTasks';
import type { RunTask } from '../../common/protocol/runEvents';
import type { RunRecord } from '../run/runSupervisor';
import { VECTORS_FILES } from '../../common/vectorsFolder';
import { exists } from '../workspaceFiles';

/** How a model answers: the label of a text, the neighbours of a word, or a transformers.js pipeline (entities, fills, …). */
export type ModelKind = 'classifier' | 'vectors' | 'pipeline';

export interface ModelInfo {
  /** A run folder, a model folder or a vectors file. */
  readonly path: string;
  readonly kind: ModelKind;
  /** The run's name, else the folder's or file's. */
  readonly name: string;
  /** What it is, for people: "BERT classifier", "word vectors", "embeddings of classifier spam". */
  readonly description: string;
  /** Vectors that are a classifier's embedding layer: that classifier's folder. */
  readonly classifierFolder?: string;
  /** A pipeline folder's tasks (config.json), the likeliest first. */
  readonly tasks?: PipelineTask[];
}

export interface CatalogOptions {
  readonly kinds: readonly ModelKind[];
  /** Also list classifiers' embedding layers as vectors (the explorer shows them; predictions do not). */
  readonly classifierEmbeddings?: boolean;
}

const EXCLUDED = '**/{node_modules,checkpoints,.git}/**';
/** A word2vec run folder's full model (engine/word2vec/modelFolder.ts), which the engine also reads as vectors. */
const FULL_MODEL_FILES = ['model/model.json', 'model.json'];
const KIND_OF_TASK: Record<RunTask, ModelKind> = { 'text-classification': 'classifier', word2vec: 'vectors' };
/** config.json `model_type` → how people name the architecture. */
const ARCHITECTURES: Record<string, string> = {
  'nlp-studio-embedding-classifier': 'word-vector',
  bert: 'BERT',
  distilbert: 'DistilBERT',
  roberta: 'RoBERTa',
  albert: 'ALBERT',
  electra: 'ELECTRA',
  deberta: 'DeBERTa',
  'deberta-v2': 'DeBERTa-v2',
  xlm_roberta: 'XLM-RoBERTa',
};

const decoder = new TextDecoder();

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = JSON.parse(decoder.decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file))));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function isFile(file: string): Promise<boolean | undefined> {
  try {
    return ((await vscode.workspace.fs.stat(vscode.Uri.file(file))).type & vscode.FileType.File) !== 0;
  } catch {
    return undefined;
  }
}

const architectureName = (config: Record<string, unknown>): string | undefined => {
  const type = typeof config.model_type === 'string' ? config.model_type : undefined;
  return (type && ARCHITECTURES[type]) ?? type;
};

/** "BERT classifier", from a classifier folder's config.json; undefined when the folder is not a classifier. */
async function classifierDescription(folder: string): Promise<string | undefined> {
  const config = await readJson(path.join(folder, 'config.json'));
  if (typeof config?.id2label !== 'object' || config.id2label === null) return undefined;
  return `${architectureName(config) ?? 'text'} classifier`;
}

/** A folder transformers.js runs (pipelineTasks.ts): "token-classification pipeline (BERT, ONNX)". */
async function pipelineModel(folder: string): Promise<ModelInfo | undefined> {
  const config = await readJson(path.join(folder, 'config.json'));
  if (!config) return undefined;
  const files = ['model.safetensors', 'pytorch_model.bin', ...ONNX_DTYPE_FILES.map(({ file }) => file)];
  const present = new Set((await Promise.all(files.map(async (file) => ((await isFile(path.join(folder, file))) ? file : undefined)))).filter((file) => file !== undefined));
  if (!isPipelineFolder(config, (file) => present.has(file))) return undefined;
  const tasks = pipelineTasksOf(config);
  return { path: folder, kind: 'pipeline', name: await runName(folder), description: `${tasks.join(' / ')} pipeline (${architectureName(config) ?? 'ONNX'}, ONNX)`, tasks };
}

async function runName(folder: string): Promise<string> {
  const name = (await readJson(path.join(folder, 'summary.json')))?.name;
  return typeof name === 'string' ? name : path.basename(folder);
}

/** What the model at `modelPath` is, or undefined when it is no model a command can use. */
export async function describeModel(modelPath: string): Promise<ModelInfo | undefined> {
  const file = await isFile(modelPath);
  if (file === undefined) return undefined;
  if (file) {
    // Only word vectors are single files; the engine reads the format.
    const folder = path.dirname(modelPath);
    const owner = await classifierDescription(folder);
    const name = owner ? await runName(folder) : path.basename(modelPath);
    if (!owner) return { path: modelPath, kind: 'vectors', name, description: 'word vectors' };
    return { path: modelPath, kind: 'vectors', name, description: `embeddings of the ${owner} ${name}`, classifierFolder: folder };
  }
  const pipeline = await pipelineModel(modelPath);
  if (pipeline) return pipeline;
  const classifier = await classifierDescription(modelPath);
  if (classifier) return { path: modelPath, kind: 'classifier', name: await runName(modelPath), description: classifier };
  for (const name of [...VECTORS_FILES, ...FULL_MODEL_FILES]) {
    if (await exists(vscode.Uri.file(path.join(modelPath, name)))) return { path: modelPath, kind: 'vectors', name: await runName(modelPath), description: 'word vectors' };
  }
  return undefined;
}

/** Whether `model` is one that `options` admit. */
export function admits(options: CatalogOptions, model: ModelInfo): boolean {
  return options.kinds.includes(model.kind) && (options.classifierEmbeddings === true || model.classifierFolder === undefined);
}

/**
 * The models `options` admit, this session's finished runs first (newest first), then the workspace's.
 * A word2vec run folder is listed once, not as each of its vectors files.
 */
export async function findModels(sessionRuns: readonly RunRecord[], options: CatalogOptions): Promise<ModelInfo[]> {
  const candidates: string[] = [];
  const finished = sessionRuns.filter((run) => run.status === 'completed' && options.kinds.includes(KIND_OF_TASK[run.task]));
  candidates.push(...finished.map((run) => run.runDir).reverse());
  if (options.kinds.includes('classifier') || options.kinds.includes('pipeline')) {
    for (const uri of await vscode.workspace.findFiles('**/config.json', EXCLUDED, 200)) candidates.push(path.dirname(uri.fsPath));
  }
  if (options.kinds.includes('vectors')) {
    for (const uri of await vscode.workspace.findFiles(`**/{${VECTORS_FILES.join(',')}}`, EXCLUDED, 200)) {
      const folder = path.dirname(uri.fsPath);
      const wholeRun = (await readJson(path.join(folder, 'summary.json')))?.task === 'word2vec';
      candidates.push(wholeRun ? folder : uri.fsPath);
    }
  }
  const seen = new Set<string>();
  const models: ModelInfo[] = [];
  for (const candidate of candidates) {
    if (seen.has(candidate)) continue;
    seen.add(candidate);
    const model = await describeModel(candidate);
    if (model && admits(options, model)) models.push(model);
  }
  return models;
}
