// Which TensorFlow.js backend a run computes on, from the config's `backend`, and why. `auto` takes
// the fastest that loads and works: tfjs-node-gpu with a GPU, WebGPU on a GPU (never a software
// adapter), tfjs-node, WebAssembly, pure JS.
import * as tf from '@tensorflow/tfjs';
import type { ResolvedConfig } from '../config/resolvedConfig';
import { installCommand } from './engineInstall';
import { loadModule, locateModule, TFJS_NODE, TFJS_NODE_GPU, type OptionalBinding } from './optionalModules';
import { startWasm } from './wasmBackend';
import { adapterLabel, ALLOW_SOFTWARE_ENV, startWebGpu } from './webgpuBackend';

export type BackendPreference = ResolvedConfig['backend'];
export type BackendName = Exclude<BackendPreference, 'auto'>;

/** The backend a run uses, as the `started` event reports it. */
export interface BackendChoice {
  name: BackendName;
  /** What the run computes on, for a person: "NVIDIA H200 (vulkan) through WebGPU", "CPU: WebAssembly (SIMD)". */
  device: string;
  /** One line: what was tried and what was found, e.g. "auto: @tensorflow/tfjs-node not installed; wasm (SIMD) ready". */
  reason: string;
}

/** An explicit `backend:` that cannot be had here; the message says what to install. */
export class BackendUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

/** The optional packages that give the 'tensorflow' backend, at the version the engine is built against. */
export const BINDING_SPEC: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': `${TFJS_NODE_GPU}@4.22.0`,
  tensorflow: `${TFJS_NODE}@4.22.0`,
};

/** The install command, for where this engine looks, with what it needs. */
export function installAdvice(backend: keyof typeof BINDING_SPEC): string {
  const needs = backend === 'tensorflow-gpu' ? 'needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1 libraries on the library path' : 'downloads libtensorflow for the CPU';
  return `${installCommand(BINDING_SPEC[backend])}; ${needs}`;
}

/** One attempt: the backend is usable (on `device`), or a short phrase saying why not. */
type Attempt = { ok: true; note: string; device: string } | { ok: false; note: string; advice?: string };

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/** Switches to `name` and checks it computes: setBackend's answer, then one op read back. */
async function activate(name: string): Promise<string | undefined> {
  if (!tf.findBackendFactory(name)) return `no '${name}' backend is registered with this TensorFlow.js`;
  if (!(await tf.setBackend(name))) return `the '${name}' backend failed to start`;
  let sum: tf.Tensor | undefined;
  try {
    // Large enough that webgpu runs it on the device (it computes small tensors on the CPU).
    sum = tf.tidy(() => tf.fill([4096], 1).add(tf.scalar(1)).sum());
    const value = (await sum.data())[0];
    return value === 8192 ? undefined : `the '${name}' backend computed 4096 × (1 + 1) = ${value}`;
  } catch (error) {
    return `the '${name}' backend failed a test op: ${message(error)}`;
  } finally {
    sum?.dispose();
  }
}

/** Loads a Node binding (which registers the 'tensorflow' backend) and switches to it. */
async function tryBinding(binding: OptionalBinding, wantGpu: boolean): Promise<Attempt & { gpu?: boolean }> {
  const location = locateModule(binding);
  if (!location.entry) return { ok: false, note: `${binding} not installed` };
  const label = `${binding}${location.version ? ` ${location.version}` : ''}`;
  try {
    loadModule(location);
  } catch (error) {
    return { ok: false, note: `${label} does not load (${message(error)})` };
  }
  const failure = await activate('tensorflow');
  if (failure) return { ok: false, note: `${label}: ${failure}` };
  if (!wantGpu) return { ok: true, note: `${label} ready`, device: 'CPU: native TensorFlow' };
  const gpu = usesGpu();
  return gpu ? { ok: true, gpu, note: `${label} ready on the GPU`, device: 'GPU: TensorFlow with CUDA' } : { ok: false, gpu, note: `${label} loads but sees no GPU` };
}

/** tfjs-node-gpu's backend says whether TensorFlow placed it on a GPU device. */
function usesGpu(): boolean {
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean | (() => boolean); binding?: { isUsingGpuDevice?: () => boolean } };
  if (typeof backend.isUsingGpuDevice === 'boolean') return backend.isUsingGpuDevice;
  if (typeof backend.isUsingGpuDevice === 'function') return backend.isUsingGpuDevice();
  return backend.binding?.isUsingGpuDevice?.() ?? false;
}

async function tryWasm(): Promise<Attempt> {
  const status = await startWasm();
  if (!status.ok) return { ok: false, note: `wasm unavailable (${status.error ?? 'unknown error'})` };
  const failure = await activate('wasm');
  if (failure) return { ok: false, note: `wasm: ${failure}` };
  const gemm = status.nativeGemm?.loaded ? `, ${status.nativeGemm.note}` : '';
  const kind = `${status.simd ? 'SIMD' : 'no SIMD'}${gemm}`;
  return { ok: true, note: `wasm (${kind}) ready`, device: `CPU: WebAssembly (${kind})` };
}

async function tryCpu(): Promise<Attempt> {
  const failure = await activate('cpu');
  return failure ? { ok: false, note: `cpu: ${failure}` } : { ok: true, note: 'cpu (pure JavaScript) ready', device: 'CPU: pure JavaScript' };
}

