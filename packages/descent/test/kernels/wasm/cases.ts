import type { DType, Param } from '../../../src/core/param.js';
import { allocate, zeros } from '../../../src/core/param.js';
import type { Optimizer } from '../../../src/optim/optimizer.js';
import { ScheduleFreeOptimizer } from '../../../src/optim/schedule-free.js';
import { optimizerClass } from '../../optim/reference.js';

/**
 * Options that reach every branch of every WebAssembly kernel: momentum kinds, weight decay
 * coupled and decoupled, maximize, AMSGrad, centering, lerp weights on both sides of 0.5 (betas
 * below 0.5), RAdam before and after rectification, ASGD before and after averaging starts;
 * and each kernel with the usual settings (no weight decay, minimizing), which run a loop of their
 * own (assembly/memory.ts, rareTerms).
 */
export const variants: [string, Record<string, unknown>][] = [
  ['SGD', { lr: 0.05 }],
  ['SGD', { lr: 0.05, momentum: 0.9, dampening: 0.2, weightDecay: 0.1 }],
  ['SGD', { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true }],
  ['Adam', { lr: 0.01 }],
  ['Adam', { lr: 0.01, amsgrad: true, weightDecay: 0.1, maximize: true }],
  ['Adam', { lr: 0.01, betas: [0.3, 0.9] }],
  ['AdamW', { lr: 0.01, weightDecay: 0.1, amsgrad: true }],
  ['Adagrad', { lr: 0.05 }],
  ['Adagrad', { lr: 0.05, lrDecay: 0.1, weightDecay: 0.1, initialAccumulatorValue: 0.1 }],
  ['RMSprop', { lr: 0.01 }],
  ['RMSprop', { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1, maximize: true }],
  ['RMSprop', { lr: 0.01, alpha: 0.3, centered: true }],
  ['Adadelta', {}],
  ['Adadelta', { weightDecay: 0.1, maximize: true }],
  ['Adamax', { lr: 0.01 }],
  ['Adamax', { lr: 0.01, weightDecay: 0.1 }],
  ['Adamax', { lr: 0.01, betas: [0.2, 0.9], maximize: true }],
  ['NAdam', { lr: 0.01 }],
  ['NAdam', { lr: 0.01, weightDecay: 0.1 }],
  ['NAdam', { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true, betas: [0.4, 0.99] }],
  ['RAdam', { lr: 0.01 }],
  ['RAdam', { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true, betas: [0.3, 0.9] }],
  ['Yogi', { lr: 0.01 }],
  ['Yogi', { lr: 0.01, weightDecay: 0.1 }],
  ['Yogi', { lr: 0.01, maximize: true }],
  ['Rprop', { lr: 0.01 }],
  ['Rprop', { lr: 0.01, etas: [0.3, 1.5], stepSizes: [1e-3, 0.02], maximize: true }],
  ['ASGD', { lr: 0.01 }],
  ['ASGD', { lr: 0.01, t0: 2, lambd: 0.01, weightDecay: 0.1 }],
  ['Lion', { lr: 0.01 }],
  ['Lion', { lr: 0.01, betas: [0.3, 0.9], weightDecay: 0.5, maximize: true }],
  ['SGD', { lr: 0.05, momentum: 0.9, stateDtype: 'bfloat16' }],
  [
    'SGD',
    {
      lr: 0.05,
      momentum: 0.8,
      nesterov: true,
      weightDecay: 0.1,
      stateDtype: 'bfloat16',
      stochasticRounding: true,
    },
  ],
  ['Adam', { lr: 0.01, stateDtype: 'bfloat16' }],
  ['Adam', { lr: 0.01, stateDtype: 'bfloat16', stochasticRounding: true, seed: 12345 }],
  [
    'AdamW',
    { lr: 0.01, weightDecay: 0.1, amsgrad: true, stateDtype: 'bfloat16', stochasticRounding: true },
  ],
  ['Adagrad', { lr: 0.05, weightDecay: 0.1, stateDtype: 'bfloat16' }],
  [
    'RMSprop',
    { lr: 0.01, centered: true, momentum: 0.9, stateDtype: 'bfloat16', stochasticRounding: true },
  ],
  ['Adamax', { lr: 0.01, stateDtype: 'bfloat16', stochasticRounding: true }],
  ['NAdam', { lr: 0.01, weightDecay: 0.1, stateDtype: 'bfloat16' }],
  ['RAdam', { lr: 0.01, stateDtype: 'bfloat16', stochasticRounding: true, seed: 5 }],
  ['Yogi', { lr: 0.01, stateDtype: 'bfloat16' }],
  ['Lion', { lr: 0.01, weightDecay: 0.5, stateDtype: 'bfloat16', stochasticRounding: true }],
  // int8 state from 9 elements up, so that most tensors of every test have it, in one block or
  // several, the shortest ones keeping float32 state beside them.
  ['SGD', { lr: 0.05, momentum: 0.9, stateDtype: 'int8', min8bitSize: 9 }],
  [
    'SGD',
    {
      lr: 0.05,
      momentum: 0.8,
      nesterov: true,
      weightDecay: 0.1,
      stateDtype: 'int8',
      min8bitSize: 9,
    },
  ],
  ['Adam', { lr: 0.01, stateDtype: 'int8', min8bitSize: 9 }],
  [
    'AdamW',
    {
      lr: 0.01,
      weightDecay: 0.1,
      amsgrad: true,
      maximize: true,
      stateDtype: 'int8',
      min8bitSize: 9,
    },
  ],
  ['Adagrad', { lr: 0.05, weightDecay: 0.1, stateDtype: 'int8', min8bitSize: 9 }],
  ['RMSprop', { lr: 0.01, momentum: 0.9, stateDtype: 'int8', min8bitSize: 9 }],
  ['Adamax', { lr: 0.01, stateDtype: 'int8', min8bitSize: 9 }],
  ['NAdam', { lr: 0.01, weightDecay: 0.1, stateDtype: 'int8', min8bitSize: 9 }],
  ['RAdam', { lr: 0.01, stateDtype: 'int8', min8bitSize: 9 }],
  ['Yogi', { lr: 0.01, stateDtype: 'int8', min8bitSize: 9 }],
  ['Lion', { lr: 0.01, weightDecay: 0.5, stateDtype: 'int8', min8bitSize: 9 }],
  ['ScheduleFreeSGD', { lr: 0.05 }],
  ['ScheduleFreeSGD', { lr: 0.05, momentum: 0.3, weightDecay: 0.1, warmupSteps: 3, r: 1 }],
  ['ScheduleFreeAdamW', { lr: 0.01 }],
  ['ScheduleFreeAdamW', { lr: 0.01, betas: [0.3, 0.9], weightDecay: 0.1, warmupSteps: 2 }],
  ['LAMB', { lr: 0.01 }],
  ['LAMB', { lr: 0.01, betas: [0.3, 0.9], weightDecay: 0.1, epsRoot: 1e-8, maximize: true }],
  ['Prodigy', {}],
  ['Prodigy', { weightDecay: 0.1, d0: 1e-3, growthRate: 1.5 }],
  [
    'Prodigy',
    {
      betas: [0, 0.99],
      weightDecay: 0.1,
      decouple: false,
      useBiasCorrection: true,
      safeguardWarmup: true,
    },
  ],
  ['Adafactor', {}],
  ['Adafactor', { lr: 0.05, weightDecay: 0.5, maximize: true }],
  ['Adafactor', { lr: 0.05, beta2Decay: -0.3, eps: [1e-3, 1e-3], d: 1.5 }],
];

