import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { Adam } from '../../src/optim/adam.js';
import { SGD } from '../../src/optim/sgd.js';
import * as schedules from '../../src/schedules/index.js';
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
  SequentialLR,
  StepLR,
  SWALR,
} from '../../src/schedules/index.js';
import * as pure from '../../src/schedules/pure/index.js';
import { expectError } from './reference.js';

/**
 * Every function or class that takes an options object refuses a name it does not take, as
 * PyTorch refuses an unexpected keyword argument: a TypeError naming it, with the closest valid
 * name when one is close. A required option under a wrong name is reported as unknown, not as
 * missing ("Invalid TMax: undefined").
 */

const constant = pure.constantSchedule({ value: 0.1 });

/** [the export, a call with a wrong option, the message]; the export's name must be the first word. */
const scheduleCases: [string, () => unknown, string][] = [
  [
    'constantSchedule',
    () => pure.constantSchedule({ vlue: 0.1 } as never),
    'Unknown option vlue for constantSchedule (did you mean value?)',
  ],
  [
    'linearSchedule',
    () => pure.linearSchedule({ initValue: 1, endValue: 0, stepss: 5 } as never),
    'Unknown option stepss for linearSchedule (did you mean steps?)',
  ],
  [
    'polynomialSchedule',
    () => pure.polynomialSchedule({ initValue: 1, endValue: 0, steps: 5, pwer: 2 } as never),
    'Unknown option pwer for polynomialSchedule (did you mean power?)',
  ],
  [
    'exponentialDecay',
    () => pure.exponentialDecay({ initValue: 1, decayRate: 0.5, stairCase: true } as never),
    'Unknown option stairCase for exponentialDecay (did you mean staircase?)',
  ],
  [
    'cosineDecay',
    () => pure.cosineDecay({ initValue: 1, steps: 10, endVaule: 0 } as never),
    'Unknown option endVaule for cosineDecay (did you mean endValue?)',
  ],
  [
    'inverseSqrtDecay',
    () => pure.inverseSqrtDecay({ initValue: 1, timeScale: 2 } as never),
    'Unknown option timeScale for inverseSqrtDecay (did you mean timescale?)',
  ],
  [
    'piecewiseConstant',
    () => pure.piecewiseConstant({ values: [1, 2], boundries: [3] } as never),
    'Unknown option boundries for piecewiseConstant (did you mean boundaries?)',
  ],
  [
    'piecewiseInterpolated',
    () => pure.piecewiseInterpolated({ values: [1], boundaries: [0], shap: 'linear' } as never),
    'Unknown option shap for piecewiseInterpolated (did you mean shape?)',
  ],
  [
    'warmup',
    () => pure.warmup(constant, { steps: 5, initvalue: 0 } as never),
    'Unknown option initvalue for warmup (did you mean initValue?)',
  ],
  [
    'warmupCosineDecay',
    () =>
      pure.warmupCosineDecay({
        peakValue: 1,
        warmupSteps: 2,
        totalSteps: 10,
        endValeu: 0,
      } as never),
    'Unknown option endValeu for warmupCosineDecay (did you mean endValue?)',
  ],
  [
    'warmupStableDecay',
    () =>
      pure.warmupStableDecay({
        peakValue: 1,
        warmupSteps: 2,
        decaySteps: 3,
        totalSteps: 10,
        decayShpae: '1-sqrt',
      } as never),
    'Unknown option decayShpae for warmupStableDecay (did you mean decayShape?)',
  ],
  [
    'sgdr',
    () => pure.sgdr({ initValue: 1, periodSteps: 5, periodMultipler: 2 } as never),
    'Unknown option periodMultipler for sgdr (did you mean periodMultiplier?)',
  ],
  [
    'oneCycle',
    () => pure.oneCycle({ peakValue: 1, totalSteps: 100, pctstart: 0.3 } as never),
    'Unknown option pctstart for oneCycle (did you mean pctStart?)',
  ],
  [
    'squareRootScheduler',
    () => schedules.squareRootScheduler({ Lr: 0.1 } as never),
    'Unknown option Lr for squareRootScheduler (did you mean lr?)',
  ],
  [
    'factorScheduler',
    () => schedules.factorScheduler({ factr: 0.9 } as never),
    'Unknown option factr for factorScheduler (did you mean factor?)',
  ],
  [
    'multiFactorScheduler',
    () => schedules.multiFactorScheduler({ steps: [5], factor: 0.5, baseLr: 0.1 } as never),
    'Unknown option steps for multiFactorScheduler (did you mean step?)',
  ],
  [
    'cosineScheduler',
    () => schedules.cosineScheduler({ maxUpdates: 20 } as never),
    'Unknown option maxUpdates for cosineScheduler (did you mean maxUpdate?)',
  ],
];

/** Exports that take no options object: join takes a list of schedules and one of boundaries. */
const withoutOptions = ['join', 'interpolate', 'schedule', 'shapes', 'transition'];

