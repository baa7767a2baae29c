import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeRmw } from './descent.js';
import { repoRoot } from './paths.js';
import { type Budget, gbPerSecond } from './timing.js';

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

/**
 * The bandwidth reference: b = b·s + c over float32 arrays of `elements`, which reads two arrays
 * and rewrites one as an optimizer step does (STREAM's triad writes a third array, whose
 * write-allocate traffic STREAM does not count). In WebAssembly SIMD through descent's own
 * thread pool, and in C (bench/rmw.c, compiled now with -O3 -march=native) when cc is there.
 */
export function measureBandwidth(elements: number, threads: number, budget: Budget): Bandwidth {
  const bytes = 12 * elements;
  const wasm1 = gbPerSecond(bytes, timeRmw(elements, false, budget).best);
  const wasmAll = gbPerSecond(bytes, timeRmw(elements, true, budget).best);
  const c = runC(elements, threads, Math.max(budget.minReps, 3));
  return { elements, threads, wasm1, wasmAll, ...c };
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

function runC(
  elements: number,
  threads: number,
  reps: number,
): { c1: number | null; cAll: number | null; compiler: string | null } {
  const none = { c1: null, cAll: null, compiler: null };
  const compiler = ['cc', 'gcc', 'clang'].find(
    (name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0,
  );
  if (compiler === undefined) return none;
  const dir = mkdtempSync(join(tmpdir(), 'descent-bench-'));
  try {
    const binary = join(dir, 'rmw');
    const source = fileURLToPath(new URL('bench/rmw.c', repoRoot()));
    const build = spawnSync(compiler, ['-O3', '-march=native', '-pthread', source, '-o', binary], {
      encoding: 'utf8',
    });
    if (build.status !== 0) return none;
    const run = (t: number) => {
      const out = spawnSync(binary, [String(elements), String(t), String(reps)], {
        encoding: 'utf8',
      });
      if (out.status !== 0) throw new Error(`bench: ${binary} failed: ${out.stderr}`);
      return Number(out.stdout.trim());
    };
    return { c1: run(1), cAll: run(threads), compiler };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
