// The `nlp-studio` command line: a table of commands, each with its one-line description and handler.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import packageJson from '../../package.json';
import type { CliIo } from './io';
import { envCommand } from './envCommand';
import { evalCommand } from './evalCommand';
import { exportCommand } from './exportCommand';
import { predictCommand } from './predictCommand';
import { trainCommand } from './trainCommand';
import { validateCommand } from './validateCommand';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs gives a command for its own options (strict, positionals allowed). */
export type ParsedCommandArgs<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

interface Command {
  usage: string;
  description: string;
  /** Runs on the arguments after the command's name; resolves to the exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/**
 * A command with its own options: every command parses the same way (strict, `--help` included), so
 * usage errors read alike and exit 2 everywhere.
 */
function command<const O extends OptionsConfig>(name: string, spec: { usage: string; description: string; options: O; run(args: ParsedCommandArgs<O>, io: CliIo): Promise<number> }): Command {
  const usage = `usage: nlp-studio ${spec.usage}\n`;
  return {
    usage: spec.usage,
    description: spec.description,
    run: (argv, io) => {
      let parsed;
      try {
        parsed = parseArgs({ args: argv, options: { ...spec.options, help: { type: 'boolean', short: 'h', default: false } }, allowPositionals: true, strict: true });
      } catch (error) {
        io.stderr(`nlp-studio ${name}: ${(error as Error).message}\n${usage}`);
        return Promise.resolve(2);
      }
      if ((parsed.values as { help?: boolean }).help) {
        io.stdout(`${usage}  ${spec.description}\n`);
        return Promise.resolve(0);
      }
      return spec.run(parsed, io);
    },
  };
}

const json = { type: 'boolean', default: false } as const;

const COMMANDS: Record<string, Command> = {
  train: command('train', {
    usage: 'train <config.nlp.yaml> [--json] [--resume | --fresh]',
    description: 'Train what the config describes; Ctrl+C stops with a checkpoint, --resume continues from it, --fresh discards it and starts over.',
    options: { json, resume: { type: 'boolean', default: false }, fresh: { type: 'boolean', default: false } },
    run: ({ values, positionals }, io) => trainCommand(positionals, { json: values.json, resume: values.resume, fresh: values.fresh }, io),
  }),
  predict: command('predict', {
    usage: 'predict <model-dir> [text…] [--file F] [--task T] [--labels a,b,…] [--top-k N]',
    description:
      'Classify texts (the arguments, the lines of F, or stdin): one JSON line each with the label and every class\'s probability; a folder transformers.js runs answers with its task (text-classification, token-classification, fill-mask, zero-shot-classification with --labels).',
    options: { file: { type: 'string' }, task: { type: 'string' }, labels: { type: 'string' }, 'top-k': { type: 'string' } },
    run: predictCommand,
  }),
  eval: command('eval', {
    usage: 'eval <model-dir> <data-file> | <vectors> --analogies F --similarity F [--json]',
    description:
      'Score a classifier on labelled data (accuracy, macro-F1, per class, confusion matrix); score word vectors on analogies and word-pair similarity (Spearman), as gensim does.',
    options: {
      analogies: { type: 'string' },
      similarity: { type: 'string' },
      'restrict-vocab': { type: 'string' },
      'case-sensitive': { type: 'boolean', default: false },
      'text-column': { type: 'string' },
      'label-column': { type: 'string' },
      format: { type: 'string' },
      json,
    },
    run: evalCommand,
  }),
  export: command('export', {
    usage: 'export <run-or-model-folder> --format onnx [--quantize] [--json]',
    description:
      'Write onnx/model.onnx into a classifier folder (a run, or a Hugging Face folder with a head), the layout transformers.js and Optimum read; --quantize adds onnx/model_quantized.onnx with int8 weights.',
    options: { format: { type: 'string' }, quantize: { type: 'boolean', default: false }, json },
    run: exportCommand,
  }),
  validate: command('validate', {
    usage: 'validate <config.nlp.yaml…> [--json]',
    description: 'Check configs and print the diagnostics the editor shows; exit 1 on any error.',
    options: { json },
    run: ({ values, positionals }, io) => validateCommand(positionals, { json: values.json }, io),
  }),
  env: command('env', {
    usage: 'env [--json]',
    description: 'Report what this machine offers for training (WebGPU adapters, Vulkan, TensorFlow bindings, CUDA, WebAssembly), why the GPU is or is not used, and what to do next.',
    options: { json },
    run: ({ values }, io) => envCommand({ json: values.json }, io),
  }),
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
    '  --help     show this help (nlp-studio <command> --help: that command\'s)',
    '  --version  print the version',
    '',
  ].join('\n');
}

/** Runs the CLI on its arguments (without `node` and the script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    io.stdout(`${packageJson.version}\n`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return 0;
  }
  if (name === undefined) {
    io.stderr(helpText());
    return 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`nlp-studio: unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}.\n\n${helpText()}`);
    return 2;
  }
  return command.run(rest, io);
}
