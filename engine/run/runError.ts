// An error a run reports to the user, optionally pointing at the config key that causes it.
import type { ConfigPath } from '../../common/config/configDocument';

export class RunError extends Error {
  constructor(
    message: string,
    /** The config key to blame, e.g. ['word2vec', 'alpha']: the failed event then carries its file:line. */
    readonly configKey?: ConfigPath,
  ) {
    super(message);
    this.name = 'RunError';
  }
}
