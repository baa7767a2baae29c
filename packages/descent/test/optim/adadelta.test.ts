import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Adadelta } from '../../src/optim/adadelta.js';
import { loadCases, replay } from './reference.js';

describe('Adadelta against PyTorch', () => {
  for (const c of loadCases('adadelta.json')) it(c.name, () => replay(c));
});

describe('Adadelta options', () => {
  const p = () => [param([1, 2, 3])];
  it.each([
    [{ lr: -1 }, RangeError, /^Invalid learning rate \(lr\): -1$/],
    [{ rho: -0.1 }, RangeError, /^Invalid rho value \(rho\): -0.1 \(expected in \[0, 1\]\)$/],
    [{ rho: 1.5 }, RangeError, /^Invalid rho value \(rho\): 1.5 \(expected in \[0, 1\]\)$/],
    [{ eps: -1e-6 }, RangeError, /^Invalid epsilon value \(eps\): -0.000001$/],
    [{ weightDecay: -1 }, RangeError, /^Invalid weight_decay value \(weightDecay\): -1$/],
    [{ rho: '0.9' }, TypeError, /^Invalid rho value \(rho\): "0.9"/],
    [{ maximize: 'no' }, TypeError, /^Invalid maximize: "no"/],
  ])('rejects %o, as an option or in a group', (options, type, message) => {
    const asOption = () => new Adadelta(p(), options as never);
    const inGroup = () => new Adadelta([{ params: p(), ...options } as never]);
    for (const make of [asOption, inGroup]) {
      expect(make).toThrow(type);
      expect(make).toThrow(message);
    }
  });

  it('accepts rho at both ends of [0, 1]', () => {
    expect(new Adadelta(p(), { rho: 0 }).defaults.rho).toBe(0);
    expect(new Adadelta(p(), { rho: 1 }).defaults.rho).toBe(1);
  });

  it('uses PyTorch defaults', () => {
    expect(new Adadelta(p()).defaults).toEqual({
      lr: 1.0,
      rho: 0.9,
      eps: 1e-6,
      weightDecay: 0,
      maximize: false,
    });
  });

  it('keeps step, squareAvg and accDelta', () => {
    const a = param([1, -2]);
    const opt = new Adadelta([a]);
    a.grad.set([0.5, 1]);
    opt.step();
    opt.step();
    expect(Object.keys(opt.state.get(a)!)).toEqual(['step', 'squareAvg', 'accDelta']);
    expect(opt.state.get(a)!.step).toBe(2);
  });
});
