// "Check training environment": what this machine offers the engine — the optional Node bindings,
// the CUDA/cuDNN libraries tfjs-node-gpu needs, the WebAssembly build — which backend `auto` takes,
// and what to install for a GPU. The outside world comes through an `EnvironmentProbe`, so the report
// is testable; `nodeProbe()` is the real one. The CLI (`nlp-studio env`) and the extension (through
// the engine) both show `formatEnvironmentReport`.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModule, locateModule, TFJS_NODE, TFJS_NODE_GPU } from './optionalModules';
import { INSTALL_COMMAND, selectBackend, type BackendChoice } from './selectBackend';
import { startWasm, type WasmStatus } from './wasmBackend';

/** tfjs-node-gpu 4.22 is built against these (TensorFlow 2.9). */
export const CUDA_REQUIREMENT = { cuda: '11.2', cudnn: '8.1', libraries: { cudart: 'libcudart.so.11', cudnn: 'libcudnn.so.8' } } as const;

/** Folders where CUDA and cuDNN usually live on Linux, besides ldconfig's cache and LD_LIBRARY_PATH. */
const COMMON_LIBRARY_FOLDERS = ['/usr/local/cuda/lib64', '/usr/local/cuda-11.2/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/local/lib', '/opt/cuda/lib64'];

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

export interface EnvironmentReport {
  node: { version: string; platform: string; arch: string; cpus: number };
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
  auto: BackendChoice | { error: string };
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
  /** Tries the optional bindings: located, then required (this registers their backend). */
  binding(name: string, searchFrom: readonly string[]): BindingReport;
  wasm(): Promise<WasmStatus>;
  auto(searchFrom: readonly string[]): Promise<BackendChoice>;
}

export function nodeProbe(): EnvironmentProbe {
  return {
    env: process.env,
    platform: process.platform,
    run: (file, args) =>
      new Promise((resolve) => {
        execFile(file, args, { timeout: 10_000, encoding: 'utf8' }, (error, stdout) => resolve(error ? undefined : stdout));
      }),
    list: (folder) => readdir(folder).catch(() => []),
    binding(name, searchFrom) {
      const location = locateModule(name, searchFrom);
      if (!location.entry) return { name, installed: false };
      const found = { name, installed: true, path: location.entry, ...(location.version ? { version: location.version } : {}) };
      try {
        loadModule(location);
        return { ...found, loadable: true };
      } catch (error) {
        return { ...found, loadable: false, loadError: (error instanceof Error ? error.message : String(error)).split('\n')[0]! };
      }
    },
    wasm: startWasm,
    auto: (searchFrom) => selectBackend('auto', { searchFrom }),
  };
}

