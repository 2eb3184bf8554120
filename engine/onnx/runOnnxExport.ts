// The `onnx` output format of a classification run: the ONNX files beside the Hugging Face folder,
// and the summary.json entry that says what they are and, with `output.quantize`, what int8 weights
// cost on the validation set (both graphs scored through onnxruntime on the same batches).
import * as path from 'node:path';
import { evaluationBatches } from '../data/tokenBatches';
import type { TokenizedExamples } from '../data/tokenizedExamples';
import { argMax } from '../prediction/predictions';
import { exportOnnx } from './onnxExport';
import { OnnxSession } from './onnxSession';

export interface RunOnnxOptions {
  readonly quantize: boolean;
  /** The run's validation examples, to score the graphs on. */
  readonly validation: TokenizedExamples | undefined;
  readonly batchSize: number;
}

/** Writes onnx/ in the run folder `dir`; returns the files written and the summary entry. */
export async function exportRunOnnx(dir: string, options: RunOnnxOptions): Promise<{ files: string[]; summary: Record<string, unknown> }> {
  const result = await exportOnnx(dir, { quantize: options.quantize });
  const relative = (file: string): string => path.relative(dir, file);
  const summary: Record<string, unknown> = { model: relative(result.modelFile), exportSeconds: result.seconds };
  if (result.quantizedFile !== undefined) {
    summary.quantized = relative(result.quantizedFile);
    if (options.validation !== undefined && options.validation.count > 0) {
      const accuracy = await onnxAccuracy(result.modelFile, options.validation, options.batchSize);
      const quantizedAccuracy = await onnxAccuracy(result.quantizedFile, options.validation, options.batchSize);
      summary.validation = { accuracy, quantizedAccuracy, accuracyChange: quantizedAccuracy - accuracy };
    }
  }
  return { files: result.files, summary };
}

/** Accuracy of the graph in `file` on labelled examples (single-label: the argmax of the logits). */
export async function onnxAccuracy(file: string, examples: TokenizedExamples, batchSize: number): Promise<number> {
  const session = await OnnxSession.open(file);
  try {
    let correct = 0;
    for (const batch of evaluationBatches(examples, batchSize)) {
      const { data, dims } = await session.logits(batch);
      const classes = dims[1] ?? 0;
      for (let row = 0; row < batch.batchSize; row++) if (argMax(data.subarray(row * classes, (row + 1) * classes)) === batch.labels[row]) correct++;
    }
    return correct / examples.count;
  } finally {
    await session.dispose();
  }
}
