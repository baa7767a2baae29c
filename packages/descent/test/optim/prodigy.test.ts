import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Prodigy } from '../../src/optim/prodigy.js';
import { CosineAnnealingLR } from '../../src/schedules/index.js';
import { loadCases, replay } from './reference.js';

describe("Prodigy against prodigyopt's Prodigy", () => {
  for (const c of loadCases('prodigy.json')) it(c.name, () => replay(c));
});

describe('Prodigy', () => {
  const make = (options = {}) => {
    const a = param([1, -2, 3], { dtype: 'float64', name: 'a' });
    const b = param([0.5, 4], { dtype: 'float64', name: 'b' });
    const opt = new Prodigy([{ params: [a] }, { params: [b] }], options);
    const step = (t: number) => {
      a.grad.set([Math.sin(t), Math.cos(t), 1]);
      b.grad.set([Math.cos(2 * t), -1]);
      opt.step();
    };
    return { a, b, opt, step };
  };

  it('shares one d between its groups, visible in the state dict, and resumes bit for bit', () => {
    const { a, b, opt, step } = make();
    for (let t = 0; t < 3; t++) step(t);
    const saved = JSON.parse(JSON.stringify(opt.stateDict()));
    expect(saved.groupState).toHaveLength(2);
    expect(saved.groupState[0]).toEqual(saved.groupState[1]);
    expect(saved.groupState[0].k).toBe(3);
    expect(saved.groupState[0].d).toBeGreaterThan(1e-6);
    const resumed = make();
    resumed.a.data.set(a.data);
    resumed.b.data.set(b.data);
    resumed.opt.loadStateDict(saved);
    for (let t = 3; t < 6; t++) {
      step(t);
      resumed.step(t);
    }
    expect([...resumed.a.data, ...resumed.b.data]).toEqual([...a.data, ...b.data]);
    expect(resumed.opt.stateDict()).toEqual(opt.stateDict());
  });

  it.each([
    ['betas', [0.5, 0.9]],
    ['beta3', 0.5],
    ['d0', 1e-3],
    ['dCoef', 2],
    ['growthRate', 1.02],
    ['decouple', false],
    ['useBiasCorrection', true],
  ])('refuses groups whose %s differs, since d is shared', (key, value) => {
    const p = param([1, 2]);
    const q = param([3]);
    const message = new RegExp(
      `^Invalid ${key} of paramGroups\\[1\\]: .* \\(Prodigy's step size d is shared by every group: expected paramGroups\\[0\\]'s, `,
    );
    expect(() => new Prodigy([{ params: [p] }, { params: [q], [key]: value }])).toThrow(message);
    const opt = new Prodigy([{ params: [p] }]);
    expect(() => opt.addParamGroup({ params: [q], [key]: value })).toThrow(RangeError);
    expect(opt.paramGroups).toHaveLength(1);
  });

  it('freezes a group with lr 0: it does not move, and d is that of the others alone', () => {
    const { a, b, opt, step } = make();
    opt.paramGroups[1].lr = 0;
    opt.paramGroups[1].weightDecay = 0.5;
    const alone = param([1, -2, 3], { dtype: 'float64' });
    const single = new Prodigy([alone]);
    const frozen = [...b.data];
    for (let t = 0; t < 4; t++) {
      step(t);
      alone.grad.set([Math.sin(t), Math.cos(t), 1]);
      single.step();
    }
    expect([...b.data]).toEqual(frozen);
    expect([...a.data]).toEqual([...alone.data]);
    expect(opt.groupState.get(opt.paramGroups[0])).toEqual(
      single.groupState.get(single.paramGroups[0]),
    );
  });

  it('refuses its options out of range, naming them', () => {
    const p = () => [param([1, 2])];
    expect(() => new Prodigy(p(), { d0: 0 })).toThrow(/^Invalid d0 value \(d0\): 0/);
    expect(() => new Prodigy(p(), { eps: 0 })).toThrow(/^Invalid epsilon value \(eps\): 0/);
    expect(() => new Prodigy(p(), { growthRate: 0.5 })).toThrow(/^Invalid growthRate: 0\.5/);
    expect(() => new Prodigy(p(), { beta3: 1.5 })).toThrow(/^Invalid beta3: 1\.5/);
    expect(() => new Prodigy(p(), { beta3: 'x' as never })).toThrow(TypeError);
    expect(() => new Prodigy(p(), { dCoef: -1 })).toThrow(/^Invalid dCoef: -1/);
    expect(new Prodigy(p(), { beta3: null }).defaults.beta3).toBeNull();
  });

  it('uses the reference defaults', () => {
    expect(new Prodigy([param([1])]).defaults).toEqual({
      lr: 1,
      betas: [0.9, 0.999],
      beta3: null,
      eps: 1e-8,
      weightDecay: 0,
      decouple: true,
      useBiasCorrection: false,
      safeguardWarmup: false,
      d0: 1e-6,
      dCoef: 1,
      growthRate: Infinity,
    });
  });

  it('refuses a state dict whose d is not positive, changing nothing', () => {
    const { opt, step } = make();
    step(0);
    const saved = JSON.parse(JSON.stringify(opt.stateDict()));
    saved.groupState[1].d = 0;
    const fresh = make();
    const before = JSON.stringify(fresh.opt.stateDict());
    expect(() => fresh.opt.loadStateDict(saved)).toThrow(
      /^Invalid state dict: groupState\[1\]\.d is not a finite number > 0: 0$/,
    );
    expect(JSON.stringify(fresh.opt.stateDict())).toBe(before);
  });

  it('is driven by a scheduler: the lr of every group, d on top', () => {
    const { opt, step } = make();
    const scheduler = new CosineAnnealingLR(opt, { TMax: 4 });
    for (let t = 0; t < 4; t++) {
      step(t);
      scheduler.step();
    }
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0, 0]);
    const d = opt.groupState.get(opt.paramGroups[0])!.d;
    // lr 0 everywhere: nothing is summed, and the step stops before d or the parameters change.
    step(4);
    expect(opt.groupState.get(opt.paramGroups[0])!.d).toBe(d);
  });
});
