// The config a run actually uses: schema defaults filled in, paths absolute, globs expanded.
import type { Data, NlpConfig, Output } from '../../common/schema/config.generated';

export interface ResolvedConfig extends Omit<NlpConfig, 'data' | 'output'> {
  seed: number;
  backend: NonNullable<NlpConfig['backend']>;
  /** `train` lists absolute files, its globs expanded in sorted order. */
  data: Omit<Data, 'train'> & { train: string[] };
  output: Output & { dir: string; keep_checkpoints: number };
}
