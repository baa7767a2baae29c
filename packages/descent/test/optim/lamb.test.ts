import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { LAMB } from '../../src/optim/lamb.js';
import { expectCheckedBeforeStep, expectRejected, sharedOptionErrors } from './moments.js';
import { loadCases, replay } from './reference.js';

describe('LAMB against Optax’s lamb', () => {
  for (const c of loadCases('lamb.json')) it(c.name, () => replay(c));
});

describe('LAMB options', () => {
  it.each([
    ...sharedOptionErrors,
    [{ epsRoot: -1e-8 }, RangeError, /^Invalid eps_root value \(epsRoot\): -1e-8$/],
    [{ epsRoot: Infinity }, RangeError, /^Invalid eps_root value \(epsRoot\): Infinity/],
    [{ epsRoot: null }, TypeError, /^Invalid eps_root value \(epsRoot\): null/],
  ] as const)('rejects %o, as an option or in a group', (options, type, message) => {
    expectRejected(LAMB, options, type, message);
  });

  it('checks options changed between steps before anything moves', () => {
    expectCheckedBeforeStep(LAMB, { lr: 0.1 }, { epsRoot: -1 });
  });

  it('uses Optax’s defaults', () => {
    expect(new LAMB([param([1, 2, 3])]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-6,
      epsRoot: 0,
      weightDecay: 0,
      maximize: false,
    });
  });

  it('takes a trust ratio of 1 for a zero parameter, and ‖θ‖ / ‖u‖ per tensor otherwise', () => {
    const zero = param([0, 0], { dtype: 'float64' });
    const other = param([3, 4], { dtype: 'float64' });
    const opt = new LAMB([zero, other], { lr: 0.1, eps: 0 });
    zero.grad.set([2, -0.5]);
    other.grad.set([1, 1]);
    opt.step();
    // First step: m̂ = g, v̂ = g², so u = sign(g); θ = 0 gives ratio 1: θ₁ = −0.1 sign(g).
    expect([...zero.data]).toEqual([-0.1, 0.1]);
    // ‖θ‖ = 5, ‖u‖ = √2: θ₁ = θ − 0.1 · 5/√2 · (1, 1).
    const step = (0.1 * 5) / Math.sqrt(2);
    expect(other.data[0]).toBeCloseTo(3 - step, 15);
    expect(other.data[1]).toBeCloseTo(4 - step, 15);
    expect(opt.state.get(zero)!.step).toBe(1);
  });
});
