import { type Sharing, sampleRmw } from './descent.js';
import { compileC } from './native.js';
import { type Budget, gbPerSecond, summarize } from './timing.js';

/**
 * Read-modify-write bandwidth, GB/s, on one thread and on all; C figures null without a compiler.
 * The WebAssembly figures come with the best pass's milliseconds and the passes the thread pool
 * shared (none on one thread, all on every core once the arrays reach the pool's threshold).
 */
export interface Bandwidth {
  elements: number;
  threads: number;
  /** Bytes one pass moves: 12 per element (b and c read, b written). */
  bytes: number;
  wasm1: number;
  wasmAll: number;
  wasm1Ms: number;
  wasmAllMs: number;
  sharing: { wasm1: Sharing; wasmAll: Sharing };
  c1: number | null;
  cAll: number | null;
  compiler: string | null;
}

/** Measures the reference, as often as asked; `close` removes the compiled C program. */
export interface BandwidthProbe {
  measure(budget: Budget): Bandwidth;
  close(): void;
}

/** Bytes a pass of b = b·s + c moves over `elements`: two float32 arrays read, one rewritten. */
export function rmwBytes(elements: number): number {
  return 12 * elements;
}

/**
 * The bandwidth reference: b = b·s + c over float32 arrays of `elements`, which reads two arrays
 * and rewrites one as an optimizer step does (STREAM's triad writes a third array, whose
 * write-allocate traffic STREAM does not count). In WebAssembly SIMD through descent's own
 * thread pool, and in C (src/rmw.c, compiled once here with -O3 -march=native) when cc is there.
 */
export function bandwidthProbe(elements: number, threads: number): BandwidthProbe {
  const bytes = rmwBytes(elements);
  const c = compileC('rmw.c', ['-march=native', '-pthread']);
  return {
    measure(budget) {
      const one = sampleRmw(elements, false, budget);
      const all = sampleRmw(elements, true, budget);
      const wasm1Ms = summarize(one.times).best;
      const wasmAllMs = summarize(all.times).best;
      const reps = Math.max(budget.minReps, 3);
      return {
        elements,
        threads,
        bytes,
        wasm1: gbPerSecond(bytes, wasm1Ms),
        wasmAll: gbPerSecond(bytes, wasmAllMs),
        wasm1Ms,
        wasmAllMs,
        sharing: { wasm1: one.sharing, wasmAll: all.sharing },
        c1: c?.run(elements, 1, reps) ?? null,
        cAll: c?.run(elements, threads, reps) ?? null,
        compiler: c?.compiler ?? null,
      };
    },
    close: () => c?.close(),
  };
}

/** The better of two measurements, figure by figure; the passes of both. */
export function bestBandwidth(a: Bandwidth, b: Bandwidth): Bandwidth {
  const best = (x: number | null, y: number | null) =>
    x === null || y === null ? (x ?? y) : Math.max(x, y);
  const add = (x: Sharing, y: Sharing): Sharing => ({
    steps: x.steps + y.steps,
    shared: x.shared + y.shared,
  });
  return {
    ...a,
    wasm1: Math.max(a.wasm1, b.wasm1),
    wasmAll: Math.max(a.wasmAll, b.wasmAll),
    wasm1Ms: Math.min(a.wasm1Ms, b.wasm1Ms),
    wasmAllMs: Math.min(a.wasmAllMs, b.wasmAllMs),
    sharing: {
      wasm1: add(a.sharing.wasm1, b.sharing.wasm1),
      wasmAll: add(a.sharing.wasmAll, b.sharing.wasmAll),
    },
    c1: best(a.c1, b.c1),
    cAll: best(a.cAll, b.cAll),
  };
}
