// How fast the config language service answers, against the targets an editor needs to feel instant:
// full validation (parse + schema + semantic checks on real files) < 20 ms, completion < 10 ms (p95),
// also with the spam example's 1.1 MB training file; a pasted 128 KiB of broken YAML (the worst a
// config may be) is reported for information against 250 ms.
// Run: node --import tsx bench/language-service.bench.ts   (exits 1 when a target is missed)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import {
  CompletionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import type { Position } from 'vscode-languageserver-types';
import { YAML_LIMITS } from '../common/config/boundedYaml';
import { nodeFileSystem } from '../common/config/nodeFileSystem';
import { completion } from '../common/config/completion';
import { parseConfigDocument } from '../common/config/configDocument';
import { validateConfig } from '../common/config/validate';

const root = path.resolve(__dirname, '..');
const fixtureFolder = path.join(root, 'test', 'fixtures', 'editing');
const uri = pathToFileURL(path.join(fixtureFolder, 'bench.nlp.yaml')).toString();
const WARMUP = 50;
const ITERATIONS = 400;
const TARGET_VALIDATION_MS = 20;
const TARGET_COMPLETION_MS = 10;

/** A realistic config of about 200 lines: comments, every section of the task, a long stage schedule. */
function realisticConfig(): string {
  const lines = [
    '# Sentiment classifier: BERT fine-tuned with gradual unfreezing.',
    '# Paths are relative to this file.',
    'task: text-classification',
    'name: sentiment-gradual-unfreeze',
    'seed: 1234 # fixed for reproducible runs',
    'backend: auto',
    '',
    '# The encoder and its new head.',
    'model:',
    '  type: bert',
    '  pretrained: models/tiny-bert',
    '  dropout: 0.1',
    '',
    '# Labelled reviews with a header row.',
    'data:',
    '  train: data/train.csv',
    '  validation: data/validation.csv',
    '  format: csv',
    '  text_column: text',
    '  label_column: label',
    '  max_length: 128',
    '  lowercase: true',
    '  bad_lines: skip',
    '',
    'training:',
    '  batch_size: 16',
    '  optimizer: adamw',
    '  weight_decay: 0.01',
    '  max_grad_norm: 1.0',
    '  warmup_ratio: 0.1',
    '  eval_every: epoch',
    '  log_every_steps: 10',
    '  early_stopping:',
    '    metric: macro_f1',
    '    patience: 3',
    '    min_delta: 0.001',
    '  # Head first on a frozen encoder, then unfreeze from the top down.',
    '  stages:',
  ];
  const freezes = ['encoder', 'all-but-top-1', 'all-but-top-2', 'embeddings', 'none'];
  for (let i = 0; lines.length < 185; i++) {
    lines.push(
      `    # stage ${i + 1}`,
      `    - name: stage-${i + 1}`,
      `      epochs: ${1 + (i % 3)}`,
      `      learning_rate: ${(i === 0 ? 0.001 : 0.00005 / (1 + i)).toPrecision(3)}`,
      `      freeze: ${freezes[Math.min(i, freezes.length - 1)]}`,
      `      warmup_ratio: 0.05`,
    );
  }
  lines.push('', '# Where the run writes its model and metrics.', 'output:', '  dir: runs', '  formats: [huggingface]', '  keep_checkpoints: 2');
  while (lines.length < 200) lines.push('# notes: ' + 'x'.repeat(40));
  return lines.join('\n') + '\n';
}

/** Cursor positions a user completes at: new keys, stage keys, enum values, paths, columns, model folders. */
function completionSites(text: string): { name: string; text: string; position: Position }[] {
  const lines = text.split('\n');
  const after = (needle: string, insert: string): { text: string; position: Position } => {
    const line = lines.findIndex((l) => l.startsWith(needle));
    const edited = [...lines];
    edited.splice(line + 1, 0, insert);
    return { text: edited.join('\n'), position: { line: line + 1, character: insert.length } };
  };
  const valueOf = (needle: string): { text: string; position: Position } => {
    const line = lines.findIndex((l) => l.startsWith(needle));
    return { text, position: { line, character: needle.length } };
  };
  return [
    { name: 'key in training', ...after('  log_every_steps:', '  ') },
    { name: 'key in a stage', ...after('      epochs: 1', '      ') },
    { name: 'enum value (optimizer)', ...valueOf('  optimizer: ') },
    { name: 'file path (data/)', ...valueOf('  train: data/') },
    { name: 'column (label_column)', ...valueOf('  label_column: ') },
    { name: 'model folder (pretrained)', ...valueOf('  pretrained: ') },
  ];
}