/**
 * Adafactor factors the second moment of a parameter of two or more dimensions, so `run` shapes
 * its tensors (shapeOf): matrices, m × n with m the largest divisor of the length up to its
 * root, or vectors where the length is prime (or 1); and for the lengths here, batches of
 * matrices (three dimensions) and matrices of one row or one column.
 */
const adafactorShapes = new Map<number, number[]>([
  [16, [2, 2, 4]],
  [64, [2, 4, 8]],
  [1001, [7, 11, 13]],
  [1008, [4, 12, 21]],
  [1024, [4, 16, 16]],
  [2500, [2, 25, 50]],
  [300_007, [1, 300_007]],
  [200_003, [200_003, 1]],
]);

/** The shape `run` gives a tensor of n elements for an optimizer, undefined for none (flat). */
export function shapeOf(name: string, n: number): number[] | undefined {
  if (name !== 'Adafactor') return undefined;
  const special = adafactorShapes.get(n);
  if (special !== undefined) return special;
  let m = Math.floor(Math.sqrt(n));
  while (n % m !== 0) m--;
  return m > 1 ? [m, n / m] : undefined;
}

/** A deterministic generator of roughly normal numbers (a sum of uniforms from mulberry32). */
export function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return () => uniform() + uniform() + uniform() - 1.5;
}

