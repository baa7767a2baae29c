import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { ScheduleFreeAdamW } from '../../src/optim/schedule-free-adamw.js';
import { ScheduleFreeSGD } from '../../src/optim/schedule-free-sgd.js';
import { StepLR } from '../../src/schedules/index.js';
import { loadCases, replay } from './reference.js';

describe("ScheduleFreeAdamW against schedule_free's AdamWScheduleFree", () => {
  for (const c of loadCases('schedule-free-adamw.json')) it(c.name, () => replay(c));
});

describe("ScheduleFreeSGD against schedule_free's SGDScheduleFree", () => {
  for (const c of loadCases('schedule-free-sgd.json')) it(c.name, () => replay(c));
});

describe.each([
  ['ScheduleFreeAdamW', ScheduleFreeAdamW],
  ['ScheduleFreeSGD', ScheduleFreeSGD],
] as const)('%s modes', (name, Class) => {
  const make = () => {
    const p = param([1, -2, 3], { dtype: 'float64' });
    const opt = new Class([p], { lr: 0.1 }) as unknown as ScheduleFreeSGD;
    return { p, opt };
  };
  const stepWith = (
    p: ReturnType<typeof make>['p'],
    opt: ReturnType<typeof make>['opt'],
    g: number[],
  ) => {
    p.grad.set(g);
    opt.step();
  };

  it('starts in train mode and refuses a step in eval mode, changing nothing', () => {
    const { p, opt } = make();
    expect(opt.training).toBe(true);
    stepWith(p, opt, [1, 2, 3]);
    opt.eval();
    expect(opt.training).toBe(false);
    const x = [...p.data];
    expect(() => opt.step()).toThrow(new RegExp(`^${name} is in eval mode: call train\\(\\)`));
    expect([...p.data]).toEqual(x);
    expect(opt.groupState.get(opt.paramGroups[0])?.k).toBe(1);
  });

  it('eval() moves to x and train() back to y; repeating either changes nothing', () => {
    const { p, opt } = make();
    stepWith(p, opt, [1, 2, 3]);
    stepWith(p, opt, [-1, 0.5, 2]);
    const y = [...p.data];
    const z = [...(opt.state.get(p)!.z as Float64Array)];
    opt.eval();
    const x = [...p.data];
    // β is 0.9 for both: SGD's momentum, AdamW's β₁.
    const beta = 0.9;
    // y = (1 − β) z + β x
    x.forEach((xi, i) => {
      expect((1 - beta) * z[i] + beta * xi).toBeCloseTo(y[i], 12);
    });
    expect(x).not.toEqual(y);
    opt.eval();
    expect([...p.data]).toEqual(x);
    opt.train();
    p.data.forEach((yi, i) => {
      expect(yi).toBeCloseTo(y[i], 12);
    });
    const back = [...p.data];
    opt.train();
    expect([...p.data]).toEqual(back);
  });

  it('saves the mode and resumes bit for bit from eval mode', () => {
    const { p, opt } = make();
    stepWith(p, opt, [1, 2, 3]);
    opt.eval();
    const saved = JSON.parse(JSON.stringify(opt.stateDict()));
    expect(saved.groupState[0]).toEqual({
      k: 1,
      weightSum: 0.1 ** 2,
      lrMax: 0.1,
      trainMode: false,
    });
    const q = param([...p.data], { dtype: 'float64' });
    const resumed = new Class([q], { lr: 0.1 }) as unknown as ScheduleFreeSGD;
    resumed.loadStateDict(saved);
    expect(resumed.training).toBe(false);
    for (const o of [opt, resumed]) o.train();
    stepWith(p, opt, [0.5, -1, 2]);
    stepWith(q, resumed, [0.5, -1, 2]);
    expect([...q.data]).toEqual([...p.data]);
    expect(resumed.stateDict()).toEqual(opt.stateDict());
  });

  it('refuses a state dict whose group state is missing or wrong, changing nothing', () => {
    const { p, opt } = make();
    stepWith(p, opt, [1, 2, 3]);
    const saved = JSON.parse(JSON.stringify(opt.stateDict()));
    const fresh = make();
    const before = JSON.stringify(fresh.opt.stateDict());
    const cases: [unknown, ErrorConstructor, RegExp][] = [
      [undefined, TypeError, /^Invalid state dict: groupState is not a list of 1 group states/],
      [
        [{ ...saved.groupState[0], k: -1 }],
        RangeError,
        /^Invalid state dict: groupState\[0\]\.k is not a count/,
      ],
      [
        [{ ...saved.groupState[0], trainMode: 1 }],
        TypeError,
        /groupState\[0\]\.trainMode is missing or not a boolean: 1$/,
      ],
      [
        [{ ...saved.groupState[0], d: 1 }],
        TypeError,
        new RegExp(`groupState\\[0\\]\\.d is not ${name} group state`),
      ],
      [
        [{ ...saved.groupState[0], weightSum: -1 }],
        RangeError,
        /weightSum is not a finite number >= 0: -1$/,
      ],
    ];
    for (const [groupState, type, message] of cases) {
      const broken = { ...saved, groupState };
      expect(() => fresh.opt.loadStateDict(broken)).toThrow(type);
      expect(() => fresh.opt.loadStateDict(broken)).toThrow(message);
      expect(JSON.stringify(fresh.opt.stateDict())).toBe(before);
    }
  });

  it('refuses a step whose group state was broken, before anything moves', () => {
    const { p, opt } = make();
    stepWith(p, opt, [1, 2, 3]);
    const before = [...p.data];
    opt.groupState.get(opt.paramGroups[0])!.weightSum = Number.NaN;
    expect(() => opt.step()).toThrow(
      /^Invalid state: paramGroups\[0\]'s state\.weightSum is not a finite number >= 0: NaN$/,
    );
    expect([...p.data]).toEqual(before);
  });

  it('takes its learning rate from a scheduler, warmup applied on top', () => {
    const p = param([1, -2, 3], { dtype: 'float64' });
    const opt = new Class([p], { lr: 0.1, warmupSteps: 2 }) as unknown as ScheduleFreeSGD;
    const scheduler = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    const lrs: number[] = [];
    for (let t = 0; t < 3; t++) {
      stepWith(p, opt, [1, 2, 3]);
      lrs.push(opt.groupState.get(opt.paramGroups[0])!.lrMax as number);
      scheduler.step();
    }
    // γ_t: 0.1 · 1/2, then 0.05 · 2/2, then 0.025: the largest so far stays 0.05.
    expect(lrs).toEqual([0.05, 0.05, 0.05]);
    expect(opt.paramGroups[0].lr).toBe(0.0125);
  });
});

