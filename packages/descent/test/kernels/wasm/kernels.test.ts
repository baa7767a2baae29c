import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DType, isFloatArray, type Param, param } from '../../../src/core/param.js';
import { bfloat16Value } from '../../../src/kernels/bfloat16.js';
import { configureSimd, simdInfo, startThreads } from '../../../src/kernels/wasm/index.js';
import { DEFAULT_THREADS, DEFAULT_THRESHOLD, pool } from '../../../src/kernels/wasm/pool.js';
import { Adam } from '../../../src/optim/adam.js';
import type { Optimizer } from '../../../src/optim/optimizer.js';
import { worstError } from '../../optim/reference.js';
import { callsOf, movesOf, rowsOf, run, runsInWebAssembly, variants } from './cases.js';

/**
 * The WebAssembly kernels compute in the arrays' own precision where the TypeScript kernels
 * compute in doubles and round when they store, and a few reorder a formula to save a division:
 * float64 results agree to a few ulps, float32 ones to a few float32 ulps per step.
 */
const tolerance: Record<DType, number> = { float64: 1e-14, float32: 5e-6 };

/**
 * bfloat16 state rounds what each side computed: where the two differ in float32's last bits, a
 * value near the middle of two bfloat16 numbers may round to either, one bfloat16 step (2⁻⁸
 * relative) apart, and the parameter's update then moves by that share of one step.
 */
const bfloat16Tolerance = 1e-4;

/**
 * int8 state: each side encodes the moments it computed, so a value at a code's edge may take
 * either neighbour, and the next step starts from moments a quantization step apart (up to 1/64
 * of the block's absmax, the map's coarsest spacing), which moves the parameter by a share of
 * its step. The absmax is max |m| of float32 moments computed in float32 or in doubles.
 */
const int8Tolerance = 2e-3;

/** At most 1 in 50 codes or bfloat16 elements differ, each by one step. */
function expectOneStepClose(
  actual: Uint16Array | Uint8Array,
  expected: ArrayLike<number>,
  label: string,
) {
  let differing = 0;
  actual.forEach((bits, k) => {
    if (bits === expected[k]) return;
    differing++;
    expect(Math.abs(bits - expected[k]), `${label}[${k}]`).toBe(1);
  });
  expect(differing, label).toBeLessThanOrEqual(actual.length / 50);
}

function expectClose(
  a: Optimizer<object>,
  pa: Param[],
  b: Optimizer<object>,
  pb: Param[],
  dtype: DType,
  stateDtype: unknown,
) {
  const paramTolerance =
    stateDtype === 'bfloat16'
      ? bfloat16Tolerance
      : stateDtype === 'int8'
        ? int8Tolerance
        : tolerance[dtype];
  pa.forEach((p, i) => {
    expect(worstError(p.data, [...pb[i].data], paramTolerance), `tensor ${i}`).toBeLessThanOrEqual(
      1,
    );
    const sa = a.state.get(p)!;
    const sb = b.state.get(pb[i])!;
    for (const [key, value] of Object.entries(sa)) {
      if (isFloatArray(value)) {
        const expected = [...(sb[key] as Float64Array)];
        expect(worstError(value, expected, tolerance[dtype]), `${key} ${i}`).toBeLessThanOrEqual(1);
      } else if (value instanceof Uint16Array || value instanceof Uint8Array) {
        expectOneStepClose(value, sb[key] as Uint16Array | Uint8Array, `${key} ${i}`);
      } else {
        expect(value, key).toEqual(sb[key]);
      }
    }
  });
}

// Lengths around every boundary of the kernels' loops: 4-vector blocks, single vectors, lanes,
// and past two of the reducing kernels' blocks of 1,024 (src/kernels/partial-sums.ts).
const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 1001, 2500];

