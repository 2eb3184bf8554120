// Checks the schema cannot express: files exist, columns exist, models are complete, sizes agree, the
// stage schedule makes sense. Only for values that passed the schema; reads at most a file's head
// (LABEL_SCAN_BYTES of a labelled file, for its classes).
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-types';
import { readColumns, type ColumnFormat } from '../data/dataHeader';
import { asDataFormat, dataFormatOf, type DataFormat } from '../data/dataFormat';
import { labelsInHead } from '../data/labelledRecords';
import { caseCollisionMessage, labelsDifferingOnlyInCase } from '../data/labels';
import { UnreadableTextError } from '../data/textFile';
import { cachedSnapshot, DEFAULT_REVISION, isHubReference } from '../huggingface/hubCache';
import { VECTORS_FILES } from '../vectorsFolder';
import { describeVectorsHead, VECTORS_HEAD_BYTES } from '../vectorsHead';
import { findPair, type ConfigDocument, type ConfigPath } from './configDocument';
import { keyRange, valueRange } from './configRanges';
import { compareDiagnostics, diagnostic, DiagnosticSeverity, type DiagnosticCode, type DiagnosticData } from './diagnostics';
import { closeMatches } from './didYouMean';
import { configFolder, isGlobPattern, resolveConfigPath, type ConfigFileSystem } from './fileSystem';
import { schemaAt, schemaErrors } from './schemaDiagnostics';
import { architectureOf, parseEncoderConfig, type EncoderConfig } from '../huggingface/architectures/encoderConfig';
import { checkConfigFitsWeights } from '../huggingface/architectures/weightsFit';
import { MODEL_FOLDER_FILES, missingModelFiles, WEIGHTS_FILES } from '../huggingface/modelFolderFiles';

const HEAD_BYTES = 64 * 1024;
/** Bytes of a labelled file read for its labels: a smaller file is read whole, so one class is an error here as in the run. */
export const LABEL_SCAN_BYTES = 256 * 1024;
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
  options: SemanticOptions;
}

export interface SemanticOptions {
  /** The editor's workspace folders: a path outside all of them gets a warning. None given: no such check (the CLI). */
  readonly workspaceFolders?: readonly string[];
}

export async function semanticDiagnostics(doc: ConfigDocument, fs: ConfigFileSystem, options: SemanticOptions = {}): Promise<Diagnostic[]> {
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
    options,
    trusted: (target) => {
      const pointer = target.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
      return !errorPointers.some((error) => error === pointer || error.startsWith(`${pointer}/`) || pointer.startsWith(`${error}/`));
    },
  };
  const task = ctx.trusted(['task']) ? config.task : undefined;
  const checks: Promise<void>[] = [checkData(ctx, task), checkOutput(ctx)];
  if (task === 'text-classification') checks.push(checkModelAndStages(ctx));
  checkQuantize(ctx);
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

/** `output.quantize` writes the int8 copy of onnx/model.onnx: without `onnx` in the formats it does nothing. */
function checkQuantize(ctx: CheckContext): void {
  if (valueAt(ctx, ['output', 'quantize'], 'boolean') !== true) return;
  const formats = asObject(ctx.config.output)?.formats;
  if (Array.isArray(formats) && formats.includes('onnx')) return;
  report(ctx, keyRange(ctx.doc, ['output', 'quantize']), DiagnosticSeverity.Error, 'conflict', 'quantize writes onnx/model_quantized.onnx beside onnx/model.onnx: add onnx to output.formats (with huggingface).');
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
  const trainFiles: DataFile[] = [];
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
  for (const [file, only] of [[trainFiles[0], trainFiles.length === 1], [validationFiles[0], false]] as const) {
    if (file === undefined || checked.has(file.path)) continue;
    checked.add(file.path);
    await checkDataFile(ctx, file, task === 'text-classification', only);
  }
}

/** A data file the config names, and the config value that names it. */
interface DataFile {
  path: string;
  at: ConfigPath;
}