/** The numbers a run draws, drawn once per set of sizes and steps: tests repeat runs. */
const drawn = new Map<string, Float64Array>();

function replayed(sizes: number[], steps: number): () => number {
  const key = `${sizes.join(',')} ${steps}`;
  let numbers = drawn.get(key);
  if (numbers === undefined) {
    const next = normals(sizes.length * 7919 + steps);
    numbers = new Float64Array(sizes.reduce((sum, n) => sum + n, 0) * (steps + 1));
    for (let i = 0; i < numbers.length; i++) numbers[i] = next();
    drawn.set(key, numbers);
  }
  const all = numbers;
  let i = 0;
  return () => all[i++];
}

/**
 * Runs `steps` steps of an optimizer on tensors of the given sizes, from seeded values and
 * gradients (with `specials`, some NaN and infinite), with arrays in the arena or ordinary ones;
 * returns the parameters and optimizer.
 */
export function run(
  name: string,
  options: Record<string, unknown>,
  sizes: number[],
  dtype: DType,
  steps: number,
  storage: 'arena' | 'plain',
  specials = false,
): { params: Param[]; opt: Optimizer<object> } {
  const make = (n: number) => (storage === 'arena' ? allocate(dtype, n) : zeros(dtype, n));
  const next = replayed(sizes, steps);
  const params = sizes.map((n) => {
    const shape = shapeOf(name, n);
    const p = { data: make(n), grad: make(n), ...(shape && { shape }) };
    for (let i = 0; i < n; i++) p.data[i] = next();
    return p;
  });
  const opt = new (optimizerClass(name))(params, options);
  for (let t = 0; t < steps; t++) {
    for (const p of params) {
      for (let i = 0; i < p.data.length; i++) p.grad[i] = next();
      // One gradient exactly zero, for Rprop's third branch.
      p.grad[0] = 0;
      // With `specials` (tensors of 4 or more): a NaN gradient in element 1 at step 2; +∞ in
      // element 2 at step 3, then −∞ there and in element 3 at step 4, so state already infinite
      // meets an infinite gradient (Yogi's g² − v is then ∞ − ∞).
      if (specials && t === 1) p.grad[1] = Number.NaN;
      if (specials && t === 2) p.grad[2] = Infinity;
      if (specials && t === 3) p.grad[2] = p.grad[3] = -Infinity;
    }
    opt.step();
  }
  // Schedule-Free's parameters move to the averaged point, so that its move kernel runs too.
  if (opt instanceof ScheduleFreeOptimizer) opt.eval();
  return { params, opt };
}

/**
 * The passes of an optimizer's step over a group, each one call into WebAssembly: true for a pass
 * that sums each tensor by blocks (src/kernels/partial-sums.ts).
 */
export function passesOf(name: string): boolean[] {
  return name === 'LAMB' || name === 'Prodigy' ? [true, false] : [false];
}

/**
 * Whether a variant's steps of a tensor of `n` elements run in WebAssembly in arrays of the arena:
 * not with bfloat16 or int8 state for float64 parameters, which has no WebAssembly loops
 * (assembly/state.ts, int8.ts); a tensor below min8bitSize keeps float64 state, which has.
 */
