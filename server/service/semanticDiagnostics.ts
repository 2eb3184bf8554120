// Checks the schema cannot express: files exist, columns exist, models are complete, sizes agree, the
// stage schedule makes sense. Only for values that passed the schema; reads at most a file's head.
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-types';
import { describeVectorsHead, VECTORS_HEAD_BYTES } from '../../common/vectorsHead';
import { findPair, type ConfigDocument, type ConfigPath } from './configDocument';
import { keyRange, valueRange } from './configRanges';
import { compareDiagnostics, diagnostic, DiagnosticSeverity, type DiagnosticCode, type DiagnosticData } from './diagnostics';
import { closeMatches } from './didYouMean';
import { configFolder, isGlobPattern, resolveConfigPath, type ConfigFileSystem } from './fileSystem';
import { schemaErrors } from './schemaDiagnostics';

const HEAD_BYTES = 64 * 1024;
const LEARNING_RATE_TOO_HIGH = 1e-2;
const LEARNING_RATE_TOO_LOW = 1e-7;

type Json = Record<string, unknown>;

interface CheckContext {
  doc: ConfigDocument;
  fs: ConfigFileSystem;
  /** The config's folder; undefined when the document is not a file (no path checks then). */
  folder: string | undefined;
  config: Json;
  results: Diagnostic[];
  /** The value at `path` passed the schema (errors about a map's keys do not count against its values). */
  trusted(path: ConfigPath): boolean;
}

