import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { SGD } from '../../src/optim/sgd.js';
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiplicativeLR,
  MultiStepLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  StepLR,
} from '../../src/schedules/index.js';
import { optimizerClass } from '../optim/reference.js';
import {
  expectError,
  expectExactResume,
  expectSnapshot,
  loadCases,
  makeOptimizer,
  replay,
  type SchedulerCase,
  snapshot,
} from './reference.js';

const fixtures = ['schedulers.json', 'plateau.json', 'compositions.json'];

for (const fixture of fixtures) {
  describe(`${fixture} against PyTorch`, () => {
    for (const c of loadCases<SchedulerCase>(fixture)) {
      it(c.name, () => {
        const { optimizer, scheduler } = replay(c);
        if (c.throwsAfterSteps) {
          const cycle = scheduler as OneCycleLR;
          const before = { ...snapshot(optimizer), lastEpoch: cycle.lastEpoch };
          const message = `OneCycleLR stepped ${c.steps + 1} times, past totalSteps (${c.steps})`;
          expectError(() => cycle.step(), RangeError, message);
          expect({ ...snapshot(optimizer), lastEpoch: cycle.lastEpoch }).toEqual(before);
        }
      });
      it(`${c.name}: exact resume from a JSON state dict`, () => expectExactResume(c));
    }
  });
}

const sgd = (groups = 1, options: Record<string, unknown> = {}) =>
  new SGD(
    Array.from({ length: groups }, (_, i) => ({ params: [param(2)], lr: 0.1 * (i + 1) })),
    { momentum: 0.9, ...options },
  );

