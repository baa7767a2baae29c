import { describe, expect, it } from 'vitest';
import { type DType, isFloatArray, type Param, param } from '../../../src/core/param.js';
import { configureSimd, simdInfo, startThreads } from '../../../src/kernels/wasm/index.js';
import { Adam } from '../../../src/optim/adam.js';
import type { Optimizer } from '../../../src/optim/optimizer.js';
import { SGD } from '../../../src/optim/sgd.js';
import { worstError } from '../../optim/reference.js';
import { run, variants } from './cases.js';

/**
 * The WebAssembly kernels compute in the arrays' own precision where the TypeScript kernels
 * compute in doubles and round when they store, and a few reorder a formula to save a division:
 * float64 results agree to a few ulps, float32 ones to a few float32 ulps per step.
 */
const tolerance: Record<DType, number> = { float64: 1e-14, float32: 5e-6 };

function expectClose(
  a: Optimizer<object>,
  pa: Param[],
  b: Optimizer<object>,
  pb: Param[],
  dtype: DType,
) {
  pa.forEach((p, i) => {
    expect(
      worstError(p.data, [...pb[i].data], tolerance[dtype]),
      `tensor ${i}`,
    ).toBeLessThanOrEqual(1);
    const sa = a.state.get(p)!;
    const sb = b.state.get(pb[i])!;
    for (const [key, value] of Object.entries(sa)) {
      if (isFloatArray(value)) {
        const expected = [...(sb[key] as Float64Array)];
        expect(worstError(value, expected, tolerance[dtype]), `${key} ${i}`).toBeLessThanOrEqual(1);
      } else {
        expect(value, key).toEqual(sb[key]);
      }
    }
  });
}

// Lengths around every boundary of the kernels' loops: 4-vector blocks, single vectors, lanes.
const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 1001];

describe('WebAssembly kernels against the TypeScript kernels', () => {
  for (const [name, options] of variants) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${name} ${JSON.stringify(options)} ${dtype}`, () => {
        const rows = simdInfo().rows;
        const simd = run(name, options, sizes, dtype, 8, 'arena');
        expect(simdInfo().rows - rows).toBe(8 * sizes.length);
        const ts = run(name, options, sizes, dtype, 8, 'plain');
        expect(simdInfo().rows - rows).toBe(8 * sizes.length);
        expectClose(simd.opt, simd.params, ts.opt, ts.params, dtype);
      });
    }
  }
});

/** Equal where `expected` is NaN or infinite, within tolerance elsewhere. */
function expectSameSpecials(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string) {
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
  expect(worstError(finiteActual, finite, tolerance.float32), label).toBeLessThanOrEqual(1);
}

describe('NaN and infinite gradients', () => {
  for (const [name, options] of variants) {
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
        }
      });
    });
  }
});

describe('multi-tensor steps', () => {
  it('steps a group of 200 tensors in one call into WebAssembly', () => {
    const params = Array.from({ length: 200 }, (_, i) => param(50 + i));
    for (const p of params) p.grad!.fill(0.5);
    const opt = new Adam(params, { lr: 0.1 });
    const before = simdInfo();
    opt.step();
    const after = simdInfo();
    expect(after.calls - before.calls).toBe(1);
    expect(after.rows - before.rows).toBe(200);
    for (const p of params) expect(p.data.every((x) => Math.abs(x + 0.1) < 1e-6)).toBe(true);
  });

  it('skips parameters without a gradient and runs each group in its own call', () => {
    const [a, b, c] = [param([1]), param([1]), param([1])];
    a.grad!.fill(1);
    b.grad = null;
    c.grad!.fill(1);
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

  it('starts workers', async () => {
    expect(await startThreads()).toBe(simdInfo().threads - 1);
    expect(simdInfo().workers).toBeGreaterThan(0);
  });

  for (const [name, options] of variants.filter((_, i) => i % 3 === 1)) {
    it(`${name} ${JSON.stringify(options)}: the same bits on one thread and on several`, () => {
      const before = simdInfo();
      configureSimd({ parallelThreshold: 0 });
      const parallel = run(name, options, shared, 'float32', 3, 'arena');
      const during = simdInfo();
      configureSimd({ parallelThreshold: Number.MAX_SAFE_INTEGER });
      const single = run(name, options, shared, 'float32', 3, 'arena');
      configureSimd({ parallelThreshold: 2 ** 19 });
      expect(during.parallelSteps - before.parallelSteps).toBe(3);
      expect(simdInfo().parallelSteps).toBe(during.parallelSteps);
      expect(firstDifference(parallel.params, single.params)).toBeNull();
    });
  }

  it('gives workers some of the chunks', async () => {
    // A worker claims chunks as soon as it wakes; on a busy machine that may take a few steps.
    configureSimd({ parallelThreshold: 0 });
    const p = param(1 << 20);
    const opt = new SGD([p], { lr: 0.1 });
    const before = simdInfo().chunksStolen;
    const deadline = Date.now() + 10_000;
    while (simdInfo().chunksStolen === before && Date.now() < deadline) {
      opt.step();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    configureSimd({ parallelThreshold: 2 ** 19 });
    expect(simdInfo().chunksStolen).toBeGreaterThan(before);
  });
});
