// The weights file of a model folder, whatever its format: model.safetensors, or the pytorch_model.bin
// that torch.save writes. Both readers give float32 tensors by Hugging Face name.
import { readSafetensors, type FloatTensor } from './safetensors';

export interface ModelWeights {
  /** Every tensor name in the file, in file order. */
  readonly names: string[];
  /** The selected tensors. */
  readonly tensors: Map<string, FloatTensor>;
}

/** Reads the tensors `select` picks from a weights file (chosen by its name: *.safetensors or a PyTorch checkpoint). */
export async function readModelWeights(file: string, select: (name: string) => boolean): Promise<ModelWeights> {
  const { header, tensors } = await readSafetensors(file, (name) => select(name));
  return { names: [...header.tensors.keys()], tensors };
}