/** The files a data path names (a glob may name several); reports a missing path. */
async function existingDataFiles(ctx: CheckContext, written: string, at: ConfigPath): Promise<DataFile[]> {
  const folder = ctx.folder ?? '.';
  if (isGlobPattern(written)) {
    const matches = (await ctx.fs.glob(written, folder)).sort();
    if (matches.length === 0) report(ctx, valueRange(ctx.doc, at), DiagnosticSeverity.Error, 'missing-file', `No files match "${written}" (relative to the config's folder).`);
    const outside = matches.find((match) => !insideWorkspace(ctx, match));
    if (outside !== undefined) reportOutsideWorkspace(ctx, written, outside, at, 'reads');
    return matches.map((match) => ({ path: match, at }));
  }
  const resolved = resolveConfigPath(folder, written);
  const info = await ctx.fs.stat(resolved);
  if (info?.kind === 'file') {
    if (!insideWorkspace(ctx, resolved)) reportOutsideWorkspace(ctx, written, resolved, at, 'reads');
    return [{ path: resolved, at }];
  }
  if (info?.kind === 'directory') {
    report(ctx, valueRange(ctx.doc, at), DiagnosticSeverity.Error, 'missing-file', `"${written}" is a folder; expected a file or a glob such as "${written.replace(/\/$/, '')}/*.txt".`);
    return [];
  }
  await reportMissingPath(ctx, written, at, 'file', 'File not found');
  return [];
}

/** "File not found", with a did-you-mean among the siblings of the missing path, or the file that stands where a folder should. */
async function reportMissingPath(ctx: CheckContext, written: string, at: ConfigPath, kind: 'file' | 'directory' | 'any', what: string): Promise<void> {
  const blocker = await fileInTheWay(ctx, written);
  if (blocker !== undefined) {
    report(ctx, valueRange(ctx.doc, at), DiagnosticSeverity.Error, 'missing-file', `${what}: "${written}" (relative to the config's folder): "${blocker}" is a file, not a folder.`);
    return;
  }
  const slash = written.lastIndexOf('/');
  const writtenFolder = written.slice(0, slash + 1);
  const siblings = await ctx.fs.readDirectory(resolveConfigPath(ctx.folder ?? '.', writtenFolder || '.'));
  const names = siblings.filter((entry) => kind === 'any' || entry.kind === kind).map((entry) => entry.name);
  const close = closeMatches(written.slice(slash + 1), names).map((name) => writtenFolder + name);
  const hint = close[0] ? ` Did you mean "${close[0]}"?` : '';
  report(ctx, valueRange(ctx.doc, at), DiagnosticSeverity.Error, 'missing-file', `${what}: "${written}" (relative to the config's folder).${hint}`, close.length > 0 ? { replacements: close, preferFirst: true } : undefined);
}

/** The leading part of a written path that is a file, when the path goes on below it (`data.csv/x`). */
async function fileInTheWay(ctx: CheckContext, written: string): Promise<string | undefined> {
  const parts = written.split('/');
  for (let end = 1; end < parts.length; end++) {
    const prefix = parts.slice(0, end).join('/');
    if (prefix === '' || prefix === '.' || prefix === '..') continue;
    if ((await ctx.fs.stat(resolveConfigPath(ctx.folder ?? '.', prefix)))?.kind === 'file') return prefix;
  }
  return undefined;
}

function insideWorkspace(ctx: CheckContext, resolved: string): boolean {
  const folders = ctx.options.workspaceFolders ?? [];
  if (folders.length === 0) return true;
  return folders.some((folder) => {
    const relative = path.relative(folder, resolved);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  });
}

function reportOutsideWorkspace(ctx: CheckContext, written: string, resolved: string, at: ConfigPath, verb: 'reads' | 'writes'): void {
  const what = verb === 'reads' ? 'the run would read it' : 'the run would write there';
  report(ctx, valueRange(ctx.doc, at), DiagnosticSeverity.Warning, 'outside-workspace', `"${written}" is outside the workspace (${resolved}): ${what}.`);
}