describe('WebAssembly kernels against the TypeScript kernels', () => {
  for (const [name, options] of variants) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${name} ${JSON.stringify(options)} ${dtype}`, () => {
        const rows = simdInfo().rows;
        const simd = run(name, options, sizes, dtype, 8, 'arena');
        const inWebAssembly = sizes.filter((n) => runsInWebAssembly(options, dtype, n));
        const due = rowsOf(name, inWebAssembly, 8);
        expect(simdInfo().rows - rows).toBe(due);
        const ts = run(name, options, sizes, dtype, 8, 'plain');
        expect(simdInfo().rows - rows).toBe(due);
        expectClose(simd.opt, simd.params, ts.opt, ts.params, dtype, options.stateDtype);
      });
    }
  }
});

/** Equal where `expected` is NaN or infinite, within tolerance elsewhere. */
function expectSameSpecials(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  label: string,
  within = tolerance.float32,
) {
  const finite: number[] = [];
  const finiteActual: number[] = [];
  for (let i = 0; i < expected.length; i++) {
    if (Number.isFinite(expected[i])) {
      finite.push(expected[i]);
      finiteActual.push(actual[i]);
    } else {
      expect(actual[i], `${label}[${i}]`).toBe(expected[i]);
    }
  }
  expect(worstError(finiteActual, finite, within), label).toBeLessThanOrEqual(1);
}

describe('NaN and infinite gradients', () => {
  // Not Prodigy: its d, shared by every element, is NaN after one NaN gradient, and the next
  // step refuses that state with a RangeError.
  for (const [name, options] of variants.filter(([name]) => name !== 'Prodigy')) {
    it(`${name} ${JSON.stringify(options)} gives the TypeScript kernels' NaN and infinities`, () => {
      const simd = run(name, options, [4, 17], 'float32', 6, 'arena', true);
      const ts = run(name, options, [4, 17], 'float32', 6, 'plain', true);
      simd.params.forEach((p, i) => {
        expect(p.data.some((x) => !Number.isFinite(x))).toBe(true);
        expectSameSpecials(p.data, ts.params[i].data, `${name} p${i}`);
        const state = ts.opt.state.get(ts.params[i])!;
        for (const [key, value] of Object.entries(simd.opt.state.get(p)!)) {
          if (isFloatArray(value))
            expectSameSpecials(value, state[key] as Float32Array, `${key}${i}`);
          // bfloat16 state: NaN and infinities exactly, other values to the rounding of either side.
          if (value instanceof Uint16Array) {
            const decode = (bits: Uint16Array) => Array.from(bits, bfloat16Value);
            const [actual, expected] = [decode(value), decode(state[key] as Uint16Array)];
            expectSameSpecials(actual, expected, `${key}${i}`, bfloat16Tolerance);
          }
        }
      });
    });
  }
});

describe('multi-tensor steps', () => {
  it('steps a group of 200 tensors in one call into WebAssembly', () => {
    const params = Array.from({ length: 200 }, (_, i) => param(50 + i));
    for (const p of params) p.grad.fill(0.5);
    const opt = new Adam(params, { lr: 0.1 });
    const before = simdInfo();
    opt.step();
    const after = simdInfo();
    expect(after.calls - before.calls).toBe(1);
    expect(after.rows - before.rows).toBe(200);
    for (const p of params) expect(p.data.every((x) => Math.abs(x + 0.1) < 1e-6)).toBe(true);
  });

  it('skips parameters without a gradient and runs each group in its own call', () => {
    const a = param([1]);
    const b: Param = param([1]);
    const c = param([1]);
    a.grad.fill(1);
    b.grad = null;
    c.grad.fill(1);
    const opt = new Adam([{ params: [a, b] }, { params: [c], lr: 0.5 }], { lr: 0.1 });
    const before = simdInfo();
    opt.step();
    expect(simdInfo().calls - before.calls).toBe(2);
    expect(simdInfo().rows - before.rows).toBe(2);
    expect([a.data[0], b.data[0], c.data[0]]).toEqual([Math.fround(0.9), 1, 0.5]);
  });
});

