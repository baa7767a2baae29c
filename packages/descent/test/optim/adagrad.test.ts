import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Adagrad } from '../../src/optim/adagrad.js';
import { loadCases, replay } from './reference.js';

describe('Adagrad against PyTorch', () => {
  for (const c of loadCases('adagrad.json')) it(c.name, () => replay(c));
});

describe('Adagrad options', () => {
  const p = () => [param([1, 2, 3])];
  it.each([
    [{ lr: -1 }, RangeError, /^Invalid learning rate \(lr\): -1$/],
    [{ lrDecay: -0.5 }, RangeError, /^Invalid lr_decay value \(lrDecay\): -0.5$/],
    [{ weightDecay: -1 }, RangeError, /^Invalid weight_decay value \(weightDecay\): -1$/],
    [
      { initialAccumulatorValue: -0.1 },
      RangeError,
      /^Invalid initial_accumulator_value value \(initialAccumulatorValue\): -0.1$/,
    ],
    [{ eps: -1e-10 }, RangeError, /^Invalid epsilon value \(eps\): -1e-10$/],
    [{ lr: 'fast' }, TypeError, /^Invalid learning rate \(lr\): "fast"/],
    [{ lrDecay: Number.NaN }, TypeError, /^Invalid lr_decay value \(lrDecay\): NaN/],
    [{ maximize: 1 }, TypeError, /^Invalid maximize: 1/],
  ])('rejects %o, as an option or in a group', (options, type, message) => {
    const asOption = () => new Adagrad(p(), options as never);
    const inGroup = () => new Adagrad([{ params: p(), ...options } as never]);
    for (const make of [asOption, inGroup]) {
      expect(make).toThrow(type);
      expect(make).toThrow(message);
    }
  });

  it('uses PyTorch defaults', () => {
    expect(new Adagrad(p()).defaults).toEqual({
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
      stateDtype: null,
      stochasticRounding: false,
      seed: 0,
      min8bitSize: 4096,
    });
  });

  it('keeps step and sum, the sum starting from the constructor accumulator value', () => {
    const a = param([1, 2], { dtype: 'float64' });
    const b = param([3], { dtype: 'float64' });
    const opt = new Adagrad([{ params: [a] }, { params: [b], initialAccumulatorValue: 9 }], {
      initialAccumulatorValue: 0.25,
    });
    a.grad.set([0.5, 0]);
    b.grad.set([0]);
    opt.step();
    const state = opt.state.get(a)!;
    expect(Object.keys(state)).toEqual(['step', 'sum']);
    expect(state.step).toBe(1);
    expect([...(state.sum as Float64Array)]).toEqual([0.5, 0.25]);
    expect([...(opt.state.get(b)!.sum as Float64Array)]).toEqual([0.25]);
  });
});
