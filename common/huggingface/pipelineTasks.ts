// Which transformers.js pipelines a model folder can run, read from its config.json: the head its
// `architectures` class names (`BertForTokenClassification` → token-classification), and for a
// sequence classifier trained on NLI (an `entailment` label) zero-shot classification as well. The
// engine, the CLI and the extension all ask this one table.

export const PIPELINE_TASKS = ['text-classification', 'token-classification', 'fill-mask', 'zero-shot-classification'] as const;
export type PipelineTask = (typeof PIPELINE_TASKS)[number];

/** The head a Hugging Face class name ends in, and the pipelines it runs. */
export const HEAD_CLASS_SUFFIXES: readonly { readonly suffix: string; readonly head: 'sequence-classification' | 'token-classification' | 'masked-lm'; readonly tasks: readonly PipelineTask[] }[] = [
  { suffix: 'ForSequenceClassification', head: 'sequence-classification', tasks: ['text-classification'] },
  { suffix: 'ForTokenClassification', head: 'token-classification', tasks: ['token-classification'] },
  { suffix: 'ForMaskedLM', head: 'masked-lm', tasks: ['fill-mask'] },
];

/** The class config.json names first (`architectures[0]`), when it names one. */
export function architectureClass(config: Readonly<Record<string, unknown>>): string | undefined {
  const classes = config.architectures;
  return Array.isArray(classes) && typeof classes[0] === 'string' ? classes[0] : undefined;
}

export function headOfClass(className: string | undefined): (typeof HEAD_CLASS_SUFFIXES)[number] | undefined {
  return className === undefined ? undefined : HEAD_CLASS_SUFFIXES.find((row) => className.endsWith(row.suffix));
}

/** An NLI label set (transformers.js' zero-shot pipeline looks for a label starting with "entail"). */
function hasEntailment(config: Readonly<Record<string, unknown>>): boolean {
  const labels = config.id2label;
  return typeof labels === 'object' && labels !== null && Object.values(labels).some((label) => typeof label === 'string' && label.toLowerCase().startsWith('entail'));
}

/** The pipelines a folder with this config.json runs, the likeliest first; empty when none. */
export function pipelineTasksOf(config: Readonly<Record<string, unknown>>): PipelineTask[] {
  const head = headOfClass(architectureClass(config));
  if (head === undefined) return [];
  if (head.head === 'sequence-classification' && hasEntailment(config)) return ['zero-shot-classification', 'text-classification'];
  return [...head.tasks];
}

/** What each task answers with, for people. */
export const PIPELINE_TASK_DESCRIPTIONS: Readonly<Record<PipelineTask, string>> = {
  'text-classification': 'the label of the text, with every class’s probability',
  'token-classification': 'the entities in the text, marked where they are',
  'fill-mask': 'the likeliest words for each mask token',
  'zero-shot-classification': 'how well each of your candidate labels fits the text',
};

/** The graphs transformers.js loads from onnx/ by `dtype` (its file-suffix table), the one to prefer first. */
export const ONNX_DTYPE_FILES: readonly { readonly file: string; readonly dtype: string }[] = [
  { file: 'onnx/model.onnx', dtype: 'fp32' },
  { file: 'onnx/model_quantized.onnx', dtype: 'q8' },
  { file: 'onnx/model_fp16.onnx', dtype: 'fp16' },
  { file: 'onnx/model_int8.onnx', dtype: 'int8' },
  { file: 'onnx/model_uint8.onnx', dtype: 'uint8' },
  { file: 'onnx/model_q4.onnx', dtype: 'q4' },
];

/**
 * Whether a folder answers only as a transformers.js pipeline: it has a graph in onnx/, and either a
 * head the engine's own classifiers are not (token classification, masked LM) or no weights file for
 * the engine to load (a folder made for transformers.js). A sequence classifier with its weights is
 * one of the engine's classifiers, which use the ONNX graph themselves.
 */
export function isPipelineFolder(config: Readonly<Record<string, unknown>>, has: (relativePath: string) => boolean): boolean {
  if (!ONNX_DTYPE_FILES.some(({ file }) => has(file)) || pipelineTasksOf(config).length === 0) return false;
  const head = headOfClass(architectureClass(config));
  return head?.head !== 'sequence-classification' || !(has('model.safetensors') || has('pytorch_model.bin'));
}