/** Where `file` is on PATH. */
async function onPath(probe: EnvironmentProbe, file: string): Promise<string | undefined> {
  for (const folder of (probe.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if ((await probe.list(folder)).includes(file)) return path.join(folder, file);
  }
  return undefined;
}

/** Libraries named `prefix*`: in ldconfig's cache, LD_LIBRARY_PATH and the usual CUDA folders. */
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

/** Gathers the report. `searchFrom`: the folders the optional bindings may be installed in. */
export async function environmentReport(searchFrom: readonly string[] = [], probe: EnvironmentProbe = nodeProbe()): Promise<EnvironmentReport> {
  const bindings = [TFJS_NODE_GPU, TFJS_NODE].map((name) => probe.binding(name, searchFrom));
  const nvidiaSmi = await onPath(probe, probe.platform === 'win32' ? 'nvidia-smi.exe' : 'nvidia-smi');
  const smiOutput = nvidiaSmi ? await probe.run(nvidiaSmi, ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader']) : undefined;
  const gpus = (smiOutput ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
  const { libraries, searched } =
    probe.platform === 'linux' ? await findLibraries(probe, [CUDA_REQUIREMENT.libraries.cudart, CUDA_REQUIREMENT.libraries.cudnn]) : { libraries: [], searched: [] };
  const wasm = await probe.wasm();
  let auto: EnvironmentReport['auto'];
  try {
    auto = await probe.auto(searchFrom);
  } catch (error) {
    auto = { error: error instanceof Error ? error.message : String(error) };
  }
  const report: EnvironmentReport = {
    node: { version: process.version, platform: probe.platform, arch: os.arch(), cpus: os.availableParallelism() },
    bindings,
    cuda: { ...(nvidiaSmi ? { nvidiaSmi } : {}), gpus, libraries, searched },
    wasm,
    auto,
    advice: [],
  };
  report.advice = adviceFor(report, searchFrom[0]);
  return report;
}

/** What to install next, from what was found. */
export function adviceFor(report: Omit<EnvironmentReport, 'advice'>, installFolder: string | undefined): string[] {
  const advice: string[] = [];
  const gpuBinding = report.bindings.find((binding) => binding.name === TFJS_NODE_GPU);
  const cpuBinding = report.bindings.find((binding) => binding.name === TFJS_NODE);
  const where = installFolder ? ` (in ${installFolder})` : '';
  const usingGpu = 'name' in report.auto && report.auto.name === 'tensorflow-gpu';
  if (usingGpu) return advice;
  const missingLibraries = report.cuda.libraries.filter((library) => library.found.length === 0).map((library) => library.name);
  if (report.cuda.gpus.length === 0 && !report.cuda.nvidiaSmi) {
    advice.push(`No NVIDIA GPU was found (nvidia-smi is not on PATH). For a GPU: the NVIDIA driver, CUDA ${CUDA_REQUIREMENT.cuda} and cuDNN ${CUDA_REQUIREMENT.cudnn}, then \`${INSTALL_COMMAND['tensorflow-gpu']}\`${where}.`);
  } else {
    if (missingLibraries.length > 0) {
      advice.push(`Install the CUDA ${CUDA_REQUIREMENT.cuda} runtime and cuDNN ${CUDA_REQUIREMENT.cudnn} (missing: ${missingLibraries.map((name) => `${name}*`).join(', ')}) and put their lib folder on LD_LIBRARY_PATH.`);
    }
    if (!gpuBinding?.installed) advice.push(`Then: \`${INSTALL_COMMAND['tensorflow-gpu']}\`${where}.`);
    else if (gpuBinding.loadable === false) advice.push(`${TFJS_NODE_GPU} is installed but does not load (${gpuBinding.loadError ?? 'unknown error'}): check the CUDA ${CUDA_REQUIREMENT.cuda} / cuDNN ${CUDA_REQUIREMENT.cudnn} libraries above.`);
  }
  if (!cpuBinding?.installed && !gpuBinding?.installed) advice.push(`Without a GPU, native TensorFlow on the CPU is faster than WebAssembly: \`${INSTALL_COMMAND.tensorflow}\`${where} (its install downloads libtensorflow).`);
  else if (cpuBinding?.installed && cpuBinding.loadable === false) advice.push(`${TFJS_NODE} is installed but does not load (${cpuBinding.loadError ?? 'unknown error'}); reinstall it.`);
  if (!report.wasm.ok) advice.push(`The WebAssembly backend does not start (${report.wasm.error ?? 'unknown error'}): reinstall NLP Studio.`);
  return advice;
}

const yesNo = (value: boolean | undefined): string => (value === undefined ? '—' : value ? 'yes' : 'no');

/** The report as Markdown, for the editor's preview and the terminal alike. */
export function formatEnvironmentReport(report: EnvironmentReport): string {
  const lines: string[] = ['# NLP Studio training environment', ''];
  const auto = 'name' in report.auto ? `**${report.auto.name}** — ${report.auto.reason}` : `none works: ${report.auto.error}`;
  lines.push(`Backend for \`backend: auto\`: ${auto}`, '');
  lines.push(`Node ${report.node.version} on ${report.node.platform}-${report.node.arch}, ${report.node.cpus} CPU${report.node.cpus === 1 ? '' : 's'}.`, '');
  lines.push('## Node bindings of TensorFlow', '', '| package | installed | version | loads |', '|---|---|---|---|');
  for (const binding of report.bindings) {
    const loads = binding.loadable === false ? `no: ${binding.loadError ?? ''}` : yesNo(binding.loadable);
    lines.push(`| \`${binding.name}\` | ${yesNo(binding.installed)} | ${binding.version ?? '—'} | ${loads.replace(/\|/g, '\\|')} |`);
  }
  lines.push('', '## NVIDIA GPU, CUDA and cuDNN', '');
  lines.push(`tfjs-node-gpu 4.22 needs CUDA ${CUDA_REQUIREMENT.cuda} and cuDNN ${CUDA_REQUIREMENT.cudnn}.`, '');
  lines.push(`- nvidia-smi: ${report.cuda.nvidiaSmi ?? 'not on PATH'}`);
  for (const gpu of report.cuda.gpus) lines.push(`- GPU: ${gpu}`);
  for (const library of report.cuda.libraries) lines.push(`- ${library.name}*: ${library.found.length > 0 ? library.found.join(', ') : 'not found'}`);
  if (report.cuda.searched.length > 0) lines.push(`- searched: ${report.cuda.searched.join(', ')}`);
  lines.push('', '## WebAssembly', '');
  lines.push(`- loads: ${yesNo(report.wasm.ok)}${report.wasm.error ? ` (${report.wasm.error})` : ''}`);
  lines.push(`- SIMD: ${yesNo(report.wasm.simd)}`);
  if (report.wasm.folder) lines.push(`- binaries: ${report.wasm.folder}`);
  if (report.wasm.nativeGemm) lines.push(`- matrix products: ${report.wasm.nativeGemm.loaded ? report.wasm.nativeGemm.note : `XNNPACK in WebAssembly; ${report.wasm.nativeGemm.note}`}`);
  lines.push('', '## What to install', '');
  if (report.advice.length === 0) lines.push('Nothing: the fastest backend is in use.');
  else for (const item of report.advice) lines.push(`- ${item}`);
  return `${lines.join('\n')}\n`;
}