describe('scheduler options', () => {
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['StepLR stepSize 0', () => new StepLR(sgd(), { stepSize: 0 }), RangeError, /stepSize: 0/],
    [
      'StepLR gamma text',
      () => new StepLR(sgd(), { stepSize: 2, gamma: 'x' as never }),
      TypeError,
      /gamma: "x"/,
    ],
    [
      'MultiStepLR negative milestone',
      () => new MultiStepLR(sgd(), { milestones: [3, -1] }),
      RangeError,
      /milestones\[1\]: -1/,
    ],
    [
      'MultiStepLR milestones not a list',
      () => new MultiStepLR(sgd(), { milestones: 3 as never }),
      TypeError,
      /milestones: 3/,
    ],
    [
      'ConstantLR factor 1.5',
      () => new ConstantLR(sgd(), { factor: 1.5 }),
      RangeError,
      /factor: 1.5/,
    ],
    ['ConstantLR factor 0', () => new ConstantLR(sgd(), { factor: 0 }), RangeError, /factor: 0/],
    [
      'LinearLR startFactor 0',
      () => new LinearLR(sgd(), { startFactor: 0 }),
      RangeError,
      /startFactor: 0/,
    ],
    [
      'LinearLR totalIters 2.5',
      () => new LinearLR(sgd(), { totalIters: 2.5 }),
      RangeError,
      /totalIters: 2.5/,
    ],
    [
      'ExponentialLR without gamma',
      () => new ExponentialLR(sgd(), {} as never),
      TypeError,
      /gamma: undefined/,
    ],
    [
      'PolynomialLR power -1',
      () => new PolynomialLR(sgd(), { power: -1 }),
      RangeError,
      /power: -1/,
    ],
    [
      'CosineAnnealingLR TMax 0',
      () => new CosineAnnealingLR(sgd(), { TMax: 0 }),
      RangeError,
      /TMax: 0/,
    ],
    [
      'CosineAnnealingWarmRestarts TMult 1.5',
      () => new CosineAnnealingWarmRestarts(sgd(), { T0: 5, TMult: 1.5 }),
      RangeError,
      /TMult: 1.5/,
    ],
    [
      'LambdaLR lrLambda 3',
      () => new LambdaLR(sgd(), { lrLambda: 3 as never }),
      TypeError,
      /lrLambda: 3/,
    ],
    [
      'LambdaLR one function short',
      () => new LambdaLR(sgd(2), { lrLambda: [() => 1] }),
      RangeError,
      /lrLambda: 1 values for 2 parameter groups/,
    ],
    [
      'MultiplicativeLR lambda returning text',
      () => new MultiplicativeLR(sgd(), { lrLambda: () => 'x' as never }).step(),
      TypeError,
      /lrLambda\[0\]: returned x at epoch 1/,
    ],
    [
      'CyclicLR baseLr list too short',
      () => new CyclicLR(sgd(2), { baseLr: [0.1], maxLr: 1 }),
      RangeError,
      /baseLr: 1 values for 2/,
    ],
    [
      'CyclicLR mode',
      () => new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, mode: 'square' as never }),
      RangeError,
      /mode: "square"/,
    ],
    [
      'CyclicLR stepSizeUp 0',
      () => new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 0 }),
      RangeError,
      /stepSizeUp: 0/,
    ],
    [
      'CyclicLR without momentum to cycle',
      () => new CyclicLR(new (optimizerClass('Adagrad'))([param(2)]), { baseLr: 0.1, maxLr: 1 }),
      TypeError,
      /cycleMomentum: true/,
    ],
    [
      'OneCycleLR without a length',
      () => new OneCycleLR(sgd(), { maxLr: 0.1 }),
      TypeError,
      /totalSteps: null/,
    ],
    [
      'OneCycleLR pctStart 1.5',
      () => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10, pctStart: 1.5 }),
      RangeError,
      /pctStart: 1.5/,
    ],
    [
      'OneCycleLR empty phase',
      () => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10, pctStart: 0.1 }),
      RangeError,
      /pctStart: 0.1 .*no steps/,
    ],
    [
      'OneCycleLR annealStrategy',
      () =>
        new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10, annealStrategy: 'quadratic' as never }),
      RangeError,
      /annealStrategy: "quadratic"/,
    ],
    [
      'OneCycleLR epochs 0',
      () => new OneCycleLR(sgd(), { maxLr: 0.1, epochs: 0, stepsPerEpoch: 5 }),
      RangeError,
      /epochs: 0/,
    ],
    [
      'ReduceLROnPlateau factor 1',
      () => new ReduceLROnPlateau(sgd(), { factor: 1 }),
      RangeError,
      /factor: 1/,
    ],
    [
      'ReduceLROnPlateau mode',
      () => new ReduceLROnPlateau(sgd(), { mode: 'avg' as never }),
      RangeError,
      /mode: "avg"/,
    ],
    [
      'ReduceLROnPlateau thresholdMode',
      () => new ReduceLROnPlateau(sgd(), { thresholdMode: 'pct' as never }),
      RangeError,
      /thresholdMode: "pct"/,
    ],
    [
      'ReduceLROnPlateau patience -1',
      () => new ReduceLROnPlateau(sgd(), { patience: -1 }),
      RangeError,
      /patience: -1/,
    ],
    [
      'ReduceLROnPlateau minLr list',
      () => new ReduceLROnPlateau(sgd(2), { minLr: [0.1] }),
      RangeError,
      /minLr: 1 values for 2/,
    ],
    [
      'ReduceLROnPlateau metric',
      () => new ReduceLROnPlateau(sgd()).step('low' as never),
      TypeError,
      /metric: low/,
    ],
    [
      'not an optimizer',
      () => new StepLR({} as never, { stepSize: 1 }),
      TypeError,
      /Invalid optimizer/,
    ],
  ];
  it.each(cases)('%s', (_, make, type, message) => {
    expectError(make, type, message);
  });

  it('rejects options before touching the groups', () => {
    const optimizer = sgd(2);
    const before = structuredClone(optimizer.paramGroups.map(({ params, ...g }) => g));
    expectError(
      () => new CyclicLR(optimizer, { baseLr: 0.01, maxLr: [1, 2, 3] }),
      RangeError,
      'Invalid maxLr: 3 values for 2 parameter groups (expected one per group)',
    );
    expectError(
      () => new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 3 }),
      RangeError,
      'Invalid pctStart: 0.3 (with totalSteps 3 a phase of the cycle would have no steps)',
    );
    expectError(
      () => new LinearLR(optimizer, { endFactor: 2 }),
      RangeError,
      'Invalid endFactor: 2 (expected in [0, 1])',
    );
    expect(optimizer.paramGroups.map(({ params, ...g }) => g)).toEqual(before);
  });

  it('uses PyTorch defaults', () => {
    const optimizer = sgd();
    const check = (scheduler: { stateDict(): object }, defaults: object) =>
      expect(scheduler.stateDict()).toMatchObject(defaults);
    check(new StepLR(optimizer, { stepSize: 3 }), { gamma: 0.1 });
    check(new ConstantLR(sgd()), { factor: 1 / 3, totalIters: 5 });
    check(new LinearLR(sgd()), { startFactor: 1 / 3, endFactor: 1, totalIters: 5 });
    check(new PolynomialLR(sgd()), { totalIters: 5, power: 1 });
    check(new CosineAnnealingWarmRestarts(sgd(), { T0: 3 }), { TMult: 1, etaMin: 0 });
    check(new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1 }), {
      stepSizeUp: 2000,
      stepSizeDown: null,
      mode: 'triangular',
      gamma: 1,
      scaleMode: 'cycle',
      cycleMomentum: true,
      baseMomentum: 0.8,
      maxMomentum: 0.9,
    });
    check(new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 100 }), {
      pctStart: 0.3,
      annealStrategy: 'cos',
      baseMomentum: 0.85,
      maxMomentum: 0.95,
      divFactor: 25,
      finalDivFactor: 1e4,
      threePhase: false,
    });
    check(new ReduceLROnPlateau(sgd()), {
      mode: 'min',
      factor: 0.1,
      patience: 10,
      threshold: 1e-4,
      thresholdMode: 'rel',
      cooldown: 0,
      minLr: 0,
      eps: 1e-8,
    });
  });
});

