import { wasmBase64 } from './binary.js';

/**
 * The WebAssembly module of descent (AssemblyScript sources in assembly/), instantiated on the
 * main thread over one shared memory that worker threads instantiate the same module on.
 *
 * Shared memory is what makes the arena simple: it never moves or detaches when it grows, so a
 * typed-array view made once stays valid for the life of the process. It needs WebAssembly SIMD,
 * threads and SharedArrayBuffer (Node 16.4+, and browsers when cross-origin isolated); where any
 * is missing `wasm` is null and everything runs on the TypeScript kernels.
 */

/** The functions the module exports (see assembly/index.ts). */
export interface KernelExports {
  run(table: number, rows: number, lo: number, hi: number): void;
  runParallel(table: number, rows: number, total: number, chunk: number): number;
  workerLoop(): void;
  workerFailed(): void;
  workersReady(): number;
  chunksStolen(): number;
  /** Sets the calling thread's scratch for int8 state (assembly/int8.ts). */
  useScratch(address: number): void;
}

export interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

export interface Wasm {
  /** Compiled once; worker threads instantiate it again over `memory`. */
  module: object;
  memory: SharedMemory;
  /** The largest size `memory` may grow to, in bytes (4 GiB where the host allows). */
  maximumBytes: number;
  exports: KernelExports;
  /** A numeric constant the module exports: layout offsets, kernel ids, flag bits. */
  constant(name: string): number;
}

// Declared here rather than through lib.dom, which the project does not load.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => SharedMemory;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

export const PAGE_BYTES = 65536;

/** 4 GiB, the whole 32-bit address space, then smaller reservations for hosts that refuse it. */
const MAXIMUM_PAGES = [65536, 32768, 16384];

function instantiate(): Wasm | null {
  // Through unknown: the DOM's WebAssembly types (a page's type check) say its memory's buffer is
  // an ArrayBuffer, where a shared memory's is a SharedArrayBuffer, as WebAssemblyApi says.
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined || typeof SharedArrayBuffer === 'undefined') return null;
  let module: object;
  try {
    module = new api.Module(Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0)));
  } catch {
    return null; // no SIMD or no threads in this engine
  }
  for (const maximum of MAXIMUM_PAGES) {
    try {
      const memory = new api.Memory({ initial: 1, maximum, shared: true });
      const exports = new api.Instance(module, { env: { memory } }).exports;
      const constant = (name: string): number => {
        const value = (exports[name] as { value?: unknown } | undefined)?.value;
        if (typeof value !== 'number') throw new Error(`descent.wasm exports no constant ${name}`);
        return value;
      };
      return {
        module,
        memory,
        maximumBytes: maximum * PAGE_BYTES,
        exports: exports as unknown as KernelExports,
        constant,
      };
    } catch {
      // The host could not reserve that much address space: try less.
    }
  }
  return null;
}

export const wasm: Wasm | null = instantiate();
