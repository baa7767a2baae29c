import { type Param, param, type StateArray } from '../../descent/src/core/param.js';
import { arenaZeros, freeArray } from '../../descent/src/kernels/wasm/arena.js';
import { closeRow, kernelId, openRow } from '../../descent/src/kernels/wasm/batch.js';
import { configureSimd, simdInfo, startThreads } from '../../descent/src/kernels/wasm/index.js';
import { DEFAULT_THRESHOLD } from '../../descent/src/kernels/wasm/pool.js';
import * as optim from '../../descent/src/optim/index.js';
import type { Optimizer } from '../../descent/src/optim/optimizer.js';
import type { OptimizerSpec } from './optimizers.js';
import { type Budget, sample } from './timing.js';

/** How descent runs a step: WebAssembly on every core or on one, or the TypeScript kernels. */
export type DescentMode = 'simd' | 'simd-1' | 'ts';

const ALL_CORES = DEFAULT_THRESHOLD;
const NEVER = Number.MAX_SAFE_INTEGER;

/**
 * Calls into WebAssembly a sample made (a step each, or a pass each for an optimizer whose step
 * is several), warm-up included, and how many of them threads shared.
 */
export interface Sharing {
  steps: number;
  shared: number;
}

/** The milliseconds of each timed step of a sample, and its sharing. */
export interface Sampled {
  times: number[];
  sharing: Sharing;
}

/** Both samples as one: their times, and their steps and shared steps added up. */
export function merge(a: Sampled | undefined, b: Sampled): Sampled {
  if (a === undefined) return b;
  return {
    times: [...a.times, ...b.times],
    sharing: {
      steps: a.sharing.steps + b.sharing.steps,
      shared: a.sharing.shared + b.sharing.shared,
    },
  };
}

/**
 * Steps of a batch of `elements` that threads must share: all of them on every core (when there
 * is more than one thread and the batch reaches the threshold, in the table's numbering where each
 * tensor starts at a multiple of 16), none on one.
 */
export function expectedShared(
  steps: number,
  elements: number[],
  allCores: boolean,
  threads: number,
): number {
  const total = elements.reduce((sum, n) => sum + Math.ceil(n / 16) * 16, 0);
  return allCores && threads > 1 && total >= ALL_CORES ? steps : 0;
}

/**
 * Samples `step`, counting its calls into WebAssembly (`passes` a step) and those the pool
 * shared; throws unless the sharing is the one the figures are labelled with (every call on
 * every core, or none on one thread).
 */
function sampleShared(
  label: string,
  step: () => void,
  elements: number[],
  allCores: boolean,
  budget: Budget,
  passes = 1,
): Sampled {
  let steps = 0;
  const before = simdInfo().parallelSteps;
  const times = sample(() => {
    step();
    steps += passes;
  }, budget);
  const shared = simdInfo().parallelSteps - before;
  const expected = expectedShared(steps, elements, allCores, simdInfo().threads);
  if (shared !== expected) {
    throw new Error(
      `bench: ${label} shared ${shared} of ${steps} steps between threads, not ${expected}`,
    );
  }
  return { times, sharing: { steps, shared } };
}

/** Starts the worker threads, so no timed step waits for them; returns the threads in use. */
export async function prepareThreads(): Promise<number> {
  return (await startThreads()) + 1;
}

function fill(array: Float32Array | Float64Array, seed: number): void {
  let x = seed;
  for (let i = 0; i < array.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    array[i] = x / 2147483648 - 0.5;
  }
}

/** Returns every arena array of the parameters and the optimizer's state at once. */
function release(params: Param[], opt?: Optimizer<object>): void {
  for (const p of params) {
    freeArray(p.data);
    if (p.grad !== null) freeArray(p.grad);
    // Every state array, bfloat16 and int8 ones too: the garbage collector would free them
    // later than the next 32M case needs their room in the arena.
    for (const value of Object.values(opt?.state.get(p) ?? {})) {
      if (ArrayBuffer.isView(value)) freeArray(value as StateArray);
    }
  }
}

/**
 * Milliseconds taken by each timed step of one optimizer on tensors of the given sizes, in
 * float32, and the steps shared between threads.
 */
export function sampleDescent(
  spec: OptimizerSpec,
  sizes: number[],
  mode: DescentMode,
  budget: Budget,
): Sampled {
  configureSimd({ arena: mode !== 'ts', parallelThreshold: mode === 'simd' ? ALL_CORES : NEVER });
  const params = sizes.map((n, i) => {
    const p = param(n, { shape: spec.shape?.(n) });
    fill(p.data, i + 1);
    fill(p.grad, i + 101);
    return p;
  });
  const Class = (
    optim as unknown as Record<string, new (p: Param[], o: object) => Optimizer<object>>
  )[spec.descent];
  const opt = new Class(params, spec.options);
  const rows = simdInfo().rows;
  // The figures must come from the path they are labelled with.
  const sampled = sampleShared(
    `${spec.name} ${sizes.length} x ${sizes[0]} ${mode}`,
    () => opt.step(),
    sizes,
    mode === 'simd',
    budget,
    spec.passes,
  );
  const simdRan = simdInfo().rows > rows;
  if (simdRan !== (mode !== 'ts')) {
    throw new Error(
      `bench: ${spec.name} ran ${simdRan ? 'SIMD' : 'TypeScript'} kernels in mode ${mode}`,
    );
  }
  release(params, opt);
  configureSimd({ arena: true, parallelThreshold: ALL_CORES });
  return sampled;
}

/**
 * The read-modify-write reference in WebAssembly SIMD, b = b·s + c over float32 arrays of n
 * elements (assembly/rmw.ts), on one thread or all: milliseconds per pass (12 bytes per element),
 * and the passes shared between threads.
 */
export function sampleRmw(n: number, allCores: boolean, budget: Budget): Sampled {
  configureSimd({ parallelThreshold: allCores ? ALL_CORES : NEVER });
  const b = arenaZeros('float32', n);
  const c = arenaZeros('float32', n);
  if (b === null || c === null) throw new Error('bench: no room in the arena for the reference');
  b.fill(1);
  c.fill(0.5);
  const rmw = kernelId('RMW');
  const sampled = sampleShared(
    `read-modify-write ${n} ${allCores ? 'all cores' : '1 thread'}`,
    () => {
      openRow(rmw, b, c);
      closeRow(0, 0.999);
    },
    [n],
    allCores,
    budget,
  );
  freeArray(b);
  freeArray(c);
  configureSimd({ parallelThreshold: ALL_CORES });
  return sampled;
}