function formatOf(ctx: CheckContext, file: string): DataFormat {
  const declared = valueAt(ctx, ['data', 'format'], 'string');
  return dataFormatOf(file, asDataFormat(declared));
}


/** Reads a data file's head as the engine would: text in its encoding, its columns, its labels. */
async function checkDataFile(ctx: CheckContext, file: DataFile, needsLabel: boolean, onlyTrainFile: boolean): Promise<void> {
  const format = formatOf(ctx, file.path);
  const shown = path.relative(ctx.folder ?? '.', file.path) || file.path;
  const scanned = needsLabel && format !== 'text' ? LABEL_SCAN_BYTES : HEAD_BYTES;
  let head: string;
  try {
    head = await ctx.fs.readTextHead(file.path, scanned);
  } catch (error) {
    if (!(error instanceof UnreadableTextError)) throw error;
    report(ctx, valueRange(ctx.doc, file.at), DiagnosticSeverity.Error, 'unreadable-data', `${shown} cannot be read as text: ${error.reason}.`);
    return;
  }
  if (format === 'text') return;
  const columns = readColumns(head, format);
  if (!columns || !checkColumns(ctx, shown, format, columns, needsLabel) || !needsLabel) return;
  const size = (await ctx.fs.stat(file.path))?.size;
  const complete = size !== undefined && size <= scanned;
  const textColumn = valueAt(ctx, ['data', 'text_column'], 'string') ?? 'text';
  const labelColumn = valueAt(ctx, ['data', 'label_column'], 'string') ?? 'label';
  const multiLabel = valueAt(ctx, ['data', 'multi_label'], 'boolean') === true;
  const separatorAt: ConfigPath = ['data', 'label_separator'];
  const separator = multiLabel ? (valueAt(ctx, separatorAt, 'string') ?? (schemaAt(separatorAt)?.default as string)) : undefined;
  const labels = labelsInHead(head, format, textColumn, labelColumn, complete, separator);
  if (!labels) return;
  const labelRange = findPair(ctx.doc, ['data', 'label_column']) ? valueRange(ctx.doc, ['data', 'label_column']) : keyRange(ctx.doc, ['data']);
  for (const pair of labelsDifferingOnlyInCase(labels).slice(0, 3)) report(ctx, labelRange, DiagnosticSeverity.Warning, 'label-case', caseCollisionMessage(pair, shown));
  if (complete && onlyTrainFile && !multiLabel && labels.size === 1) {
    const [only] = labels;
    report(ctx, valueRange(ctx.doc, file.at), DiagnosticSeverity.Error, 'single-class', `${shown} has one class ("${only}"): a classifier needs at least two.`);
  }
}

