// selectBackend: what `auto` picks and says, explicit choices, and the optional Node bindings found
// (or not) at run time — fake packages stand in for @tensorflow/tfjs-node, which cannot be installed here.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { locateModule } from '../../engine/backend/optionalModules';
import { BackendUnavailableError, selectBackend } from '../../engine/backend/selectBackend';
import { discoverWebGpu, pickAdapter } from '../../engine/backend/webgpuBackend';
import type { RunEvent } from '../../common/protocol/runEvents';
import { runTraining } from '../../engine/run/runTraining';
import { makeSentimentProject } from '../fixtures/classification/sentimentProject';

const installed = (name: string): boolean => locateModule(name).entry !== undefined;
let workspace: string;

/** A package folder under `root`/node_modules whose index.js runs `body`. */
async function fakePackage(root: string, name: string, version: string, body: string): Promise<void> {
  const folder = path.join(root, 'node_modules', ...name.split('/'));
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  await writeFile(path.join(folder, 'index.js'), body);
}

/** Runs `body` with `root` as the per-user modules folder (NLP_STUDIO_MODULES), where installCommand's advice installs bindings. */
async function withModulesFolder<T>(root: string, body: () => Promise<T>): Promise<T> {
  const previous = process.env.NLP_STUDIO_MODULES;
  process.env.NLP_STUDIO_MODULES = root;
  try {
    return await body();
  } finally {
    if (previous === undefined) delete process.env.NLP_STUDIO_MODULES;
    else process.env.NLP_STUDIO_MODULES = previous;
  }
}

before(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'nlp-backend-'));
});
after(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('selectBackend', () => {
  test('auto falls back to wasm and says what it tried', { skip: installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu') }, async (t) => {
    if (pickAdapter((await discoverWebGpu()).adapters, false)) return t.skip('a GPU is here: auto takes webgpu');
    const choice = await selectBackend('auto');
    assert.equal(choice.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(choice.reason, /^auto: @tensorflow\/tfjs-node-gpu not installed; webgpu: [^;]+; @tensorflow\/tfjs-node not installed; wasm \((SIMD|no SIMD).*\) ready$/);
    assert.match(choice.device, /^CPU: WebAssembly \((SIMD|no SIMD)/);
  });

  test('cpu and wasm are always there; the current backend follows the choice', async () => {
    assert.deepEqual(await selectBackend('cpu'), { name: 'cpu', device: 'CPU: pure JavaScript', reason: 'backend: cpu; cpu (pure JavaScript) ready' });
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal((await selectBackend('wasm')).name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  test('an explicit binding that is missing fails and names what to install', { skip: installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu') }, async () => {
    await assert.rejects(selectBackend('tensorflow'), (error: unknown) => {
      assert.ok(error instanceof BackendUnavailableError);
      assert.match(error.message, /backend: tensorflow is not available here: @tensorflow\/tfjs-node not installed\. To use it: cd ".+" && npm install --no-save @tensorflow\/tfjs-node@4\.22\.0/);
      return true;
    });
    await assert.rejects(selectBackend('tensorflow-gpu'), (error: unknown) => {
      assert.ok(error instanceof BackendUnavailableError);
      assert.match(error.message, /npm install --no-save @tensorflow\/tfjs-node-gpu@4\.22\.0; needs .*CUDA 11\.2 and cuDNN 8\.1/);
      return true;
    });
  });

  test('a binding that is installed but fails to load is reported, and auto moves on', async () => {
    const root = path.join(workspace, 'broken');
    await fakePackage(root, '@tensorflow/tfjs-node-gpu', '4.22.0', "throw new Error('libcudart.so.11.0: cannot open shared object file');");
    await fakePackage(root, '@tensorflow/tfjs-node', '4.22.0', "throw new Error('libtensorflow.so.2: cannot open shared object file');");
    await withModulesFolder(root, async () => {
      const choice = await selectBackend('auto');
      assert.equal(choice.name, 'wasm');
      assert.match(choice.reason, /@tensorflow\/tfjs-node-gpu 4\.22\.0 does not load \(libcudart\.so\.11\.0: cannot open shared object file\)/);
      assert.match(choice.reason, /@tensorflow\/tfjs-node 4\.22\.0 does not load \(libtensorflow\.so\.2/);
      await assert.rejects(selectBackend('tensorflow'), /does not load.*npm install --no-save @tensorflow\/tfjs-node@4\.22\.0/);
    });
  });

  test('a binding whose backend does not compute is not chosen (setBackend and a test op are checked)', async () => {
    const root = path.join(workspace, 'inert');
    // Registers a 'tensorflow' backend without kernels, as a tfjs-node built against another tfjs-core might.
    await fakePackage(root, '@tensorflow/tfjs-node', '4.22.0', 'globalThis.__registerFakeTensorflow();');
    const globals = globalThis as { __registerFakeTensorflow?: () => void };
    globals.__registerFakeTensorflow = () => {
      tf.registerBackend('tensorflow', () => new (class extends tf.KernelBackend {
        override dispose(): void {}
      })());
    };
    try {
      const choice = await withModulesFolder(root, () => selectBackend('auto'));
      assert.equal(choice.name, 'wasm');
      assert.match(choice.reason, /@tensorflow\/tfjs-node 4\.22\.0: the 'tensorflow' backend (failed to start|failed a test op)/);
    } finally {
      tf.removeBackend('tensorflow');
      delete globals.__registerFakeTensorflow;
    }
  });
});

describe('a run selects its backend', () => {
  test('text-classification starts on the backend the config asks for; one that is missing fails at the backend key', { skip: installed('@tensorflow/tfjs-node') }, async () => {
    const project = await makeSentimentProject({ training: 'training:\n  stages: [{ epochs: 1, learning_rate: 0.01, freeze: encoder }]' });
    try {
      const text = await readFile(project.config, 'utf8');
      await writeFile(project.config, `${text}\nbackend: cpu\n`);
      const events: RunEvent[] = [];
      const outcome = await runTraining(project.config, { onEvent: (event) => events.push(event) });
      assert.equal(outcome.kind, 'finished', JSON.stringify(outcome));
      assert.equal(tf.getBackend(), 'cpu');

      const lines = `${text}\nbackend: tensorflow\n`;
      await writeFile(project.config, lines);
      const failed = await runTraining(project.config, { onEvent: () => undefined });
      assert.equal(failed.kind, 'failed');
      assert.match(failed.kind === 'failed' ? failed.message : '', /npm install --no-save @tensorflow\/tfjs-node@4\.22\.0/);
      assert.equal(failed.kind === 'failed' && failed.location?.line, lines.split('\n').indexOf('backend: tensorflow') + 1);
    } finally {
      await rm(project.dir, { recursive: true, force: true });
    }
  });
});
