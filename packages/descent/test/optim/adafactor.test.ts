import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Adafactor } from '../../src/optim/adafactor.js';
import { expectCheckedBeforeStep, expectRejected } from './moments.js';
import { loadCases, replay } from './reference.js';

describe('Adafactor against PyTorch 2.5', () => {
  for (const c of loadCases('adafactor.json')) it(c.name, () => replay(c));
});

describe('Adafactor options', () => {
  it.each([
    [{ lr: -1 }, RangeError, /^Invalid learning rate \(lr\): -1$/],
    [
      { beta2Decay: 0.1 },
      RangeError,
      /^Invalid beta2_decay value \(beta2Decay\): 0.1 \(expected <= 0\)$/,
    ],
    [
      { beta2Decay: -Infinity },
      RangeError,
      /^Invalid beta2_decay value \(beta2Decay\): -Infinity \(expected a finite number\)$/,
    ],
    [{ eps: [-1, 1e-3] }, RangeError, /^Invalid epsilon value at index 0 \(eps\[0\]\): -1$/],
    [{ eps: [null, -1e-3] }, RangeError, /^Invalid epsilon value at index 1 \(eps\[1\]\): -0.001$/],
    [
      { eps: [1e-30, null] },
      TypeError,
      /^Invalid eps: \[1e-30, null\] \(expected two numbers; the first may be null\)$/,
    ],
    [
      { eps: [null] },
      TypeError,
      /^Invalid eps: \[null\] \(expected two numbers; the first may be null\)$/,
    ],
    [{ eps: 1e-3 }, TypeError, /^Invalid eps: 0.001 \(expected two numbers/],
    [{ d: 0.5 }, RangeError, /^Invalid clipping threshold d \(d\): 0.5 \(expected >= 1\)$/],
    [{ d: '2' }, TypeError, /^Invalid clipping threshold d \(d\): "2" \(expected a number\)$/],
    [{ weightDecay: -0.1 }, RangeError, /^Invalid weight_decay value \(weightDecay\): -0.1$/],
    [{ weightDecay: 200 }, RangeError, /^Invalid weight_decay value \(weightDecay\): 200 with lr/],
    [{ maximize: 'no' }, TypeError, /^Invalid maximize: "no" \(expected true or false\)$/],
  ] as const)('rejects %o, as an option or in a group', (options, type, message) => {
    expectRejected(Adafactor, options, type, message);
  });

  it('checks options changed between steps before anything moves', () => {
    expectCheckedBeforeStep(Adafactor, { lr: 0.1 }, { eps: [null, Number.NaN] });
  });

  it('uses PyTorch’s defaults', () => {
    expect(new Adafactor([param([1, 2, 3])]).defaults).toEqual({
      lr: 1e-2,
      beta2Decay: -0.8,
      eps: [null, 1e-3],
      d: 1,
      weightDecay: 0,
      maximize: false,
    });
  });
});

describe('Adafactor state', () => {
  it('factors a matrix into row and column means, keeps a vector’s second moment whole', () => {
    const w = param(6, { dtype: 'float64', shape: [2, 3] });
    const batch = param(12, { dtype: 'float64', shape: [2, 2, 3] });
    const b = param(4, { dtype: 'float64' });
    const opt = new Adafactor([w, batch, b]);
    w.grad.set([1, 2, 3, 4, 5, 6]);
    batch.grad.fill(2);
    b.grad.set([1, -2, 3, -4]);
    opt.step();
    const s = opt.state.get(w)!;
    expect(Object.keys(s)).toEqual(['step', 'rowVar', 'colVar']);
    // The first step's weight is 1^τ = 1: the means themselves.
    expect([...(s.rowVar as Float64Array)]).toEqual([14 / 3, 77 / 3]);
    expect([...(s.colVar as Float64Array)]).toEqual([17 / 2, 29 / 2, 45 / 2]);
    expect((opt.state.get(batch)!.rowVar as Float64Array).length).toBe(4);
    expect((opt.state.get(batch)!.colVar as Float64Array).length).toBe(6);
    expect(Object.keys(opt.state.get(b)!)).toEqual(['step', 'variance']);
    expect([...(opt.state.get(b)!.variance as Float64Array)]).toEqual([1, 4, 9, 16]);
  });

  it('refuses a parameter whose shape no longer fits its length or its state, changing nothing', () => {
    const w = param(6, { dtype: 'float64', shape: [2, 3], name: 'w' });
    const opt = new Adafactor([w]);
    w.grad.fill(1);
    opt.step();
    const before = [...w.data];
    const state = JSON.stringify(opt.stateDict().state);
    for (const [shape, message] of [
      [[4, 2], /^Invalid shape of parameter "w": \[4,2\] for 6 elements$/],
      [[6], /^Invalid shape of parameter "w": \[6\], and its state is a matrix's$/],
      [
        [3, 2],
        /^Invalid state of parameter "w": rowVar is a float64 array of length 2, expected float64 of length 3$/,
      ],
    ] as const) {
      (w as { shape?: readonly number[] }).shape = shape;
      expect(() => opt.step()).toThrow(RangeError);
      expect(() => opt.step()).toThrow(message);
      expect([...w.data]).toEqual(before);
      expect(JSON.stringify(opt.stateDict().state)).toBe(state);
    }
  });

  it('resumes a matrix, a batch of matrices and a vector bit for bit from a JSON state dict', () => {
    const make = () => {
      const ps = [
        param(12, { shape: [3, 4], name: 'w' }),
        param(12, { dtype: 'float64', shape: [2, 3, 2], name: 'k' }),
        param(5, { name: 'b' }),
      ];
      for (const p of ps) p.data.set(Array.from({ length: p.data.length }, (_, i) => Math.cos(i)));
      return { ps, opt: new Adafactor(ps, { weightDecay: 0.1, lr: 0.05 }) };
    };
    const train = (run: ReturnType<typeof make>, from: number, to: number) => {
      for (let t = from; t < to; t++) {
        for (const [k, p] of run.ps.entries()) {
          p.grad.set(Array.from({ length: p.data.length }, (_, i) => Math.sin(i * 0.7 + t + k)));
        }
        run.opt.step();
      }
    };
    const straight = make();
    train(straight, 0, 6);
    const first = make();
    train(first, 0, 3);
    const saved = JSON.parse(JSON.stringify(first.opt.stateDict()));
    const resumed = make();
    for (const [i, p] of resumed.ps.entries()) p.data.set(first.ps[i].data);
    resumed.opt.loadStateDict(saved);
    train(resumed, 3, 6);
    for (const [i, p] of resumed.ps.entries()) expect(p.data).toEqual(straight.ps[i].data);
    expect(resumed.opt.stateDict()).toEqual(straight.opt.stateDict());
  });

  it('refuses a state dict whose moments do not fit the shape', () => {
    const make = (shape: number[]) => {
      const w = param(6, { dtype: 'float64', shape, name: 'w' });
      return { w, opt: new Adafactor([w]) };
    };
    const { w, opt } = make([2, 3]);
    w.grad.fill(1);
    opt.step();
    const saved = opt.stateDict();
    const transposed = make([3, 2]).opt;
    expect(() => transposed.loadStateDict(saved)).toThrow(
      /^Invalid state dict: state\[0\] \(parameter "w"\)\.rowVar is a float64 array of length 2, expected float64 of length 3$/,
    );
    expect(() => make([6]).opt.loadStateDict(saved)).toThrow(
      /^Invalid state dict: state\[0\] \(parameter "w"\)\.rowVar is not Adafactor state$/,
    );
    expect(transposed.state.size).toBe(0);
    make([2, 3]).opt.loadStateDict(saved);
  });
});
