// `nlp-studio export <run-or-model-folder> --format onnx [--quantize] [--json]`: the ONNX files of a
// classifier trained earlier (or a downloaded Hugging Face model with a head), in the layout
// transformers.js and Optimum read, written into the folder itself.
import { resolve } from 'node:path';
import { exportOnnx } from '../onnx/onnxExport';
import type { CliIo } from './io';

export const EXPORT_FORMATS = ['onnx'] as const;
const USAGE = 'usage: nlp-studio export <run-or-model-folder> --format onnx [--quantize] [--json]\n';

export interface ExportArgs {
  values: { format?: string; quantize: boolean; json: boolean };
  positionals: string[];
}

/** Exit codes: 0 written, 1 the folder cannot be exported, 2 usage. */
export async function exportCommand({ values, positionals }: ExportArgs, io: CliIo): Promise<number> {
  const [folder, ...extra] = positionals;
  if (folder === undefined || extra.length > 0) {
    io.stderr(`nlp-studio export: give one run or model folder\n${USAGE}`);
    return 2;
  }
  const format = values.format ?? 'onnx';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    io.stderr(`nlp-studio export: --format ${format} is not one this command writes; formats: ${EXPORT_FORMATS.join(', ')}\n${USAGE}`);
    return 2;
  }
  try {
    const result = await exportOnnx(resolve(io.cwd, folder), { quantize: values.quantize });
    if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
    else io.stdout(`${result.description} exported to ONNX in ${result.seconds.toFixed(1)} s:\n${result.files.map((file) => `  ${file}\n`).join('')}`);
    return 0;
  } catch (error) {
    io.stderr(`nlp-studio export: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