/** Reports text and label columns the header lacks; true when both are there. */
function checkColumns(ctx: CheckContext, shown: string, format: ColumnFormat, columns: string[], needsLabel: boolean): boolean {
  const kinds: { key: 'text_column' | 'label_column'; fallback: string }[] = [{ key: 'text_column', fallback: 'text' }];
  if (needsLabel) kinds.push({ key: 'label_column', fallback: 'label' });
  let found = true;
  for (const { key, fallback } of kinds) {
    const at: ConfigPath = ['data', key];
    const given = findPair(ctx.doc, at) !== undefined;
    if (given && !ctx.trusted(at)) {
      found = false;
      continue;
    }
    const column = valueAt(ctx, at, 'string') ?? fallback;
    if (columns.includes(column)) continue;
    found = false;
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
  return found;
}

/** `output.dir` must be a folder (created when missing), inside the workspace. */
async function checkOutput(ctx: CheckContext): Promise<void> {
  const written = valueAt(ctx, ['output', 'dir'], 'string');
  if (written === undefined || !ctx.folder) return;
  const at: ConfigPath = ['output', 'dir'];
  const resolved = resolveConfigPath(ctx.folder, written);
  const blocker = (await ctx.fs.stat(resolved))?.kind === 'file' ? written : await fileInTheWay(ctx, written);
  if (blocker === written) {
    report(ctx, valueRange(ctx.doc, at), DiagnosticSeverity.Error, 'missing-file', `"${written}" is a file; output.dir is a folder (created when missing).`);
  } else if (blocker !== undefined) {
    report(ctx, valueRange(ctx.doc, at), DiagnosticSeverity.Error, 'missing-file', `"${written}" goes through "${blocker}", which is a file, not a folder.`);
  }
  if (!insideWorkspace(ctx, resolved)) reportOutsideWorkspace(ctx, written, resolved, at, 'writes');
}

// ------------------------------------------------------------------------------------------- models

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

/** Checks `pretrained` as the engine would load it; returns its encoder layer count when the model is a readable local folder. */
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
    report(ctx, range, DiagnosticSeverity.Error, 'incomplete-model', `"${written}" is a file; expected a model folder with config.json, tokenizer.json or vocab.txt, and model.safetensors or pytorch_model.bin.`);
    return undefined;
  }
  if (!info) {
    if (!isHubReference(written)) {
      await reportMissingPath(ctx, written, at, 'directory', 'Model folder not found');
      return undefined;
    }
    const snapshot = await cachedHubSnapshot(ctx, written);
    if (snapshot === undefined) return undefined;
    return checkModelFolder(ctx, snapshot, `"${written}" in the Hugging Face cache`, range);
  }
  // A local folder outside the workspace is worth a word; the Hugging Face cache always is outside.
  if (!insideWorkspace(ctx, resolved)) reportOutsideWorkspace(ctx, written, resolved, at, 'reads');
  return checkModelFolder(ctx, resolved, `The model folder "${written}"`, range);
}

/**
 * The cached snapshot of a Hub model at `model.revision`, or undefined with a note: it will be
 * downloaded on the first run, or (HF_HUB_OFFLINE) the run will fail.
 */
async function cachedHubSnapshot(ctx: CheckContext, id: string): Promise<string | undefined> {
  const cache = ctx.fs.huggingfaceCache;
  const range = valueRange(ctx.doc, ['model', 'pretrained']);
  const revision = valueAt(ctx, ['model', 'revision'], 'string') ?? DEFAULT_REVISION;
  const at = revision === DEFAULT_REVISION ? `"${id}"` : `"${id}" at revision "${revision}"`;
  if (cache === undefined) {
    report(ctx, range, DiagnosticSeverity.Information, 'hub-model', `${at} is not a local folder: it is read from the Hugging Face cache, or downloaded from the Hub on the first run.`);
    return undefined;
  }
  const reader = { readText: (file: string) => ctx.fs.readHead(file, 256).catch(() => undefined), isDirectory: async (folder: string) => (await ctx.fs.stat(folder))?.kind === 'directory' };
  const snapshot = await cachedSnapshot(reader, cache.dir, id, revision);
  if (snapshot !== undefined) return snapshot.folder;
  if (cache.offline) {
    report(ctx, range, DiagnosticSeverity.Warning, 'hub-model', `${at} is not in the Hugging Face cache (${cache.dir}) and HF_HUB_OFFLINE is set: the run will fail. Unset HF_HUB_OFFLINE to download it, or download it where the Hub is reachable.`);
  } else {
    report(ctx, range, DiagnosticSeverity.Information, 'hub-model', `${at} is not a local folder or in the Hugging Face cache (${cache.dir}): the first run downloads it from the Hub into that cache.`);
  }
  return undefined;
}

