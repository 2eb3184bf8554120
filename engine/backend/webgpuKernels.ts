// Two repairs to the stock WebGPU backend (tfjs-backend-webgpu 4.22), each found by a failing test:
// - AddN binds every input as a storage buffer in one shader, so summing more tensors than the
//   device's maxStorageBuffersPerShaderStage fails to compile (16 on Mesa's OpenGL ES, 8 by WebGPU's
//   default; the gradient norm of a BERT adds up ~200). Its Concat already splits; AddN now does too.
// - Its TransposeProgram, on an int32 or bool tensor of rank 3 or more, writes an i32 through the f32
//   output setter and fails to compile (WGSL has no implicit conversion). Reductions over inner axes
//   run it too, so the backend swaps in a program that writes i32 wherever one is dispatched.
import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Replaces the stock kernel `name` on webgpu by `make(stock)`. */
function wrapKernel(name: string, make: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  const stock = tf.getKernel(name, 'webgpu');
  if (!stock) throw new Error(`tfjs-backend-webgpu registered no ${name} kernel`);
  tf.unregisterKernel(name, 'webgpu');
  tf.registerKernel({ kernelName: name, backendName: 'webgpu', kernelFunc: make(stock.kernelFunc) });
}

const COORDINATES = ['x', 'y', 'z', 'w', 'u', 'v'];
/** The WGSL type tfjs-backend-webgpu's shader prelude gives coordinates of a rank (webgpu_program.ts). */
const coordsType = (rank: number): string => (rank <= 1 ? 'i32' : rank <= 4 ? `vec${rank}<i32>` : `vec${rank}`);

/** The stock TransposeProgram's shader, writing through setOutputAtIndexI32. */
class IntegerTransposeProgram implements WebGPUProgram {
  readonly variableNames = ['A'];
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];

  constructor(
    shape: readonly number[],
    private readonly perm: readonly number[],
  ) {
    this.outputShape = perm.map((axis) => shape[axis]!);
    this.dispatchLayout = webgpu_util.flatDispatchLayout(this.outputShape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, this.outputShape, this.workgroupSize);
    this.shaderKey = `nlpstudio_transpose_i32_${perm.join('_')}`;
  }

  getUserCode(): string {
    const rank = this.outputShape.length;
    const source = new Array<string>(rank);
    this.perm.forEach((axis, i) => (source[axis] = `coords.${COORDINATES[i]}`));
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          setOutputAtIndexI32(index, A[getIndexFromCoords${rank}D(${coordsType(rank)}(${source.join(', ')}), uniforms.aShape)]);
        }
      }`;
  }
}

/** The stock program's shader key: `transpose_${perm}` (the 2-D shared-memory one is 'transposeShared'). */
const STOCK_TRANSPOSE = /^transpose_(\d+(?:,\d+)*)$/;

/**
 * `program`, or the integer-safe transpose where the stock one would not compile. `bufferType` is the
 * type of a tensor's GPU buffer, which the shader declares: it can be i32 under a float32 tensor.
 */
export function integerSafeProgram(program: WebGPUProgram, inputs: readonly tf.TensorInfo[], bufferType: (input: tf.TensorInfo) => tf.DataType): WebGPUProgram {
  const perm = STOCK_TRANSPOSE.exec(program.shaderKey)?.[1];
  const x = inputs[0];
  if (perm === undefined || x === undefined || bufferType(x) === 'float32' || x.shape.length <= 2) return program;
  return new IntegerTransposeProgram(x.shape, perm.split(',').map(Number));
}

let installed = false;

export function installWebGpuKernelFixes(): void {
  if (installed) return;
  wrapKernel('AddN', (stockAddN) => (args: KernelArgs) => {
    const backend = args.backend as WebGPUBackend;
    // One binding is the output.
    const chunk = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    let pending = Object.values(args.inputs) as tf.TensorInfo[];
    const partials = new Set<tf.TensorInfo>();
    while (pending.length > chunk) {
      const partial = stockAddN({ ...args, inputs: pending.slice(0, chunk) as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
      for (const used of pending.slice(0, chunk)) if (partials.delete(used)) backend.disposeData(used.dataId);
      partials.add(partial);
      pending = [partial, ...pending.slice(chunk)];
    }
    const sum = stockAddN({ ...args, inputs: pending as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
    for (const partial of partials) backend.disposeData(partial.dataId);
    return sum;
  });
  installed = true;
}
