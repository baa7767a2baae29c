import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type DType, param } from '../../src/core/param.js';
import * as optim from '../../src/optim/index.js';
import type { Optimizer } from '../../src/optim/optimizer.js';

/** One trajectory written by a generator in scripts/reference/. */
export interface ReferenceCase {
  name: string;
  optimizer: string;
  dtype: DType;
  /** Options given to the constructor rather than to the groups, when the generator set any. */
  defaults?: Record<string, unknown>;
  /** Each group's parameters, options and, where the generator gave them, shapes. */
  groups: { params: number[][]; options: Record<string, unknown>; shapes?: number[][] }[];
  /** `state`, when recorded: per-parameter state after the step, by key, one array per tensor. */
  steps: {
    grads: number[][];
    params: number[][];
    state?: Record<string, number[][]>;
    /**
     * Schedule-Free's averaged point: the parameters after `eval()`, which the replay calls after
     * the step (and `train()` after checking them), as the generator did.
     */
    evalParams?: number[][];
    /** Each group's own state after the step (`groupState`), by key, one number per group. */
    groupState?: Record<string, number[]>;
  }[];
}

/** An optimizer with Schedule-Free's modes. */
interface Modal {
  eval(): void;
  train(): void;
}

/**
 * float64 must agree to 1e-10 relative, float32 to 1e-5. "Relative" is to each element's size but
 * never to less than the tensor's root-mean-square: an element that cancels to near zero keeps
 * the absolute rounding error of the larger values it came from.
 */
export const tolerance: Record<DType, number> = { float64: 1e-10, float32: 1e-5 };

export function loadCases(fixture: string): ReferenceCase[] {
  const url = new URL(`fixtures/${fixture}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')).cases;
}

type OptimizerClass = new (params: unknown, options?: unknown) => Optimizer<object>;

export function optimizerClass(name: string): OptimizerClass {
  const cls = (optim as Record<string, unknown>)[name];
  if (typeof cls !== 'function') throw new Error(`descent has no optimizer ${name}`);
  return cls as OptimizerClass;
}

/** Largest violation of |actual - expected| <= tol * max(|expected|, rms(expected)); <= 1 passes. */
export function worstError(actual: ArrayLike<number>, expected: number[], tol: number): number {
  const rms = Math.sqrt(expected.reduce((sum, x) => sum + x * x, 0) / Math.max(expected.length, 1));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(Math.abs(expected[i]), rms, Number.MIN_VALUE);
    // Divided in two steps: tol * Number.MIN_VALUE would underflow to 0 and make 0 / 0.
    const err = Math.abs(actual[i] - expected[i]) / scale / tol;
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

/**
 * Replays a case's gradients through descent and checks every parameter after every step, and the
 * state where the generator recorded it. `extraOptions` go to every group and to the constructor
 * (options a fixture cannot hold, such as Newton's hessian).
 *
 * Parameters come from `param()`, in the WebAssembly arena, so the per-optimizer tests
 * (test/optim/<name>.test.ts) run the WebAssembly kernels. Their TypeScript twins, and the thread
 * pool, replay the same fixtures in test/kernels/wasm/replay.test.ts, and are compared with the
 * WebAssembly kernels on random inputs in test/kernels/wasm/kernels.test.ts and on random user
 * sequences in test/optim/differential/.
 *
 * `wrap` steps the optimizer through a wrapper instead (Lookahead), whose steps the case recorded.
 */
export function replay(
  c: ReferenceCase,
  extraOptions: Record<string, unknown> = {},
  wrap: (optimizer: Optimizer<object>) => { step(): unknown } = (optimizer) => optimizer,
): void {
  const groups = c.groups.map((g) => ({
    params: g.params.map((values, i) =>
      param(values, { dtype: c.dtype, ...(g.shapes && { shape: g.shapes[i] }) }),
    ),
    ...g.options,
    ...extraOptions,
  }));
  const params = groups.flatMap((g) => g.params);
  const opt = new (optimizerClass(c.optimizer))(groups, { ...c.defaults, ...extraOptions });
  const stepped = wrap(opt);
  const tol = tolerance[c.dtype];
  c.steps.forEach((step, t) => {
    params.forEach((p, i) => {
      p.grad = param(step.grads[i], { dtype: c.dtype }).data;
    });
    stepped.step();
    params.forEach((p, i) => {
      const worst = worstError(p.data, step.params[i], tol);
      expect(
        worst,
        `${c.name}: step ${t + 1}, tensor ${i}: ${p.data} vs ${step.params[i]}`,
      ).toBeLessThanOrEqual(1);
    });
    if (step.evalParams !== undefined) {
      (opt as unknown as Modal).eval();
      params.forEach((p, i) => {
        const worst = worstError(p.data, step.evalParams![i], tol);
        expect(worst, `${c.name}: step ${t + 1}, x of tensor ${i}`).toBeLessThanOrEqual(1);
      });
      (opt as unknown as Modal).train();
    }
    for (const [key, perGroup] of Object.entries(step.groupState ?? {})) {
      const actual = opt.paramGroups.map((group) => Number(opt.groupState.get(group)?.[key]));
      expect(
        worstError(actual, perGroup, tol),
        `${c.name}: step ${t + 1}, group state ${key}: ${actual} vs ${perGroup}`,
      ).toBeLessThanOrEqual(1);
    }
    for (const [key, perTensor] of Object.entries(step.state ?? {})) {
      perTensor.forEach((expected, i) => {
        const value = opt.state.get(params[i])?.[key];
        const actual = typeof value === 'number' ? [value] : (value as ArrayLike<number>);
        expect(
          worstError(actual, expected, tol),
          `${c.name}: step ${t + 1}, state ${key} of tensor ${i}: ${actual} vs ${expected}`,
        ).toBeLessThanOrEqual(1);
      });
    }
  });
}
