// A data problem that stops a run, pointing at the line of the data file (and the config key) to blame.
import type { ConfigPath } from '../../common/config/configDocument';

export interface DataLocation {
  readonly file: string;
  /** 1-based; absent when the problem is the file as a whole. */
  readonly line?: number;
}

export class DataError extends Error {
  constructor(
    message: string,
    readonly location?: DataLocation,
    /** The config key that leads here, e.g. ['data', 'label_column']. */
    readonly configKey?: ConfigPath,
  ) {
    super(location === undefined ? message : `${location.file}${location.line === undefined ? '' : `:${location.line}`}: ${message}`);
    this.name = 'DataError';
  }
}
