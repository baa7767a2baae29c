import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { encode, type Json } from '../../src/core/serialize.js';
import { Adam } from '../../src/optim/adam.js';
import { SGD } from '../../src/optim/sgd.js';
import {
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
  StepLR,
  SWALR,
} from '../../src/schedules/index.js';
import { expectError } from './reference.js';

/**
 * A scheduler constructs with exactly the options its state dict loads with: both run the
 * scheduler's one `validateOptions`. Each class's table lists values a constructor used to take
 * although loading refused them, or that made the next rates NaN or infinite; each is refused,
 * naming the option and the value, with the optimizer's groups left as they were, and loading a
 * state dict holding it is refused with the same message. Then values PyTorch takes that work,
 * which both still take.
 */

type Optim = SGD | Adam;
type Options = Record<string, unknown>;
interface Scheduler {
  stateDict(): Json;
  loadStateDict(state: unknown): void;
  step(metric?: number): void;
}

const sgd = (): Optim =>
  new SGD(
    [
      { params: [param([1, -2], { dtype: 'float64' })], lr: 0.1 },
      { params: [param([0.5], { dtype: 'float64' })], lr: 0.2 },
    ],
    { momentum: 0.9 },
  );
const adam = (): Optim =>
  new Adam([
    { params: [param([1, -2], { dtype: 'float64' })], lr: 0.1 },
    { params: [param([0.5], { dtype: 'float64' })], lr: 0.2 },
  ]);

/** Everything of the groups but the parameters, NaN and infinities kept. */
const groups = (o: Optim) => structuredClone(o.paramGroups.map(({ params, ...g }) => g));

interface Table {
  make: (o: Optim, options: Options) => Scheduler;
  base: Options;
  optimizer?: () => Optim;
  /** [option, value, the error, the message it starts with when not "Invalid option: value "] */
  refused: [string, unknown, ErrorConstructor, string?][];
  /** Values PyTorch takes that work: still taken, and they load. */
  accepted: [string, unknown][];
}

const tiny = 1e-320; // a subnormal: 1/tiny overflows
const unsafe = 2 ** 60; // an integer a double no longer counts to by ones

