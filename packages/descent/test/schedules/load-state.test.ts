import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { decode, encode } from '../../src/core/serialize.js';
import { SGD } from '../../src/optim/sgd.js';
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  HyperparameterScheduler,
  LambdaLR,
  LinearLR,
  MultiplicativeLR,
  MultiStepLR,
  OneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SequentialLR,
  StepLR,
  SWALR,
} from '../../src/schedules/index.js';
import {
  applyTreeMutation,
  type Json,
  sites,
  type TreeMutation,
  treeMutations,
} from '../json-mutations.js';
import { expectError } from './reference.js';

/**
 * Scheduler state dicts under fuzzing, as test/optim/load-state.test.ts does for optimizers: a
 * mutated state dict either loads exactly what it says, after which the scheduler and the
 * optimizer step (to finite rates), or is refused with a TypeError or RangeError that changes
 * nothing. Then the cases the fuzzing found, one by one.
 */

interface Scheduler {
  stateDict(): Json;
  loadStateDict(state: unknown): void;
  getLastLr(): number[];
}

const sgd = () =>
  new SGD(
    [
      { params: [param([1, -2], { dtype: 'float64' })], lr: 0.1 },
      { params: [param([0.5], { dtype: 'float64' })], lr: 0.2 },
    ],
    { momentum: 0.9 },
  );

type Optim = ReturnType<typeof sgd>;

/** Each scheduler with options that reach its state, and how it steps (ReduceLROnPlateau: a metric). */
const schedulers: [string, (o: Optim) => Scheduler, ((s: Scheduler, t: number) => void)?][] = [
  ['ConstantLR', (o) => new ConstantLR(o, { factor: 0.5, totalIters: 3 })],
  ['LinearLR', (o) => new LinearLR(o, { startFactor: 0.25, totalIters: 6 })],
  ['StepLR', (o) => new StepLR(o, { stepSize: 2, gamma: 0.5 })],
  ['MultiStepLR', (o) => new MultiStepLR(o, { milestones: [2, 4, 4], gamma: 0.5 })],
  ['ExponentialLR', (o) => new ExponentialLR(o, { gamma: 0.9 })],
  ['PolynomialLR', (o) => new PolynomialLR(o, { totalIters: 6, power: 2 })],
  ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, { TMax: 4, etaMin: 0.01 })],
  [
    'CosineAnnealingWarmRestarts',
    (o) => new CosineAnnealingWarmRestarts(o, { T0: 2, TMult: 2, etaMin: 0.001 }),
  ],
  ['LambdaLR', (o) => new LambdaLR(o, { lrLambda: (e) => 0.9 ** e })],
  ['MultiplicativeLR', (o) => new MultiplicativeLR(o, { lrLambda: () => 0.95 })],
  [
    'CyclicLR',
    (o) =>
      new CyclicLR(o, {
        baseLr: [0.01, 0.02],
        maxLr: 0.1,
        stepSizeUp: 2,
        mode: 'exp_range',
        gamma: 0.9,
      }),
  ],
  ['OneCycleLR', (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 6, threePhase: true })],
  [
    'SWALR',
    (o) => new SWALR(o, { swaLr: [0.05, 0.01], annealEpochs: 3, annealStrategy: 'linear' }),
  ],
  [
    'HyperparameterScheduler',
    (o) =>
      new HyperparameterScheduler(o, { lr: (t) => 0.1 / (1 + t), momentum: (t) => 0.9 - t / 100 }),
  ],
  [
    'SequentialLR',
    (o) =>
      new SequentialLR(o, {
        schedulers: [
          new LinearLR(o, { startFactor: 0.5, totalIters: 2 }),
          new CosineAnnealingWarmRestarts(o, { T0: 2 }),
        ],
        milestones: [2],
      }),
  ],
  [
    'ChainedScheduler',
    (o) =>
      new ChainedScheduler([new ExponentialLR(o, { gamma: 0.9 }), new StepLR(o, { stepSize: 2 })]),
  ],
  [
    'ReduceLROnPlateau',
    (o) => new ReduceLROnPlateau(o, { patience: 1, cooldown: 2, factor: 0.5 }),
    (s, t) => (s as ReduceLROnPlateau).step([3, 2, 2.5, 2.5, 2.5, 1, 1][t % 7]),
  ],
];

