// "Check training environment" and `nlp-studio env`: what this machine offers the engine — the WebGPU
// adapters Dawn sees and the Vulkan loader and drivers behind them, the optional TensorFlow bindings,
// the NVIDIA driver and CUDA libraries tfjs-node-gpu needs, the WebAssembly build — which backend
// `auto` takes, why the GPU is or is not used, and what to do next, written for how NLP Studio was
// installed. The outside world comes through an `EnvironmentProbe`, so the report is testable;
// `nodeProbe()` is the real one. formatEnvironmentReport.ts writes it for a person.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { hubCacheDir, hubTokenFile, isHubOffline, repoIdFromCacheFolder } from '../../common/huggingface/hubCache';
import { engineInstall, installCommand, type EngineInstall } from './engineInstall';
import { loadModule, locateModule, TFJS_NODE, TFJS_NODE_GPU } from './optionalModules';
import { BINDING_SPEC, selectBackend, type BackendChoice } from './selectBackend';
import { startWasm, type WasmStatus } from './wasmBackend';
import { discoverWebGpu, noGpuReason, pickAdapter, VULKAN_LOADER, type WebGpuDiscovery } from './webgpuBackend';

/** tfjs-node-gpu 4.22 is built against these (TensorFlow 2.9). */
export const CUDA_REQUIREMENT = { cuda: '11.2', cudnn: '8.1', libraries: { cudart: 'libcudart.so.11', cudnn: 'libcudnn.so.8' } } as const;


/** Folders where CUDA, cuDNN and the Vulkan loader usually live on Linux, besides ldconfig's cache and LD_LIBRARY_PATH. */
const COMMON_LIBRARY_FOLDERS = ['/usr/local/cuda/lib64', '/usr/local/cuda-11.2/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/local/lib', '/opt/cuda/lib64'];

/** Where the Vulkan loader looks for driver manifests (ICDs) when VK_ICD_FILENAMES / VK_DRIVER_FILES are unset. */
const VULKAN_ICD_FOLDERS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/local/etc/vulkan/icd.d'];

export interface BindingReport {
  name: string;
  installed: boolean;
  version?: string;
  path?: string;
  loadable?: boolean;
  loadError?: string;
}

export interface LibraryReport {
  /** e.g. libcudart.so.11 */
  name: string;
  /** Every file found whose name starts with `name`, with where it was found. */
  found: string[];
}

export interface VulkanIcd {
  /** The manifest, e.g. /usr/share/vulkan/icd.d/nvidia_icd.json. */
  manifest: string;
  /** The driver library it names; undefined when the manifest cannot be read. */
  library?: string;
}

export interface EnvironmentReport {
  node: { version: string; platform: string; arch: string; cpus: number; runtime: string };
  install: EngineInstall;
  webgpu: WebGpuDiscovery & {
    /** Linux only: the Vulkan loader and the driver manifests it would load. */
    vulkan?: { loader: LibraryReport; icds: VulkanIcd[]; icdSource: string };
  };
  bindings: BindingReport[];
  cuda: {
    /** The nvidia-smi executable, when on PATH. */
    nvidiaSmi?: string;
    /** One line per GPU from nvidia-smi (name, driver, memory). */
    gpus: string[];
    libraries: LibraryReport[];
    /** What was searched, for the reader. */
    searched: string[];
  };
  wasm: WasmStatus;
  /** Where Hub ids of `model.pretrained` come from (the Hugging Face cache Python shares). */
  huggingface: { cacheDir: string; models: string[]; offline: boolean; endpoint?: string; token?: 'HF_TOKEN' | 'the token file' };
  auto: BackendChoice | { error: string };
  /** Why training does or does not use the GPU, in a sentence. */
  gpuVerdict: string;
  /** What to do next, in order; empty when nothing is missing. */
  advice: string[];
}

/** The side effects the report needs. */
export interface EnvironmentProbe {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Runs a program; undefined when it is missing or fails. */
  run(file: string, args: string[]): Promise<string | undefined>;
  /** A folder's file names; empty when it does not exist. */
  list(folder: string): Promise<string[]>;
  /** A file's text; undefined when it cannot be read. */
  read(file: string): Promise<string | undefined>;
  /** Tries the optional bindings: located, then required (this registers their backend). */
  binding(name: string): BindingReport;
  webgpu(): Promise<WebGpuDiscovery>;
  wasm(): Promise<WasmStatus>;
  auto(): Promise<BackendChoice>;
  install(): EngineInstall;
}

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

export function nodeProbe(): EnvironmentProbe {
  return {
    env: process.env,
    platform: process.platform,
    run: (file, args) =>
      new Promise((resolve) => {
        execFile(file, args, { timeout: 10_000, encoding: 'utf8' }, (error, stdout) => resolve(error ? undefined : stdout));
      }),
    list: (folder) => readdir(folder).catch(() => []),
    read: (file) => readFile(file, 'utf8').catch(() => undefined),
    binding(name) {
      const location = locateModule(name);
      if (!location.entry) return { name, installed: false };
      const found = { name, installed: true, path: location.entry, ...(location.version ? { version: location.version } : {}) };
      try {
        loadModule(location);
        return { ...found, loadable: true };
      } catch (error) {
        return { ...found, loadable: false, loadError: firstLine(error) };
      }
    },
    webgpu: discoverWebGpu,
    wasm: startWasm,
    auto: () => selectBackend('auto'),
    install: engineInstall,
  };
}

