// The `nlp-studio` CLI as users run it: bundled by esbuild (here, into a temporary folder, so the test
// does not depend on `npm run build`), spawned on fixtures, checked by its output and exit code.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from '../fixtures/engine/bundleOptions';

const root = resolve(__dirname, '../..');
const project = join(root, 'test/fixtures/project');
const malformed = join(root, 'test/fixtures/malformed');
const outFolder = mkdtempSync(join(tmpdir(), 'nlp-studio-cli-'));
const cli = join(outFolder, 'cli.js');

function run(args: string[], cwd = project): { code: number | null; stdout: string; stderr: string } {
  // Hub ids are looked up in a cache that holds nothing, whatever this machine has downloaded.
  const env = { ...process.env, HF_HUB_CACHE: join(tmpdir(), 'nlp-studio-empty-hf-cache') };
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('nlp-studio CLI', () => {
  before(async () => {
    await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: [join(root, 'engine/cli.ts')], outfile: cli });
  });
  after(() => rmSync(outFolder, { recursive: true, force: true }));

  it('validates good configs with no diagnostics on stdout, a summary on stderr and exit 0', () => {
    const result = run(['validate', 'classifier.nlp.yaml', 'word2vec.nlp.yaml', 'embedding.nlp.yaml']);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, '3 configs checked: 0 errors, 0 other diagnostics.\n');
    assert.equal(result.code, 0);
  });

  it('prints file:line:col: severity: message [code] and exits 1 on an error', () => {
    const result = run(['validate', 'unknown-key-stage.nlp.yaml'], malformed);
    assert.equal(result.code, 1);
    assert.deepEqual(result.stdout.trimEnd().split('\n'), [
      'unknown-key-stage.nlp.yaml:13:7: error: Missing required key "learning_rate" in training.stages[0]. [required]',
      'unknown-key-stage.nlp.yaml:15:7: error: Unknown key "lerning_rate" in training.stages[0]. Did you mean "learning_rate"? [unknown-key]',
    ]);
  });

  it('exits 0 when there are only warnings and information', () => {
    const result = run(['validate', join(malformed, 'hub-model.nlp.yaml'), join(malformed, 'learning-rate-too-high.nlp.yaml')]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /hub-model\.nlp\.yaml:6:15: info: .* \[hub-model\]\n/);
    assert.match(result.stdout, /learning-rate-too-high\.nlp\.yaml:18:22: warning: .* \[learning-rate\]\n/);
  });

  it('prints one JSON object per diagnostic with --json', () => {
    const result = run(['validate', '--json', 'vector-size-mismatch.nlp.yaml'], malformed);
    assert.equal(result.code, 1);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
    assert.deepEqual(lines, [
      {
        file: 'vector-size-mismatch.nlp.yaml',
        line: 6,
        column: 16,
        endLine: 6,
        endColumn: 17,
        severity: 'error',
        code: 'vector-size',
        message: 'vector_size 8 does not match the 4 dimensions of "../project/vectors/small.txt".',
      },
    ]);
  });

  it('exits 2 with a clear message for a missing file, an unknown command or no file', () => {
    const missing = run(['validate', 'nope.nlp.yaml']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'nlp-studio validate: file not found: nope.nlp.yaml\n');
    const unknown = run(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    assert.equal(run(['validate']).code, 2);
    assert.equal(run(['--no-such-option']).code, 2);
  });

  it('finishes quietly, with its exit code, when the reader of its output goes away (validate … | head)', async () => {
    const configs = readdirSync(malformed).filter((name) => name.endsWith('.nlp.yaml'));
    const child = spawn(process.execPath, [cli, 'validate', ...configs, ...configs, ...configs], { cwd: malformed, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.once('data', () => child.stdout.destroy());
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1);
    assert.doesNotMatch(stderr, /EPIPE|\n +at /);
  });

  it('lists the commands with --help, prints the package version with --version', () => {
    const help = run(['--help']);
    assert.equal(help.code, 0);
    for (const command of ['validate']) assert.match(help.stdout, new RegExp(`nlp-studio ${command} `));
    const version = run(['--version']);
    const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout, `${packageJson.version}\n`);
    assert.equal(version.code, 0);
  });
});
