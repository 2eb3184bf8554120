// transformers.js pipelines kept loaded for the editor (prediction/modelCache.ts), one per folder and
// task, loaded again when the folder's config or graphs change.
import * as path from 'node:path';
import { ONNX_DTYPE_FILES } from '../../common/huggingface/pipelineTasks';
import type { PipelineParams, PipelineResult } from '../../common/protocol/engine';
import { fileStamp, ModelCache } from '../prediction/modelCache';
import { loadPipeline, type LoadedPipeline } from './transformersPipelines';

const STAMPED_FILES = ['config.json', 'tokenizer.json', ...ONNX_DTYPE_FILES.map(({ file }) => file)];
const SEPARATOR = '\0';

export class PipelineStore {
  private readonly cache = new ModelCache<LoadedPipeline>({
    capacity: 3,
    load: (key) => {
      const [folder, task] = key.split(SEPARATOR) as [string, PipelineParams['task']];
      return loadPipeline(folder, task);
    },
    stamp: (key) => fileStamp(key.split(SEPARATOR)[0]!, STAMPED_FILES),
  });

  run(params: PipelineParams): Promise<PipelineResult> {
    const key = `${path.resolve(params.modelPath)}${SEPARATOR}${params.task}`;
    return this.cache.with(key, async (pipeline) => ({
      task: pipeline.task,
      modelType: pipeline.modelType,
      runtime: pipeline.runtime,
      outputs: await pipeline.run(params.texts, { ...(params.candidateLabels ? { candidateLabels: params.candidateLabels } : {}), ...(params.topK ? { topK: params.topK } : {}) }),
    }));
  }

  dispose(): void {
    this.cache.dispose();
  }
}
