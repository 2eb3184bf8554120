// The training-environment report through a fake probe — an NVIDIA machine whose Vulkan half is
// missing, one that trains on its GPU through WebGPU, a machine with only Mesa's software adapter —
// its verdict, its advice for a .vsix and for a checkout, its Markdown; then `nlp-studio env` here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineInstall } from '../../engine/backend/engineInstall';
import { environmentReport, type BindingReport, type EnvironmentProbe } from '../../engine/backend/environmentReport';
import { formatEnvironmentReport } from '../../engine/backend/formatEnvironmentReport';
import type { BackendChoice } from '../../engine/backend/selectBackend';
import type { WebGpuAdapterReport, WebGpuDiscovery } from '../../engine/backend/webgpuBackend';
import { runCli } from '../../engine/cli/commands';

const VSIX: EngineInstall = { kind: 'vsix', root: '/home/ada/.vscode/extensions/nlp-studio-0.1.0', modulesFolder: '/home/ada/.nlp-studio/modules' };
const CHECKOUT: EngineInstall = { kind: 'checkout', root: '/src/nlp-studio', modulesFolder: '/home/ada/.nlp-studio/modules' };
const WASM: BackendChoice = {
  name: 'wasm',
  device: 'CPU: WebAssembly (SIMD)',
  reason: 'auto: @tensorflow/tfjs-node-gpu not installed; webgpu: Dawn found no adapter (vulkan: no adapter, opengles: no adapter); @tensorflow/tfjs-node not installed; wasm (SIMD) ready',
};

const H200: WebGpuAdapterReport = {
  backend: 'vulkan',
  featureLevel: 'core',
  vendor: 'nvidia',
  architecture: 'hopper',
  device: 'NVIDIA H200',
  description: 'NVIDIA: 570.86.15',
  isFallbackAdapter: false,
  software: false,
  limits: { maxBufferSize: 2 ** 36, maxStorageBufferBindingSize: 2 ** 32 - 4, maxComputeWorkgroupStorageSize: 49152, maxComputeInvocationsPerWorkgroup: 1024, maxStorageBuffersPerShaderStage: 1048576 },
};
const LLVMPIPE: WebGpuAdapterReport = {
  backend: 'opengles',
  featureLevel: 'compatibility',
  vendor: '',
  architecture: '',
  device: 'llvmpipe-llvm-15-0-6-256-bits-',
  description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6',
  isFallbackAdapter: false,
  software: true,
  limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 27, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024, maxStorageBuffersPerShaderStage: 16 },
};
const NO_ADAPTER: WebGpuDiscovery = { binary: { path: '/ext/out/dawn/dawn.node' }, adapters: [], notes: ['vulkan: no adapter', 'opengles: no adapter'] };

interface FakeMachine {
  folders?: Record<string, string[]>;
  files?: Record<string, string>;
  programs?: Record<string, string>;
  bindings?: Partial<Record<string, BindingReport>>;
  webgpu?: WebGpuDiscovery;
  auto?: BackendChoice;
  env?: NodeJS.ProcessEnv;
  install?: EngineInstall;
}

function fakeProbe(machine: FakeMachine): EnvironmentProbe {
  return {
    env: machine.env ?? { PATH: '/usr/bin:/bin' },
    platform: 'linux',
    run: (file) => Promise.resolve(machine.programs?.[file]),
    list: (folder) => Promise.resolve(machine.folders?.[folder] ?? []),
    read: (file) => Promise.resolve(machine.files?.[file]),
    binding: (name) => machine.bindings?.[name] ?? { name, installed: false },
    webgpu: () => Promise.resolve(structuredClone(machine.webgpu ?? NO_ADAPTER)),
    wasm: () => Promise.resolve({ ok: true, simd: true, folder: '/ext/out' }),
    auto: () => Promise.resolve(machine.auto ?? WASM),
    install: () => machine.install ?? VSIX,
  };
}

const NVIDIA_SMI = { '/usr/bin/nvidia-smi': 'NVIDIA H200, 570.86.15, 143771 MiB\n' };