export async function semanticDiagnostics(doc: ConfigDocument, fs: ConfigFileSystem): Promise<Diagnostic[]> {
  const config = asObject(doc.value);
  if (!config) return [];
  const errorPointers = schemaErrors(doc.value)
    .filter((error) => !['additionalProperties', 'required', 'if'].includes(error.keyword))
    .map((error) => error.instancePath);
  const ctx: CheckContext = {
    doc,
    fs,
    folder: configFolder(doc),
    config,
    results: [],
    trusted: (target) => {
      const pointer = target.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
      return !errorPointers.some((error) => error === pointer || error.startsWith(`${pointer}/`) || pointer.startsWith(`${error}/`));
    },
  };
  const task = ctx.trusted(['task']) ? config.task : undefined;
  const checks: Promise<void>[] = [checkData(ctx, task)];
  if (task === 'text-classification') checks.push(checkModelAndStages(ctx));
  if (task === 'word2vec') checks.push(checkWord2vec(ctx));
  await Promise.all(checks.map((check) => check.catch(() => undefined))); // a failed read is not a diagnostic
  return ctx.results.sort(compareDiagnostics);
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function report(ctx: CheckContext, range: Diagnostic['range'], severity: Diagnostic['severity'], code: DiagnosticCode, message: string, data?: DiagnosticData): void {
  ctx.results.push(diagnostic(range, severity ?? DiagnosticSeverity.Error, code, message, data));
}

/** A trusted value of the given type at `path`, else undefined. */
function valueAt<T extends 'string' | 'number' | 'boolean'>(
  ctx: CheckContext,
  at: ConfigPath,
  type: T,
): (T extends 'string' ? string : T extends 'number' ? number : boolean) | undefined {
  let value: unknown = ctx.config;
  for (const segment of at) value = typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[segment] : undefined;
   
  if (typeof value !== type || !ctx.trusted(at)) return undefined;
  return value as never;
}

// ---------------------------------------------------------------------------------------------- data

async function checkData(ctx: CheckContext, task: unknown): Promise<void> {
  const data = asObject(ctx.config.data);
  if (!data) return;
  if ('validation' in data && 'validation_split' in data) {
    report(ctx, keyRange(ctx.doc, ['data', 'validation_split']), DiagnosticSeverity.Error, 'conflict', 'Use either "validation" (a file) or "validation_split" (a fraction of train), not both.', {
      removePath: ['data', 'validation_split'],
    });
  }
  if (!ctx.folder) return;
  const trainFiles: string[] = [];
  if (ctx.trusted(['data', 'train'])) {
    const entries: { value: unknown; at: ConfigPath }[] = Array.isArray(data.train)
      ? (data.train as unknown[]).map((value, index) => ({ value, at: ['data', 'train', index] }))
      : [{ value: data.train, at: ['data', 'train'] }];
    for (const { value, at } of entries) {
      if (typeof value === 'string') trainFiles.push(...(await existingDataFiles(ctx, value, at)));
    }
  }
  const validation = valueAt(ctx, ['data', 'validation'], 'string');
  const validationFiles = validation === undefined ? [] : await existingDataFiles(ctx, validation, ['data', 'validation']);
  const checked = new Set<string>();
  for (const file of [trainFiles[0], validationFiles[0]]) {
    if (file === undefined || checked.has(file)) continue;
    checked.add(file);
    await checkColumns(ctx, file, task === 'text-classification');
  }
}

/** The files a data path names (a glob may name several); reports a missing path. */
async function existingDataFiles(ctx: CheckContext, written: string, at: ConfigPath): Promise<string[]> {
  const folder = ctx.folder ?? '.';
  if (isGlobPattern(written)) {
    const matches = (await ctx.fs.glob(written, folder)).sort();
    if (matches.length === 0) report(ctx, valueRange(ctx.doc, at), DiagnosticSeverity.Error, 'missing-file', `No files match "${written}" (relative to the config's folder).`);
    return matches;
  }
  const resolved = resolveConfigPath(folder, written);
  const info = await ctx.fs.stat(resolved);
  if (info?.kind === 'file') return [resolved];
  if (info?.kind === 'directory') {
    report(ctx, valueRange(ctx.doc, at), DiagnosticSeverity.Error, 'missing-file', `"${written}" is a folder; expected a file or a glob such as "${written.replace(/\/$/, '')}/*.txt".`);
    return [];
  }
  await reportMissingPath(ctx, written, at, 'file', 'File not found');
  return [];
}

/** "File not found", with a did-you-mean among the siblings of the missing path. */
async function reportMissingPath(ctx: CheckContext, written: string, at: ConfigPath, kind: 'file' | 'directory' | 'any', what: string): Promise<void> {
  const slash = written.lastIndexOf('/');
  const writtenFolder = written.slice(0, slash + 1);
  const siblings = await ctx.fs.readDirectory(resolveConfigPath(ctx.folder ?? '.', writtenFolder || '.'));
  const names = siblings.filter((entry) => kind === 'any' || entry.kind === kind).map((entry) => entry.name);
  const close = closeMatches(written.slice(slash + 1), names).map((name) => writtenFolder + name);
  const hint = close[0] ? ` Did you mean "${close[0]}"?` : '';
  report(ctx, valueRange(ctx.doc, at), DiagnosticSeverity.Error, 'missing-file', `${what}: "${written}" (relative to the config's folder).${hint}`, close.length > 0 ? { replacements: close, preferFirst: true } : undefined);
}

type DataFormat = 'csv' | 'tsv' | 'jsonl' | 'text';

function formatOf(ctx: CheckContext, file: string): DataFormat {
  const declared = valueAt(ctx, ['data', 'format'], 'string');
  if (declared === 'csv' || declared === 'tsv' || declared === 'jsonl' || declared === 'text') return declared;
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.tsv') return 'tsv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  return 'text';
}

async function checkColumns(ctx: CheckContext, file: string, needsLabel: boolean): Promise<void> {
  const format = formatOf(ctx, file);
  if (format === 'text') return;
  const columns = readColumns(await ctx.fs.readHead(file, HEAD_BYTES), format);
  if (!columns) return;
  const shown = path.relative(ctx.folder ?? '.', file) || file;
  const kinds: { key: 'text_column' | 'label_column'; fallback: string }[] = [{ key: 'text_column', fallback: 'text' }];
  if (needsLabel) kinds.push({ key: 'label_column', fallback: 'label' });
  for (const { key, fallback } of kinds) {
    const at: ConfigPath = ['data', key];
    const given = findPair(ctx.doc, at) !== undefined;
    if (given && !ctx.trusted(at)) continue;
    const column = valueAt(ctx, at, 'string') ?? fallback;
    if (columns.includes(column)) continue;
    const close = closeMatches(column, columns);
    const hint = close[0] ? ` Did you mean "${close[0]}"?` : '';
    const what = format === 'jsonl' ? 'Field' : 'Column';
    const name = given ? `"${column}"` : `"${column}" (the default ${key})`;
    const message = `${what} ${name} not found in ${shown} (${format === 'jsonl' ? 'fields' : 'columns'}: ${columns.join(', ')}).${hint}`;
    const range = given ? valueRange(ctx.doc, at) : keyRange(ctx.doc, ['data']);
    const data: DiagnosticData | undefined =
      close.length === 0 ? undefined : given ? { replacements: close, preferFirst: true } : { insertKey: { path: ['data'], key, value: close[0] } };
    report(ctx, range, DiagnosticSeverity.Error, 'missing-column', message, data);
  }
}

/** Column names from a CSV/TSV header row, or field names from the first JSON line. */
export function readColumns(head: string, format: 'csv' | 'tsv' | 'jsonl'): string[] | undefined {
  const lines = head.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (format === 'jsonl') {
    const first = lines.find((line) => line.trim() !== '');
    if (first === undefined) return undefined;
    try {
      const parsed = asObject(JSON.parse(first));
      return parsed ? Object.keys(parsed) : undefined;
    } catch {
      return undefined; // a bad first line is the engine's to report, with its line number
    }
  }
  const header = lines[0];
  return header ? splitDelimited(header, format === 'csv' ? ',' : '\t') : undefined;
}

/** One CSV/TSV row, honouring double quotes ("" inside quotes is a quote). */
function splitDelimited(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      }
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === delimiter) {
      fields.push(field.trim());
      field = '';
    }
    else field += char;
  }
  fields.push(field.trim());
  return fields;
}