/** Where `file` is on PATH. */
async function onPath(probe: EnvironmentProbe, file: string): Promise<string | undefined> {
  for (const folder of (probe.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if ((await probe.list(folder)).includes(file)) return path.join(folder, file);
  }
  return undefined;
}

/** Libraries named `prefix*`: in ldconfig's cache, LD_LIBRARY_PATH and the usual folders. */
async function findLibraries(probe: EnvironmentProbe, prefixes: readonly string[]): Promise<{ libraries: LibraryReport[]; searched: string[] }> {
  const found = new Map<string, Set<string>>(prefixes.map((prefix) => [prefix, new Set<string>()]));
  const searched: string[] = [];
  const cache = (await probe.run('ldconfig', ['-p'])) ?? (await probe.run('/sbin/ldconfig', ['-p']));
  if (cache !== undefined) {
    searched.push('ldconfig -p');
    for (const line of cache.split('\n')) {
      const match = /^\s*(\S+)\s.*=>\s*(\S+)/.exec(line);
      if (!match) continue;
      for (const prefix of prefixes) if (match[1]!.startsWith(prefix)) found.get(prefix)!.add(match[2]!);
    }
  }
  const folders = [...(probe.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...COMMON_LIBRARY_FOLDERS];
  for (const folder of new Set(folders)) {
    searched.push(folder);
    for (const file of await probe.list(folder)) {
      for (const prefix of prefixes) if (file.startsWith(prefix)) found.get(prefix)!.add(path.join(folder, file));
    }
  }
  return { libraries: prefixes.map((prefix) => ({ name: prefix, found: [...found.get(prefix)!].sort() })), searched };
}

/** The Vulkan driver manifests the loader would read: the environment's list, else the standard folders. */
async function findIcds(probe: EnvironmentProbe): Promise<{ icds: VulkanIcd[]; icdSource: string }> {
  const variable = probe.env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : probe.env.VK_ICD_FILENAMES ? 'VK_ICD_FILENAMES' : undefined;
  const manifests = variable
    ? (probe.env[variable] ?? '').split(':').filter(Boolean)
    : (await Promise.all(VULKAN_ICD_FOLDERS.map(async (folder) => (await probe.list(folder)).filter((file) => file.endsWith('.json')).map((file) => path.join(folder, file))))).flat();
  const icds = await Promise.all(
    manifests.map(async (manifest): Promise<VulkanIcd> => {
      const text = await probe.read(manifest);
      try {
        const library = (JSON.parse(text ?? '') as { ICD?: { library_path?: unknown } }).ICD?.library_path;
        return typeof library === 'string' ? { manifest, library } : { manifest };
      } catch {
        return { manifest };
      }
    }),
  );
  return { icds, icdSource: variable ?? VULKAN_ICD_FOLDERS.join(', ') };
}

/** The Hugging Face cache and how the Hub is reached, from the same variables the engine reads (never the token itself). */
async function huggingfaceCacheReport(probe: EnvironmentProbe): Promise<EnvironmentReport['huggingface']> {
  const home = os.homedir();
  const cacheDir = hubCacheDir(probe.env, home);
  const models = (await probe.list(cacheDir)).flatMap((name) => repoIdFromCacheFolder(name) ?? []).sort();
  const token = probe.env.HF_TOKEN?.trim() ? 'HF_TOKEN' : (await probe.read(hubTokenFile(probe.env, home)))?.trim() ? 'the token file' : undefined;
  return { cacheDir, models, offline: isHubOffline(probe.env), ...(probe.env.HF_ENDPOINT ? { endpoint: probe.env.HF_ENDPOINT } : {}), ...(token ? { token } : {}) };
}

/** Gathers the report. */
export async function environmentReport(probe: EnvironmentProbe = nodeProbe()): Promise<EnvironmentReport> {
  const linux = probe.platform === 'linux';
  const bindings = [TFJS_NODE_GPU, TFJS_NODE].map((name) => probe.binding(name));
  const nvidiaSmi = await onPath(probe, probe.platform === 'win32' ? 'nvidia-smi.exe' : 'nvidia-smi');
  const smiOutput = nvidiaSmi ? await probe.run(nvidiaSmi, ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader']) : undefined;
  const gpus = (smiOutput ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
  const cudaLibraries = [CUDA_REQUIREMENT.libraries.cudart, CUDA_REQUIREMENT.libraries.cudnn];
  const { libraries, searched } = linux ? await findLibraries(probe, [...cudaLibraries, VULKAN_LOADER]) : { libraries: [], searched: [] };
  const webgpu: EnvironmentReport['webgpu'] = await probe.webgpu();
  if (linux) webgpu.vulkan = { loader: libraries.find((library) => library.name === VULKAN_LOADER)!, ...(await findIcds(probe)) };
  const wasm = await probe.wasm();
  const huggingface = await huggingfaceCacheReport(probe);
  let auto: EnvironmentReport['auto'];
  try {
    auto = await probe.auto();
  } catch (error) {
    auto = { error: error instanceof Error ? error.message : String(error) };
  }
  const report: Omit<EnvironmentReport, 'gpuVerdict' | 'advice'> = {
    node: { version: process.version, platform: probe.platform, arch: os.arch(), cpus: os.availableParallelism(), runtime: process.versions.electron ? `Electron ${process.versions.electron}` : `Node.js ${process.version}` },
    install: probe.install(),
    webgpu,
    bindings,
    cuda: { ...(nvidiaSmi ? { nvidiaSmi } : {}), gpus, libraries: libraries.filter((library) => library.name !== VULKAN_LOADER), searched },
    wasm,
    huggingface,
    auto,
  };
  return { ...report, gpuVerdict: gpuVerdict(report), advice: adviceFor(report) };
}

type Findings = Omit<EnvironmentReport, 'gpuVerdict' | 'advice'>;

const usesGpu = (report: Findings): boolean => 'name' in report.auto && (report.auto.name === 'tensorflow-gpu' || report.auto.name === 'webgpu');
const nvidiaPresent = (report: Findings): boolean => report.cuda.gpus.length > 0;

/** Why training does (not) use the GPU. */
export function gpuVerdict(report: Findings): string {
  if ('name' in report.auto && usesGpu(report)) return `Training uses the GPU: ${report.auto.device}.`;
  const reasons = [`WebGPU: ${noGpuReason(report.webgpu)}`];
  if (nvidiaPresent(report)) {
    const gpuBinding = report.bindings.find((binding) => binding.name === TFJS_NODE_GPU);
    reasons.push(`tfjs-node-gpu: ${!gpuBinding?.installed ? 'not installed' : gpuBinding.loadable === false ? `does not load (${gpuBinding.loadError ?? 'unknown error'})` : 'sees no GPU'}`);
  } else {
    reasons.push(report.cuda.nvidiaSmi ? 'nvidia-smi lists no GPU' : 'no NVIDIA driver (nvidia-smi is not on PATH)');
  }
  return `The GPU is not used. ${reasons.join('; ')}.`;
}

/** What to do next, from what was found, for how NLP Studio was installed. */
export function adviceFor(report: Findings): string[] {
  if (usesGpu(report)) return [];
  const advice: string[] = [];
  const { webgpu } = report;
  const hardware = pickAdapter(webgpu.adapters, false);
  if (webgpu.unavailable) advice.push(`WebGPU cannot start: ${webgpu.unavailable}.`);
  else if (!hardware && nvidiaPresent(report) && webgpu.vulkan) {
    // The usual gap on Linux: the NVIDIA driver is there, its Vulkan half (or the loader) is not.
    if (webgpu.vulkan.loader.found.length === 0) advice.push(`Install the Vulkan loader (${VULKAN_LOADER}; Debian and Ubuntu: \`sudo apt-get install libvulkan1\`).`);
    if (!webgpu.vulkan.icds.some((icd) => /nvidia/i.test(`${icd.manifest} ${icd.library ?? ''}`))) {
      advice.push("Install the NVIDIA driver's Vulkan driver (Debian: `sudo apt-get install nvidia-vulkan-icd`; Ubuntu's nvidia-driver packages include it), then check again.");
    }
  } else if (!hardware && !nvidiaPresent(report)) {
    advice.push('No GPU was found, so training runs on the CPU. On a machine with a GPU, WebGPU needs only the GPU driver (with Vulkan on Linux, D3D12 on Windows, Metal on macOS): nothing to install in NLP Studio.');
  }
  const gpuBinding = report.bindings.find((binding) => binding.name === TFJS_NODE_GPU);
  const cpuBinding = report.bindings.find((binding) => binding.name === TFJS_NODE);
  if (gpuBinding?.installed && gpuBinding.loadable === false) {
    advice.push(`${TFJS_NODE_GPU} is installed but does not load (${gpuBinding.loadError ?? 'unknown error'}): it needs CUDA ${CUDA_REQUIREMENT.cuda} and cuDNN ${CUDA_REQUIREMENT.cudnn} on the library path.`);
  }
  if (!cpuBinding?.installed && !gpuBinding?.installed) {
    advice.push(`On the CPU, native TensorFlow is faster than WebAssembly: \`${installCommand(BINDING_SPEC.tensorflow, report.install)}\` (its install downloads libtensorflow).`);
  } else if (cpuBinding?.installed && cpuBinding.loadable === false) {
    advice.push(`${TFJS_NODE} is installed but does not load (${cpuBinding.loadError ?? 'unknown error'}); reinstall it.`);
  }
  if (!report.wasm.ok) advice.push(`The WebAssembly backend does not start (${report.wasm.error ?? 'unknown error'}): reinstall NLP Studio.`);
  return advice;
}
