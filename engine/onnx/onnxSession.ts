// onnxruntime-node, loaded only when an ONNX model is used: it is native (per platform, carried by
// the platform's .vsix as out/node_modules/onnxruntime-node; scripts/onnxruntime-binaries.mjs), and
// nothing else in the engine needs it. A session runs a graph with Optimum's inputs on a token batch.
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { TokenBatch } from '../data/tokenBatches';

type OnnxRuntime = typeof import('onnxruntime-node');
let runtime: Promise<OnnxRuntime> | undefined;

/** The name predictions report for this runtime. */
export const ONNX_RUNTIME_NAME = 'onnxruntime';

export function loadOnnxRuntime(): Promise<OnnxRuntime> {
  runtime ??= import('onnxruntime-node').catch((error: unknown) => {
    runtime = undefined;
    throw new Error(`onnxruntime-node cannot be loaded on ${process.platform}-${process.arch} (${(error as Error).message.split('\n')[0]}); ONNX models need it`);
  });
  return runtime;
}

/** The runtime's version, for "which runtime answered". */
export async function onnxRuntimeVersion(): Promise<string> {
  const ort = await loadOnnxRuntime();
  return ort.env.versions.node ?? ort.env.versions.common;
}

export interface Logits {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export class OnnxSession {
  private constructor(
    private readonly ort: OnnxRuntime,
    private readonly session: InferenceSession,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<OnnxSession> {
    const ort = await loadOnnxRuntime();
    const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all' }).catch((error: unknown) => {
      throw new Error(`${file}: onnxruntime cannot load it (${(error as Error).message})`);
    });
    return new OnnxSession(ort, session, file);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  /** The graph's `logits` for a padded token batch (the inputs it declares, as int64). */
  async logits(batch: TokenBatch): Promise<Logits> {
    const dims = [batch.batchSize, batch.sequenceLength];
    const int64 = (values: Int32Array): Tensor => new this.ort.Tensor('int64', BigInt64Array.from(values, (value) => BigInt(value)), dims);
    const available: Record<string, () => Tensor> = {
      input_ids: () => int64(batch.inputIds),
      attention_mask: () => int64(batch.attentionMask),
      token_type_ids: () => int64(batch.tokenTypeIds),
    };
    const feeds: Record<string, Tensor> = {};
    for (const name of this.session.inputNames) {
      const make = available[name];
      if (make === undefined) throw new Error(`${this.file}: the graph wants an input ${name}; a text model gets input_ids, attention_mask and token_type_ids`);
      feeds[name] = make();
    }
    const outputs = await this.session.run(feeds);
    const logits = outputs.logits ?? outputs[this.session.outputNames[0] ?? ''];
    if (logits === undefined || logits.type !== 'float32') throw new Error(`${this.file}: the graph has no float32 logits output`);
    return { data: logits.data as Float32Array, dims: logits.dims };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
