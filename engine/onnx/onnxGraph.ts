// An ONNX graph being built: named inputs, initializers (the weights), nodes and outputs, encoded as
// a ModelProto by onnx-proto (protobufjs code generated from ONNX's own onnx.proto3). Only the
// bookkeeping is ours: unique value names, typed attributes, tensors as raw little-endian bytes.
import { onnx } from 'onnx-proto';

/** ONNX IR version 8 (onnx 1.10–1.12, what onnx-proto's schema is) with opset 17 (onnx 1.12: LayerNormalization). */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

export type ElementType = 'float32' | 'int64' | 'int32' | 'int8' | 'uint8';
const DATA_TYPES: Readonly<Record<ElementType, onnx.TensorProto.DataType>> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
};

export type TensorData = Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;
const elementTypeOf = (data: TensorData): ElementType =>
  data instanceof Float32Array ? 'float32' : data instanceof BigInt64Array ? 'int64' : data instanceof Int32Array ? 'int32' : data instanceof Int8Array ? 'int8' : 'uint8';

/** A dimension: a size, or the name of a dynamic axis (`batch_size`, `sequence_length`). */
export type Dimension = number | string;

/** A float attribute (plain numbers are integer attributes, as most ONNX attributes are). */
export interface FloatAttribute {
  readonly float: number;
}
export type AttributeValue = number | readonly number[] | FloatAttribute;

export class OnnxGraph {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private readonly scalars = new Map<string, string>();

  constructor(private readonly name: string) {}

  /** A fresh value name starting with `hint`. */
  private fresh(hint: string): string {
    let name = hint;
    for (let n = 1; this.used.has(name); n++) name = `${hint}_${n}`;
    this.used.add(name);
    return name;
  }

  input(name: string, type: ElementType, dims: readonly Dimension[]): string {
    if (this.used.has(name)) throw new Error(`ONNX graph ${this.name}: ${name} is already defined`);
    this.used.add(name);
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Declares `value` (a node's output) a graph output under its own name. */
  output(value: string, type: ElementType, dims: readonly Dimension[]): void {
    this.outputs.push(valueInfo(value, type, dims));
  }

  /** A weight or constant, stored in the file. */
  initializer(hint: string, data: TensorData, dims: readonly number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`ONNX initializer ${hint}: ${data.length} values for shape [${dims.join(', ')}]`);
    const name = this.fresh(hint);
    this.initializers.push({
      name,
      dataType: DATA_TYPES[elementTypeOf(data)],
      dims: [...dims],
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** A scalar constant (rank 0); one initializer per hint, value and type. */
  scalar(hint: string, value: number, type: ElementType = 'float32'): string {
    const key = `${hint}:${type}:${value}`;
    const known = this.scalars.get(key);
    if (known !== undefined) return known;
    const data: TensorData =
      type === 'float32' ? Float32Array.of(value) : type === 'int64' ? BigInt64Array.of(BigInt(value)) : type === 'int32' ? Int32Array.of(value) : type === 'int8' ? Int8Array.of(value) : Uint8Array.of(value);
    const name = this.initializer(hint, data, []);
    this.scalars.set(key, name);
    return name;
  }

  /** A rank-1 int64 constant: shapes, axes, perms. */
  int64s(hint: string, values: readonly number[]): string {
    return this.initializer(hint, BigInt64Array.from(values, (value) => BigInt(value)), [values.length]);
  }

  /** Adds a node; returns the name of its (first) output. `outputs` > 1 names them `${out}`, `${out}_1`, …; use `nodeOutputs`. */
  node(op: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, outputName?: string): string {
    return this.nodeOutputs(op, inputs, 1, attributes, outputName)[0]!;
  }

  nodeOutputs(op: string, inputs: readonly string[], count: number, attributes: Readonly<Record<string, AttributeValue>> = {}, outputName?: string): string[] {
    const outputs = Array.from({ length: count }, (_, i) => (i === 0 && outputName !== undefined ? this.fresh(outputName) : this.fresh(`${op}${i === 0 ? '' : `_out${i}`}`)));
    this.nodes.push({
      opType: op,
      name: this.fresh(`${op}_node`),
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return outputs;
  }

  /** The model as ONNX protobuf bytes. */
  encode(producer: { name: string; version: string }, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: producer.name,
      producerVersion: producer.version,
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, type: ElementType, dims: readonly Dimension[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: DATA_TYPES[type], shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) } } },
  };
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: types.INT, i: value };
  if (Array.isArray(value)) return { name, type: types.INTS, ints: [...(value as readonly number[])] };
  return { name, type: types.FLOAT, f: (value as FloatAttribute).float };
}
