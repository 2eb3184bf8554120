// The `nlp-studio` command line: a table of commands, each with its one-line description and handler.
import { parseArgs } from 'node:util';
import packageJson from '../../package.json';
import type { CliIo } from './io';
import { evalCommand } from './evalCommand';
import { trainCommand } from './trainCommand';
import { validateCommand } from './validateCommand';

interface CommandArgs {
  positionals: string[];
  json: boolean;
  resume: boolean;
}

interface Command {
  usage: string;
  description: string;
  run(args: CommandArgs, io: CliIo): Promise<number>;
  /** Given: the command parses everything after its name itself (its own options), and `run` is not called. */
  runWithArgv?: (argv: string[], io: CliIo) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  train: {
    usage: 'train <config.nlp.yaml> [--json] [--resume]',
    description: 'Train what the config describes; Ctrl+C stops with a checkpoint, --resume continues from it.',
    run: (args, io) => trainCommand(args.positionals, { json: args.json, resume: args.resume }, io),
  },
  eval: {
    usage: 'eval <vectors|run-folder> [--analogies F] [--similarity F] [--json]',
    description: 'Score word vectors on analogies (questions-words) and word-pair similarity (Spearman), as gensim does.',
    run: () => Promise.resolve(2),
    runWithArgv: evalCommand,
  },
  validate: {
    usage: 'validate <config.nlp.yaml…> [--json]',
    description: 'Check configs and print the diagnostics the editor shows; exit 1 on any error.',
    run: (args, io) => validateCommand(args.positionals, { json: args.json }, io),
  },
};

export function helpText(): string {
  const width = Math.max(...Object.values(COMMANDS).map((command) => command.usage.length));
  const lines = Object.values(COMMANDS).map((command) => `  nlp-studio ${command.usage.padEnd(width)}  ${command.description}`);
  return [
    `NLP Studio ${packageJson.version}: transfer learning for NLP.`,
    '',
    'Usage:',
    ...lines,
    '',
    'Options:',
    '  --json     machine-readable output: one JSON object per line',
    '  --resume   train: continue from the run folder\'s last checkpoint',
    '  --help     show this help',
    '  --version  print the version',
    '',
  ].join('\n');
}

/** Runs the CLI on its arguments (without `node` and the script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const own = argv[0] === undefined ? undefined : COMMANDS[argv[0]]?.runWithArgv;
  if (own) return own(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { json: { type: 'boolean', default: false }, resume: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false }, version: { type: 'boolean', short: 'v', default: false } },
    });
  } catch (error) {
    io.stderr(`nlp-studio: ${(error as Error).message}\n\n${helpText()}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`${packageJson.version}\n`);
    return 0;
  }
  const [name, ...rest] = positionals;
  if (values.help || name === 'help') {
    io.stdout(helpText());
    return 0;
  }
  if (name === undefined) {
    io.stderr(helpText());
    return 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`nlp-studio: unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}.\n`);
    return 2;
  }
  return command.run({ positionals: rest, json: values.json, resume: values.resume }, io);
}