describe('scheduler state', () => {
  it('records initialLr on the groups as PyTorch records initial_lr, keeping an earlier one', () => {
    const optimizer = sgd(2);
    new StepLR(optimizer, { stepSize: 2 });
    expect(optimizer.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.2]);
    optimizer.paramGroups[0].lr = 5;
    const second = new ExponentialLR(optimizer, { gamma: 0.5 });
    expect(second.baseLrs).toEqual([0.1, 0.2]);
  });

  it('leaves functions out of LambdaLR state dicts and keeps its own on loading', () => {
    const optimizer = sgd();
    const scheduler = new LambdaLR(optimizer, { lrLambda: (e) => 0.5 ** e });
    scheduler.step();
    const state = JSON.parse(JSON.stringify(scheduler.stateDict()));
    expect(Object.keys(state).sort()).toEqual(['baseLrs', 'lastEpoch', 'lastLr']);
    const other = new LambdaLR(sgd(), { lrLambda: (e) => 0.5 ** e });
    other.loadStateDict(state);
    other.step();
    scheduler.step();
    expect(other.getLastLr()).toEqual(scheduler.getLastLr());
  });

  it('restores options from a state dict, as PyTorch does', () => {
    const saved = new StepLR(sgd(), { stepSize: 2, gamma: 0.5 }).stateDict();
    const other = new StepLR(sgd(), { stepSize: 9 });
    other.loadStateDict(saved);
    expect(other.stateDict()).toEqual(saved);
  });

  it('keeps ReduceLROnPlateau best at infinity through JSON', () => {
    const scheduler = new ReduceLROnPlateau(sgd(), { mode: 'max' });
    const state = JSON.parse(JSON.stringify(scheduler.stateDict()));
    expect(state.best).toEqual({ float: '-Infinity' });
    const other = new ReduceLROnPlateau(sgd(), { mode: 'max' });
    other.loadStateDict(state);
    expect(other.best).toBe(Number.NEGATIVE_INFINITY);
  });

  it('checks a state dict completely before changing anything', () => {
    const scheduler = new CosineAnnealingWarmRestarts(sgd(2), { T0: 3 });
    scheduler.step();
    const good = scheduler.stateDict();
    const before = JSON.stringify(scheduler.stateDict());
    const bad: [unknown, ErrorConstructor, RegExp][] = [
      [null, TypeError, /expected an object/],
      [{ ...good, Ti: undefined }, TypeError, /missing Ti/],
      [{ ...good, Ti: 'three' }, TypeError, /Ti is three/],
      [{ ...good, baseLrs: [0.1] }, RangeError, /baseLrs has 1 entries \(expected 2/],
      [{ ...good, T0: 0 }, RangeError, /T0: 0/],
      [{ ...good, extra: 1 }, TypeError, /unknown key "extra"/],
      [{ ...good, ['__proto__']: 1 }, TypeError, /__proto__/],
    ];
    for (const [state, type, message] of bad) {
      const json = JSON.parse(JSON.stringify(state));
      expectError(() => scheduler.loadStateDict(json), type, message);
      expect(JSON.stringify(scheduler.stateDict())).toBe(before);
    }
  });

  it('loads a composite only when every child state fits', () => {
    const optimizer = sgd();
    const scheduler = new SequentialLR(optimizer, {
      schedulers: [new ConstantLR(optimizer), new StepLR(optimizer, { stepSize: 2 })],
      milestones: [3],
    });
    scheduler.step();
    const state = JSON.parse(JSON.stringify(scheduler.stateDict()));
    expect(state.schedulers).toHaveLength(2);
    const before = JSON.stringify(scheduler.stateDict());
    state.lastEpoch = 7;
    state.schedulers[1].stepSize = -2;
    expectError(
      () => scheduler.loadStateDict(state),
      RangeError,
      'Invalid stepSize: -2 (expected an integer >= 1)',
    );
    expect(JSON.stringify(scheduler.stateDict())).toBe(before);
    state.schedulers.pop();
    expectError(
      () => scheduler.loadStateDict(state),
      RangeError,
      'Invalid state dict: 1 scheduler states for 2 schedulers',
    );
  });

  it('refuses to run on more groups than it was attached to', () => {
    const optimizer = sgd();
    const scheduler = new StepLR(optimizer, { stepSize: 2 });
    optimizer.addParamGroup({ params: [param(1)], lr: 0.3 });
    expectError(
      () => scheduler.step(),
      RangeError,
      'StepLR: the optimizer has 2 parameter groups, the scheduler was attached to 1',
    );
    expect(scheduler.lastEpoch).toBe(0);
  });
});

