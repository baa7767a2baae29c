import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { ASGD } from '../../src/optim/asgd.js';
import { loadCases, replay } from './reference.js';

describe('ASGD against PyTorch', () => {
  for (const c of loadCases('asgd.json')) it(c.name, () => replay(c));
});

describe('ASGD options', () => {
  const p = () => [param([1, 2, 3])];
  it.each([
    [
      { lr: -1 },
      RangeError,
      /^Invalid learning rate \(lr\): -1 \(expected in \[0, 3\.4028234663852886e\+38\]\)$/,
    ],
    [{ lambd: -1e-4 }, RangeError, /^Invalid lambd value \(lambd\): -0.0001$/],
    [{ alpha: -0.75 }, RangeError, /^Invalid alpha value \(alpha\): -0.75$/],
    [{ weightDecay: -1 }, RangeError, /^Invalid weight_decay value \(weightDecay\): -1$/],
    [{ t0: Number.NaN }, TypeError, /^Invalid t0: NaN \(expected a number\)$/],
    [{ t0: '1e6' }, TypeError, /^Invalid t0: "1e6"/],
    [{ lr: 'fast' }, TypeError, /^Invalid learning rate \(lr\): "fast"/],
    [{ maximize: 1 }, TypeError, /^Invalid maximize: 1/],
    // η starts at lr in float32: float32's largest number is about 3.4e38.
    [
      { lr: 1e39 },
      RangeError,
      /^Invalid learning rate \(lr\): 1e\+39 \(expected in \[0, 3\.4028234663852886e\+38\]\)$/,
    ],
    // θ is multiplied by 1 − λη, η <= lr: lr·lambd at most 1, as lr·weightDecay.
    [
      { lr: 0.01, lambd: 200 },
      RangeError,
      /^Invalid lambd value \(lambd\): 200 with lr 0.01 \(expected lr·lambd <= 1: a step would shrink the parameter past zero\)$/,
    ],
  ])('rejects %o, as an option or in a group', (options, type, message) => {
    const asOption = () => new ASGD(p(), options as never);
    const inGroup = () => new ASGD([{ params: p(), ...options } as never]);
    for (const make of [asOption, inGroup]) {
      expect(make).toThrow(type);
      expect(make).toThrow(message);
    }
  });

  it("takes lr up to float32's largest and lr·lambd up to 1, stepping to finite values", () => {
    for (const options of [
      { lr: 3.4028234663852886e38, lambd: 0 },
      { lr: 0.01, lambd: 100 },
    ]) {
      const a = param([1, -2]);
      const opt = new ASGD([a], options);
      a.grad?.set([1e-40, -1e-40]);
      opt.step();
      opt.step();
      expect([...a.data].every(Number.isFinite), JSON.stringify(options)).toBe(true);
      const state = opt.state.get(a)!;
      expect(Number.isFinite(state.eta as number)).toBe(true);
      new ASGD([param([1, -2])], options).loadStateDict(
        JSON.parse(JSON.stringify(opt.stateDict())),
      );
    }
  });

  it('uses PyTorch defaults', () => {
    expect(new ASGD(p()).defaults).toEqual({
      lr: 1e-2,
      lambd: 1e-4,
      alpha: 0.75,
      t0: 1e6,
      weightDecay: 0,
      maximize: false,
    });
  });

  it('keeps step, eta, mu and ax, with eta and mu in float32 as PyTorch', () => {
    const a = param([1, -2], { dtype: 'float64' });
    const opt = new ASGD([a], { lr: 0.1, t0: 0 });
    expect(Math.fround(0.1)).not.toBe(0.1);
    a.grad.set([0.5, 1]);
    opt.step();
    const state = opt.state.get(a)!;
    expect(Object.keys(state)).toEqual(['step', 'eta', 'mu', 'ax']);
    expect(state.step).toBe(1);
    const eta = Math.fround(0.1);
    expect([...a.data]).toEqual([1 * (1 - 1e-4 * eta) - eta * 0.5, -2 * (1 - 1e-4 * eta) - eta]);
    expect([...(state.ax as Float64Array)]).toEqual([...a.data]);
    expect(state.eta).toBe(Math.fround(0.1 / (1 + 1e-4 * 0.1) ** 0.75));
    expect(state.mu).toBe(1);
    opt.step();
    expect(state.mu).toBe(0.5);
  });
});
