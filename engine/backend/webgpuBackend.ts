// TensorFlow.js on the GPU through WebGPU: Google's Dawn (the `webgpu` package's dawn.node) under
// @tensorflow/tfjs-backend-webgpu. Dawn needs only the GPU driver (Vulkan on Linux, D3D12 on Windows,
// Metal on macOS), no CUDA. This module finds the Dawn binary, lists the adapters Dawn offers, tells
// a GPU from a software rasteriser, and starts the backend on a device with the adapter's full limits.
// The backend's own registration only runs when `navigator.gpu` exists as it loads and cannot ask for
// compatibility mode (Dawn's OpenGL ES route, used by CI's Mesa), so we register our own factory.
/// <reference types="@webgpu/types/dist" />
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { installWebGpuKernelFixes, integerSafeProgram } from './webgpuKernels';

/** The Vulkan loader Dawn opens on Linux. */
export const VULKAN_LOADER = 'libvulkan.so.1';

/** Lets an explicit `backend: webgpu` run on a software adapter (tests and CI do). */
export const ALLOW_SOFTWARE_ENV = 'NLP_STUDIO_WEBGPU_ALLOW_SOFTWARE';

/** The `webgpu` package's folder under dist/ for a platform: one universal binary serves macOS. */
export const dawnFolderName = (platform: NodeJS.Platform, arch: string): string => (platform === 'darwin' ? 'darwin-universal' : `${platform}-${arch}`);

/** Where esbuild.mjs puts the target platform's Dawn files next to the bundles (scripts/dawn-binaries.mjs), with the package version. */
export const BUNDLED_DAWN_FOLDER = 'dawn';
const BUNDLED_VERSION_FILE = 'webgpu-version.json';

const versionIn = (file: string): { version?: string } => {
  try {
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? { version } : {};
  } catch {
    return {};
  }
};

/** One Dawn backend to ask for adapters, in the order tried: the platform's native API first. */
interface DawnRoute {
  backend: 'vulkan' | 'd3d12' | 'metal' | 'opengles';
  featureLevel: 'core' | 'compatibility';
}

// OpenGL ES is how Mesa's llvmpipe gives CI a WebGPU adapter (compatibility mode); on a machine with
// a GPU it is the driver's GL, a last resort when its Vulkan ICD is missing.
const DAWN_ROUTES: Partial<Record<NodeJS.Platform, DawnRoute[]>> = {
  linux: [
    { backend: 'vulkan', featureLevel: 'core' },
    { backend: 'opengles', featureLevel: 'compatibility' },
  ],
  win32: [{ backend: 'd3d12', featureLevel: 'core' }],
  darwin: [{ backend: 'metal', featureLevel: 'core' }],
};

/** The limits that decide what a training run can do on an adapter, as the report lists them. */
export const REPORTED_LIMITS = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage'] as const;

export interface WebGpuAdapterReport {
  /** Dawn's backend, e.g. vulkan, opengles. */
  backend: DawnRoute['backend'];
  featureLevel: DawnRoute['featureLevel'];
  vendor: string;
  architecture: string;
  /** The adapter's name, e.g. "NVIDIA H200" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** A fallback adapter or a CPU rasteriser (llvmpipe, lavapipe, SwiftShader, WARP): never counted as a GPU. */
  software: boolean;
  limits: Partial<Record<(typeof REPORTED_LIMITS)[number], number>>;
}

export interface WebGpuDiscovery {
  /** The Dawn binary used, when found. */
  binary?: { path: string; version?: string };
  /** Why WebGPU cannot run in this process at all (no binary, a runtime that cannot host it). */
  unavailable?: string;
  adapters: WebGpuAdapterReport[];
  /** Per Dawn backend that gave no adapter: what it said (e.g. "no adapter"). */
  notes: string[];
}

