// Thousands of seeded mutations of real configs through `nlp-studio validate --json`, the bundled CLI as
// users run it, in batches: the exit code is 0, 1 or 2 only, nothing but diagnostics is printed (no
// stack trace), exit 1 exactly when some diagnostic is an error, and every range lies in its file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from '../fixtures/engine/bundleOptions';
import type { CliDiagnostic } from '../../engine/cli/validateCommand';
import { assertRangeInside, editorLines, fuzzSettings, nextConfig, projectFolder, seedConfigs, seededRandom } from '../fixtures/fuzz/configFuzz';

const root = resolve(__dirname, '../..');
const workFolder = mkdtempSync(join(tmpdir(), 'nlp-studio-fuzz-validate-'));
const cli = join(workFolder, 'cli.js');
const project = join(workFolder, 'project');
const BATCH = 500;

function validate(files: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, 'validate', '--json', ...files], { cwd: project, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The invariants for one run of validate over `files` (name → text); returns what is wrong, or undefined. */
function violation(files: Map<string, string>): string | undefined {
  const { code, stdout, stderr } = validate([...files.keys()]);
  if (code !== 0 && code !== 1 && code !== 2) return `exit code ${String(code)}\n${stderr}`;
  if (stderr !== '') return `printed on stderr: ${stderr.slice(0, 2000)}`;
  let errors = 0;
  for (const line of stdout.split('\n').filter((l) => l !== '')) {
    let reported: CliDiagnostic;
    try {
      reported = JSON.parse(line) as CliDiagnostic;
    } catch {
      return `a line of stdout is not a diagnostic: ${line.slice(0, 2000)}`;
    }
    const text = files.get(reported.file);
    if (text === undefined) return `a diagnostic for a file not given: ${line}`;
    if (reported.severity === 'error') errors++;
    const range = { start: { line: reported.line - 1, character: reported.column - 1 }, end: { line: reported.endLine - 1, character: reported.endColumn - 1 } };
    try {
      assertRangeInside(editorLines(text), range, `${reported.file}: "${reported.message}"`);
    } catch (error) {
      return (error as Error).message;
    }
  }
  if ((code === 1) !== errors > 0) return `exit code ${code} with ${errors} errors`;
  return undefined;
}

describe('fuzz: nlp-studio validate', () => {
  const { seed, cases, replay } = fuzzSettings(20_250_112, 3000);

  before(async () => {
    cpSync(projectFolder, project, { recursive: true });
    await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: [join(root, 'engine/cli.ts')], outfile: cli });
  });
  after(() => rmSync(workFolder, { recursive: true, force: true }));

  it(`keeps its invariants over ${cases} mutated configs (seed ${seed})`, () => {
    const random = seededRandom(seed);
    const seeds = seedConfigs();
    let text = '';
    for (let first = 0; first < cases; first += BATCH) {
      const batch = new Map<string, string>();
      for (let i = first; i < Math.min(cases, first + BATCH); i++) {
        text = nextConfig(text, seeds, random);
        const name = `fuzz-${String(i).padStart(5, '0')}.nlp.yaml`;
        writeFileSync(join(project, name), text);
        batch.set(name, text);
      }
      if (violation(batch) === undefined) continue;
      // Name the config to blame: the first one that fails on its own.
      for (const [name, config] of batch) {
        const problem = violation(new Map([[name, config]]));
        if (problem !== undefined) assert.fail(`${name} (case ${Number(name.slice(5, 10))} of ${replay}): ${problem}\n--- text:\n${JSON.stringify(config)}`);
      }
      assert.fail(`a batch of ${replay} from case ${first} fails only together: ${violation(batch)}`);
    }
  });
});
