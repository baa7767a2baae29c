import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { NAdam } from '../../src/optim/nadam.js';
import { expectCheckedBeforeStep, expectRejected, sharedOptionErrors } from './moments.js';
import { loadCases, replay } from './reference.js';

describe('NAdam against PyTorch 2.x', () => {
  for (const c of loadCases('nadam.json')) it(c.name, () => replay(c));
});

describe('NAdam options', () => {
  it.each([
    ...sharedOptionErrors,
    [
      { momentumDecay: -1e-3 },
      RangeError,
      /^Invalid momentum_decay value \(momentumDecay\): -0.001$/,
    ],
    [
      { momentumDecay: '4e-3' },
      TypeError,
      /^Invalid momentum_decay value \(momentumDecay\): "4e-3"/,
    ],
    [
      { decoupledWeightDecay: null },
      TypeError,
      /^Invalid decoupledWeightDecay: null \(expected true or false\)$/,
    ],
  ] as const)('rejects %o, as an option or in a group', (options, type, message) => {
    expectRejected(NAdam, options, type, message);
  });

  it('checks options changed between steps before anything moves', () => {
    expectCheckedBeforeStep(NAdam, { lr: 0.1 }, { momentumDecay: -1 });
  });

  it('uses PyTorch 2.x defaults', () => {
    expect(new NAdam([param([1, 2, 3])]).defaults).toEqual({
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      decoupledWeightDecay: false,
      maximize: false,
      stateDtype: null,
      stochasticRounding: false,
      seed: 0,
      min8bitSize: 4096,
    });
  });

  it('keeps step, muProduct, expAvg and expAvgSq', () => {
    const a = param([1, -2]);
    const opt = new NAdam([a], { momentumDecay: 0 });
    for (let t = 0; t < 3; t++) {
      a.grad.set([0.5, 1]);
      opt.step();
    }
    const state = opt.state.get(a)!;
    expect(Object.keys(state).sort()).toEqual(['expAvg', 'expAvgSq', 'muProduct', 'step']);
    expect(state.step).toBe(3);
    // Without momentum decay μ_t = β₁ / 2 at every step.
    expect(state.muProduct).toBeCloseTo(0.45 ** 3, 15);
  });

  it('refuses a state dict without muProduct and stays as it was', () => {
    const a = param([1, -2]);
    const opt = new NAdam([a]);
    a.grad.set([0.5, 1]);
    opt.step();
    const saved = opt.stateDict();
    const bad = JSON.parse(JSON.stringify(saved));
    delete bad.state['0'].muProduct;
    expect(() => opt.loadStateDict(bad)).toThrow(
      /^Invalid state dict: state\[0\]\.muProduct is missing or not a number$/,
    );
    expect(opt.stateDict()).toEqual(saved);
  });
});