const tables: Record<string, Table> = {
  StepLR: {
    make: (o, x) => new StepLR(o, x as never),
    base: { stepSize: 2, gamma: 0.5 },
    refused: [
      ['gamma', Infinity, RangeError],
      ['gamma', -1, RangeError],
      ['gamma', Number.NaN, TypeError],
    ],
    accepted: [
      ['gamma', 0],
      ['gamma', 2],
    ],
  },
  MultiStepLR: {
    make: (o, x) => new MultiStepLR(o, x as never),
    base: { milestones: [1, 3], gamma: 0.5 },
    refused: [
      ['gamma', Infinity, RangeError],
      ['gamma', -0.5, RangeError],
    ],
    accepted: [
      ['gamma', 1.5],
      ['milestones', [2, 2, 0]],
    ],
  },
  ExponentialLR: {
    make: (o, x) => new ExponentialLR(o, x as never),
    base: { gamma: 0.9 },
    refused: [
      ['gamma', Infinity, RangeError],
      ['gamma', -1, RangeError],
    ],
    accepted: [
      ['gamma', 0],
      ['gamma', 1.1],
    ],
  },
  CosineAnnealingLR: {
    make: (o, x) => new CosineAnnealingLR(o, x as never),
    base: { TMax: 3, etaMin: 0.01 },
    refused: [
      ['etaMin', Infinity, RangeError],
      ['TMax', 0, RangeError],
    ],
    accepted: [['etaMin', 0.5]],
  },
  CosineAnnealingWarmRestarts: {
    make: (o, x) => new CosineAnnealingWarmRestarts(o, x as never),
    base: { T0: 2, TMult: 2, etaMin: 0.001 },
    refused: [
      ['etaMin', Infinity, RangeError],
      ['T0', unsafe, RangeError],
      ['TMult', unsafe, RangeError],
      ['T0', Infinity, RangeError],
    ],
    accepted: [
      ['T0', Number.MAX_SAFE_INTEGER],
      ['TMult', Number.MAX_SAFE_INTEGER],
    ],
  },
  CyclicLR: {
    make: (o, x) => new CyclicLR(o, x as never),
    base: { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: 'exp_range', gamma: 0.9 },
    refused: [
      ['baseLr', Infinity, RangeError],
      ['maxLr', [0.1, Infinity], RangeError, 'Invalid maxLr[1]: Infinity'],
      ['gamma', Infinity, RangeError],
      ['stepSizeUp', Infinity, RangeError],
      ['stepSizeDown', Infinity, RangeError],
      // A cycle too short for step/cycle to stay finite, one too long to be finite, and one
      // whose rising part is no fraction of it: the rates would be NaN.
      ['stepSizeUp', tiny, RangeError],
      ['stepSizeUp', 1e308, RangeError],
      ['maxMomentum', 1.5, RangeError],
      ['baseMomentum', [0.8, 2], RangeError, 'Invalid baseMomentum[1]: 2'],
      ['baseMomentum', -0.1, RangeError],
    ],
    accepted: [
      ['stepSizeUp', 0.5],
      ['stepSizeDown', 1e-3],
      ['stepSizeDown', 1e308],
      ['maxMomentum', 1],
      ['gamma', 1],
      // Not cycling momentum, PyTorch ignores the momenta.
      ['cycleMomentum', false],
    ],
  },
  'CyclicLR, rising for no fraction of the cycle': {
    make: (o, x) => new CyclicLR(o, x as never),
    base: { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, stepSizeDown: 1e10 },
    refused: [
      [
        'stepSizeUp',
        tiny,
        RangeError,
        'Invalid stepSizeUp: 1e-320 with stepSizeDown 10000000000 (expected stepSizeUp a fraction above 0',
      ],
    ],
    accepted: [['stepSizeUp', 1e-300]],
  },
  'CyclicLR on Adam': {
    make: (o, x) => new CyclicLR(o, x as never),
    base: { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2 },
    optimizer: adam,
    // betas[0] must stay below 1, as Adam requires.
    refused: [
      ['maxMomentum', 1, RangeError],
      ['baseMomentum', 1, RangeError],
    ],
    accepted: [['maxMomentum', 0.999]],
  },
  OneCycleLR: {
    make: (o, x) => new OneCycleLR(o, x as never),
    base: { maxLr: 0.1, totalSteps: 10 },
    refused: [
      ['maxLr', Infinity, RangeError],
      ['maxLr', [0.1, Infinity], RangeError, 'Invalid maxLr[1]: Infinity'],
      // maxLr / divFactor and initialLr / finalDivFactor would be infinite.
      ['divFactor', tiny, RangeError],
      ['finalDivFactor', tiny, RangeError],
      ['maxMomentum', 1.01, RangeError],
      ['baseMomentum', 2, RangeError],
    ],
    accepted: [
      ['divFactor', 1e-300],
      ['divFactor', Infinity],
      ['finalDivFactor', Infinity],
    ],
  },
  PolynomialLR: {
    make: (o, x) => new PolynomialLR(o, x as never),
    base: { totalIters: 4, power: 2 },
    // The closed form, which SequentialLR restarts from, is 1^Infinity = NaN at step 0.
    refused: [
      ['power', Infinity, RangeError],
      ['power', -1, RangeError],
    ],
    accepted: [
      ['power', 0],
      ['power', 50],
    ],
  },
  LinearLR: {
    make: (o, x) => new LinearLR(o, x as never),
    base: { startFactor: 0.25, endFactor: 1, totalIters: 4 },
    // The rate is divided by startFactor on its way up: 1/tiny is infinite.
    refused: [
      ['startFactor', tiny, RangeError],
      ['startFactor', 0, RangeError],
    ],
    accepted: [['startFactor', 1e-300]],
  },
  ConstantLR: {
    make: (o, x) => new ConstantLR(o, x as never),
    base: { factor: 0.5, totalIters: 3 },
    refused: [
      ['factor', tiny, RangeError],
      ['factor', 2, RangeError],
    ],
    accepted: [['factor', 1e-300]],
  },
  ReduceLROnPlateau: {
    make: (o, x) => new ReduceLROnPlateau(o, x as never),
    base: { factor: 0.5, patience: 1, cooldown: 1 },
    // cooldownCounter, a count of the state, starts at cooldown.
    refused: [
      ['cooldown', unsafe, RangeError],
      ['cooldown', 1.5, RangeError],
    ],
    accepted: [
      ['cooldown', Number.MAX_SAFE_INTEGER],
      ['patience', unsafe],
      ['minLr', Infinity],
    ],
  },
  SWALR: {
    make: (o, x) => new SWALR(o, x as never),
    base: { swaLr: 0.05, annealEpochs: 3, annealStrategy: 'cos' },
    refused: [
      ['swaLr', Infinity, RangeError],
      ['swaLr', -0.5, RangeError],
      ['swaLr', [0.1, Infinity], RangeError, 'Invalid swaLr[1]: Infinity'],
      ['annealEpochs', unsafe, RangeError],
      ['annealStrategy', 'linear ', RangeError, 'Invalid annealStrategy: "linear "'],
    ],
    accepted: [
      ['annealEpochs', 0],
      ['annealEpochs', Number.MAX_SAFE_INTEGER],
      ['swaLr', [0, 1]],
      ['annealStrategy', 'linear'],
    ],
  },
};

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const message = (option: string, value: unknown, given?: string): RegExp =>
  new RegExp(`^${literal(given ?? `Invalid ${option}: ${String(value)}`)}( |$)`);

