// `nlp-studio env [--json]`: what this machine offers for training (Node bindings, CUDA/cuDNN,
// WebAssembly), the backend `auto` picks, and what to install for a GPU.
import { environmentReport, formatEnvironmentReport } from '../backend/environmentReport';
import type { CliIo } from './io';

export async function envCommand(options: { json: boolean }, io: CliIo): Promise<number> {
  const report = await environmentReport([io.cwd]);
  io.stdout(options.json ? `${JSON.stringify(report)}\n` : formatEnvironmentReport(report));
  return 0;
}
