// The config a run actually uses: schema defaults filled in, paths absolute, globs expanded. Its type
// is derived from the generated one: the keys the schema gives a default (SchemaDefaultedKeys, generated
// from the same schema) are required, because withSchemaDefaults has filled them; nothing restates them.
import type { Data, EarlyStopping, Model, NlpConfig, Output, SchemaDefaultedKeys, Stage, Training, Word2Vec } from '../../common/schema/config.generated';

/** `T` with the keys that have a schema default in section `Name` required. */
type Defaulted<T, Name extends keyof SchemaDefaultedKeys> = Omit<T, SchemaDefaultedKeys[Name]> & Required<Pick<T, SchemaDefaultedKeys[Name] & keyof T>>;

export type ResolvedModel = Defaulted<Model, 'Model'>;
export type ResolvedStage = Defaulted<Stage, 'Stage'>;
export type ResolvedEarlyStopping = Defaulted<EarlyStopping, 'EarlyStopping'>;
export type ResolvedTraining = Defaulted<Omit<Training, 'stages' | 'early_stopping'>, 'Training'> & {
  stages?: ResolvedStage[];
  /** Filled only when present: its presence switches early stopping on. */
  early_stopping?: ResolvedEarlyStopping;
};
export type ResolvedWord2Vec = Defaulted<Word2Vec, 'Word2Vec'>;
export type ResolvedOutput = Defaulted<Output, 'Output'>;
/** `train` lists absolute files, its globs expanded in sorted order. */
export type ResolvedData = Defaulted<Omit<Data, 'train'>, 'Data'> & { train: string[] };

type Sections = 'model' | 'data' | 'training' | 'word2vec' | 'output';

export type ResolvedConfig = Defaulted<Omit<NlpConfig, Sections>, 'NlpConfig'> & {
  /** The sections a task may have are always there (withSchemaDefaults creates them); the others are absent. */
  model?: ResolvedModel;
  data: ResolvedData;
  training?: ResolvedTraining;
  word2vec?: ResolvedWord2Vec;
  output: ResolvedOutput;
};

/** A section the config's task has: withSchemaDefaults created it with its defaults, so it is absent only for a task the schema forbids it. */
export function sectionOf<K extends 'model' | 'training' | 'word2vec'>(config: ResolvedConfig, key: K): NonNullable<ResolvedConfig[K]> {
  const section = config[key];
  if (section === undefined) throw new Error(`a ${config.task} config has no ${key} section`);
  return section;
}