// ------------------------------------------------------------------------------------------- models

const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/;

async function checkModelAndStages(ctx: CheckContext): Promise<void> {
  const model = asObject(ctx.config.model);
  let layers: number | undefined;
  const type = model && ctx.trusted(['model', 'type']) ? (model.type ?? 'bert') : undefined;
  if (model && type === 'bert') layers = await checkBert(ctx, model);
  if (model && type === 'embedding-classifier') await checkEmbeddingClassifier(ctx, model);
  checkStages(ctx, type, layers);
  checkKeysWithoutEffect(ctx, type);
}

/** Keys whose effect depends on another setting, with what they need: a key that does nothing is said so. */
const NEEDS: { at: ConfigPath; applies: (config: Json, modelType: unknown) => boolean; needs: string }[] = [
  { at: ['model', 'max_vectors'], applies: (config) => asObject(config.model)?.vectors !== undefined, needs: 'model.vectors (there are no vectors to read the first of)' },
  { at: ['model', 'word_ngrams'], applies: (_, type) => type === 'embedding-classifier', needs: 'model.type: embedding-classifier' },
  { at: ['model', 'ngram_buckets'], applies: (config, type) => type === 'embedding-classifier' && Number(asObject(config.model)?.word_ngrams ?? 1) > 1, needs: 'word_ngrams of 2 or more' },
  { at: ['training', 'threads'], applies: (_, type) => type === 'embedding-classifier', needs: 'model.type: embedding-classifier (BERT runs compute on the backend)' },
  { at: ['training', 'decision_threshold'], applies: (config) => asObject(config.data)?.multi_label === true, needs: 'data.multi_label: true' },
];

function checkKeysWithoutEffect(ctx: CheckContext, modelType: unknown): void {
  if (modelType === undefined) return;
  for (const { at, applies, needs } of NEEDS) {
    if (!findPair(ctx.doc, at) || applies(ctx.config, modelType)) continue;
    report(ctx, keyRange(ctx.doc, at), DiagnosticSeverity.Warning, 'no-effect', `${at.join('.')} does nothing here: it needs ${needs}.`, { removePath: at });
  }
}