describe('environmentReport', () => {
  test('the Hugging Face cache: where it is, what it holds, whether downloads may happen, and whether a token is set (never its value)', async () => {
    const env = { PATH: '/usr/bin', HF_HOME: '/home/ada/hf', HF_HUB_OFFLINE: '1' };
    const report = await environmentReport(fakeProbe({ env, folders: { '/home/ada/hf/hub': ['models--org--tiny-bert', 'models--distilbert-base-uncased', 'datasets--org--x', 'version.txt'] }, files: { '/home/ada/hf/token': 'hf_secret\n' } }));
    assert.deepEqual(report.huggingface, { cacheDir: '/home/ada/hf/hub', models: ['distilbert-base-uncased', 'org/tiny-bert'], offline: true, token: 'the token file' });
    const markdown = formatEnvironmentReport(report);
    assert.match(markdown, /## Models from the Hugging Face Hub\n\n- cache \(shared with Python's huggingface_hub\): \/home\/ada\/hf\/hub\n- cached models: `distilbert-base-uncased`, `org\/tiny-bert`\n- downloads: off \(HF_HUB_OFFLINE is set\)/);
    assert.doesNotMatch(markdown, /hf_secret/);
  });

  test('an NVIDIA machine without Vulkan: the verdict says why the GPU is not used, the advice names the two missing packages', async () => {
    const report = await environmentReport(fakeProbe({ folders: { '/usr/bin': ['nvidia-smi'] }, programs: NVIDIA_SMI }));
    assert.deepEqual(report.webgpu.vulkan, { loader: { name: 'libvulkan.so.1', found: [] }, icds: [], icdSource: '/usr/share/vulkan/icd.d, /etc/vulkan/icd.d, /usr/local/share/vulkan/icd.d, /usr/local/etc/vulkan/icd.d' });
    assert.equal(report.gpuVerdict, 'The GPU is not used. WebGPU: Dawn found no adapter (vulkan: no adapter, opengles: no adapter); tfjs-node-gpu: not installed.');
    assert.match(report.advice[0]!, /Install the Vulkan loader \(libvulkan\.so\.1; Debian and Ubuntu: `sudo apt-get install libvulkan1`\)/);
    assert.match(report.advice[1]!, /NVIDIA driver's Vulkan driver \(Debian: `sudo apt-get install nvidia-vulkan-icd`/);
    const markdown = formatEnvironmentReport(report);
    assert.match(markdown, /^# NLP Studio training environment\n\n\*\*Fine-tuning runs on:\*\* CPU: WebAssembly \(SIMD\) \(`backend: auto` picks `wasm`\)\.\n\nThe GPU is not used\./);
    assert.doesNotMatch(markdown, /Backend for|backend: auto: wasm/, 'no stutter');
    assert.match(markdown, /- Vulkan loader \(libvulkan\.so\.1\): not found/);
    assert.match(markdown, /- GPU: NVIDIA H200, 570\.86\.15, 143771 MiB/);
    assert.match(markdown, /Word-vector pretraining \(`task: word2vec`\) runs on NLP Studio's own WebAssembly kernels/);
  });

  test('the loader and the ICDs are found (VK_ICD_FILENAMES wins over the standard folders)', async () => {
    const report = await environmentReport(
      fakeProbe({
        env: { PATH: '/usr/bin', VK_ICD_FILENAMES: '/opt/lvp/lvp_icd.json' },
        folders: { '/usr/bin': ['nvidia-smi'], '/usr/share/vulkan/icd.d': ['nvidia_icd.json'] },
        files: { '/opt/lvp/lvp_icd.json': '{"file_format_version":"1.0.0","ICD":{"library_path":"/opt/lvp/libvulkan_lvp.so","api_version":"1.3.0"}}' },
        programs: { ...NVIDIA_SMI, ldconfig: '\tlibvulkan.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libvulkan.so.1\n' },
      }),
    );
    assert.deepEqual(report.webgpu.vulkan?.loader.found, ['/lib/x86_64-linux-gnu/libvulkan.so.1']);
    assert.deepEqual(report.webgpu.vulkan?.icds, [{ manifest: '/opt/lvp/lvp_icd.json', library: '/opt/lvp/libvulkan_lvp.so' }]);
    assert.equal(report.webgpu.vulkan?.icdSource, 'VK_ICD_FILENAMES');
    assert.ok(!report.advice.some((line) => /Vulkan loader/.test(line)), 'the loader is there');
    assert.ok(report.advice.some((line) => /nvidia-vulkan-icd/.test(line)), 'the only ICD is lavapipe, not NVIDIA’s');
    assert.match(formatEnvironmentReport(report), /- Vulkan drivers \(ICDs, from VK_ICD_FILENAMES\): \/opt\/lvp\/lvp_icd\.json → \/opt\/lvp\/libvulkan_lvp\.so/);
  });

  test('training on the GPU through WebGPU: the device first, nothing to do, the adapter with its limits', async () => {
    const report = await environmentReport(
      fakeProbe({
        folders: { '/usr/bin': ['nvidia-smi'], '/usr/share/vulkan/icd.d': ['nvidia_icd.json'] },
        files: { '/usr/share/vulkan/icd.d/nvidia_icd.json': '{"ICD":{"library_path":"libGLX_nvidia.so.0"}}' },
        programs: { ...NVIDIA_SMI, ldconfig: '\tlibvulkan.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libvulkan.so.1\n' },
        webgpu: { binary: { path: '/ext/out/dawn/dawn.node' }, adapters: [H200, LLVMPIPE], notes: [] },
        auto: { name: 'webgpu', device: 'GPU: NVIDIA H200 (vulkan) through WebGPU', reason: 'auto: @tensorflow/tfjs-node-gpu not installed; webgpu on NVIDIA H200 (vulkan) ready' },
      }),
    );
    assert.equal(report.gpuVerdict, 'Training uses the GPU: GPU: NVIDIA H200 (vulkan) through WebGPU.');
    assert.deepEqual(report.advice, []);
    const markdown = formatEnvironmentReport(report);
    assert.match(markdown, /\*\*Fine-tuning runs on:\*\* GPU: NVIDIA H200 \(vulkan\) through WebGPU \(`backend: auto` picks `webgpu`\)\./);
    assert.match(markdown, /\| NVIDIA H200 \| Vulkan \| nvidia \| hopper \| GPU \| 64 GB \| 4\.0 GB \| 48 KB \| 1024 \|/);
    assert.match(markdown, /\| llvmpipe-llvm-15-0-6-256-bits- \| OpenGL ES \(compatibility\) \| — \| — \| software: never used by `auto` \| 2 GB \| 128 MB \| 32 KB \| 1024 \|/);
    assert.match(markdown, /Nothing: training uses the GPU\./);
    assert.match(markdown, /Why `auto` chose webgpu: @tensorflow\/tfjs-node-gpu not installed; webgpu on NVIDIA H200 \(vulkan\) ready\./);
  });

  test('a .vsix user is told to install optional packages in the per-user folder, never in the data workspace', async () => {
    const report = await environmentReport(fakeProbe({ webgpu: { ...NO_ADAPTER, adapters: [LLVMPIPE], notes: ['vulkan: no adapter'] } }));
    assert.equal(report.gpuVerdict, 'The GPU is not used. WebGPU: only software adapters: llvmpipe-llvm-15-0-6-256-bits- (opengles); no NVIDIA driver (nvidia-smi is not on PATH).');
    assert.match(report.advice[0]!, /^No GPU was found, so training runs on the CPU\. On a machine with a GPU, WebGPU needs only the GPU driver/);
    assert.match(report.advice[1]!, /`npm install --prefix "\/home\/ada\/\.nlp-studio\/modules" @tensorflow\/tfjs-node@4\.22\.0`/);
    const markdown = formatEnvironmentReport(report);
    assert.doesNotMatch(markdown, /\/home\/ada\/data/, 'the workspace is not where tools go');
    assert.match(markdown, /from the installed extension \(\/home\/ada\/\.vscode\/extensions\/nlp-studio-0\.1\.0\)/);
  });

  test('from a checkout, optional packages go into the checkout, without touching its package.json', async () => {
    const report = await environmentReport(fakeProbe({ install: CHECKOUT }));
    assert.ok(report.advice.some((line) => line.includes('`cd "/src/nlp-studio" && npm install --no-save @tensorflow/tfjs-node@4.22.0`')), report.advice.join('\n'));
    assert.match(formatEnvironmentReport(report), /from a checkout of NLP Studio \(\/src\/nlp-studio\)/);
  });

  test('a binding that is installed but fails to load says why; WebGPU that cannot start says why', async () => {
    const report = await environmentReport(
      fakeProbe({
        folders: { '/usr/bin': ['nvidia-smi'] },
        programs: NVIDIA_SMI,
        bindings: { '@tensorflow/tfjs-node-gpu': { name: '@tensorflow/tfjs-node-gpu', installed: true, version: '4.22.0', loadable: false, loadError: 'libcudart.so.11.0: cannot open shared object file' } },
        webgpu: { adapters: [], notes: [], unavailable: 'the engine runs inside Electron 34.5.8 (VS Code’s own runtime), which cannot map GPU buffers for Dawn' },
      }),
    );
    assert.match(report.gpuVerdict, /WebGPU: the engine runs inside Electron 34\.5\.8 .*; tfjs-node-gpu: does not load \(libcudart\.so\.11\.0/);
    assert.match(report.advice[0]!, /^WebGPU cannot start: the engine runs inside Electron/);
    assert.ok(report.advice.some((line) => /tfjs-node-gpu is installed but does not load \(libcudart/.test(line)));
    assert.match(formatEnvironmentReport(report), /\| `@tensorflow\/tfjs-node-gpu` \| yes \| 4\.22\.0 \| no: libcudart\.so\.11\.0/);
  });

  test('nlp-studio env --json reports this machine: the WebGPU section, wasm with SIMD, a backend with its device', async () => {
    let stdout = '';
    const code = await runCli(['env', '--json'], { cwd: process.cwd(), stdout: (text) => void (stdout += text), stderr: () => undefined });
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as { wasm: { ok: boolean }; auto: { name?: string; device?: string }; bindings: { name: string }[]; webgpu: { adapters: unknown[]; binary?: { path: string } }; install: { kind: string } };
    assert.equal(report.wasm.ok, true);
    assert.ok(report.auto.name && report.auto.device, 'a backend is chosen and names its device');
    assert.ok(report.webgpu.binary?.path.endsWith('dawn.node'), 'the Dawn binary is found');
    assert.equal(report.install.kind, 'checkout');
    assert.deepEqual(report.bindings.map((binding) => binding.name), ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });
});