describe('Schedule-Free options', () => {
  it.each([
    [ScheduleFreeSGD, { momentum: 0 }, /^Invalid momentum: 0 \(expected in \(0, 1\)\)$/],
    [ScheduleFreeSGD, { momentum: 1 }, /^Invalid momentum: 1 \(expected in \(0, 1\)\)$/],
    [
      ScheduleFreeAdamW,
      { betas: [0, 0.999] },
      /^Invalid beta parameter at index 0 \(betas\[0\]\): 0/,
    ],
    [ScheduleFreeAdamW, { warmupSteps: 1.5 }, /^Invalid warmupSteps: 1\.5/],
    [ScheduleFreeAdamW, { r: -1 }, /^Invalid r: -1/],
    [ScheduleFreeSGD, { weightLrPower: -0.5 }, /^Invalid weightLrPower: -0\.5/],
    [
      ScheduleFreeSGD,
      { weightDecay: 2, lr: 1 },
      /^Invalid weight_decay value \(weightDecay\): 2 with lr 1/,
    ],
  ] as const)('%o refuses %o', (Class, options, message) => {
    const p = param([1, 2]);
    expect(() => new (Class as typeof ScheduleFreeSGD)([p], options as object)).toThrow(RangeError);
    expect(() => new (Class as typeof ScheduleFreeSGD)([p], options as object)).toThrow(message);
  });

  it('uses the reference defaults', () => {
    expect(new ScheduleFreeAdamW([param([1])]).defaults).toEqual({
      lr: 0.0025,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      warmupSteps: 0,
      r: 0,
      weightLrPower: 2,
    });
    expect(new ScheduleFreeSGD([param([1])]).defaults).toEqual({
      lr: 1,
      momentum: 0.9,
      weightDecay: 0,
      warmupSteps: 0,
      r: 0,
      weightLrPower: 2,
    });
  });
});
