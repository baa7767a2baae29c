import { param } from '../core/param.js';
import { SGD } from '../optim/sgd.js';
import * as schedules from '../schedules/index.js';
import type { LRScheduler } from '../schedules/lr-scheduler.js';

/**
 * Every schedule of descent by a plottable name, with the options it takes and the values a plot
 * uses unless told otherwise: the chapter's settings for the book's schedulers, PyTorch's defaults
 * (or a readable choice where PyTorch has none) for the rest. `descent plot schedule` and the lab
 * read it; a test checks that every scheduler class descent exports is here or listed in
 * `notPlottable`.
 */

export type OptionValue = number | boolean | string | readonly number[];
type Options = Record<string, OptionValue>;
type Make = (options: Options) => (t: number) => number;
type SchedulerClass = new (optimizer: SGD, options: Options) => LRScheduler<object>;

export interface ScheduleEntry {
  name: string;
  /** Its name in descent: a function of src/schedules or a PyTorch-style class. */
  call: string;
  kind: 'book' | 'schedule' | 'scheduler';
  /** Every option it takes; undefined marks one left to descent's default unless given. */
  options: Record<string, OptionValue | undefined>;
  /** Steps a plot shows by default. */
  steps: number;
  /** A schedule: builds (t) => value from the options. */
  make?: Make;
  /** A scheduler: constructed on an optimizer with the options. */
  Scheduler?: SchedulerClass;
}

function fn(
  name: string,
  make: unknown,
  kind: 'book' | 'schedule',
  options: ScheduleEntry['options'],
  steps = 30,
): ScheduleEntry {
  const f = make as Make;
  return { name, call: f.name, kind, options, steps, make: f };
}

/**
 * A PyTorch-style scheduler, run on an SGD optimizer (momentum 0.9, so that momentum cycling has
 * something to cycle) whose learning rate starts at the `lr` option.
 */
function cls(Scheduler: unknown, options: Options & { lr: number }, steps = 30): ScheduleEntry {
  const c = Scheduler as SchedulerClass;
  return { name: c.name, call: c.name, kind: 'scheduler', options, steps, Scheduler: c };
}

export const scheduleEntries: ScheduleEntry[] = [
  fn('square-root', schedules.squareRootScheduler, 'book', { lr: 0.1 }),
  fn(
    'factor',
    schedules.factorScheduler,
    'book',
    { factor: 0.9, stopFactorLr: 1e-2, baseLr: 2 },
    50,
  ),
  fn('multi-factor', schedules.multiFactorScheduler, 'book', {
    step: [15, 30],
    factor: 0.5,
    baseLr: 0.5,
  }),
  fn('cosine', schedules.cosineScheduler, 'book', {
    maxUpdate: 20,
    baseLr: 0.3,
    finalLr: 0.01,
    warmupSteps: 0,
    warmupBeginLr: 0,
  }),
  fn('constant', schedules.constantSchedule, 'schedule', { value: 0.1 }),
  fn('linear', schedules.linearSchedule, 'schedule', { initValue: 0.1, endValue: 0.01, steps: 20 }),
  fn('polynomial', schedules.polynomialSchedule, 'schedule', {
    initValue: 0.1,
    endValue: 0.01,
    steps: 20,
    power: 2,
  }),
  fn('exponential-decay', schedules.exponentialDecay, 'schedule', {
    initValue: 0.1,
    decayRate: 0.9,
    transitionSteps: 1,
    staircase: false,
    endValue: 0,
  }),
  fn('cosine-decay', schedules.cosineDecay, 'schedule', { initValue: 0.1, endValue: 0, steps: 20 }),
  fn('inverse-sqrt-decay', schedules.inverseSqrtDecay, 'schedule', {
    initValue: 0.1,
    timescale: 1,
  }),
  fn('piecewise-constant', schedules.piecewiseConstant, 'schedule', {
    values: [0.1, 0.05, 0.01],
    boundaries: [10, 20],
  }),
  fn('piecewise-interpolated', schedules.piecewiseInterpolated, 'schedule', {
    values: [0.1, 0.05, 0.01],
    boundaries: [0, 10, 20],
    shape: 'linear',
  }),
  fn(
    'sgdr',
    schedules.sgdr,
    'schedule',
    { initValue: 0.1, endValue: 0, periodSteps: 10, periodMultiplier: 2, decay: undefined },
    70,
  ),
  fn(
    'one-cycle',
    schedules.oneCycle,
    'schedule',
    {
      peakValue: 0.1,
      totalSteps: 100,
      pctStart: undefined,
      initValue: undefined,
      endValue: undefined,
      threePhase: undefined,
      shape: undefined,
    },
    100,
  ),
  fn('warmup-cosine-decay', schedules.warmupCosineDecay, 'schedule', {
    peakValue: 0.1,
    warmupSteps: 5,
    totalSteps: 30,
    initValue: undefined,
    endValue: undefined,
  }),
  fn('warmup-stable-decay', schedules.warmupStableDecay, 'schedule', {
    peakValue: 0.1,
    warmupSteps: 5,
    decaySteps: 10,
    totalSteps: 30,
    initValue: undefined,
    endValue: undefined,
    warmupShape: undefined,
    decayShape: undefined,
  }),
  cls(schedules.ConstantLR, { lr: 0.1, factor: 1 / 3, totalIters: 5 }),
  cls(schedules.CosineAnnealingLR, { lr: 0.1, TMax: 20, etaMin: 0 }),
  cls(schedules.CosineAnnealingWarmRestarts, { lr: 0.1, T0: 10, TMult: 2, etaMin: 0 }, 70),
  cls(
    schedules.CyclicLR,
    { lr: 0.1, baseLr: 0.01, maxLr: 0.1, stepSizeUp: 10, mode: 'triangular', gamma: 1 },
    60,
  ),
  cls(schedules.ExponentialLR, { lr: 0.1, gamma: 0.9 }),
  cls(schedules.LinearLR, { lr: 0.1, startFactor: 1 / 3, endFactor: 1, totalIters: 5 }),
  cls(schedules.MultiStepLR, { lr: 0.5, milestones: [15, 30], gamma: 0.5 }),
  cls(
    schedules.OneCycleLR,
    {
      lr: 0.1,
      maxLr: 0.1,
      totalSteps: 100,
      pctStart: 0.3,
      annealStrategy: 'cos',
      divFactor: 25,
      finalDivFactor: 1e4,
      threePhase: false,
    },
    100,
  ),
  cls(schedules.PolynomialLR, { lr: 0.1, totalIters: 5, power: 1 }),
  cls(schedules.StepLR, { lr: 0.1, stepSize: 10, gamma: 0.5 }),
];