/** WebGPU on a GPU; on a software adapter only when explicit and allowed (startWebGpu). */
async function tryWebGpu(mode: 'auto' | 'explicit'): Promise<Attempt> {
  const start = await startWebGpu(mode);
  if (!start.ok) return { ok: false, note: `webgpu: ${start.reason}`, advice: start.softwareOnly ? SOFTWARE_ADVICE : WEBGPU_ADVICE };
  const label = adapterLabel(start.adapter);
  const failure = await activate('webgpu');
  if (failure) return { ok: false, note: `webgpu on ${label}: ${failure}` };
  const software = start.adapter.software ? `, a software adapter (${ALLOW_SOFTWARE_ENV}=1)` : '';
  return { ok: true, note: `webgpu on ${label} ready${software}`, device: `${start.adapter.software ? 'software adapter' : 'GPU'}: ${label} through WebGPU` };
}

/** What `backend: webgpu` needs when no adapter is found. */
export const WEBGPU_ADVICE = "WebGPU needs a GPU driver with Vulkan (Linux: the driver's Vulkan ICD and libvulkan1), D3D12 (Windows) or Metal (macOS)";
const SOFTWARE_ADVICE = `A software adapter computes on the CPU, slower than backend: wasm; ${ALLOW_SOFTWARE_ENV}=1 allows it (tests do)`;

/**
 * Makes the chosen backend TensorFlow.js' current one and says which and why. An explicit choice that
 * cannot be had throws `BackendUnavailableError` naming what to install; `auto` always finds one
 * (pure JS at worst).
 */
export async function selectBackend(preference: BackendPreference): Promise<BackendChoice> {
  switch (preference) {
    case 'tensorflow-gpu': {
      const attempt = await tryBinding(TFJS_NODE_GPU, true);
      if (attempt.ok) return { name: 'tensorflow-gpu', device: attempt.device, reason: `backend: tensorflow-gpu; ${attempt.note}` };
      throw new BackendUnavailableError(`backend: tensorflow-gpu is not available here: ${attempt.note}. To use it: ${installAdvice('tensorflow-gpu')}; or set backend: auto.`);
    }
    case 'tensorflow': {
      const attempt = await tryBinding(TFJS_NODE, false);
      if (attempt.ok) return { name: 'tensorflow', device: attempt.device, reason: `backend: tensorflow; ${attempt.note}` };
      throw new BackendUnavailableError(`backend: tensorflow is not available here: ${attempt.note}. To use it: ${installAdvice('tensorflow')}; or set backend: auto.`);
    }
    case 'wasm': {
      const attempt = await tryWasm();
      if (attempt.ok) return { name: 'wasm', device: attempt.device, reason: `backend: wasm; ${attempt.note}` };
      throw new BackendUnavailableError(`backend: wasm is not available here: ${attempt.note}. Reinstall NLP Studio (the .wasm files ship with it), or set backend: cpu.`);
    }
    case 'cpu': {
      const attempt = await tryCpu();
      if (attempt.ok) return { name: 'cpu', device: attempt.device, reason: `backend: cpu; ${attempt.note}` };
      throw new BackendUnavailableError(`backend: cpu failed: ${attempt.note}`);
    }
    case 'webgpu': {
      const attempt = await tryWebGpu('explicit');
      if (attempt.ok) return { name: 'webgpu', device: attempt.device, reason: `backend: webgpu; ${attempt.note}` };
      throw new BackendUnavailableError(`backend: webgpu is not available here: ${attempt.note.replace(/^webgpu: /, '')}. ${attempt.advice ?? WEBGPU_ADVICE}; or set backend: auto.`);
    }
    case 'auto':
      return selectAuto();
  }
}


async function selectAuto(): Promise<BackendChoice> {
  const notes: string[] = [];
  const chosen = (name: BackendName, attempt: Attempt & { ok: true }): BackendChoice => ({ name, device: attempt.device, reason: `auto: ${notes.join('; ')}` });
  const gpuBinding = await tryBinding(TFJS_NODE_GPU, true);
  notes.push(gpuBinding.note);
  if (gpuBinding.ok) return chosen('tensorflow-gpu', gpuBinding);
  const webgpu = await tryWebGpu('auto');
  notes.push(webgpu.note);
  if (webgpu.ok) return chosen('webgpu', webgpu);
  if (gpuBinding.gpu === false) {
    // tfjs-node-gpu without a GPU is libtensorflow on the CPU: as good as tfjs-node, and loading a
    // second libtensorflow into the process would clash with it.
    notes.push('using it on the CPU');
    const failure = await activate('tensorflow');
    if (!failure) return { name: 'tensorflow', device: 'CPU: native TensorFlow', reason: `auto: ${notes.join('; ')}` };
    notes.push(failure);
  } else {
    const cpuBinding = await tryBinding(TFJS_NODE, false);
    notes.push(cpuBinding.note);
    if (cpuBinding.ok) return chosen('tensorflow', cpuBinding);
  }
  const wasm = await tryWasm();
  notes.push(wasm.note);
  if (wasm.ok) return chosen('wasm', wasm);
  const cpu = await tryCpu();
  notes.push(cpu.note);
  if (cpu.ok) return chosen('cpu', cpu);
  throw new BackendUnavailableError(`no TensorFlow.js backend works here: ${notes.join('; ')}`);
}
