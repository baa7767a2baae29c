import { sampleRmw } from './descent.js';
import { compileC } from './native.js';
import { type Budget, gbPerSecond, summarize } from './timing.js';

/** Read-modify-write bandwidth, GB/s, on one thread and on all; C figures null without a compiler. */
export interface Bandwidth {
  elements: number;
  threads: number;
  wasm1: number;
  wasmAll: number;
  c1: number | null;
  cAll: number | null;
  compiler: string | null;
}

/** Measures the reference, as often as asked; `close` removes the compiled C program. */
export interface BandwidthProbe {
  measure(budget: Budget): Bandwidth;
  close(): void;
}

/**
 * The bandwidth reference: b = b·s + c over float32 arrays of `elements`, which reads two arrays
 * and rewrites one as an optimizer step does (STREAM's triad writes a third array, whose
 * write-allocate traffic STREAM does not count). In WebAssembly SIMD through descent's own
 * thread pool, and in C (bench/rmw.c, compiled once here with -O3 -march=native) when cc is there.
 */
export function bandwidthProbe(elements: number, threads: number): BandwidthProbe {
  const bytes = 12 * elements;
  const c = compileC('rmw.c', ['-march=native', '-pthread']);
  return {
    measure(budget) {
      const gbs = (allCores: boolean) =>
        gbPerSecond(bytes, summarize(sampleRmw(elements, allCores, budget)).best);
      const wasm1 = gbs(false);
      const wasmAll = gbs(true);
      const reps = Math.max(budget.minReps, 3);
      return {
        elements,
        threads,
        wasm1,
        wasmAll,
        c1: c?.run(elements, 1, reps) ?? null,
        cAll: c?.run(elements, threads, reps) ?? null,
        compiler: c?.compiler ?? null,
      };
    },
    close: () => c?.close(),
  };
}

/** The better of two measurements, figure by figure. */
export function bestBandwidth(a: Bandwidth, b: Bandwidth): Bandwidth {
  const best = (x: number | null, y: number | null) =>
    x === null || y === null ? (x ?? y) : Math.max(x, y);
  return {
    ...a,
    wasm1: Math.max(a.wasm1, b.wasm1),
    wasmAll: Math.max(a.wasmAll, b.wasmAll),
    c1: best(a.c1, b.c1),
    cAll: best(a.cAll, b.cAll),
  };
}
