// The weights file of a model folder, whatever its format: model.safetensors, or the pytorch_model.bin
// that torch.save writes. Both readers give float32 tensors by Hugging Face name.
import { readPytorchCheckpoint } from './pytorch/pytorchCheckpoint';
import { readSafetensors, type FloatTensor } from './safetensors';

export interface ModelWeights {
  /** Every tensor name in the file, in file order. */
  readonly names: string[];
  /** The selected tensors. */
  readonly tensors: Map<string, FloatTensor>;
}

/** Reads the tensors `select` picks from a weights file: *.safetensors, else a PyTorch checkpoint. */
export async function readModelWeights(file: string, select: (name: string) => boolean): Promise<ModelWeights> {
  if (!file.endsWith('.safetensors')) return readPytorchCheckpoint(file, select);
  const { header, tensors } = await readSafetensors(file, (name) => select(name));
  return { names: [...header.tensors.keys()], tensors };
}