interface DawnBinding {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

// tfjs-core pins @webgpu/types 0.1.38, which predates these two parts of the API that Dawn has.
type DawnAdapter = GPUAdapter & { readonly info: GPUAdapterInfo & { readonly isFallbackAdapter?: boolean } };
type DawnAdapterOptions = GPURequestAdapterOptions & { featureLevel: DawnRoute['featureLevel'] };

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|basic render driver|\bwarp\b/i;

export function isSoftwareAdapter(info: Pick<WebGpuAdapterReport, 'isFallbackAdapter' | 'architecture' | 'device' | 'description' | 'vendor'>): boolean {
  return info.isFallbackAdapter || info.architecture.toLowerCase() === 'software' || SOFTWARE_ADAPTER.test(`${info.vendor} ${info.device} ${info.description}`);
}

/** "NVIDIA H200 (vulkan)" — how runs and the report name an adapter. */
export function adapterLabel(adapter: Pick<WebGpuAdapterReport, 'device' | 'description' | 'vendor' | 'backend'>): string {
  const name = adapter.device || adapter.description || adapter.vendor || 'unnamed adapter';
  return `${name} (${adapter.backend})`;
}

/** The Dawn binary: next to the bundle (the .vsix carries its platform's), else in the installed package. */
export function locateDawn(): { path: string; version?: string } | undefined {
  const bundled = path.join(__dirname, BUNDLED_DAWN_FOLDER, 'dawn.node');
  if (existsSync(bundled)) return { path: bundled, ...versionIn(path.join(__dirname, BUNDLED_DAWN_FOLDER, BUNDLED_VERSION_FILE)) };
  let packageJson: string;
  try {
    packageJson = require.resolve('webgpu/package.json');
  } catch {
    return undefined;
  }
  const file = path.join(path.dirname(packageJson), 'dist', dawnFolderName(process.platform, process.arch), 'dawn.node');
  return existsSync(file) ? { path: file, ...versionIn(packageJson) } : undefined;
}

/**
 * Electron (VS Code's runtime) forbids ArrayBuffers over native memory, and dawn.node returns mapped
 * GPU buffers as exactly that (napi_create_external_arraybuffer): every read of a result would fail.
 * The extension runs the engine on a Node.js instead when it finds one (extension/run/engineRuntime.ts).
 */
function runtimeProblem(): string | undefined {
  const electron = process.versions.electron;
  return electron
    ? `the engine runs inside Electron ${electron} (VS Code's own runtime), which cannot map GPU buffers for Dawn; set nlpStudio.engine.nodePath to a Node.js 20+ binary, or put one on PATH`
    : undefined;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

interface Dawn {
  binding: DawnBinding;
  binary: { path: string; version?: string };
  /** One Dawn instance per route, kept for starting a device later. */
  instances: Map<DawnRoute['backend'], GPU>;
}

let dawn: Dawn | undefined;

function loadDawn(): Dawn | string {
  if (dawn) return dawn;
  const problem = runtimeProblem();
  if (problem) return problem;
  const binary = locateDawn();
  if (!binary) return `the Dawn binary (dawn.node for ${dawnFolderName(process.platform, process.arch)}) is missing: reinstall NLP Studio`;
  try {
    const binding = createRequire(binary.path)(binary.path) as DawnBinding;
    return (dawn = { binding, binary, instances: new Map() });
  } catch (error) {
    return `dawn.node does not load (${message(error)})`;
  }
}

function instanceFor(loaded: Dawn, route: DawnRoute): GPU {
  let gpu = loaded.instances.get(route.backend);
  if (!gpu) {
    // Mesa's EGL finds a GPU (or llvmpipe) without a display server only on the surfaceless platform.
    if (route.backend === 'opengles') process.env.EGL_PLATFORM ??= 'surfaceless';
    const options = [`backend=${route.backend}`];
    // Windows loads the shader compilers (dxcompiler.dll, d3dcompiler_47.dll) from beside dawn.node.
    if (process.platform === 'win32') options.push(`dlldir=${path.dirname(loaded.binary.path)}`);
    gpu = loaded.binding.create(options);
    loaded.instances.set(route.backend, gpu);
  }
  return gpu;
}

function describe(route: DawnRoute, adapter: DawnAdapter): WebGpuAdapterReport {
  const { info } = adapter;
  const limits: WebGpuAdapterReport['limits'] = {};
  for (const name of REPORTED_LIMITS) limits[name] = adapter.limits[name];
  const report = {
    backend: route.backend,
    featureLevel: route.featureLevel,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter === true,
    limits,
  };
  return { ...report, software: isSoftwareAdapter(report) };
}

const POWER_PREFERENCES: GPUPowerPreference[] = ['high-performance', 'low-power'];

async function adaptersOf(gpu: GPU, route: DawnRoute): Promise<Map<string, DawnAdapter>> {
  const found = new Map<string, DawnAdapter>();
  for (const powerPreference of POWER_PREFERENCES) {
    const options: DawnAdapterOptions = { featureLevel: route.featureLevel, powerPreference };
    const adapter = (await gpu.requestAdapter(options)) as DawnAdapter | null;
    if (adapter && !found.has(adapter.info.device)) found.set(adapter.info.device, adapter);
  }
  return found;
}

/** Folders the dynamic loader usually finds libvulkan.so.1 in, besides LD_LIBRARY_PATH and its cache. */
const LIBRARY_FOLDERS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];

/**
 * Whether Linux's Vulkan loader is there. Dawn prints a warning to stderr when it cannot open it, on
 * every start: looking first turns that into a note in the report instead.
 */
function vulkanLoaderFound(): boolean {
  const folders = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIBRARY_FOLDERS];
  if (folders.some((folder) => existsSync(path.join(folder, VULKAN_LOADER)))) return true;
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig']) {
    try {
      return execFileSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).includes(`${VULKAN_LOADER} `);
    } catch {
      // try the next
    }
  }
  return false;
}