/** Checks `pretrained`; returns num_hidden_layers when the model is a readable local folder. */
async function checkBert(ctx: CheckContext, model: Json): Promise<number | undefined> {
  if (model.pretrained === undefined) {
    report(ctx, keyRange(ctx.doc, ['model']), DiagnosticSeverity.Error, 'required', 'A bert model needs "pretrained": a local folder in Hugging Face layout or a Hub model id.', {
      insertKey: { path: ['model'], key: 'pretrained' },
    });
    return undefined;
  }
  const written = valueAt(ctx, ['model', 'pretrained'], 'string');
  if (written === undefined || !ctx.folder) return undefined;
  const at: ConfigPath = ['model', 'pretrained'];
  const range = valueRange(ctx.doc, at);
  const resolved = resolveConfigPath(ctx.folder, written);
  const info = await ctx.fs.stat(resolved);
  if (info?.kind === 'file') {
    report(ctx, range, DiagnosticSeverity.Error, 'incomplete-model', `"${written}" is a file; expected a model folder with config.json, tokenizer.json or vocab.txt, and model.safetensors.`);
    return undefined;
  }
  if (!info) {
    if (HUB_ID.test(written) && !written.includes('..')) {
      report(ctx, range, DiagnosticSeverity.Information, 'hub-model', `"${written}" is not a local folder; it will be downloaded from the Hugging Face Hub, which needs network access.`);
    } else {
      await reportMissingPath(ctx, written, at, 'directory', 'Model folder not found');
    }
    return undefined;
  }
  const files = new Set((await ctx.fs.readDirectory(resolved)).filter((entry) => entry.kind === 'file').map((entry) => entry.name));
  const missing: string[] = [];
  if (!files.has('config.json')) missing.push('config.json');
  if (!files.has('tokenizer.json') && !files.has('vocab.txt')) missing.push('tokenizer.json or vocab.txt');
  if (!files.has('model.safetensors')) {
    missing.push(files.has('pytorch_model.bin') ? 'model.safetensors (pytorch_model.bin is there, but NLP Studio reads safetensors weights only)' : 'model.safetensors');
  }
  if (missing.length > 0) {
    report(ctx, range, DiagnosticSeverity.Error, 'incomplete-model', `The model folder "${written}" is incomplete: missing ${missing.join('; ')}.`);
  }
  if (!files.has('config.json')) return undefined;
  try {
    const config = asObject(JSON.parse(await ctx.fs.readHead(path.join(resolved, 'config.json'), HEAD_BYTES)));
    return typeof config?.num_hidden_layers === 'number' ? config.num_hidden_layers : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the head of a vectors file, or of the vectors in a word2vec run folder; reports what is wrong. */
async function checkVectorsPath(ctx: CheckContext, written: string, at: ConfigPath, folderOk: boolean, missingWhat: string): Promise<number | undefined> {
  const resolved = resolveConfigPath(ctx.folder ?? '.', written);
  const info = await ctx.fs.stat(resolved);
  const range = valueRange(ctx.doc, at);
  if (!info) {
    await reportMissingPath(ctx, written, at, 'any', missingWhat);
    return undefined;
  }
  let file = resolved;
  let size = info.size;
  if (info.kind === 'directory') {
    const names = new Set((await ctx.fs.readDirectory(resolved)).map((entry) => entry.name));
    const inside = ['vectors.txt', 'vectors.bin'].find((name) => names.has(name));
    if (!inside) {
      if (!folderOk) report(ctx, range, DiagnosticSeverity.Error, 'bad-vectors', `The folder "${written}" has no vectors.txt or vectors.bin.`);
      return undefined;
    }
    file = path.join(resolved, inside);
    size = (await ctx.fs.stat(file))?.size ?? Number.POSITIVE_INFINITY;
  }
  // The engine's reader decides the format from the same head (common/vectorsHead.ts).
  const head = describeVectorsHead(await ctx.fs.readHead(file, VECTORS_HEAD_BYTES), size <= VECTORS_HEAD_BYTES);
  if ('problem' in head) {
    report(ctx, range, DiagnosticSeverity.Error, 'bad-vectors', `"${written}" cannot be read as word vectors: ${head.problem}.`);
    return undefined;
  }
  return head.dim;
}

async function checkEmbeddingClassifier(ctx: CheckContext, model: Json): Promise<void> {
  const vectorSize = valueAt(ctx, ['model', 'vector_size'], 'number');
  if (model.vectors === undefined) {
    if (model.vector_size === undefined) {
      report(ctx, keyRange(ctx.doc, ['model']), DiagnosticSeverity.Error, 'required', 'An embedding-classifier without "vectors" needs "vector_size" (the embedding size).', {
        insertKey: { path: ['model'], key: 'vector_size' },
      });
    }
    return;
  }
  const written = valueAt(ctx, ['model', 'vectors'], 'string');
  if (written === undefined || !ctx.folder) return;
  const dimensions = await checkVectorsPath(ctx, written, ['model', 'vectors'], false, 'Vectors not found');
  if (dimensions !== undefined && vectorSize !== undefined && dimensions !== vectorSize) {
    report(ctx, valueRange(ctx.doc, ['model', 'vector_size']), DiagnosticSeverity.Error, 'vector-size', `vector_size ${vectorSize} does not match the ${dimensions} dimensions of "${written}".`, {
      replacements: [String(dimensions)],
      preferFirst: true,
    });
  }
}

// ------------------------------------------------------------------------------------------- stages

/** How much a `freeze` value freezes, for spotting a schedule that unfreezes and then freezes again. */
function frozenness(freeze: string): number {
  if (freeze === 'none') return 0;
  if (freeze === 'embeddings') return 1;
  if (freeze === 'encoder') return 4;
  const top = /^all-but-top-(\d+)$/.exec(freeze);
  return top ? 2 + 1 / Number(top[1]) : 0;
}

function stageName(stages: unknown[], index: number): string {
  const name = asObject(stages[index])?.name;
  return typeof name === 'string' ? `stage ${index + 1} ("${name}")` : `stage ${index + 1}`;
}

function checkStages(ctx: CheckContext, modelType: unknown, layers: number | undefined): void {
  const training = asObject(ctx.config.training);
  const stages = training?.stages;
  if (!Array.isArray(stages) || stages.length === 0 || !ctx.trusted(['training'])) return;
  const at = (index: number, key: string): ConfigPath => ['training', 'stages', index, key];
  const epochs = stages.map((_, index) => valueAt(ctx, at(index, 'epochs'), 'number'));
  if (epochs.every((value) => value !== undefined) && epochs.reduce((sum, value) => sum + (value ?? 0), 0) === 0) {
    report(ctx, keyRange(ctx.doc, ['training', 'stages']), DiagnosticSeverity.Error, 'stage-schedule', 'The schedule trains for 0 epochs in total: give at least one stage "epochs" above 0.');
  }
  const freezes = stages.map((stage, index) => (asObject(stage)?.freeze === undefined ? 'none' : valueAt(ctx, at(index, 'freeze'), 'string')));
  // Freeze first, unfreeze later protects pretrained weights; random embeddings have nothing to protect.
  const pretrained = modelType === 'bert' || (modelType === 'embedding-classifier' && asObject(ctx.config.model)?.vectors !== undefined);
  for (let index = 1; pretrained && index < stages.length; index++) {
    const previous = freezes[index - 1];
    const current = freezes[index];
    if (previous === undefined || current === undefined || frozenness(current) <= frozenness(previous)) continue;
    const range = findPair(ctx.doc, at(index, 'freeze')) ? valueRange(ctx.doc, at(index, 'freeze')) : keyRange(ctx.doc, ['training', 'stages', index]);
    report(
      ctx,
      range,
      DiagnosticSeverity.Warning,
      'stage-schedule',
      `${stageName(stages, index)} freezes more (${current}) than ${stageName(stages, index - 1)} (${previous}): the usual schedule trains the head on a frozen encoder first, then unfreezes.`,
    );
  }
  checkPatience(ctx, stages, epochs);
  stages.forEach((_, index) => {
    const freeze = freezes[index];
    const learningRate = valueAt(ctx, at(index, 'learning_rate'), 'number');
    const fullFineTuning = modelType === 'bert' && freeze !== undefined && freeze !== 'encoder';
    if (learningRate !== undefined && fullFineTuning && learningRate > LEARNING_RATE_TOO_HIGH) {
      report(
        ctx,
        valueRange(ctx.doc, at(index, 'learning_rate')),
        DiagnosticSeverity.Warning,
        'learning-rate',
        `Learning rate ${learningRate} is high for training a BERT encoder (freeze: ${freeze}); fine-tuning usually uses 2e-5 to 5e-5, and larger rates can destroy the pretrained weights.`,
      );
    }
    if (learningRate !== undefined && learningRate < LEARNING_RATE_TOO_LOW) {
      report(ctx, valueRange(ctx.doc, at(index, 'learning_rate')), DiagnosticSeverity.Warning, 'learning-rate', `Learning rate ${learningRate} is too small to change the weights noticeably.`);
    }
    const top = freeze === undefined ? null : /^all-but-top-(\d+)$/.exec(freeze);
    if (top && layers !== undefined && Number(top[1]) > layers) {
      report(
        ctx,
        valueRange(ctx.doc, at(index, 'freeze')),
        DiagnosticSeverity.Warning,
        'stage-schedule',
        `${freeze} asks for ${top[1]} trainable layers but the model has ${layers} (num_hidden_layers in config.json): the whole encoder will train.`,
      );
    }
  });
}

/**
 * Early stopping ends the stage it happens in and the schedule goes on (classificationTrainer.ts):
 * say so where patience is shorter than a stage that a later stage follows, so nobody expects the
 * whole run to stop there, nor the stage to run its full length.
 */
function checkPatience(ctx: CheckContext, stages: unknown[], epochs: (number | undefined)[]): void {
  const training = asObject(ctx.config.training);
  const earlyStopping = asObject(training?.early_stopping);
  if (!earlyStopping || (training?.eval_every ?? 'epoch') !== 'epoch') return;
  const patience = earlyStopping.patience === undefined ? 2 : valueAt(ctx, ['training', 'early_stopping', 'patience'], 'number');
  if (patience === undefined) return;
  const lastTraining = epochs.map((count) => (count ?? 0) > 0).lastIndexOf(true);
  const ended = stages.map((_, index) => index).filter((index) => index < lastTraining && (epochs[index] ?? 0) > patience);
  if (ended.length === 0) return;
  const at: ConfigPath = earlyStopping.patience === undefined ? ['training', 'early_stopping'] : ['training', 'early_stopping', 'patience'];
  const range = earlyStopping.patience === undefined ? keyRange(ctx.doc, at) : valueRange(ctx.doc, at);
  const named = ended.map((index) => `${stageName(stages, index)}, ${epochs[index]} epochs`).join('; ');
  report(
    ctx,
    range,
    DiagnosticSeverity.Information,
    'stage-schedule',
    `Early stopping ends a stage, not the run: with patience ${patience}, ${named} ${ended.length === 1 ? 'ends' : 'each end'} after ${patience} epoch(s) without a better validation ${typeof earlyStopping.metric === 'string' ? earlyStopping.metric : 'macro_f1'}, and the next stage starts. The best epoch of the whole run is the model written.`,
  );
}

// ----------------------------------------------------------------------------------------- word2vec

async function checkWord2vec(ctx: CheckContext): Promise<void> {
  const settings = asObject(ctx.config.word2vec);
  if (!settings) return;
  const negative = valueAt(ctx, ['word2vec', 'negative'], 'number');
  const hs = settings.hs === undefined ? false : valueAt(ctx, ['word2vec', 'hs'], 'boolean');
  if (hs === true) {
    report(ctx, valueRange(ctx.doc, ['word2vec', 'hs']), DiagnosticSeverity.Error, 'unsupported', 'Hierarchical softmax is not available in this version: the engine trains with negative sampling (hs: false, negative ≥ 1).', {
      replacements: ['false'],
      preferFirst: true,
    });
  }
  if (negative === 0 && hs === false) {
    report(ctx, valueRange(ctx.doc, ['word2vec', 'negative']), DiagnosticSeverity.Error, 'conflict', 'negative: 0 turns negative sampling off and hs is false: nothing would train. Set negative above 0 or hs: true.', {
      replacements: ['5'],
      preferFirst: true,
    });
  }
  const alpha = settings.alpha === undefined ? 0.025 : valueAt(ctx, ['word2vec', 'alpha'], 'number');
  const minAlpha = valueAt(ctx, ['word2vec', 'min_alpha'], 'number');
  if (alpha !== undefined && minAlpha !== undefined && minAlpha > alpha) {
    report(ctx, valueRange(ctx.doc, ['word2vec', 'min_alpha']), DiagnosticSeverity.Warning, 'learning-rate', `min_alpha ${minAlpha} is larger than alpha ${alpha}: the learning rate would grow during training.`);
  }
  const initFrom = valueAt(ctx, ['word2vec', 'init_from'], 'string');
  if (initFrom !== undefined && ctx.folder) await checkVectorsPath(ctx, initFrom, ['word2vec', 'init_from'], true, 'Nothing to continue from (a run folder that is not trained yet?)');
}