/** Exports of src/schedules that drive a learning rate but cannot be plotted from options alone. */
export const notPlottable: Record<string, string> = {
  LambdaLR: 'takes a function',
  MultiplicativeLR: 'takes a function',
  CompositeScheduler: 'is the base of ChainedScheduler and SequentialLR',
  ChainedScheduler: 'chains other schedulers',
  SequentialLR: 'runs other schedulers in turn',
  ReduceLROnPlateau: 'follows a metric',
  HyperparameterScheduler: 'drives hyperparameters with schedules given to it (plot those)',
  join: 'joins other schedules',
  warmup: 'puts a warmup before another schedule',
};

/** Names compare without case, dashes or underscores: "multi-step-lr" finds MultiStepLR. */
const normalize = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');

export function findSchedule(name: string): ScheduleEntry {
  const entry = scheduleEntries.find((e) => normalize(e.name) === normalize(name));
  if (entry === undefined) {
    const reason = Object.entries(notPlottable).find(
      ([n]) => normalize(n) === normalize(name),
    )?.[1];
    throw new RangeError(
      reason === undefined
        ? `Unknown schedule: ${JSON.stringify(name)} (expected one of ${scheduleEntries.map((e) => e.name).join(', ')})`
        : `${name} cannot be plotted from options: it ${reason}`,
    );
  }
  return entry;
}

/**
 * The options of a plot: the entry's, with `given` (names matched as schedule names are) over
 * them. An option the schedule does not take is a RangeError naming it.
 */
export function scheduleOptions(
  entry: ScheduleEntry,
  given: Record<string, OptionValue> = {},
): Options {
  const options: Options = {};
  for (const [key, value] of Object.entries(entry.options))
    if (value !== undefined) options[key] = value;
  for (const [key, value] of Object.entries(given)) {
    const known = Object.keys(entry.options).find((k) => normalize(k) === normalize(key));
    if (known === undefined) {
      throw new RangeError(
        `Unknown option for ${entry.name}: ${key} (expected ${Object.keys(entry.options).join(', ')})`,
      );
    }
    options[known] = value;
  }
  return options;
}

/** The learning rate at t = 0, 1, ..., steps − 1 (for a scheduler: the one each optimizer step uses). */
export function scheduleValues(
  entry: ScheduleEntry,
  options: Options,
  steps = entry.steps,
): number[] {
  if (entry.make !== undefined) {
    const at = entry.make(options);
    return Array.from({ length: steps }, (_, t) => at(t));
  }
  const { lr, ...rest } = options;
  const optimizer = new SGD([param(1, { dtype: 'float64' })], { lr: lr as number, momentum: 0.9 });
  const scheduler = new entry.Scheduler!(optimizer, rest);
  return Array.from({ length: steps }, () => {
    const value = scheduler.getLastLr()[0];
    optimizer.step();
    scheduler.step();
    return value;
  });
}

/** How a call reads: cosineScheduler({ maxUpdate: 20, ... }). */
export function describeCall(entry: ScheduleEntry, options: Options): string {
  const text = (v: OptionValue) =>
    Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'string' ? `'${v}'` : String(v);
  const { lr, ...rest } = options;
  const args = Object.entries(entry.kind === 'scheduler' ? rest : options).map(
    ([k, v]) => `${k}: ${text(v)}`,
  );
  const call = `${entry.call}({ ${args.join(', ')} })`;
  return entry.kind === 'scheduler' ? `${call} on lr ${lr}` : call;
}
