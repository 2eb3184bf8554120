// A BERT-family classifier behind ClassifierModel: what the trainer steps and validates on, and what a
// BERT folder's TextClassifier predicts with (models/textClassifier.ts), so the logits of training,
// validation, `predict` and `eval` come from one wiring of the model. The head alone on cached
// first-token features is the frozen-encoder stages' shortcut: exactly what `forward` does above the encoder.
import * as tf from '@tensorflow/tfjs';
import { parameterSpecs } from '../../../common/huggingface/architectures/parameterSpecs';
import type { HuggingfaceFolderFiles } from '../../../common/huggingface/modelFolderFiles';
import type { TokenBatch } from '../../data/tokenBatches';
import { encoderInputs, type EncoderClassifier } from '../../models/encoderClassifier';
import type { FloatTensor } from '../../models/safetensors';
import type { ClassifierModel } from './classifierModel';
import { writeClassifierFolder } from './classifierFolder';

/** The final hidden state of the first token ([CLS] / <s>, the head's input) of a batch, encoder in evaluation mode (call inside tf.tidy). */
function clsFeatures(model: EncoderClassifier, batch: TokenBatch): tf.Tensor2D {
  const hidden = model.config.hiddenSize;
  const state = model.forward(encoderInputs(batch), { training: false }).lastHiddenState;
  return state.slice([0, 0, 0], [batch.batchSize, 1, hidden]).reshape([batch.batchSize, hidden]);
}

/** `model` as the trainer sees it; `source` is the folder its tokenizer files are copied from. */
export function bertClassifierModel(model: EncoderClassifier, source: HuggingfaceFolderFiles): ClassifierModel {
  const specs = parameterSpecs(model.config);
  const groups = new Map<string, string[]>();
  for (const spec of specs) groups.set(spec.group, [...(groups.get(spec.group) ?? []), spec.name]);
  return {
    variables: model.variables,
    groups,
    frozenFeatures: {
      size: model.config.hiddenSize,
      description: `the encoder is frozen, so its ${model.architecture.tokens.special.cls} features`,
      encode: (batch) => clsFeatures(model, batch),
      head: (features, training) => model.classify(features, training).logits,
    },
    logits: (batch, training) => model.forward(encoderInputs(batch), { training }).logits,
    exportState: () => model.exportHuggingfaceState(),
    importState(state: ReadonlyMap<string, FloatTensor>) {
      const linear = new Set(specs.filter((spec) => spec.linear).map((spec) => spec.name));
      for (const [name, tensor] of state) {
        const variable = model.variables.get(name);
        if (variable === undefined) continue;
        tf.tidy(() => {
          const stored = tf.tensor(tensor.data, [...tensor.shape], 'float32');
          variable.assign(linear.has(name) ? stored.transpose() : stored);
        });
      }
    },
    writeFolder: (dir, state, decision) => writeClassifierFolder(dir, model, source, state, decision),
    dispose: () => model.dispose(),
  };
}
