// Which TensorFlow.js backend a run computes on, from the config's `backend`, and why. `auto` takes
// the fastest that loads and works: tfjs-node-gpu with a GPU, tfjs-node, WebAssembly, pure JS.
import * as tf from '@tensorflow/tfjs';
import type { ResolvedConfig } from '../config/resolvedConfig';
import { loadModule, locateModule, TFJS_NODE, TFJS_NODE_GPU, type OptionalBinding } from './optionalModules';
import { startWasm } from './wasmBackend';

export type BackendPreference = ResolvedConfig['backend'];
export type BackendName = Exclude<BackendPreference, 'auto'>;

/** The backend a run uses, as the `started` event reports it. */
export interface BackendChoice {
  name: BackendName;
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

export interface SelectOptions {
  /** Further folders to find the optional bindings from (the workspace, the config's folder). */
  searchFrom?: readonly string[];
}

/** What the user runs to get each backend that is not always there. */
export const INSTALL_COMMAND: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': `npm install ${TFJS_NODE_GPU}@4.22.0`,
  tensorflow: `npm install ${TFJS_NODE}@4.22.0`,
};

/** The install command with what it needs. */
export const INSTALL_ADVICE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': `${INSTALL_COMMAND['tensorflow-gpu']} (needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1 libraries on the library path)`,
  tensorflow: `${INSTALL_COMMAND.tensorflow} (downloads libtensorflow for the CPU)`,
};

/** One attempt: the backend is usable, or a short phrase saying why not. */
type Attempt = { ok: true; note: string } | { ok: false; note: string };

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/** Switches to `name` and checks it computes: setBackend's answer, then one small op. */
async function activate(name: string): Promise<string | undefined> {
  if (!tf.findBackendFactory(name)) return `no '${name}' backend is registered with this TensorFlow.js`;
  if (!(await tf.setBackend(name))) return `the '${name}' backend failed to start`;
  try {
    const value = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync()[0]);
    return value === 2 ? undefined : `the '${name}' backend computed 1 + 1 = ${value}`;
  } catch (error) {
    return `the '${name}' backend failed a test op: ${message(error)}`;
  }
}

/** Loads a Node binding (which registers the 'tensorflow' backend) and switches to it. */
async function tryBinding(binding: OptionalBinding, options: SelectOptions, wantGpu: boolean): Promise<Attempt & { gpu?: boolean }> {
  const location = locateModule(binding, options.searchFrom);
  if (!location.entry) return { ok: false, note: `${binding} not installed` };
  const label = `${binding}${location.version ? ` ${location.version}` : ''}`;
  try {
    loadModule(location);
  } catch (error) {
    return { ok: false, note: `${label} does not load (${message(error)})` };
  }
  const failure = await activate('tensorflow');
  if (failure) return { ok: false, note: `${label}: ${failure}` };
  if (!wantGpu) return { ok: true, note: `${label} ready` };
  const gpu = usesGpu();
  return gpu ? { ok: true, gpu, note: `${label} ready on the GPU` } : { ok: false, gpu, note: `${label} loads but sees no GPU` };
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
  return { ok: true, note: `wasm (${status.simd ? 'SIMD' : 'no SIMD'}${gemm}) ready` };
}

async function tryCpu(): Promise<Attempt> {
  const failure = await activate('cpu');
  return failure ? { ok: false, note: `cpu: ${failure}` } : { ok: true, note: 'cpu (pure JavaScript) ready' };
}

/**
 * Makes the chosen backend TensorFlow.js' current one and says which and why. An explicit choice that
 * cannot be had throws `BackendUnavailableError` naming what to install; `auto` always finds one
 * (pure JS at worst).
 */
export async function selectBackend(preference: BackendPreference, options: SelectOptions = {}): Promise<BackendChoice> {
  switch (preference) {
    case 'tensorflow-gpu': {
      const attempt = await tryBinding(TFJS_NODE_GPU, options, true);
      if (attempt.ok) return { name: 'tensorflow-gpu', reason: `backend: tensorflow-gpu; ${attempt.note}` };
      throw new BackendUnavailableError(`backend: tensorflow-gpu is not available here: ${attempt.note}. To use it: ${INSTALL_ADVICE['tensorflow-gpu']}; or set backend: auto.`);
    }
    case 'tensorflow': {
      const attempt = await tryBinding(TFJS_NODE, options, false);
      if (attempt.ok) return { name: 'tensorflow', reason: `backend: tensorflow; ${attempt.note}` };
      throw new BackendUnavailableError(`backend: tensorflow is not available here: ${attempt.note}. To use it: ${INSTALL_ADVICE.tensorflow}; or set backend: auto.`);
    }
    case 'wasm': {
      const attempt = await tryWasm();
      if (attempt.ok) return { name: 'wasm', reason: `backend: wasm; ${attempt.note}` };
      throw new BackendUnavailableError(`backend: wasm is not available here: ${attempt.note}. Reinstall NLP Studio (the .wasm files ship with it), or set backend: cpu.`);
    }
    case 'cpu': {
      const attempt = await tryCpu();
      if (attempt.ok) return { name: 'cpu', reason: `backend: cpu; ${attempt.note}` };
      throw new BackendUnavailableError(`backend: cpu failed: ${attempt.note}`);
    }
    case 'auto':
      return selectAuto(options);
  }
}

async function selectAuto(options: SelectOptions): Promise<BackendChoice> {
  const notes: string[] = [];
  const gpu = await tryBinding(TFJS_NODE_GPU, options, true);
  notes.push(gpu.note);
  if (gpu.ok) return { name: 'tensorflow-gpu', reason: `auto: ${notes.join('; ')}` };
  if (gpu.gpu === false) {
    // tfjs-node-gpu without a GPU is libtensorflow on the CPU: as good as tfjs-node, and loading a
    // second libtensorflow into the process would clash with it.
    notes.push('using it on the CPU');
    return { name: 'tensorflow', reason: `auto: ${notes.join('; ')}` };
  }
  const cpuBinding = await tryBinding(TFJS_NODE, options, false);
  notes.push(cpuBinding.note);
  if (cpuBinding.ok) return { name: 'tensorflow', reason: `auto: ${notes.join('; ')}` };
  const wasm = await tryWasm();
  notes.push(wasm.note);
  if (wasm.ok) return { name: 'wasm', reason: `auto: ${notes.join('; ')}` };
  const cpu = await tryCpu();
  notes.push(cpu.note);
  if (cpu.ok) return { name: 'cpu', reason: `auto: ${notes.join('; ')}` };
  throw new BackendUnavailableError(`no TensorFlow.js backend works here: ${notes.join('; ')}`);
}
