// Entry point of the `nlp-studio` command (bundled to out/cli.js, started by bin/nlp-studio.js).
import { runCli } from './cli/commands';

/**
 * A stream whose reader went away (`nlp-studio validate … | head`) takes no more writes; the command
 * still finishes, and keeps its exit code, instead of dying on EPIPE with a stack trace.
 */
function writerTo(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

const stderr = writerTo(process.stderr);

runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: writerTo(process.stdout),
  stderr,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Every expected failure is a message and an exit code from the command itself; this is a bug.
    const message = error instanceof Error ? error.message : String(error);
    const stack = process.env.NLP_STUDIO_DEBUG && error instanceof Error ? `\n${error.stack ?? ''}` : ' (set NLP_STUDIO_DEBUG=1 for the stack trace)';
    stderr(`nlp-studio: internal error: ${message}${stack}\n`);
    process.exitCode = 70;
  },
);