/** Steps the optimizer and the scheduler `n` times. */
function run(optimizer: Optim, scheduler: Scheduler, n: number): void {
  for (let t = 0; t < n; t++) {
    for (const g of optimizer.paramGroups) for (const p of g.params) p.grad!.fill(0.1);
    optimizer.step();
    if (scheduler instanceof ReduceLROnPlateau) scheduler.step(1);
    else scheduler.step();
  }
}

describe.each(Object.entries(tables))('%s', (_, table) => {
  const { make, base, optimizer = sgd } = table;

  it.each(table.refused.map(([o, v, type, m]) => [o, String(v), v, type, m] as const))(
    'refuses %s %s, changing nothing, and refuses it in a state dict too',
    (option, _shown, value, type, given) => {
      const o = optimizer();
      const before = groups(o);
      const error = expectError(
        () => make(o, { ...base, [option]: value }),
        type,
        message(option, value, given),
      );
      expect(groups(o)).toEqual(before);
      const scheduler = make(optimizer(), base);
      const state = JSON.parse(JSON.stringify(scheduler.stateDict()));
      state[option] = encode(value);
      const saved = JSON.stringify(scheduler.stateDict());
      expectError(() => scheduler.loadStateDict(state), type, error.message);
      expect(JSON.stringify(scheduler.stateDict())).toBe(saved);
    },
  );

  it.each(table.accepted.map(([o, v]) => [o, String(v), v] as const))(
    'takes %s %s, steps to finite rates and loads what it saves',
    (option, _shown, value) => {
      const o = optimizer();
      const scheduler = make(o, { ...base, [option]: value });
      run(o, scheduler, 4);
      for (const g of o.paramGroups) expect(Number.isFinite(g.lr), `lr ${g.lr}`).toBe(true);
      const state = JSON.parse(JSON.stringify(scheduler.stateDict()));
      const fresh = make(optimizer(), base);
      fresh.loadStateDict(state);
      expect(fresh.stateDict()).toEqual(scheduler.stateDict());
    },
  );
});

describe('every scheduler', () => {
  const values: unknown[] = [-1, 0, tiny, 0.5, 1, 1.5, 1e308, Infinity, -Infinity, Number.NaN];
  const outcome = (fn: () => unknown): string => {
    try {
      fn();
      return 'taken';
    } catch (error) {
      return `${(error as Error).constructor.name}: ${(error as Error).message}`;
    }
  };
  it.each(Object.entries(tables))('%s constructs with exactly the options it loads', (_, table) => {
    const { make, base, optimizer = sgd } = table;
    for (const option of Object.keys(base)) {
      for (const value of [...values, ...values.map((v) => [0.1, v]), unsafe, 'x']) {
        const constructed = outcome(() => make(optimizer(), { ...base, [option]: value }));
        const scheduler = make(optimizer(), base);
        const state = JSON.parse(JSON.stringify(scheduler.stateDict()));
        state[option] = encode(value);
        expect(
          outcome(() => scheduler.loadStateDict(state)),
          `${option} ${String(value)}`,
        ).toBe(constructed);
      }
    }
  });
});

