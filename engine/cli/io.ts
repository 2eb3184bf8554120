// What a CLI command may touch of the outside world, so commands run the same in tests and in a shell.
export interface CliIo {
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Where `predict` reads texts when given none; process.stdin when absent. */
  stdin?: NodeJS.ReadableStream;
}
