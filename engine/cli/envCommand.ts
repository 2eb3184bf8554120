// `nlp-studio env [--json]`: what this machine offers for training (WebGPU adapters, Vulkan, the
// optional TensorFlow bindings, CUDA/cuDNN, WebAssembly), the backend `auto` picks, why the GPU is or
// is not used, and what to do next.
import { environmentReport } from '../backend/environmentReport';
import { formatEnvironmentReport } from '../backend/formatEnvironmentReport';
import type { CliIo } from './io';

export async function envCommand(options: { json: boolean }, io: CliIo): Promise<number> {
  const report = await environmentReport();
  io.stdout(options.json ? `${JSON.stringify(report)}\n` : formatEnvironmentReport(report));
  return 0;
}