describe('steps shared between threads', () => {
  // Large tensors split across chunks and threads, small ones whole: bits must not depend on it.
  const shared = [300_007, 5, 200_003, ...Array.from({ length: 40 }, (_, i) => 1000 + i)];
  const elements = callsOf('Adam', shared)[0];
  const chunksOf = (name: string, options: Record<string, unknown>) =>
    callsOf(name, shared, options).reduce((sum, n) => sum + Math.ceil(n / 2 ** 16), 0);
  const callsPerStep = (name: string) => callsOf(name, shared).length;
  // A third of the variants, every kernel that sums a tensor by blocks and every state in fewer
  // bits (int8 state uses each thread's own scratch).
  const cases = variants.filter(
    ([name, options], i) =>
      i % 3 === 1 || callsPerStep(name) > 1 || options.stateDtype !== undefined,
  );
  const label = ([name, options]: (typeof variants)[number]) =>
    `${name} ${JSON.stringify(options)}`;
  /** Each case's parameters after three steps on one thread. */
  const single = new Map<string, Param[]>();
  /** Where two runs' parameters first differ in their bits, or null. */
  const firstDifference = (a: Param[], b: Param[]) => {
    for (const [i, p] of a.entries()) {
      const x = new Uint32Array(p.data.buffer, p.data.byteOffset, p.data.length);
      const y = new Uint32Array(b[i].data.buffer, b[i].data.byteOffset, b[i].data.length);
      const j = x.findIndex((bits, k) => bits !== y[k]);
      if (j >= 0) return { tensor: i, element: j };
    }
    return null;
  };

  // Thread counts are set here, never taken from the machine: on one core the default is one
  // thread, and two or more workers still run there, taking turns.
  beforeAll(() => {
    configureSimd({ threads: 1, parallelThreshold: DEFAULT_THRESHOLD });
    const before = simdInfo().parallelSteps;
    for (const c of cases)
      single.set(label(c), run(c[0], c[1], shared, 'float32', 3, 'arena').params);
    // One thread never shares a step, even one above the threshold.
    expect(simdInfo().parallelSteps).toBe(before);
  });

  afterAll(() => {
    pool.setWorkersOnly(false);
    configureSimd({ threads: DEFAULT_THREADS, parallelThreshold: DEFAULT_THRESHOLD });
  });

  it('shares a step above the default threshold', () => {
    expect(elements).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(chunksOf('Adam', {})).toBeGreaterThan(4);
  });

  for (const threads of [2, 3, 4]) {
    describe(`on ${threads} threads`, () => {
      beforeAll(async () => {
        configureSimd({ threads });
        expect(await startThreads()).toBe(threads - 1);
        expect(simdInfo().workers).toBe(threads - 1);
      });

      for (const c of cases) {
        it(`${label(c)}: the same bits as on one thread`, () => {
          const before = simdInfo().parallelSteps;
          const parallel = run(c[0], c[1], shared, 'float32', 3, 'arena');
          expect(simdInfo().parallelSteps - before).toBe(3 * callsPerStep(c[0]) + movesOf(c[0]));
          expect(firstDifference(parallel.params, single.get(label(c))!)).toBeNull();
        });
      }
    });
  }

  // Which thread claims a chunk is up to the scheduler (on one core the calling thread often
  // runs them all); with the calling thread out of the race, workers run every chunk.
  for (const threads of [2, 4]) {
    describe(`on ${threads} threads, every chunk left to the workers`, () => {
      beforeAll(async () => {
        configureSimd({ threads });
        expect(await startThreads()).toBe(threads - 1);
        pool.setWorkersOnly(true);
      });
      afterAll(() => pool.setWorkersOnly(false));

      for (const c of cases) {
        it(`${label(c)}: workers run all ${chunksOf(c[0], c[1])} chunks of each step, to the same bits`, () => {
          const before = simdInfo();
          const parallel = run(c[0], c[1], shared, 'float32', 3, 'arena');
          const after = simdInfo();
          expect(after.parallelSteps - before.parallelSteps).toBe(
            3 * callsPerStep(c[0]) + movesOf(c[0]),
          );
          expect(after.chunksStolen - before.chunksStolen).toBe(
            (3 + movesOf(c[0])) * chunksOf(c[0], c[1]),
          );
          expect(firstDifference(parallel.params, single.get(label(c))!)).toBeNull();
        });
      }
    });
  }
});
