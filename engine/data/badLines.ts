// Lines that cannot be read: reported with file:line and a reason, then skipped or fatal (`data.bad_lines`).
import type { Data } from '../../common/schema/config.generated';
import { DataError } from './dataError';

export type BadLinePolicy = NonNullable<Data['bad_lines']>;

export interface BadLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export function formatBadLine(bad: BadLine): string {
  return `${bad.file}:${bad.line}: ${bad.reason}`;
}

/** Collects skipped lines (the first `keep` of them, and the count); with policy `error`, the first one throws. */
export class BadLineLog {
  private readonly kept: BadLine[] = [];
  private total = 0;

  constructor(
    readonly policy: BadLinePolicy,
    /** Called for every skipped line, e.g. to log a warning as it happens. */
    private readonly onSkip?: (bad: BadLine) => void,
    private readonly keep = 100,
  ) {}

  report(file: string, line: number, reason: string): void {
    if (this.policy === 'error') throw new DataError(`${reason} (data.bad_lines: error)`, { file, line }, ['data', 'bad_lines']);
    const bad = { file, line, reason };
    this.total++;
    if (this.kept.length < this.keep) this.kept.push(bad);
    this.onSkip?.(bad);
  }

  get count(): number {
    return this.total;
  }

  /** The first skipped lines, in the order they were read. */
  get lines(): readonly BadLine[] {
    return this.kept;
  }
}
