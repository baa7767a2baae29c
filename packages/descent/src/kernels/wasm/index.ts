import { checkBoolean, checkInteger } from '../../core/validate.js';
import { arenaEnabled, arenaUsage, setArenaEnabled } from './arena.js';
import { setSimdEnabled, simdEnabledNow, stats } from './batch.js';
import { wasm } from './instance.js';
import { pool } from './pool.js';

export { freeArray, inArena } from './arena.js';

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

export interface SimdInfo {
  /** WebAssembly SIMD, threads and shared memory are there, so the fused kernels can run. */
  available: boolean;
  simd: boolean;
  arena: boolean;
  threads: number;
  parallelThreshold: number;
  /** Worker threads running beside the calling one (they start on the first large step). */
  workers: number;
  /** Bytes held in the arena, and the size of the WebAssembly memory. */
  arenaBytes: number;
  memoryBytes: number;
  /** The memory's limit, 4 GiB; past it new arrays are ordinary typed arrays. */
  maximumBytes: number;
  /** Tensor updates the WebAssembly kernels ran, the calls they took, and those shared by threads. */
  rows: number;
  calls: number;
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
