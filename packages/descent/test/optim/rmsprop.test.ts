import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { RMSprop } from '../../src/optim/rmsprop.js';
import { loadCases, replay } from './reference.js';

describe('RMSprop against PyTorch', () => {
  for (const c of loadCases('rmsprop.json')) it(c.name, () => replay(c));
});

describe('RMSprop options', () => {
  const p = () => [param([1, 2, 3])];
  it.each([
    [{ lr: -1 }, RangeError, /^Invalid learning rate \(lr\): -1$/],
    [{ alpha: -0.5 }, RangeError, /^Invalid alpha value \(alpha\): -0.5 \(expected in \[0, 1\]\)$/],
    [{ alpha: 1.5 }, RangeError, /^Invalid alpha value \(alpha\): 1.5 \(expected in \[0, 1\]\)$/],
    [{ eps: -1e-8 }, RangeError, /^Invalid epsilon value \(eps\): -1e-8$/],
    [{ weightDecay: -1 }, RangeError, /^Invalid weight_decay value \(weightDecay\): -1$/],
    [
      { momentum: -0.9 },
      RangeError,
      /^Invalid momentum value \(momentum\): -0.9 \(expected in \[0, 1\]\)$/,
    ],
    [{ alpha: 'high' }, TypeError, /^Invalid alpha value \(alpha\): "high"/],
    [{ centered: 'yes' }, TypeError, /^Invalid centered: "yes"/],
    [{ maximize: null }, TypeError, /^Invalid maximize: null/],
  ])('rejects %o, as an option or in a group', (options, type, message) => {
    const asOption = () => new RMSprop(p(), options as never);
    const inGroup = () => new RMSprop([{ params: p(), ...options } as never]);
    for (const make of [asOption, inGroup]) {
      expect(make).toThrow(type);
      expect(make).toThrow(message);
    }
  });

  it('uses PyTorch defaults', () => {
    expect(new RMSprop(p()).defaults).toEqual({
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      stateDtype: null,
      stochasticRounding: false,
      seed: 0,
      min8bitSize: 4096,
    });
  });

  it.each([
    [{}, ['step', 'squareAvg']],
    [{ momentum: 0.5 }, ['step', 'squareAvg', 'momentumBuffer']],
    [{ centered: true }, ['step', 'squareAvg', 'gradAvg']],
    [{ momentum: 0.5, centered: true }, ['step', 'squareAvg', 'momentumBuffer', 'gradAvg']],
  ])('with %o keeps %o', (options, keys) => {
    const a = param([1, -2]);
    const opt = new RMSprop([a], options);
    a.grad.set([0.5, 1]);
    opt.step();
    expect(Object.keys(opt.state.get(a)!)).toEqual(keys);
    expect(opt.state.get(a)!.step).toBe(1);
  });

  it('starts a momentum buffer from zero when momentum is switched on between steps', () => {
    const grads = [
      [0.5, -1],
      [0.25, 2],
    ];
    const late = param([1, -2], { dtype: 'float64' });
    const lateOpt = new RMSprop([late]);
    late.grad.set(grads[0]);
    lateOpt.step();
    lateOpt.paramGroups[0].momentum = 0.9;
    late.grad.set(grads[1]);
    lateOpt.step();
    // With a zero buffer, the first momentum step is the plain step.
    const plain = param([1, -2], { dtype: 'float64' });
    const plainOpt = new RMSprop([plain]);
    for (const g of grads) {
      plain.grad.set(g);
      plainOpt.step();
    }
    expect([...late.data]).toEqual([...plain.data]);
    expect(lateOpt.state.get(late)!.momentumBuffer).toBeInstanceOf(Float64Array);
  });
});
