// transformers.js pipelines on a local model folder (config.json, tokenizer files, onnx/*.onnx), for
// the tasks of common/huggingface/pipelineTasks.ts. The library is loaded only when a pipeline is
// first used: it brings onnxruntime-node (native) with it, which nothing else in the engine needs.
// Remote models are off: a folder is read from the disk, never from the Hub.
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import { ONNX_DTYPE_FILES, PIPELINE_TASKS, type PipelineTask } from '../../common/huggingface/pipelineTasks';
import type { PipelineOutput, PipelineParams, ScoredLabel } from '../../common/protocol/engine';
import { readJsonObject } from '../models/modelTokenizer';
import { ONNX_RUNTIME_NAME, onnxRuntimeVersion } from '../onnx/onnxSession';
import { groupEntities, type TokenPrediction } from './entityOffsets';

const importTransformers = () => import('@huggingface/transformers');
type Transformers = Awaited<ReturnType<typeof importTransformers>>;

let transformers: Promise<Transformers> | undefined;

function loadTransformers(): Promise<Transformers> {
  transformers ??= importTransformers().then(
    (library) => {
      library.env.allowRemoteModels = false;
      library.env.useFSCache = false;
      return library;
    },
    (error: unknown) => {
      transformers = undefined;
      throw new Error(`transformers.js cannot be loaded (${(error as Error).message.split('\n')[0]}); pipelines need it`);
    },
  );
  return transformers;
}

/** What a task's runner gets: the pipeline as transformers.js returns it (its types are a union over every task). */
interface RunnablePipeline {
  (texts: string | string[], ...options: unknown[]): Promise<unknown>;
  readonly tokenizer: { readonly mask_token?: string | null };
  dispose(): Promise<void>;
}

type Options = Pick<PipelineParams, 'candidateLabels' | 'topK'>;

/** Each task: its texts through the pipeline, as the protocol's outputs. */
const RUNNERS: Readonly<Record<PipelineTask, (pipe: RunnablePipeline, texts: readonly string[], options: Options) => Promise<PipelineOutput[]>>> = {
  'text-classification': async (pipe, texts) => {
    const results = (await pipe([...texts], { top_k: null })) as ScoredLabel[][];
    return results.map((scores) => ({ task: 'text-classification', scores: scores.map(({ label, score }) => ({ label, score })) }));
  },
  'token-classification': async (pipe, texts) => {
    const outputs: PipelineOutput[] = [];
    for (const text of texts) outputs.push({ task: 'token-classification', entities: groupEntities(text, (await pipe(text, { ignore_labels: ['O'] })) as TokenPrediction[]) });
    return outputs;
  },
  'fill-mask': async (pipe, texts, { topK = 5 }) => {
    const mask = pipe.tokenizer.mask_token ?? '[MASK]';
    const outputs: PipelineOutput[] = [];
    for (const text of texts) {
      if (!text.includes(mask)) throw new Error(`the text has no ${mask}: put ${mask} where a word is to be filled in`);
      const fills = (await pipe(text, { top_k: topK })) as { token_str: string; score: number; sequence: string }[];
      outputs.push({ task: 'fill-mask', fills: fills.map((fill) => ({ token: fill.token_str, score: fill.score, sequence: fill.sequence })) });
    }
    return outputs;
  },
  'zero-shot-classification': async (pipe, texts, { candidateLabels = [] }) => {
    if (candidateLabels.length === 0) throw new Error('zero-shot classification needs candidate labels to score the text against');
    const outputs: PipelineOutput[] = [];
    for (const text of texts) {
      const { labels, scores } = (await pipe(text, [...candidateLabels])) as { labels: string[]; scores: number[] };
      outputs.push({ task: 'zero-shot-classification', scores: labels.map((label, i) => ({ label, score: scores[i]! })) });
    }
    return outputs;
  },
};

export interface LoadedPipeline {
  readonly task: PipelineTask;
  readonly modelType: string;
  readonly runtime: string;
  run(texts: readonly string[], options: Options): Promise<PipelineOutput[]>;
  dispose(): void;
}

/** The graph transformers.js would load first from the folder, and its `dtype`. */
export async function pipelineGraph(folder: string): Promise<{ file: string; dtype: string }> {
  for (const candidate of ONNX_DTYPE_FILES) {
    if (await access(path.join(folder, candidate.file)).then(() => true, () => false)) return candidate;
  }
  throw new Error(`${folder} has no ONNX graph for transformers.js (${ONNX_DTYPE_FILES.map(({ file }) => file).join(', ')}); nlp-studio export writes one for a model with its weights`);
}

/** The `task` pipeline of the local folder `folder`. */
export async function loadPipeline(folder: string, task: PipelineTask): Promise<LoadedPipeline> {
  if (!PIPELINE_TASKS.includes(task)) throw new Error(`unknown pipeline task ${JSON.stringify(task)}; tasks: ${PIPELINE_TASKS.join(', ')}`);
  const config = await readJsonObject(path.join(folder, 'config.json'));
  const graph = await pipelineGraph(folder);
  const library = await loadTransformers();
  const created = await library.pipeline(task, folder, { local_files_only: true, dtype: graph.dtype as 'fp32' }).catch((error: unknown) => {
    throw new Error(`transformers.js cannot run ${folder} as ${task}: ${(error as Error).message}`);
  });
  const pipe = created as unknown as RunnablePipeline;
  const runtime = `transformers.js ${library.env.version} on ${ONNX_RUNTIME_NAME} ${await onnxRuntimeVersion()} (${graph.file})`;
  return {
    task,
    modelType: typeof config.model_type === 'string' ? config.model_type : 'unknown',
    runtime,
    run: (texts, options) => RUNNERS[task](pipe, texts, options),
    dispose: () => void pipe.dispose(),
  };
}
