import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Rprop } from '../../src/optim/rprop.js';
import { loadCases, replay } from './reference.js';

describe('Rprop against PyTorch', () => {
  for (const c of loadCases('rprop.json')) it(c.name, () => replay(c));
});

describe('Rprop options', () => {
  const p = () => [param([1, 2, 3])];
  it.each([
    [{ lr: -1 }, RangeError, /^Invalid learning rate \(lr\): -1$/],
    // 0 < η₋ < 1 < η₊, each element in its own range (Rprop.spec's items).
    [{ etas: [1.2, 0.5] }, RangeError, /^Invalid etas\[0\]: 1.2 \(expected in \(0, 1\)\)$/],
    [{ etas: [0, 1.2] }, RangeError, /^Invalid etas\[0\]: 0 \(expected in \(0, 1\)\)$/],
    [{ etas: [1, 1.2] }, RangeError, /^Invalid etas\[0\]: 1 \(expected in \(0, 1\)\)$/],
    [{ etas: [0.5, 1] }, RangeError, /^Invalid etas\[1\]: 1 \(expected > 1\)$/],
    [{ etas: [0.5, Infinity] }, RangeError, /^Invalid etas\[1\]: Infinity \(expected a finite/],
    [{ etas: [0.5] }, TypeError, /^Invalid etas: \[0.5\] \(expected two numbers\)$/],
    [
      { stepSizes: [-1e-6, 50] },
      RangeError,
      /^Invalid stepSizes\[0\]: -0.000001 \(expected a finite number >= 0\)$/,
    ],
    [{ stepSizes: [50, 1e-6] }, RangeError, /^Invalid step sizes \(stepSizes\): 50, 0.000001/],
    [{ stepSizes: 50 }, TypeError, /^Invalid stepSizes: 50 \(expected two numbers\)$/],
    // The first step is clamped to stepSizes[0]: an infinite one is an infinite step.
    [
      { stepSizes: [Infinity, Infinity] },
      RangeError,
      /^Invalid stepSizes\[0\]: Infinity \(expected a finite number >= 0\)$/,
    ],
    [{ lr: 'fast' }, TypeError, /^Invalid learning rate \(lr\): "fast"/],
    [{ maximize: 1 }, TypeError, /^Invalid maximize: 1/],
  ])('rejects %o, as an option or in a group', (options, type, message) => {
    const asOption = () => new Rprop(p(), options as never);
    const inGroup = () => new Rprop([{ params: p(), ...options } as never]);
    for (const make of [asOption, inGroup]) {
      expect(make).toThrow(type);
      expect(make).toThrow(message);
    }
  });

  it('uses PyTorch defaults', () => {
    expect(new Rprop(p()).defaults).toEqual({
      lr: 1e-2,
      etas: [0.5, 1.2],
      stepSizes: [1e-6, 50],
      maximize: false,
    });
  });

  it('takes an unbounded largest step size, as PyTorch does', () => {
    const a = param([1, -2, 3], { dtype: 'float64' });
    const opt = new Rprop([a], { lr: 0.1, stepSizes: [0, Infinity] });
    a.grad?.set([0.5, -1, 0]);
    for (let t = 0; t < 3; t++) opt.step();
    // Signs held: 0.1, then 0.12, 0.144.
    expect(a.data[0]).toBeCloseTo(1 - 0.1 - 0.12 - 0.144, 15);
    expect([...a.data].every(Number.isFinite)).toBe(true);
  });

  it('keeps step, prev and stepSize, step sizes starting at lr', () => {
    const a = param([1, -2, 3], { dtype: 'float64' });
    const opt = new Rprop([a], { lr: 0.1 });
    a.grad.set([0.5, -1, 0]);
    opt.step();
    const state = opt.state.get(a)!;
    expect(Object.keys(state)).toEqual(['step', 'prev', 'stepSize']);
    expect(state.step).toBe(1);
    expect([...(state.prev as Float64Array)]).toEqual([0.5, -1, 0]);
    expect([...(state.stepSize as Float64Array)]).toEqual([0.1, 0.1, 0.1]);
    expect([...a.data]).toEqual([0.9, -1.9, 3]);
  });

  it('checks every group before changing anything', () => {
    const a = param([1]);
    const b = param([2]);
    const opt = new Rprop([{ params: [a] }, { params: [b] }]);
    a.grad.set([1]);
    b.grad.set([1]);
    opt.paramGroups[1].etas = [0.5, 0.9];
    expect(() => opt.step()).toThrow(/^Invalid etas\[1\]: 0.9 \(expected > 1\)$/);
    expect([a.data[0], b.data[0]]).toEqual([1, 2]);
    expect(opt.state.size).toBe(0);
  });
});