/** What one Dawn route gave: its adapters, or a note saying why none. */
type RouteResult = { adapters: WebGpuAdapterReport[]; note?: string };
const routeResults = new Map<DawnRoute['backend'], Promise<RouteResult>>();

async function probeRoute(loaded: Dawn, route: DawnRoute): Promise<RouteResult> {
  if (route.backend === 'vulkan' && !vulkanLoaderFound()) return { adapters: [], note: `vulkan: no Vulkan loader (${VULKAN_LOADER}) found` };
  try {
    const found = [...(await adaptersOf(instanceFor(loaded, route), route)).values()].map((adapter) => describe(route, adapter));
    return found.length > 0 ? { adapters: found } : { adapters: [], note: `${route.backend}: no adapter` };
  } catch (error) {
    return { adapters: [], note: `${route.backend}: ${message(error)}` };
  }
}

/** Whether the machine has a GPU render node (Linux): without one, OpenGL ES can only be llvmpipe. */
function hasRenderNode(): boolean {
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * The adapters Dawn offers, route by route (each asked once per process: they do not change while it
 * runs), stopping at a GPU on the native API. `withSoftware`: also the routes that can only give a
 * software adapter here — Dawn's OpenGL ES route without a render node is Mesa's llvmpipe, and
 * starting it costs a second and prints Dawn's limit warnings, so `auto` skips it.
 */
export async function discoverWebGpu(withSoftware = true): Promise<WebGpuDiscovery> {
  const loaded = loadDawn();
  if (typeof loaded === 'string') return { unavailable: loaded, adapters: [], notes: [] };
  const adapters: WebGpuAdapterReport[] = [];
  const notes: string[] = [];
  for (const route of DAWN_ROUTES[process.platform] ?? []) {
    if (adapters.some((adapter) => !adapter.software)) break;
    if (route.backend === 'opengles' && !withSoftware && !hasRenderNode()) {
      notes.push('opengles: not tried (no GPU render node in /dev/dri)');
      continue;
    }
    let result = routeResults.get(route.backend);
    if (!result) routeResults.set(route.backend, (result = probeRoute(loaded, route)));
    const { adapters: found, note } = await result;
    adapters.push(...found);
    if (note) notes.push(note);
  }
  return { binary: loaded.binary, adapters, notes };
}

/** The adapter a run would use: a GPU (native API before OpenGL ES), else a software one when allowed. */
export function pickAdapter(adapters: readonly WebGpuAdapterReport[], allowSoftware: boolean): WebGpuAdapterReport | undefined {
  const gpus = adapters.filter((adapter) => !adapter.software);
  return gpus.find((adapter) => adapter.featureLevel === 'core') ?? gpus[0] ?? (allowSoftware ? adapters[0] : undefined);
}

/** Why the GPU is not used, from what discovery found, in a phrase. */
export function noGpuReason(found: WebGpuDiscovery): string {
  if (found.unavailable) return found.unavailable;
  if (found.adapters.length === 0) return `Dawn found no adapter (${found.notes.join(', ') || 'no backend for this platform'})`;
  return `only software adapters: ${found.adapters.map(adapterLabel).join(', ')}`;
}

/** A device that was lost, or reported an error, under a run: the message says which and why. */
export class WebGpuDeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuDeviceError';
  }
}

interface Health {
  lost?: GPUDeviceLostInfo;
  /** The first uncaptured error (out of memory, validation): results after it cannot be trusted. */
  error?: string;
}

interface Started {
  adapter: WebGpuAdapterReport;
  device: GPUDevice;
  health: Health;
}

let started: Started | undefined;

function trouble(adapter: WebGpuAdapterReport, health: Health): WebGpuDeviceError | undefined {
  const name = adapterLabel(adapter);
  if (health.lost) return new WebGpuDeviceError(`the GPU device ${name} was lost (${health.lost.reason}${health.lost.message ? `: ${health.lost.message}` : ''})`);
  if (health.error) return new WebGpuDeviceError(`the GPU device ${name} reported an error: ${health.error}`);
  return undefined;
}

