import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Adam } from '../../src/optim/adam.js';
import { expectCheckedBeforeStep, expectRejected, sharedOptionErrors } from './moments.js';
import { loadCases, replay } from './reference.js';

describe('Adam against PyTorch', () => {
  for (const c of loadCases('adam.json')) it(c.name, () => replay(c));
});

describe('Adam options', () => {
  it.each([
    ...sharedOptionErrors,
    [{ amsgrad: 'yes' }, TypeError, /^Invalid amsgrad: "yes" \(expected true or false\)$/],
    [
      { decoupledWeightDecay: 1 },
      TypeError,
      /^Invalid decoupledWeightDecay: 1 \(expected true or false\)$/,
    ],
  ] as const)('rejects %o, as an option or in a group', (options, type, message) => {
    expectRejected(Adam, options, type, message);
  });

  it('checks options changed between steps before anything moves', () => {
    expectCheckedBeforeStep(Adam, { lr: 0.1, amsgrad: true }, { betas: [0.9, 1] });
  });

  it('uses PyTorch 2.x defaults', () => {
    expect(new Adam([param([1, 2, 3])]).defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      decoupledWeightDecay: false,
      stateDtype: null,
      stochasticRounding: false,
      seed: 0,
      min8bitSize: 4096,
    });
  });

  it('keeps step, expAvg, expAvgSq, and maxExpAvgSq with amsgrad only', () => {
    const a = param([1, -2]);
    const b = param([3]);
    const opt = new Adam([{ params: [a] }, { params: [b], amsgrad: true }]);
    a.grad.set([0.5, 1]);
    b.grad.set([2]);
    opt.step();
    expect(Object.keys(opt.state.get(a)!)).toEqual(['step', 'expAvg', 'expAvgSq']);
    expect(Object.keys(opt.state.get(b)!)).toEqual(['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq']);
    expect(opt.state.get(b)!.step).toBe(1);
  });

  it('refuses an amsgrad state dict without maxExpAvgSq and stays as it was', () => {
    const a = param([1, -2]);
    const opt = new Adam([a], { amsgrad: true });
    a.grad.set([0.5, 1]);
    opt.step();
    const saved = opt.stateDict();
    const bad = JSON.parse(JSON.stringify(saved));
    delete bad.state['0'].maxExpAvgSq;
    expect(() => opt.loadStateDict(bad)).toThrow(
      /^Invalid state dict: state\[0\]\.maxExpAvgSq is missing or not an array$/,
    );
    expect(opt.stateDict()).toEqual(saved);
  });

  it('starts the AMSGrad maximum from zero when amsgrad is switched on between steps', () => {
    const a = param([1, -2, 0.5], { dtype: 'float64' });
    const opt = new Adam([a], { lr: 0.1, betas: [0.9, 0.5] });
    a.grad.set([3, -1, 2]);
    opt.step();
    opt.paramGroups[0].amsgrad = true;
    a.grad.set([0.1, -4, 0]);
    opt.step();
    const state = opt.state.get(a)!;
    expect(state.maxExpAvgSq).toEqual(state.expAvgSq);
    expect(state.step).toBe(2);
  });

  it('reads betas[0] at every step and keeps each group its own betas', () => {
    const a = param([1, -2], { dtype: 'float64' });
    const b = param([3], { dtype: 'float64' });
    const opt = new Adam([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    a.grad.set([0.5, 1]);
    b.grad.set([2]);
    opt.step();
    // β₁ = 0: the first moment becomes the gradient itself.
    opt.paramGroups[0].betas[0] = 0;
    a.grad.set([-0.25, 4]);
    b.grad.set([-1]);
    opt.step();
    expect([...(opt.state.get(a)!.expAvg as Float64Array)]).toEqual([-0.25, 4]);
    expect(opt.paramGroups[1].betas).toEqual([0.9, 0.999]);
    expect(opt.defaults.betas).toEqual([0.9, 0.999]);
    expect((opt.state.get(b)!.expAvg as Float64Array)[0]).toBeCloseTo(0.9 * 0.2 - 0.1, 14);
  });
});