describe('schedules refuse unknown options', () => {
  it.each(scheduleCases)('%s', (_, make, message) => {
    expectError(make, TypeError, message);
  });

  it('every schedule taking options is covered', () => {
    const book = ['squareRootScheduler', 'factorScheduler', 'multiFactorScheduler'];
    const exported = [...Object.keys(pure), ...book, 'cosineScheduler'];
    const covered = scheduleCases.map(([name]) => name);
    expect(exported.filter((name) => !withoutOptions.includes(name)).sort()).toEqual(
      [...covered].sort(),
    );
  });

  it('reports a required option under another name as unknown, not as missing', () => {
    // Optax's names for cosineDecay's options: descent's are steps and endValue.
    expectError(
      () => pure.cosineDecay({ initValue: 1, decaySteps: 10, alpah: 0 } as never),
      TypeError,
      'Unknown option decaySteps for cosineDecay',
    );
    expectError(
      () => pure.linearSchedule({ initValue: 1, endValue: 0, transitionSteps: 5 } as never),
      TypeError,
      'Unknown option transitionSteps for linearSchedule',
    );
  });

  it('counts an unknown option set to undefined, since it was written', () => {
    expectError(
      () => pure.cosineDecay({ initValue: 1, steps: 10, endValu: undefined } as never),
      TypeError,
      'Unknown option endValu for cosineDecay (did you mean endValue?)',
    );
  });

  it('refuses options that are not an object', () => {
    expectError(
      () => pure.cosineDecay(undefined as never),
      TypeError,
      'Invalid options for cosineDecay: undefined (expected an object of options)',
    );
    expectError(
      () => pure.oneCycle([0.1, 100] as never),
      TypeError,
      'Invalid options for oneCycle: 0.1,100 (expected an object of options)',
    );
    expectError(
      () => pure.warmup(constant, null as never),
      TypeError,
      'Invalid options for warmup: null (expected an object of options)',
    );
  });

  it('accepts every option it documents', () => {
    const s = pure.warmupStableDecay({
      initValue: 0,
      peakValue: 1,
      endValue: 0.1,
      warmupSteps: 2,
      decaySteps: 3,
      totalSteps: 10,
      warmupShape: 'cosine',
      decayShape: '1-sqrt',
    });
    expect(s(5)).toBe(1);
    const cycle = pure.oneCycle({
      peakValue: 1,
      totalSteps: 100,
      pctStart: 0.3,
      initValue: 0.1,
      endValue: 0.01,
      threePhase: true,
      shape: 'linear',
    });
    expect(cycle(0)).toBe(0.1);
  });
});

type Groups = Record<string, unknown>[];

const sgd = () =>
  new SGD(
    [
      { params: [param(2)], lr: 0.1 },
      { params: [param(2)], lr: 0.02, momentum: 0.5 },
    ],
    { momentum: 0.9 },
  );

/** [the class, its construction on `optimizer` with a wrong option, the message]. */
const schedulerCases: [string, (optimizer: SGD) => unknown, string][] = [
  [
    'StepLR',
    (o) => new StepLR(o, { stepsize: 3 } as never),
    'Unknown option stepsize for StepLR (did you mean stepSize?)',
  ],
  [
    'MultiStepLR',
    (o) => new MultiStepLR(o, { milestone: [3] } as never),
    'Unknown option milestone for MultiStepLR (did you mean milestones?)',
  ],
  [
    'ConstantLR',
    (o) => new ConstantLR(o, { factr: 0.5 } as never),
    'Unknown option factr for ConstantLR (did you mean factor?)',
  ],
  [
    'LinearLR',
    (o) => new LinearLR(o, { startFactr: 0.5 } as never),
    'Unknown option startFactr for LinearLR (did you mean startFactor?)',
  ],
  [
    'ExponentialLR',
    (o) => new ExponentialLR(o, { gama: 0.9 } as never),
    'Unknown option gama for ExponentialLR (did you mean gamma?)',
  ],
  [
    'PolynomialLR',
    (o) => new PolynomialLR(o, { totalIter: 5 } as never),
    'Unknown option totalIter for PolynomialLR (did you mean totalIters?)',
  ],
  [
    'CosineAnnealingLR',
    (o) => new CosineAnnealingLR(o, { T_max: 10 } as never),
    'Unknown option T_max for CosineAnnealingLR (did you mean TMax?)',
  ],
  [
    'CosineAnnealingWarmRestarts',
    (o) => new CosineAnnealingWarmRestarts(o, { T_0: 5 } as never),
    'Unknown option T_0 for CosineAnnealingWarmRestarts (did you mean T0?)',
  ],
  [
    'CyclicLR',
    (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, mod: 'triangular2' } as never),
    'Unknown option mod for CyclicLR (did you mean mode?)',
  ],
  [
    'OneCycleLR',
    (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, anealStrategy: 'cos' } as never),
    'Unknown option anealStrategy for OneCycleLR (did you mean annealStrategy?)',
  ],
  [
    'LambdaLR',
    (o) => new LambdaLR(o, { lr_lambda: () => 1 } as never),
    'Unknown option lr_lambda for LambdaLR (did you mean lrLambda?)',
  ],
  [
    'MultiplicativeLR',
    (o) => new MultiplicativeLR(o, { lrLamda: () => 1 } as never),
    'Unknown option lrLamda for MultiplicativeLR (did you mean lrLambda?)',
  ],
  [
    'SequentialLR',
    (o) => {
      const children = [new ConstantLR(o), new StepLR(o, { stepSize: 2 })];
      // Only SequentialLR's own failure is checked for changes: its children set the rate.
      const before = groupsOf(o);
      try {
        return new SequentialLR(o, { schedulers: children, milestone: [2] } as never);
      } finally {
        expect(groupsOf(o)).toEqual(before);
      }
    },
    'Unknown option milestone for SequentialLR (did you mean milestones?)',
  ],
  [
    'SWALR',
    (o) => new SWALR(o, { swaLr: 0.05, annealStrategey: 'linear' } as never),
    'Unknown option annealStrategey for SWALR (did you mean annealStrategy?)',
  ],
  [
    'ReduceLROnPlateau',
    (o) => new ReduceLROnPlateau(o, { patiance: 2 } as never),
    'Unknown option patiance for ReduceLROnPlateau (did you mean patience?)',
  ],
  [
    'HyperparameterScheduler',
    (o) => new HyperparameterScheduler(o, { momentun: constant } as never),
    'Unknown option momentun for HyperparameterScheduler (did you mean momentum?)',
  ],
];

