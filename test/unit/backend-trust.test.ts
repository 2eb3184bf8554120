// Security (issue 12): the optional native bindings (@tensorflow/tfjs-node, -gpu) are code, and load
// only from NLP Studio's own installation or the per-user modules folder its install advice names —
// never from a node_modules beside the config, in the current directory or in their parents, where an
// untrusted checkout could put its own. Through the real CLI (the bundle `npm run build` writes).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { sentences, TINY_BERT_FOLDER, toCsv } from '../fixtures/classification/sentimentProject';

const cli = resolve(__dirname, '../../out/cli.js');
const scratch = mkdtempSync(join(tmpdir(), 'nlp-studio-trust-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const BINDINGS = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/** Fake bindings under `root`/node_modules whose loading writes `<marker>-<n>` (and then fails, as a binding without its library does). */
function plantBindings(root: string, marker: string): string[] {
  return BINDINGS.map((name, n) => {
    const folder = join(root, 'node_modules', ...name.split('/'));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js' }));
    const written = `${marker}-${n}`;
    writeFileSync(join(folder, 'index.js'), `require('fs').writeFileSync(${JSON.stringify(written)}, 'loaded'); throw new Error('fake binding');\n`);
    return written;
  });
}

function run(args: string[], cwd: string, modules: string): { code: number | null; stdout: string; out: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NLP_STUDIO_MODULES: modules } });
  return { code: result.status, stdout: result.stdout, out: result.stdout + result.stderr };
}

describe('optional native backends load only from where NLP Studio installs them', () => {
  const emptyModules = join(scratch, 'no-modules');
  mkdirSync(emptyModules, { recursive: true });

  it('train and env never load a binding beside the config, in the current directory, or in a parent folder', () => {
    // An untrusted checkout inside a folder of its own: its parent's node_modules is planted too.
    const parent = join(scratch, 'untrusted');
    const project = join(parent, 'checkout');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'train.csv'), toCsv(sentences(32, 1)));
    const config = join(project, 'classify.nlp.yaml');
    writeFileSync(config, `task: text-classification\nname: c\nbackend: tensorflow\nmodel:\n  pretrained: ${JSON.stringify(TINY_BERT_FOLDER)}\ndata:\n  train: train.csv\n  validation_split: 0.25\n`);
    const markers = [...plantBindings(project, join(scratch, 'beside')), ...plantBindings(parent, join(scratch, 'parent'))];
    const trained = run(['train', config], project, emptyModules);
    assert.equal(trained.code, 1, trained.out);
    assert.match(trained.out, /backend: tensorflow is not available here: @tensorflow\/tfjs-node not installed/);
    const env = run(['env', '--json'], project, emptyModules);
    assert.equal(env.code, 0, env.out);
    const report = JSON.parse(env.stdout) as { bindings: { name: string; installed: boolean }[] };
    assert.deepEqual(report.bindings.map((binding) => binding.installed), [false, false]);
    for (const marker of markers) assert.equal(existsSync(marker), false, `${marker}: a binding outside NLP Studio's installation was loaded`);
  });

  it('the per-user modules folder, where the install advice puts them, is searched', () => {
    const modules = join(scratch, 'modules');
    const markers = plantBindings(modules, join(scratch, 'installed'));
    const env = run(['env', '--json'], scratch, modules);
    assert.equal(env.code, 0, env.out);
    const report = JSON.parse(env.stdout) as { bindings: { name: string; installed: boolean; loadError?: string }[] };
    assert.deepEqual(report.bindings.map((binding) => [binding.installed, binding.loadError]), [[true, 'fake binding'], [true, 'fake binding']]);
    for (const marker of markers) assert.equal(existsSync(marker), true, marker);
  });
});
