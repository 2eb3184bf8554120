// A repair to the stock WebGPU backend (tfjs-backend-webgpu 4.22): its AddN binds every input as a
// storage buffer in one shader, so summing more tensors than the device's
// maxStorageBuffersPerShaderStage fails to compile (16 on Mesa's OpenGL ES, 8 by WebGPU's default;
// the gradient-norm of a BERT adds up ~200). Its Concat already splits; this makes AddN do the same.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

type KernelArgs = Parameters<tf.KernelFunc>[0];

let installed = false;

/** Replaces the webgpu AddN with one that sums in chunks the device can bind; once per process. */
export function installWebGpuKernelFixes(): void {
  if (installed) return;
  const stock = tf.getKernel('AddN', 'webgpu');
  if (!stock) throw new Error('tfjs-backend-webgpu registered no AddN kernel');
  const stockAddN = stock.kernelFunc;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({
    kernelName: 'AddN',
    backendName: 'webgpu',
    kernelFunc: (args: KernelArgs) => {
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
    },
  });
  installed = true;
}
