// What the engine's tensors hold after an epoch, as the engine log shows it: a count and bytes that
// stay flat from one epoch to the next unless something leaks.
import type { TensorMemory } from './protocol/runEvents';

const MB = 1024 * 1024;
const megabytes = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;

/** "412 tensors, 3.1 MB; GPU 3.1 MB in use, 12.0 MB allocated" */
export function formatTensorMemory(memory: TensorMemory): string {
  const gpu = memory.gpuBytes !== undefined ? `; GPU ${megabytes(memory.gpuBytes)} in use, ${megabytes(memory.gpuBytesAllocated ?? memory.gpuBytes)} allocated` : '';
  return `${memory.tensors.toLocaleString('en-US')} tensors, ${megabytes(memory.bytes)}${gpu}`;
}