/** An optimizer and its scheduler after `steps` steps of both. */
function build(
  make: (o: Optim) => Scheduler,
  stepOf: (s: Scheduler, t: number) => void,
  steps = 4,
) {
  const optimizer = sgd();
  const scheduler = make(optimizer);
  for (let t = 0; t < steps; t++) {
    stepOptimizer(optimizer);
    stepOf(scheduler, t);
  }
  return { optimizer, scheduler };
}

function stepOptimizer(optimizer: Optim): void {
  for (const group of optimizer.paramGroups) {
    for (const p of group.params) p.grad!.set(p.data.map((x) => 2 * x + 0.1));
  }
  optimizer.step();
}

const plainStep = (s: Scheduler) => (s as unknown as { step(): void }).step();

const replacements: Json[] = [
  { float: 'NaN' },
  -1,
  { float: 'Infinity' },
  { float: '-Infinity' },
  { float: '-0' },
  1.5,
  0,
  1,
  2,
  3,
  7,
  1e300,
  'x',
  'cos',
  null,
  true,
  [],
  {},
  [0.1, 0.2],
  [0.1],
  [-1, 0.1],
  [{ float: 'NaN' }, 0.1],
  { dtype: 'float64', base64: 'AAAAAAAA8D8=' },
  { float: 'nan' },
];

const addedKeys = ['extra', '__proto__', 'constructor', 'prototype', 'lastEpoch', 'Ti'];

type Mutation = TreeMutation;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  ...treeMutations(replacements.length, addedKeys.length),
);

/** Applies a mutation; the state dict is the `root` of a holder so that the root can change too. */
function apply(holder: { root: Json }, m: Mutation): void {
  const all = [['root'], ...sites(holder.root).map((path) => ['root', ...path])];
  applyTreeMutation(holder, m, all, replacements, addedKeys);
}

/** JSON with keys sorted, numbers as `encode` writes them: equal for equal content. */
function canonical(value: unknown): string {
  const sort = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort(v[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(encode(value)));
}

const groupsOf = (optimizer: Optim) =>
  canonical(optimizer.paramGroups.map(({ params: _, ...options }) => options));

const prototypeNames = () =>
  [Object.prototype, Array.prototype].map((proto) => Object.getOwnPropertyNames(proto).join());

const runs = Number(process.env.LOAD_STATE_RUNS ?? 250);
const seed =
  process.env.LOAD_STATE_SEED === undefined ? undefined : Number(process.env.LOAD_STATE_SEED);

describe.each(schedulers)('%s loading mutated state dicts', (_name, make, stepOf = plainStep) => {
  it('loads exactly and steps, or refuses with a TypeError or RangeError and changes nothing', () => {
    const good: Json = JSON.parse(JSON.stringify(build(make, stepOf).scheduler.stateDict()));
    const prototypes = prototypeNames();
    const outcomes = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const { optimizer, scheduler } = build(make, stepOf);
        const holder = { root: structuredClone(good) };
        for (const m of mutations) apply(holder, m);
        const before = JSON.stringify(scheduler.stateDict());
        const groups = groupsOf(optimizer);
        let loaded = false;
        try {
          scheduler.loadStateDict(holder.root);
          loaded = true;
        } catch (error) {
          if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
          expect(error.message).toMatch(/^Invalid /);
          expect(JSON.stringify(scheduler.stateDict())).toBe(before);
          expect(groupsOf(optimizer)).toBe(groups);
        }
        expect(prototypeNames()).toEqual(prototypes);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        if (!loaded) {
          outcomes.refused++;
          return;
        }
        outcomes.loaded++;
        expect(canonical(scheduler.stateDict())).toBe(canonical(decode(holder.root, 'state')));
        const cycle = scheduler instanceof OneCycleLR ? scheduler : null;
        const total = cycle?.stateDict().totalSteps as number;
        if (cycle !== null && cycle.lastEpoch >= total) {
          // The step past totalSteps is refused, as PyTorch refuses it, and changes nothing.
          const state = JSON.stringify(cycle.stateDict());
          expectError(
            () => cycle.step(),
            RangeError,
            new RegExp(`past totalSteps \\(${total}\\)$`),
          );
          expect(JSON.stringify(cycle.stateDict())).toBe(state);
          return;
        }
        stepOf(scheduler, 4);
        // A finite number of its kind may still overflow (1e300 for a rate): arithmetic's doing,
        // not loading's. Otherwise the rates stay finite, and what the step made loads again.
        const huge = mutations.some((m) => 'value' in m && replacements[m.value] === 1e300);
        if (huge) return;
        scheduler.loadStateDict(JSON.parse(JSON.stringify(scheduler.stateDict())));
        for (const group of optimizer.paramGroups) {
          for (const key of ['lr', 'momentum']) {
            expect(Number.isFinite(group[key]), `${key}: ${canonical(holder.root)}`).toBe(true);
          }
        }
        // The optimizer steps, or refuses, changing nothing, a rate or momentum out of its range:
        // options a constructor takes can lead there too (CyclicLR's gamma 2 grows the
        // amplitude past momentum 0; CosineAnnealingLR's recursion goes below 0 from an etaMin
        // above the rate), as in PyTorch.
        const values = JSON.stringify(optimizer.paramGroups.map((g) => [...g.params[0].data]));
        try {
          stepOptimizer(optimizer);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
          expect((error as Error).message).toMatch(/^Invalid (learning rate|momentum value)/);
          expect(JSON.stringify(optimizer.paramGroups.map((g) => [...g.params[0].data]))).toBe(
            values,
          );
        }
      }),
      { numRuns: runs, seed },
    );
    expect(outcomes.refused).toBeGreaterThan(runs / 4);
    expect(outcomes.loaded).toBeGreaterThan(runs / 50);
  });
});

