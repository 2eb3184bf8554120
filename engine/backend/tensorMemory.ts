import * as tf from '@tensorflow/tfjs';
import type { TensorMemory } from '../../common/protocol/runEvents';

/** tf.memory() of the current backend; webgpu adds the bytes of its GPU buffers (in use, and pooled). */
export function tensorMemory(): TensorMemory {
  const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
  return {
    tensors: memory.numTensors,
    bytes: memory.numBytes,
    ...(memory.numBytesInGPU !== undefined ? { gpuBytes: memory.numBytesInGPU, gpuBytesAllocated: memory.numBytesAllocatedInGPU ?? memory.numBytesInGPU } : {}),
  };
}
