// The training-environment report: what it finds through a fake probe (a GPU machine without the CUDA
// 11 libraries, one with everything), its advice and Markdown, and `nlp-studio env` on this machine.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { environmentReport, formatEnvironmentReport, type BindingReport, type EnvironmentProbe } from '../../engine/backend/environmentReport';
import type { BackendChoice } from '../../engine/backend/selectBackend';
import { runCli } from '../../engine/cli/commands';

interface FakeMachine {
  folders: Record<string, string[]>;
  programs: Record<string, string>;
  bindings?: Partial<Record<string, BindingReport>>;
  auto: BackendChoice;
  env?: NodeJS.ProcessEnv;
}

function fakeProbe(machine: FakeMachine): EnvironmentProbe {
  return {
    env: machine.env ?? { PATH: '/usr/bin:/bin' },
    platform: 'linux',
    run: (file) => Promise.resolve(machine.programs[file]),
    list: (folder) => Promise.resolve(machine.folders[folder] ?? []),
    binding: (name) => machine.bindings?.[name] ?? { name, installed: false },
    wasm: () => Promise.resolve({ ok: true, simd: true, folder: '/ext/out' }),
    auto: () => Promise.resolve(machine.auto),
  };
}

const LDCONFIG_CUDA12 = [
  '1234 libs found in cache `/etc/ld.so.cache\'',
  '\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda-12.4/lib64/libcudart.so.12',
  '\tlibcudnn.so.9 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.9',
  '\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6',
].join('\n');

describe('environmentReport', () => {
  test('a GPU machine with CUDA 12 only: nvidia-smi and its GPU found, the CUDA 11.2 / cuDNN 8.1 libraries reported missing', async () => {
    const report = await environmentReport(
      ['/work/project'],
      fakeProbe({
        folders: { '/usr/bin': ['nvidia-smi', 'ls'] },
        programs: { ldconfig: LDCONFIG_CUDA12, '/usr/bin/nvidia-smi': 'NVIDIA H100 80GB HBM3, 550.54.15, 81559 MiB\n' },
        auto: { name: 'wasm', reason: 'auto: @tensorflow/tfjs-node-gpu not installed; @tensorflow/tfjs-node not installed; wasm (SIMD) ready' },
      }),
    );
    assert.equal(report.cuda.nvidiaSmi, '/usr/bin/nvidia-smi');
    assert.deepEqual(report.cuda.gpus, ['NVIDIA H100 80GB HBM3, 550.54.15, 81559 MiB']);
    assert.deepEqual(report.cuda.libraries, [
      { name: 'libcudart.so.11', found: [] },
      { name: 'libcudnn.so.8', found: [] },
    ]);
    assert.match(report.advice[0]!, /Install the CUDA 11\.2 runtime and cuDNN 8\.1 \(missing: libcudart\.so\.11\*, libcudnn\.so\.8\*\)/);
    assert.match(report.advice[1]!, /^Then: `npm install @tensorflow\/tfjs-node-gpu@4\.22\.0` \(in \/work\/project\)\.$/);
    const markdown = formatEnvironmentReport(report);
    assert.match(markdown, /Backend for `backend: auto`: \*\*wasm\*\* — auto: @tensorflow\/tfjs-node-gpu not installed/);
    assert.match(markdown, /\| `@tensorflow\/tfjs-node-gpu` \| no \| — \| — \|/);
    assert.match(markdown, /- GPU: NVIDIA H100/);
    assert.match(markdown, /- libcudart\.so\.11\*: not found/);
    assert.match(markdown, /- SIMD: yes/);
  });

  test('libraries found through LD_LIBRARY_PATH and ldconfig; a binding that fails to load says why', async () => {
    const report = await environmentReport(
      [],
      fakeProbe({
        env: { PATH: '/usr/bin', LD_LIBRARY_PATH: '/opt/cuda-11.2/lib64' },
        folders: { '/usr/bin': ['nvidia-smi'], '/opt/cuda-11.2/lib64': ['libcudart.so.11.0', 'libcublas.so.11'] },
        programs: { ldconfig: '\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8\n', '/usr/bin/nvidia-smi': 'Tesla T4, 535.0, 15360 MiB\n' },
        bindings: {
          '@tensorflow/tfjs-node-gpu': { name: '@tensorflow/tfjs-node-gpu', installed: true, version: '4.22.0', loadable: false, loadError: 'libcublasLt.so.11: cannot open shared object file' },
        },
        auto: { name: 'wasm', reason: 'auto: …' },
      }),
    );
    assert.deepEqual(report.cuda.libraries, [
      { name: 'libcudart.so.11', found: ['/opt/cuda-11.2/lib64/libcudart.so.11.0'] },
      { name: 'libcudnn.so.8', found: ['/usr/lib/x86_64-linux-gnu/libcudnn.so.8'] },
    ]);
    assert.ok(report.cuda.searched.includes('/opt/cuda-11.2/lib64'));
    assert.ok(report.advice.some((line) => /tfjs-node-gpu is installed but does not load \(libcublasLt\.so\.11/.test(line)));
    assert.match(formatEnvironmentReport(report), /\| `@tensorflow\/tfjs-node-gpu` \| yes \| 4\.22\.0 \| no: libcublasLt/);
  });

  test('nothing to advise when auto already runs on the GPU', async () => {
    const report = await environmentReport(
      [],
      fakeProbe({
        folders: { '/usr/bin': ['nvidia-smi'] },
        programs: {},
        bindings: { '@tensorflow/tfjs-node-gpu': { name: '@tensorflow/tfjs-node-gpu', installed: true, version: '4.22.0', loadable: true } },
        auto: { name: 'tensorflow-gpu', reason: 'auto: @tensorflow/tfjs-node-gpu 4.22.0 ready on the GPU' },
      }),
    );
    assert.deepEqual(report.advice, []);
    assert.match(formatEnvironmentReport(report), /Nothing: the fastest backend is in use\./);
  });

  test('nlp-studio env --json reports this machine: wasm with SIMD loads, auto picks a backend', async () => {
    let stdout = '';
    const code = await runCli(['env', '--json'], { cwd: process.cwd(), stdout: (text) => void (stdout += text), stderr: () => undefined });
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as { wasm: { ok: boolean }; auto: { name?: string }; bindings: { name: string }[] };
    assert.equal(report.wasm.ok, true);
    assert.ok(report.auto.name, 'a backend is chosen');
    assert.deepEqual(report.bindings.map((binding) => binding.name), ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });
});
