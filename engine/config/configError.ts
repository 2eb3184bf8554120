// A config that cannot run, with every reason at its place in the file.
import type { SourceLocation } from '../../common/protocol/runEvents';

export interface ConfigProblem {
  message: string;
  location: SourceLocation;
}

export function formatLocation(location: SourceLocation): string {
  return [location.file, location.line, location.column].filter((part) => part !== undefined).join(':');
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((problem) => `${formatLocation(problem.location)}: ${problem.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}
