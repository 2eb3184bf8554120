// A config.json must describe the weights beside it: its sizes are checked against the weights
// file's length before anything is allocated, so a config claiming ten million layers (or a vocabulary
// of a billion) is an error naming the key, not a heap that runs out a minute later. No I/O here: the
// engine (loading a model) and the language server (checking a folder) pass the file's size in.
import { configKeyOf, EncoderConfigError, architectureOf, type EncoderConfig, type NumericField } from './encoderConfig';
import { encoderParameterCount } from './parameterSpecs';

/** The fewest bytes a weights file spends on a value: F16 and BF16, the smallest floats the readers take. */
const MIN_BYTES_PER_VALUE = 2;

/** The sizes that multiply into the encoder's parameters. */
const SIZE_FIELDS = ['numHiddenLayers', 'hiddenSize', 'intermediateSize', 'vocabSize', 'embeddingSize', 'maxPositionEmbeddings', 'typeVocabSize'] as const satisfies readonly NumericField[];

/** Every size at its least, so one field's own share can be measured. */
const LEAST_SIZES: Readonly<Record<(typeof SIZE_FIELDS)[number], number>> = {
  numHiddenLayers: 1,
  hiddenSize: 1,
  intermediateSize: 1,
  vocabSize: 1,
  embeddingSize: 1,
  maxPositionEmbeddings: 1,
  typeVocabSize: 1,
};

/**
 * Throws when config.json's sizes need more values than a weights file of `weightsBytes` can hold,
 * naming the key (or keys) whose value alone is too large for it.
 */
export function checkConfigFitsWeights(config: EncoderConfig, configFile: string, weightsFile: string, weightsBytes: number): void {
  const capacity = Math.floor(weightsBytes / MIN_BYTES_PER_VALUE);
  const needed = encoderParameterCount(config);
  if (needed <= capacity) return;
  const layout = architectureOf(config).config;
  const shared = 'sameAsHiddenSize' in layout.embeddingSize;
  const alone = (field: (typeof SIZE_FIELDS)[number]): number => {
    const trial = { ...config, ...LEAST_SIZES, [field]: config[field] };
    return encoderParameterCount(shared ? { ...trial, embeddingSize: trial.hiddenSize } : trial);
  };
  const spelled = (field: (typeof SIZE_FIELDS)[number]): string => `${configKeyOf(layout, field)} ${config[field]}`;
  const culprits = SIZE_FIELDS.filter((field) => 'key' in layout[field] && alone(field) > capacity);
  const said = `but ${weightsFile} (${weightsBytes} bytes) holds at most ${formatCount(capacity)}`;
  if (culprits.length > 0) {
    throw new EncoderConfigError(
      configFile,
      `${culprits.map(spelled).join(', ')} ${culprits.length === 1 ? 'describes' : 'describe'} an encoder of ${formatCount(needed)} values, ${said}: config.json does not describe these weights`,
    );
  }
  const sizes = SIZE_FIELDS.filter((field) => 'key' in layout[field]).map(spelled);
  throw new EncoderConfigError(configFile, `${sizes.join(', ')} describe an encoder of ${formatCount(needed)} values, ${said}: the weights file is truncated, or config.json is not its config`);
}

function formatCount(count: number): string {
  return count < 1e6 ? String(count) : count.toExponential(2);
}
