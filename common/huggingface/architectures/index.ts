// Every BERT-family encoder the engine loads, trains and exports, by config.json `model_type`.
// Adding one is a row (and its reference test).
import { BERT } from './bert';
import { DISTILBERT } from './distilbert';
import { ELECTRA } from './electra';
import type { EncoderArchitecture } from './encoderArchitecture';
import { ROBERTA, XLM_ROBERTA } from './roberta';

export const ENCODER_ARCHITECTURES: Readonly<Record<string, EncoderArchitecture>> = Object.fromEntries(
  [BERT, DISTILBERT, ROBERTA, XLM_ROBERTA, ELECTRA].map((architecture) => [architecture.modelType, architecture]),
);

/** The supported model types, quoted, for messages. */
export function supportedModelTypes(): string {
  return Object.keys(ENCODER_ARCHITECTURES)
    .map((type) => JSON.stringify(type))
    .join(', ');
}