function groupsOf(optimizer: { paramGroups: Groups }): Groups {
  return structuredClone(optimizer.paramGroups.map(({ params, ...group }) => group));
}

/** Scheduler classes whose constructor takes no options object. */
const schedulersWithoutOptions = ['ChainedScheduler', 'CompositeScheduler', 'LRScheduler'];

describe('schedulers refuse unknown options, before changing anything', () => {
  it.each(schedulerCases)('%s', (_, make, message) => {
    const optimizer = sgd();
    const before = groupsOf(optimizer as never);
    const defaults = structuredClone(optimizer.defaults);
    expectError(() => make(optimizer), TypeError, message);
    if (_ !== 'SequentialLR') expect(groupsOf(optimizer as never)).toEqual(before);
    expect(optimizer.defaults).toEqual(defaults);
  });

  it('every scheduler class is covered', () => {
    const classes = Object.entries(schedules)
      .filter(([, value]) => typeof value === 'function' && /^[A-Z]/.test(value.name))
      .map(([name]) => name)
      .filter((name) => !schedulersWithoutOptions.includes(name));
    expect(classes.sort()).toEqual(schedulerCases.map(([name]) => name).sort());
  });

  it('reports a required option under another name as unknown, not as missing', () => {
    // PyTorch's T_max, not "Invalid TMax: undefined".
    expectError(
      () => new CosineAnnealingLR(sgd(), { tMax: 10 } as never),
      TypeError,
      'Unknown option tMax for CosineAnnealingLR (did you mean TMax?)',
    );
    expectError(
      () => new StepLR(sgd(), { step_size: 10, gamma: 0.5 } as never),
      TypeError,
      'Unknown option step_size for StepLR (did you mean stepSize?)',
    );
    expectError(
      () => new OneCycleLR(sgd(), { max_lr: 0.1, totalSteps: 10 } as never),
      TypeError,
      'Unknown option max_lr for OneCycleLR (did you mean maxLr?)',
    );
  });

  it('leave a cycling scheduler’s groups alone too (lr, momentum, betas)', () => {
    const optimizer = new Adam([{ params: [param(1)] }, { params: [param(1)], lr: 0.01 }]);
    const before = groupsOf(optimizer as never);
    expectError(
      () => new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 10, divfactor: 5 } as never),
      TypeError,
      'Unknown option divfactor for OneCycleLR (did you mean divFactor?)',
    );
    expectError(
      () => new CyclicLR(optimizer, { baseLr: 0.001, maxLr: 0.01, baseMomentun: 0.8 } as never),
      TypeError,
      'Unknown option baseMomentun for CyclicLR (did you mean baseMomentum?)',
    );
    expectError(
      () => new HyperparameterScheduler(optimizer, { beta_1: constant } as never),
      TypeError,
      'Unknown option beta_1 for HyperparameterScheduler (did you mean beta1?)',
    );
    expect(groupsOf(optimizer as never)).toEqual(before);
  });

  it('accept every option they document', () => {
    const optimizer = sgd();
    const cycle = new OneCycleLR(optimizer, {
      maxLr: 0.1,
      totalSteps: null,
      epochs: 2,
      stepsPerEpoch: 5,
      pctStart: 0.3,
      annealStrategy: 'linear',
      cycleMomentum: true,
      baseMomentum: 0.8,
      maxMomentum: 0.9,
      divFactor: 10,
      finalDivFactor: 100,
      threePhase: false,
    });
    expect(cycle.getLastLr()).toEqual([0.01, 0.01]);
    const plateau = new ReduceLROnPlateau(sgd(), {
      mode: 'max',
      factor: 0.5,
      patience: 1,
      threshold: 0.01,
      thresholdMode: 'abs',
      cooldown: 1,
      minLr: [0, 0.001],
      eps: 1e-9,
    });
    expect(plateau.getLastLr()).toEqual([0.1, 0.02]);
  });
});