describe('rates a scheduler starts from', () => {
  // The rates the groups hold become baseLrs, which a state dict must hold finite and >= 0.
  it.each([
    ['lr', Number.NaN, TypeError],
    ['lr', -1, RangeError],
    ['lr', Infinity, RangeError],
    ['initialLr', Infinity, RangeError],
    ['initialLr', 'x', TypeError],
  ] as const)('refuses a group whose %s is %s, changing nothing', (key, value, type) => {
    for (const [name, make] of [
      ['StepLR', (o: Optim) => new StepLR(o, { stepSize: 2 })],
      ['LambdaLR', (o: Optim) => new LambdaLR(o, { lrLambda: () => 1 })],
      ['ReduceLROnPlateau', (o: Optim) => new ReduceLROnPlateau(o)],
    ] as const) {
      // ReduceLROnPlateau keeps no base rates, only the last ones, finite of any sign.
      if (name === 'ReduceLROnPlateau' && (key === 'initialLr' || value === -1)) continue;
      const o = sgd();
      (o.paramGroups[1] as Record<string, unknown>)[key] = value;
      const before = groups(o);
      expectError(
        () => make(o),
        type,
        `Invalid ${key} in parameter group 1: ${value} (expected ${name === 'ReduceLROnPlateau' ? 'a finite number' : 'a finite number >= 0'})`,
      );
      expect(groups(o), name).toEqual(before);
    }
  });
});

describe('functions given as options', () => {
  // Their values become rates or factors of rates: a NaN or infinite one is refused where it
  // appears, and a constructor refused by its own first step leaves the groups as they were.
  it.each([
    [
      'LambdaLR',
      (o: Optim) => new LambdaLR(o, { lrLambda: () => Number.NaN }),
      RangeError,
      'Invalid lrLambda[0]: returned NaN at epoch 0 (expected a finite number)',
    ],
    [
      'LambdaLR, text',
      (o: Optim) => new LambdaLR(o, { lrLambda: () => 'x' as never }),
      TypeError,
      'Invalid lrLambda[0]: returned x at epoch 0 (expected a number)',
    ],
    [
      'HyperparameterScheduler',
      (o: Optim) => new HyperparameterScheduler(o as never, { lr: () => Infinity }),
      RangeError,
      'Invalid lr schedule: returned Infinity at step 0 (expected a finite number)',
    ],
    [
      'HyperparameterScheduler, momentum',
      (o: Optim) =>
        new HyperparameterScheduler(o as never, { momentum: (t) => (t === 0 ? Number.NaN : 0.5) }),
      RangeError,
      'Invalid momentum schedule: returned NaN at step 0 (expected a finite number)',
    ],
    [
      'CyclicLR scaleFn',
      (o: Optim) =>
        new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, scaleFn: () => Number.NaN, stepSizeUp: 2 }),
      RangeError,
      'Invalid scaleFn: returned NaN at cycle 1 (expected a finite number)',
    ],
  ] as const)('%s', (_, make, type, text) => {
    const o = sgd();
    const before = groups(o);
    expectError(() => make(o), type, text);
    expect(groups(o)).toEqual(before);
  });

  it('refuses a NaN factor at a later step, changing nothing', () => {
    const o = sgd();
    const scheduler = new MultiplicativeLR(o, { lrLambda: (t) => (t === 2 ? Number.NaN : 0.5) });
    scheduler.step();
    const before = groups(o);
    const state = JSON.stringify(scheduler.stateDict());
    expectError(
      () => scheduler.step(),
      RangeError,
      'Invalid lrLambda[0]: returned NaN at epoch 2 (expected a finite number)',
    );
    expect(groups(o)).toEqual(before);
    expect(JSON.stringify(scheduler.stateDict())).toBe(state);
  });
});

describe('CosineAnnealingWarmRestarts periods', () => {
  it('loads a period past 2^53, which restarts of exact T0 and TMult reach', () => {
    // T0 = TMult = 2^30: after 2^30 steps the period is 2^60, and TCur counts on below it.
    const scheduler = new CosineAnnealingWarmRestarts(sgd(), { T0: 2 ** 30, TMult: 2 ** 30 });
    const state = JSON.parse(JSON.stringify(scheduler.stateDict()));
    Object.assign(state, { Ti: 2 ** 60, TCur: 5, lastEpoch: 2 ** 30 + 5 });
    scheduler.loadStateDict(state);
    scheduler.step();
    expect(scheduler.TCur).toBe(6);
    expect(Number.isFinite(scheduler.getLastLr()[0])).toBe(true);
    state.Ti = Infinity;
    expectError(
      () => scheduler.loadStateDict(encode(state)),
      RangeError,
      'Invalid state dict: Ti is not a length (an integer >= 1): Infinity',
    );
  });
});
