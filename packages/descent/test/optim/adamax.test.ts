import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Adamax } from '../../src/optim/adamax.js';
import { loadCases, replay } from './reference.js';

describe('Adamax against PyTorch', () => {
  for (const c of loadCases('adamax.json')) it(c.name, () => replay(c));
});

describe('Adamax options', () => {
  const p = () => [param([1, 2, 3])];
  it.each([
    [{ lr: -1 }, RangeError, /^Invalid learning rate \(lr\): -1$/],
    [{ eps: -1e-8 }, RangeError, /^Invalid epsilon value \(eps\): -1e-8$/],
    [{ weightDecay: -1 }, RangeError, /^Invalid weight_decay value \(weightDecay\): -1$/],
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
    [{ betas: 0.9 }, TypeError, /^Invalid betas: 0.9/],
    [{ lr: 'fast' }, TypeError, /^Invalid learning rate \(lr\): "fast"/],
    [{ maximize: 0 }, TypeError, /^Invalid maximize: 0/],
  ])('rejects %o, as an option or in a group', (options, type, message) => {
    const asOption = () => new Adamax(p(), options as never);
    const inGroup = () => new Adamax([{ params: p(), ...options } as never]);
    for (const make of [asOption, inGroup]) {
      expect(make).toThrow(type);
      expect(make).toThrow(message);
    }
  });

  it('uses PyTorch defaults', () => {
    expect(new Adamax(p()).defaults).toEqual({
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
      stateDtype: null,
      stochasticRounding: false,
      seed: 0,
      min8bitSize: 4096,
    });
  });

  it('keeps step, expAvg and expInf', () => {
    const a = param([1, -2]);
    const opt = new Adamax([a]);
    a.grad.set([0.5, 1]);
    opt.step();
    expect(Object.keys(opt.state.get(a)!)).toEqual(['step', 'expAvg', 'expInf']);
    expect(opt.state.get(a)!.step).toBe(1);
  });
});