export function runsInWebAssembly(
  options: Record<string, unknown>,
  dtype: DType,
  n = Number.POSITIVE_INFINITY,
): boolean {
  if (dtype !== 'float64') return true;
  if (options.stateDtype === 'bfloat16') return false;
  const int8 = int8From(options);
  return int8 === null || n < int8;
}

/** The elements from which a variant's tensors keep int8 state, or null when none does. */
export function int8From(options: Record<string, unknown>): number | null {
  return options.stateDtype === 'int8' ? ((options.min8bitSize as number) ?? 4096) : null;
}

/** The moves of all parameters at once that `run` ends with: Schedule-Free's to eval. */
export function movesOf(name: string): number {
  return name.startsWith('ScheduleFree') ? 1 : 0;
}

/** One call into WebAssembly: the length of each of its rows, and whether it sums by blocks. */
export interface Call {
  lengths: number[];
  sums: boolean[];
}

/**
 * Adafactor's calls for one step of a group of tensors of these shapes (src/optim/adafactor.ts):
 * a vector's first pass (summing) or a matrix's row and column means (two rows); a vector's step
 * or a matrix's sums; a matrix's step. A call with no rows is not made.
 */
export function adafactorCalls(shapes: (readonly number[] | undefined)[]): Call[] {
  const calls: Call[] = [0, 1, 2].map(() => ({ lengths: [], sums: [] }));
  const add = (call: number, length: number, sums: boolean) => {
    calls[call].lengths.push(length);
    calls[call].sums.push(sums);
  };
  for (const shape of shapes) {
    const length = shape?.reduce((a, b) => a * b, 1) ?? 0;
    if (shape !== undefined && shape.length >= 2) {
      add(0, length, false);
      add(0, length, false);
      add(1, length, true);
      add(2, length, false);
    } else {
      add(0, length, true);
      add(1, length, false);
    }
  }
  return calls.filter((call) => call.lengths.length > 0);
}

/** Adafactor's calls for one step of `run` over tensors of these sizes. */
function adafactorCallsOf(sizes: number[]): Call[] {
  return adafactorCalls(sizes.map((n) => shapeOf('Adafactor', n) ?? [n]));
}

/** The WebAssembly rows `run` queues: one per tensor and pass, and one per move. */
export function rowsOf(name: string, sizes: number[], steps: number): number {
  if (name === 'Adafactor') {
    return steps * adafactorCallsOf(sizes).reduce((n, call) => n + call.lengths.length, 0);
  }
  return sizes.length * (steps * passesOf(name).length + movesOf(name));
}

/**
 * The elements of the table's numbering for one call over tensors of these lengths
 * (src/kernels/wasm/batch.ts): every tensor starts at a multiple of 16, and in a pass that sums
 * (`sums`, for all tensors or each), at a multiple of 1,024, or with int8 state (from `int8`
 * elements up) of 256 (in both cases, or of the power of two above a shorter tensor's length).
 */
export function numbering(
  lengths: number[],
  sums: boolean | readonly boolean[],
  int8: number | null = null,
): number {
  return lengths.reduce((total, n, i) => {
    const summing = typeof sums === 'boolean' ? sums : sums[i];
    const block = summing ? 1024 : int8 !== null && n >= int8 ? 256 : 16;
    const alignment = Math.min(block, 2 ** Math.ceil(Math.log2(Math.max(n, 16))));
    return Math.ceil(total / alignment) * alignment + Math.ceil(n / 16) * 16;
  }, 0);
}

/** The numbering of each call of one step of a group of tensors of these sizes. */
export function callsOf(
  name: string,
  sizes: number[],
  options: Record<string, unknown> = {},
): number[] {
  if (name === 'Adafactor') {
    return adafactorCallsOf(sizes).map((call) => numbering(call.lengths, call.sums));
  }
  return passesOf(name).map((sums) => numbering(sizes, sums, int8From(options)));
}