async function measure(run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Row {
  what: string;
  samples: number[];
  targetMs: number;
  gated: boolean;
}

/** The same work through the real server: didChange → first diagnostics, and a completion round trip. */
async function serverRoundTrips(text: string): Promise<Row[]> {
  const bundle = path.join(root, 'out', 'server.js');
  await build({ entryPoints: [path.join(root, 'server', 'server.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundle, external: ['vscode'], logLevel: 'warning' });
  const child = spawn(process.execPath, [bundle, '--stdio'], { stdio: 'pipe' });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  let waiting: { version: number; resolve: () => void } | undefined;
  connection.onNotification(PublishDiagnosticsNotification.type, (params: PublishDiagnosticsParams) => {
    if (waiting && params.version === waiting.version) waiting.resolve();
  });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
  let version = 1;
  const published = (v: number): Promise<void> => new Promise((resolve) => (waiting = { version: v, resolve }));
  const opened = published(version);
  await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'nlp-config', version, text } });
  await opened;
  // Each change retypes the last line, as a keystroke would: a new version to parse and validate.
  const lastLine = text.split('\n').length - 1;
  let lastLineLength = 0;
  const diagnostics = await measure(async () => {
    version++;
    const arrived = published(version);
    const typed = `# edit ${version}`;
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line: lastLine, character: 0 }, end: { line: lastLine, character: lastLineLength } }, text: typed }],
    });
    lastLineLength = typed.length;
    await arrived;
  });
  const completions = await measure(() =>
    connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: text.split('\n').findIndex((l) => l.startsWith('  optimizer:')), character: 13 } }),
  );
  await connection.sendRequest(ShutdownRequest.type);
  await connection.sendNotification(ExitNotification.type);
  connection.dispose();
  return [
    { what: 'LSP: didChange → diagnostics', samples: diagnostics, targetMs: TARGET_VALIDATION_MS, gated: false },
    { what: 'LSP: completion round trip', samples: completions, targetMs: TARGET_COMPLETION_MS, gated: false },
  ];
}

async function main(): Promise<void> {
  const text = realisticConfig();
  const check = await validateConfig(parseConfigDocument(uri, text), nodeFileSystem);
  if (check.length > 0) console.warn(`note: the bench config has ${check.length} diagnostic(s): ${check.map((d) => d.message).join('; ')}`);

  const rows: Row[] = [
    { what: `validation (${text.split('\n').length} lines)`, samples: await measure(() => validateConfig(parseConfigDocument(uri, text), nodeFileSystem)), targetMs: TARGET_VALIDATION_MS, gated: true },
  ];
  // The worst inputs the editor meets: a 1.1 MB training file (the first 256 KiB are read for its labels), and
  // a pasted run of broken YAML as long as a config may be (refused and capped, never composed whole).
  const spamConfig = path.join(root, 'examples', 'classify-spam.nlp.yaml');
  const spam = { uri: pathToFileURL(spamConfig).toString(), text: readFileSync(spamConfig, 'utf8') };
  rows.push({ what: 'validation: 1.1 MB data (spam example)', samples: await measure(() => validateConfig(parseConfigDocument(spam.uri, spam.text), nodeFileSystem)), targetMs: TARGET_VALIDATION_MS, gated: true });
  const pasted = `task: [\nwatch: [${', '.repeat((YAML_LIMITS.maxLength - 20) / 2)}]\n`;
  rows.push({ what: 'validation: 128 KiB of broken YAML', samples: await measure(() => validateConfig(parseConfigDocument(uri, pasted), nodeFileSystem)), targetMs: 250, gated: false });
  const allCompletions: number[] = [];
  for (const site of completionSites(text)) {
    const samples = await measure(() => completion(parseConfigDocument(uri, site.text), site.position, nodeFileSystem));
    allCompletions.push(...samples);
    rows.push({ what: `completion: ${site.name}`, samples, targetMs: TARGET_COMPLETION_MS, gated: false });
  }
  rows.push({ what: 'completion: all sites', samples: allCompletions, targetMs: TARGET_COMPLETION_MS, gated: true });
  if (!process.argv.includes('--no-lsp')) rows.push(...(await serverRoundTrips(text)));

  console.log(`${ITERATIONS} iterations after ${WARMUP} warm-up, times in ms (parse included)\n`);
  console.log(['what'.padEnd(38), 'median', '   p95', 'target', 'p95/target'].join('  '));
  let failed = false;
  for (const row of rows) {
    const p95 = percentile(row.samples, 95);
    const ratio = p95 / row.targetMs;
    const over = row.gated && ratio > 1;
    failed ||= over;
    console.log(
      [row.what.padEnd(38), percentile(row.samples, 50).toFixed(2).padStart(6), p95.toFixed(2).padStart(6), `< ${row.targetMs}`.padStart(6), `${ratio.toFixed(2)}${over ? '  OVER' : row.gated ? '' : '  (info)'}`.padStart(10)].join('  '),
    );
  }
  if (failed) {
    console.error('\nA target was missed.');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
