// How a graph stores and applies its big weights: as float32 (model.onnx), or as int8 with dynamic
// quantisation of the activations (model_quantized.onnx, what transformers.js loads for `dtype: 'q8'`).
// The int8 form is the graph onnxruntime's own `quantize_dynamic` writes: DynamicQuantizeLinear on the
// activations, MatMulInteger with int8 weights, the product rescaled to float; embedding tables are
// gathered as int8 and dequantized. Only the weights are quantized; biases and LayerNorms stay float.
import type { FloatTensor } from '../models/safetensors';
import type { OnnxGraph } from './onnxGraph';

export interface WeightEncoding {
  readonly name: 'float32' | 'int8';
  /** x[…, in] · Wᵀ + b for a PyTorch Linear weight W [out, in] (and bias [out]). */
  linear(graph: OnnxGraph, x: string, weight: FloatTensor, bias: FloatTensor | undefined, hint: string): string;
  /** The rows `ids` of an embedding table [rows, width]. */
  embedding(graph: OnnxGraph, table: FloatTensor, ids: string, hint: string): string;
}

/** W [out, in] → [in, out], the layout MatMul multiplies by. */
function transposed(weight: FloatTensor): Float32Array {
  const [rows = 0, columns = 0] = weight.shape;
  const out = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = weight.data[r * columns + c]!;
  return out;
}

function withBias(graph: OnnxGraph, product: string, bias: FloatTensor | undefined, hint: string): string {
  return bias === undefined ? product : graph.node('Add', [product, graph.initializer(`${hint}.bias`, bias.data, [...bias.shape])]);
}

export const FLOAT_WEIGHTS: WeightEncoding = {
  name: 'float32',
  linear(graph, x, weight, bias, hint) {
    const [outputs = 0, inputs = 0] = weight.shape;
    return withBias(graph, graph.node('MatMul', [x, graph.initializer(`${hint}.weight`, transposed(weight), [inputs, outputs])]), bias, hint);
  },
  embedding(graph, table, ids, hint) {
    return graph.node('Gather', [graph.initializer(`${hint}.weight`, table.data, [...table.shape]), ids], { axis: 0 });
  },
};

/**
 * Weights are symmetric int8 with 7-bit range (±63, as quantize_dynamic's `reduce_range`): x86's
 * u8×s8 multiply-add (VPMADDUBSW) sums pairs in int16, which full-range weights can overflow on CPUs
 * without VNNI. Scales are per output column for Linears, per tensor for embedding tables.
 */
const WEIGHT_RANGE = 63;

function quantize(values: Float32Array, scale: number, into: Int8Array, at: number, stride: number, count: number): void {
  for (let i = 0; i < count; i++) into[at + i * stride] = Math.max(-WEIGHT_RANGE, Math.min(WEIGHT_RANGE, Math.round(values[at + i * stride]! / scale)));
}

export const INT8_WEIGHTS: WeightEncoding = {
  name: 'int8',
  linear(graph, x, weight, bias, hint) {
    const [outputs = 0, inputs = 0] = weight.shape;
    const kernel = transposed(weight); // [in, out]
    const quantized = new Int8Array(kernel.length);
    const scales = new Float32Array(outputs);
    for (let column = 0; column < outputs; column++) {
      let largest = 0;
      for (let row = 0; row < inputs; row++) largest = Math.max(largest, Math.abs(kernel[row * outputs + column]!));
      scales[column] = largest > 0 ? largest / WEIGHT_RANGE : 1;
      quantize(kernel, scales[column]!, quantized, column, outputs, inputs);
    }
    const [xQuantized, xScale, xZeroPoint] = graph.nodeOutputs('DynamicQuantizeLinear', [x], 3) as [string, string, string];
    const product = graph.node('MatMulInteger', [xQuantized, graph.initializer(`${hint}.weight_quantized`, quantized, [inputs, outputs]), xZeroPoint]);
    const scale = graph.node('Mul', [xScale, graph.initializer(`${hint}.weight_scale`, scales, [outputs])]);
    return withBias(graph, graph.node('Mul', [graph.node('Cast', [product], { to: 1 /* FLOAT */ }), scale]), bias, hint);
  },
  embedding(graph, table, ids, hint) {
    let largest = 0;
    for (const value of table.data) largest = Math.max(largest, Math.abs(value));
    const scale = largest > 0 ? largest / WEIGHT_RANGE : 1;
    const quantized = new Int8Array(table.data.length);
    quantize(table.data, scale, quantized, 0, 1, table.data.length);
    const rows = graph.node('Gather', [graph.initializer(`${hint}.weight_quantized`, quantized, [...table.shape]), ids], { axis: 0 });
    return graph.node('DequantizeLinear', [rows, graph.scalar(`${hint}.weight_scale`, scale), graph.scalar(`${hint}.weight_zero_point`, 0, 'int8')]);
  },
};

export const WEIGHT_ENCODINGS = { float32: FLOAT_WEIGHTS, int8: INT8_WEIGHTS } as const;