describe('compositions', () => {
  it('refuse schedulers they cannot step', () => {
    const optimizer = sgd();
    const other = sgd();
    const step = new StepLR(optimizer, { stepSize: 2 });
    const make: [() => unknown, ErrorConstructor, RegExp][] = [
      [
        () => new SequentialLR(optimizer, { schedulers: [step], milestones: [2] }),
        RangeError,
        /milestones: 1 milestones for 1 schedulers/,
      ],
      [
        () => new SequentialLR(optimizer, { schedulers: [step, step], milestones: [0] }),
        RangeError,
        /milestones\[0\]: 0/,
      ],
      [
        () =>
          new SequentialLR(optimizer, {
            schedulers: [step, new StepLR(other, { stepSize: 1 })],
            milestones: [2],
          }),
        RangeError,
        /schedulers\[1\]: StepLR is attached to another optimizer/,
      ],
      [
        () =>
          new SequentialLR(optimizer, {
            schedulers: [step, new ReduceLROnPlateau(optimizer) as never],
            milestones: [2],
          }),
        TypeError,
        /schedulers\[1\]: ReduceLROnPlateau/,
      ],
      [
        () =>
          new SequentialLR(optimizer, {
            schedulers: [new ChainedScheduler([step]), step],
            milestones: [2],
          }),
        TypeError,
        /schedulers\[0\]: ChainedScheduler/,
      ],
      [() => new ChainedScheduler([]), RangeError, /schedulers: \[\]/],
      [() => new ChainedScheduler([step], other), RangeError, /attached to another optimizer/],
    ];
    for (const [build, type, message] of make) {
      expectError(build, type, message);
    }
  });

  it('run a cycling scheduler with momentum inside SequentialLR', () => {
    const c = loadCases<SchedulerCase>('schedulers.json').find((x) => x.name === 'OneCycleLR')!;
    const optimizer = makeOptimizer(c);
    const cycle = new OneCycleLR(optimizer, c.options as never);
    const sequence = new SequentialLR(optimizer, {
      schedulers: [cycle, new ConstantLR(optimizer, { factor: 1, totalIters: 1 })],
      milestones: [c.steps + 1],
    });
    expectSnapshot(c, snapshot(optimizer), 0);
    for (let t = 1; t <= c.steps; t++) {
      sequence.step();
      expectSnapshot(c, snapshot(optimizer), t);
    }
    sequence.step();
    const maxLr = (c.options as { maxLr: number[] }).maxLr;
    expect(sequence.getLastLr()).toEqual(maxLr.map((lr) => lr / 25));
  });
});