describe('scheduler states the fuzzing found loadable, now refused', () => {
  const cases: [string, () => Scheduler, (sd: Json) => void, ErrorConstructor, RegExp][] = [
    [
      'gamma Infinity',
      () => new ExponentialLR(sgd(), { gamma: 0.9 }),
      (sd) => {
        sd.gamma = { float: 'Infinity' };
      },
      RangeError,
      /^Invalid gamma: Infinity \(expected a finite number\)$/,
    ],
    [
      "StepLR's gamma Infinity",
      () => new StepLR(sgd(), { stepSize: 2 }),
      (sd) => {
        sd.gamma = { float: 'Infinity' };
      },
      RangeError,
      /^Invalid gamma: Infinity \(expected a finite number\)$/,
    ],
    [
      'lastEpoch NaN',
      () => new StepLR(sgd(), { stepSize: 2 }),
      (sd) => {
        sd.lastEpoch = { float: 'NaN' };
      },
      RangeError,
      /^Invalid state dict: lastEpoch is not an integer >= -1: NaN$/,
    ],
    [
      'a fractional lastEpoch',
      () => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10 }),
      (sd) => {
        sd.lastEpoch = 2.5;
      },
      RangeError,
      /^Invalid state dict: lastEpoch is not an integer >= -1: 2\.5$/,
    ],
    [
      'lastEpoch far past totalSteps',
      () => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10 }),
      (sd) => {
        sd.lastEpoch = 50;
      },
      RangeError,
      /^Invalid state dict: lastEpoch is 50, past totalSteps \(10\)$/,
    ],
    [
      'Ti 0',
      () => new CosineAnnealingWarmRestarts(sgd(), { T0: 3 }),
      (sd) => {
        sd.Ti = 0;
      },
      RangeError,
      /^Invalid state dict: Ti is not a length \(an integer >= 1\): 0$/,
    ],
    [
      'TCur past Ti',
      () => new CosineAnnealingWarmRestarts(sgd(), { T0: 3 }),
      (sd) => {
        sd.TCur = 3;
      },
      RangeError,
      /^Invalid state dict: TCur is 3, not below Ti \(3\)/,
    ],
    [
      'a negative baseLr',
      () => new CosineAnnealingLR(sgd(), { TMax: 5 }),
      (sd) => {
        sd.baseLrs[1] = -0.1;
      },
      RangeError,
      /^Invalid state dict: baseLrs\[1\] is not a finite number >= 0: -0\.1$/,
    ],
    [
      'a NaN baseLr',
      () => new LambdaLR(sgd(), { lrLambda: () => 1 }),
      (sd) => {
        sd.baseLrs[0] = { float: 'NaN' };
      },
      RangeError,
      /^Invalid state dict: baseLrs\[0\] is not a finite number >= 0: NaN$/,
    ],
    [
      'a baseLr as text',
      () => new LambdaLR(sgd(), { lrLambda: () => 1 }),
      (sd) => {
        sd.baseLrs[0] = '0.1';
      },
      TypeError,
      /^Invalid state dict: baseLrs\[0\] is 0\.1 \(expected a number\)$/,
    ],
    [
      "ReduceLROnPlateau's best NaN",
      () => new ReduceLROnPlateau(sgd()),
      (sd) => {
        sd.best = { float: 'NaN' };
      },
      RangeError,
      /^Invalid state dict: best is not a number other than NaN: NaN$/,
    ],
    [
      'more bad epochs than patience',
      () => new ReduceLROnPlateau(sgd(), { patience: 2 }),
      (sd) => {
        sd.numBadEpochs = 5;
      },
      RangeError,
      /^Invalid state dict: numBadEpochs is 5, past patience \(2\)/,
    ],
    [
      "CyclicLR's infinite step sizes",
      () => new CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1 }),
      (sd) => {
        sd.stepSizeUp = { float: 'Infinity' };
      },
      RangeError,
      /^Invalid stepSizeUp: Infinity \(expected a finite number\)$/,
    ],
    [
      "CyclicLR's infinite maxLr in a list",
      () => new CyclicLR(sgd(), { baseLr: 0.01, maxLr: [0.1, 0.2] }),
      (sd) => {
        sd.maxLr[1] = { float: 'Infinity' };
      },
      RangeError,
      /^Invalid maxLr\[1\]: Infinity \(expected a finite number\)$/,
    ],
    [
      'an option holding an object',
      () => new StepLR(sgd(), { stepSize: 2 }),
      (sd) => {
        sd.gamma = { value: 1 };
      },
      TypeError,
      /^Invalid state dict: gamma is an object \(expected numbers, booleans, strings or lists of them\)$/,
    ],
    [
      "a child's lastEpoch NaN",
      () => {
        const o = sgd();
        return new SequentialLR(o, {
          schedulers: [new ConstantLR(o), new ExponentialLR(o, { gamma: 0.9 })],
          milestones: [2],
        });
      },
      (sd) => {
        sd.schedulers[1].lastEpoch = { float: 'NaN' };
      },
      RangeError,
      /^Invalid state dict: lastEpoch is not an integer >= -1: NaN$/,
    ],
  ];

  it.each(cases)('refuses %s, changing nothing', (_, make, edit, type, message) => {
    const scheduler = make();
    (scheduler as unknown as { step(metric?: number): void }).step(1);
    const saved = JSON.parse(JSON.stringify(scheduler.stateDict()));
    const before = JSON.stringify(saved);
    edit(saved);
    expectError(() => scheduler.loadStateDict(saved), type, message);
    expect(JSON.stringify(scheduler.stateDict())).toBe(before);
  });

  it('still loads what a scheduler inside SequentialLR keeps: lastEpoch -1', () => {
    const o = sgd();
    const scheduler = new SequentialLR(o, {
      schedulers: [new ConstantLR(o), new ExponentialLR(o, { gamma: 0.9 })],
      milestones: [2],
    });
    const saved = JSON.parse(JSON.stringify(scheduler.stateDict()));
    expect(saved.schedulers[1].lastEpoch).toBe(-1);
    scheduler.loadStateDict(saved);
    expect(scheduler.stateDict()).toEqual(saved);
  });
});
