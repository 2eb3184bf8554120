// The part of the WebAssembly JavaScript API the kernels use, typed here because the project compiles
// against lib ES2022 without DOM, where TypeScript declares no WebAssembly globals.

/** A WebAssembly.Memory; `buffer` is a SharedArrayBuffer when created with `shared: true`. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
}

/** A compiled WebAssembly.Module (can be posted to worker threads). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
}

export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