/** navigator.gpu, which tfjs-backend-webgpu checks before it runs; Node 21+ has a navigator, Node 20 none. */
function exposeGpu(gpu: GPU): void {
  const global = globalThis as { navigator?: object };
  global.navigator ??= {};
  Object.defineProperty(global.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
}

async function registerBackend(loaded: Dawn, adapter: WebGpuAdapterReport): Promise<Started> {
  const route = { backend: adapter.backend, featureLevel: adapter.featureLevel };
  const gpu = instanceFor(loaded, route);
  const gpuAdapter = (await adaptersOf(gpu, route)).get(adapter.device);
  if (!gpuAdapter) throw new Error(`the adapter ${adapterLabel(adapter)} is gone`);
  const requiredLimits: Record<string, number> = {};
  for (const name in gpuAdapter.limits) {
    const value = (gpuAdapter.limits as unknown as Record<string, unknown>)[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const requiredFeatures = [...gpuAdapter.features].filter((feature) => feature === 'timestamp-query') as GPUFeatureName[];
  const device = await gpuAdapter.requestDevice({ requiredLimits, requiredFeatures });
  const health: Health = {};
  void device.lost.then((info) => (health.lost = info));
  device.addEventListener('uncapturederror', (event) => (health.error ??= (event as GPUUncapturedErrorEvent).error.message));

  for (const [name, value] of Object.entries(loaded.binding.globals)) (globalThis as Record<string, unknown>)[name] ??= value;
  exposeGpu(gpu);
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  installWebGpuKernelFixes();
  type RunArgs = Parameters<InstanceType<typeof WebGPUBackend>['runWebGPUProgram']>;
  /** Reads are where a lost device or an earlier GPU error surfaces: both become a WebGpuDeviceError. */
  class DawnBackend extends WebGPUBackend {
    override runWebGPUProgram(program: RunArgs[0], inputs: RunArgs[1], ...rest: [RunArgs[2], RunArgs[3]?, RunArgs[4]?]): tf.TensorInfo {
      const bufferType = (input: tf.TensorInfo): tf.DataType => (this.tensorMap.get(input.dataId) as { dtype?: tf.DataType } | undefined)?.dtype ?? input.dtype;
      return super.runWebGPUProgram(integerSafeProgram(program, inputs, bufferType), inputs, ...rest);
    }

    override async read(dataId: object): Promise<tf.backend_util.BackendValues> {
      let values: tf.backend_util.BackendValues;
      try {
        values = await super.read(dataId);
      } catch (error) {
        await nextTurn(); // lets device.lost settle first
        throw trouble(adapter, health) ?? error;
      }
      const problem = trouble(adapter, health);
      if (problem) throw problem;
      return values;
    }
  }
  // Loading the package registered its own factory when a navigator.gpu existed: ours replaces it.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new DawnBackend(device, gpuAdapter.info), 0);
  return { adapter, device, health };
}

export type WebGpuStart = { ok: true; adapter: WebGpuAdapterReport } | { ok: false; reason: string; softwareOnly: boolean };

/**
 * Registers the 'webgpu' backend on the adapter `pickAdapter` chooses (once per process; again after
 * the device was lost). The caller switches to it and checks that it computes. 'auto' takes a GPU
 * only; 'explicit' (`backend: webgpu`) looks at every route, so that a refusal can name the software
 * adapter it found, and takes one when NLP_STUDIO_WEBGPU_ALLOW_SOFTWARE=1.
 */
export async function startWebGpu(mode: 'auto' | 'explicit'): Promise<WebGpuStart> {
  const allowSoftware = mode === 'explicit' && process.env[ALLOW_SOFTWARE_ENV] === '1';
  const found = await discoverWebGpu(mode === 'explicit');
  const adapter = pickAdapter(found.adapters, allowSoftware);
  if (!adapter) return { ok: false, reason: noGpuReason(found), softwareOnly: found.adapters.length > 0 };
  // A device that was lost or reported an error is replaced: its results can no longer be trusted.
  const reusable = started !== undefined && !started.health.lost && started.health.error === undefined && started.adapter.device === adapter.device && started.adapter.backend === adapter.backend;
  if (reusable) return { ok: true, adapter };
  const loaded = loadDawn();
  if (typeof loaded === 'string') return { ok: false, reason: loaded, softwareOnly: false };
  try {
    started = await registerBackend(loaded, adapter);
    return { ok: true, adapter };
  } catch (error) {
    return { ok: false, reason: `${adapterLabel(adapter)} gave no device (${message(error)})`, softwareOnly: false };
  }
}
