import { checkBoolean, checkInteger } from '../../core/validate.js';
import { arenaEnabled, arenaUsage, setArenaEnabled } from './arena.js';
import { setSimdEnabled, simdEnabledNow, stats } from './batch.js';
import { wasm } from './instance.js';
import { pool } from './pool.js';

export { freeArray, inArena } from './arena.js';

/** The settings {@link configureSimd} changes; any left out stays as it is. */
export interface SimdOptions {
  /** Whether the WebAssembly kernels run (default true where WebAssembly SIMD is available). */
  simd?: boolean;
  /** Whether `param()` and optimizer state allocate in the WebAssembly arena (default true). */
  arena?: boolean;
  /** Threads sharing a large step, the calling one included (default: every core, up to 8). */
  threads?: number;
  /** Elements below which a step stays on one thread (default 2^19, about half a million). */
  parallelThreshold?: number;
}

/** What {@link simdInfo} reports: the kernels' settings, the arena's size and counters of work. */
export interface SimdInfo {
  /** WebAssembly SIMD, threads and shared memory are there, so the fused kernels can run. */
  available: boolean;
  /** Whether the WebAssembly kernels run (available and not switched off). */
  simd: boolean;
  /** Whether new arrays are allocated in the arena. */
  arena: boolean;
  /** Threads sharing a large step, the calling one included. */
  threads: number;
  /** Elements below which a step stays on one thread. */
  parallelThreshold: number;
  /** Worker threads running beside the calling one (they start on the first large step). */
  workers: number;
  /** Bytes held in the arena by live arrays. */
  arenaBytes: number;
  /** The size of the WebAssembly memory, in bytes (it grows as the arena needs, never shrinks). */
  memoryBytes: number;
  /** The memory's limit, 4 GiB; past it new arrays are ordinary typed arrays. */
  maximumBytes: number;
  /** Tensor updates the WebAssembly kernels ran. */
  rows: number;
  /** Calls into WebAssembly those updates took (a group's tensors are stepped in one call). */
  calls: number;
  /** Of those calls, the ones shared by several threads. */
  parallelSteps: number;
  /** Chunks of shared steps run by workers rather than the calling thread. */
  chunksStolen: number;
}

/**
 * Configures the WebAssembly kernels: checks every option before changing anything. The arena
 * setting affects arrays allocated afterwards; existing arrays keep their storage.
 */
export function configureSimd(options: SimdOptions): void {
  const { simd, arena, threads, parallelThreshold } = options;
  if (simd !== undefined) checkBoolean('simd', simd);
  if (arena !== undefined) checkBoolean('arena', arena);
  if (threads !== undefined) checkInteger('threads', threads, 1);
  if (parallelThreshold !== undefined) checkInteger('parallelThreshold', parallelThreshold, 0);
  if (simd !== undefined) setSimdEnabled(simd);
  if (arena !== undefined) setArenaEnabled(arena);
  if (parallelThreshold !== undefined) pool.threshold = parallelThreshold;
  if (threads !== undefined && threads !== pool.threads) {
    pool.threads = threads;
    if (pool.running() > 0) pool.resize();
  }
}

/** The WebAssembly kernels' settings and counters, for tuning and for checking what ran where. */
export function simdInfo(): SimdInfo {
  const { usedBytes, memoryBytes } = arenaUsage();
  return {
    available: wasm !== null,
    simd: simdEnabledNow(),
    arena: arenaEnabled(),
    threads: pool.threads,
    parallelThreshold: pool.threshold,
    workers: pool.running(),
    arenaBytes: usedBytes,
    memoryBytes,
    maximumBytes: wasm?.maximumBytes ?? 0,
    rows: stats.rows,
    calls: stats.calls,
    parallelSteps: stats.parallelSteps,
    chunksStolen: wasm?.exports.chunksStolen() ?? 0,
  };
}

/**
 * Starts the worker threads now rather than on the first large step, and resolves with their
 * number once all are running: for benchmarks, and for programs that want their first step fast.
 */
export function startThreads(): Promise<number> {
  return pool.ready();
}
