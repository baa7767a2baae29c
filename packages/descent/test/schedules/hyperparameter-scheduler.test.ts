import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Adam } from '../../src/optim/adam.js';
import { SGD } from '../../src/optim/sgd.js';
import {
  CyclicLR,
  constantSchedule,
  cosineDecay,
  HyperparameterScheduler,
  LinearLR,
  linearSchedule,
  OneCycleLR,
  oneCycle,
  SequentialLR,
} from '../../src/schedules/index.js';
import {
  expectError,
  expectSnapshot,
  loadCases,
  makeOptimizer,
  type SchedulerCase,
  snapshot,
} from './reference.js';

describe('HyperparameterScheduler', () => {
  it("with pure one-cycle schedules is PyTorch's OneCycleLR, rate and momentum", () => {
    const c = loadCases<SchedulerCase>('schedulers.json').find((x) => x.name === 'OneCycleLR')!;
    const o = c.options as { maxLr: number[]; totalSteps: number; pctStart: number };
    const optimizer = makeOptimizer(c);
    const common = { totalSteps: o.totalSteps, pctStart: o.pctStart };
    const scheduler = new HyperparameterScheduler(optimizer, {
      lr: o.maxLr.map((peakValue) => oneCycle({ peakValue, ...common })),
      momentum: oneCycle({ initValue: 0.95, peakValue: 0.85, endValue: 0.95, ...common }),
    });
    // The pure schedule holds its end value where OneCycleLR would extrapolate one step further.
    const steps = o.totalSteps - 1;
    const trimmed = { ...c, trajectory: c.trajectory.slice(0, steps + 1) };
    expectSnapshot(trimmed, snapshot(optimizer), 0);
    for (let t = 1; t <= steps; t++) {
      optimizer.step();
      scheduler.step();
      expectSnapshot(trimmed, snapshot(optimizer), t);
    }
  });

  it('sets betas with new arrays, weight decay and any numeric group option', () => {
    const shared: [number, number] = [0.9, 0.999];
    const optimizer = new Adam([
      { params: [param(2)], betas: shared },
      { params: [param(2)], betas: shared, lr: 0.01 },
    ]);
    const scheduler = new HyperparameterScheduler(optimizer, {
      beta1: linearSchedule({ initValue: 0.8, endValue: 0.9, steps: 10 }),
      beta2: [constantSchedule({ value: 0.99 }), constantSchedule({ value: 0.95 })],
      weightDecay: linearSchedule({ initValue: 0, endValue: 0.1, steps: 4 }),
      eps: constantSchedule({ value: 1e-6 }),
    });
    for (let t = 0; t < 5; t++) {
      const [a, b] = optimizer.paramGroups;
      expect(a.betas[0]).toBeCloseTo(0.8 + 0.01 * t, 15);
      expect(a.betas[1]).toBe(0.99);
      expect(b.betas).toEqual([a.betas[0], 0.95]);
      expect(a.weightDecay).toBeCloseTo(0.025 * Math.min(t, 4), 15);
      expect(b.weightDecay).toBe(a.weightDecay);
      expect(a.eps).toBe(1e-6);
      expect([a.lr, b.lr]).toEqual([1e-3, 0.01]);
      optimizer.step();
      scheduler.step();
    }
    expect(shared).toEqual([0.9, 0.999]);
  });

  it('restarts from step 0 inside SequentialLR and resumes from its step count', () => {
    const optimizer = new SGD([param(2)], { lr: 0.1, momentum: 0.9 });
    const decay = cosineDecay({ initValue: 0.1, endValue: 0.001, steps: 20 });
    const sequence = new SequentialLR(optimizer, {
      schedulers: [
        new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 }),
        new HyperparameterScheduler(optimizer, { lr: decay }),
      ],
      milestones: [5],
    });
    const lrs = [sequence.getLastLr()[0]];
    for (let t = 1; t <= 30; t++) {
      sequence.step();
      lrs.push(sequence.getLastLr()[0]);
    }
    expect(lrs[4]).toBeCloseTo(0.1 * (0.1 + (0.9 * 4) / 5), 15);
    lrs.slice(5).forEach((lr, t) => {
      expect(lr).toBe(decay(t));
    });

    const bridge = new HyperparameterScheduler(optimizer, { lr: decay });
    for (let t = 0; t < 7; t++) bridge.step();
    const saved = JSON.parse(JSON.stringify(bridge.stateDict()));
    expect(saved.lastEpoch).toBe(7);
    const resumed = new HyperparameterScheduler(new SGD([param(2)], { lr: 0.1 }), { lr: decay });
    resumed.loadStateDict(saved);
    resumed.step();
    bridge.step();
    expect(resumed.getLastLr()).toEqual(bridge.getLastLr());
  });

  it.each([
    [{}, RangeError, /expected at least one hyperparameter/],
    [
      { momentum: constantSchedule({ value: 0.9 }) },
      TypeError,
      'Unknown option momentum for HyperparameterScheduler',
    ],
    [
      { weightDecy: constantSchedule({ value: 0.1 }) },
      TypeError,
      'Unknown option weightDecy for HyperparameterScheduler (did you mean weightDecay?)',
    ],
    [
      { lr: constantSchedule({ value: 0.1 }), Beta2: constantSchedule({ value: 0.99 }) },
      TypeError,
      'Unknown option Beta2 for HyperparameterScheduler (did you mean beta2?)',
    ],
    [{ lr: 0.1 }, TypeError, /lr: 0.1 \(expected a function\)/],
    [{ lr: [constantSchedule({ value: 0.1 })] }, RangeError, /lr: 1 values for 2 parameter groups/],
    [{ lr: () => 'fast' }, TypeError, /lr schedule: returned fast at step 0/],
  ])('rejects %o', (schedules, type, message) => {
    const make = () =>
      new HyperparameterScheduler(
        new Adam([{ params: [param(1)] }, { params: [param(1)] }]),
        schedules as never,
      );
    expectError(make, type, message);
  });

  it('rejects beta1 on an optimizer without betas', () => {
    expectError(
      () =>
        new HyperparameterScheduler(new SGD([param(1)]), {
          beta1: constantSchedule({ value: 0.9 }),
        } as never),
      TypeError,
      'Unknown option beta1 for HyperparameterScheduler',
    );
  });

  it('names the first group lacking a hyperparameter that other groups have', () => {
    const optimizer = { paramGroups: [{ lr: 0.1, foo: 1 }, { lr: 0.2 }], defaults: {} };
    expectError(
      () => new HyperparameterScheduler(optimizer, { foo: constantSchedule({ value: 2 }) }),
      TypeError,
      'Invalid foo: parameter group 1 has no numeric foo to schedule',
    );
    expect(optimizer.paramGroups).toEqual([{ lr: 0.1, foo: 1 }, { lr: 0.2 }]);
  });
});

describe('momentum cycling', () => {
  it('replaces betas arrays rather than writing into arrays groups may share', () => {
    const shared: [number, number] = [0.9, 0.999];
    const optimizer = new Adam([
      { params: [param(1)], betas: shared },
      { params: [param(1)], betas: shared },
    ]);
    const cycle = new OneCycleLR(optimizer, { maxLr: 0.01, totalSteps: 20 });
    cycle.step();
    new CyclicLR(optimizer, { baseLr: 0.001, maxLr: 0.01, stepSizeUp: 3 }).step();
    expect(shared).toEqual([0.9, 0.999]);
    expect(optimizer.paramGroups[0].betas).not.toBe(optimizer.paramGroups[1].betas);
    expect(optimizer.paramGroups[0].betas[1]).toBe(0.999);
  });
});
