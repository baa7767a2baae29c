import { expect } from 'vitest';
import { type FloatArray, type Param, param } from '../../src/core/param.js';
import type { Optimizer } from '../../src/optim/optimizer.js';

// `never` parameters accept any optimizer's constructor; calls below cast their arguments.
type MomentClass = new (params: never, options?: never) => Optimizer<object>;

/** Invalid options every Adam-family optimizer refuses, with the error each must raise. */
export const sharedOptionErrors: [Record<string, unknown>, ErrorConstructor, RegExp][] = [
  [{ lr: -1 }, RangeError, /^Invalid learning rate \(lr\): -1$/],
  [{ lr: 'fast' }, TypeError, /^Invalid learning rate \(lr\): "fast" \(expected a number\)$/],
  [{ lr: Number.NaN }, TypeError, /^Invalid learning rate \(lr\): NaN/],
  [{ eps: -1e-8 }, RangeError, /^Invalid epsilon value \(eps\): -1e-8$/],
  [{ weightDecay: -0.1 }, RangeError, /^Invalid weight_decay value \(weightDecay\): -0.1$/],
  [
    { betas: [1, 0.999] },
    RangeError,
    /^Invalid beta parameter at index 0 \(betas\[0\]\): 1 \(expected in \[0, 1\)\)$/,
  ],
  [
    { betas: [-0.1, 0.999] },
    RangeError,
    /^Invalid beta parameter at index 0 \(betas\[0\]\): -0.1 \(expected in \[0, 1\)\)$/,
  ],
  [
    { betas: [0.9, 1] },
    RangeError,
    /^Invalid beta parameter at index 1 \(betas\[1\]\): 1 \(expected in \[0, 1\)\)$/,
  ],
  [
    { betas: [0.9, -0.5] },
    RangeError,
    /^Invalid beta parameter at index 1 \(betas\[1\]\): -0.5 \(expected in \[0, 1\)\)$/,
  ],
  [{ betas: [0.9] }, TypeError, /^Invalid betas: \[0.9\] \(expected two numbers\)$/],
  [{ betas: 0.9 }, TypeError, /^Invalid betas: 0.9 \(expected two numbers\)$/],
  [{ maximize: 0 }, TypeError, /^Invalid maximize: 0 \(expected true or false\)$/],
];

/** Each invalid option throws, whether given to the constructor or in a group. */
export function expectRejected(
  cls: MomentClass,
  options: Record<string, unknown>,
  type: ErrorConstructor,
  message: RegExp,
): void {
  const asOption = () => new cls([param([1, 2, 3])] as never, options as never);
  const inGroup = () => new cls([{ params: [param([1, 2, 3])], ...options }] as never);
  for (const make of [asOption, inGroup]) {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  }
}

/**
 * An option made invalid between steps is refused before anything changes: no parameter and no
 * state moves, not even those of earlier groups.
 */
export function expectCheckedBeforeStep(
  cls: MomentClass,
  options: Record<string, unknown>,
  bad: Record<string, unknown>,
): void {
  const a = param([1, -2], { dtype: 'float64' });
  const b = param([0.5], { dtype: 'float64' });
  const opt = new cls([{ params: [a] }, { params: [b] }] as never, options as never);
  const grads = (ps: Param<FloatArray>[]) => {
    for (const p of ps) p.grad.fill(0.3);
  };
  grads([a, b]);
  opt.step();
  const state = JSON.stringify(opt.stateDict().state);
  const values = [...a.data, ...b.data];
  Object.assign(opt.paramGroups[1], bad);
  grads([a, b]);
  // The error names the option that went bad (or, for a pair such as betas, its element).
  const named = new RegExp(`^Invalid .*\\b(${Object.keys(bad).join('|')})\\b`);
  expect(() => opt.step()).toThrow(named);
  expect([...a.data, ...b.data]).toEqual(values);
  expect(JSON.stringify(opt.stateDict().state)).toBe(state);
}