/** Checks a model folder (local, or a cached snapshot) for the files the engine reads; returns num_hidden_layers. */
async function checkModelFolder(ctx: CheckContext, resolved: string, what: string, range: Diagnostic['range']): Promise<number | undefined> {
  const files = new Set((await ctx.fs.readDirectory(resolved)).filter((entry) => entry.kind === 'file').map((entry) => entry.name));
  const parsed = files.has(MODEL_FOLDER_FILES.config) ? await readModelConfig(ctx, path.join(resolved, MODEL_FOLDER_FILES.config)) : undefined;
  const config = typeof parsed === 'object' ? await configBesideWeights(ctx, parsed, resolved, files) : parsed;
  if (typeof config === 'string') report(ctx, range, DiagnosticSeverity.Error, 'incomplete-model', `${what} has an unusable ${config}`);
  const architecture = typeof config === 'object' ? architectureOf(config) : undefined;
  // The engine's own list of what a folder of this architecture needs.
  const missing = missingModelFiles((name) => files.has(name), architecture);
  if (missing.length > 0) {
    report(ctx, range, DiagnosticSeverity.Error, 'incomplete-model', `${what} is incomplete: missing ${missing.join(', ')}.`);
  }
  return typeof config === 'object' ? config.numHiddenLayers : undefined;
}

/** The config, or what is wrong when its sizes need more than the weights file beside it holds (as the engine checks before loading). */
async function configBesideWeights(ctx: CheckContext, config: EncoderConfig, folder: string, files: ReadonlySet<string>): Promise<EncoderConfig | string> {
  const weights = WEIGHTS_FILES.find((name) => files.has(name));
  const size = weights === undefined ? undefined : (await ctx.fs.stat(path.join(folder, weights)))?.size;
  if (weights === undefined || size === undefined) return config;
  try {
    checkConfigFitsWeights(config, MODEL_FOLDER_FILES.config, weights, size);
    return config;
  } catch (error) {
    return `${(error as Error).message}.`;
  }
}

/** config.json as the engine parses it; a string saying what is wrong when the engine would refuse it; undefined when it cannot be judged from its head. */
async function readModelConfig(ctx: CheckContext, file: string): Promise<EncoderConfig | string | undefined> {
  const head = await ctx.fs.readHead(file, HEAD_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(head);
  } catch (error) {
    const whole = ((await ctx.fs.stat(file))?.size ?? 0) <= HEAD_BYTES;
    return whole ? `config.json: it is not JSON (${(error as Error).message}).` : undefined;
  }
  try {
    return parseEncoderConfig(json, 'config.json');
  } catch (error) {
    return `${(error as Error).message}.`;
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
  if (!insideWorkspace(ctx, resolved)) reportOutsideWorkspace(ctx, written, resolved, at, 'reads');
  let file = resolved;
  let size = info.size;
  if (info.kind === 'directory') {
    const names = new Set((await ctx.fs.readDirectory(resolved)).map((entry) => entry.name));
    const inside = VECTORS_FILES.find((name) => names.has(name));
    if (!inside) {
      if (!folderOk) report(ctx, range, DiagnosticSeverity.Error, 'bad-vectors', `The folder "${written}" has no ${VECTORS_FILES.join(' or ')}.`);
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
        DiagnosticSeverity.Error,
        'stage-schedule',
        // The engine refuses the stage (training/freezeSpec.ts planFreeze).
        `${freeze} asks for ${top[1]} trainable layers but the model has ${layers} (its config.json); use at most all-but-top-${layers}.`,
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
  const patienceAt: ConfigPath = ['training', 'early_stopping', 'patience'];
  const patience = earlyStopping.patience === undefined ? (schemaAt(patienceAt)?.default as number) : valueAt(ctx, patienceAt, 'number');
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
    `Early stopping ends a stage, not the run: with patience ${patience}, ${named} ${ended.length === 1 ? 'ends' : 'each end'} after ${patience} epoch(s) without a better validation ${typeof earlyStopping.metric === 'string' ? earlyStopping.metric : String(schemaAt(['training', 'early_stopping', 'metric'])?.default)}, and the next stage starts. The best epoch of the whole run is the model written.`,
  );
}

// ----------------------------------------------------------------------------------------- word2vec

async function checkWord2vec(ctx: CheckContext): Promise<void> {
  const settings = asObject(ctx.config.word2vec);
  if (!settings) return;
  const negative = valueAt(ctx, ['word2vec', 'negative'], 'number');
  const hs = settings.hs === undefined ? false : valueAt(ctx, ['word2vec', 'hs'], 'boolean');
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
