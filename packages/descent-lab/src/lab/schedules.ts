import type { LRScheduler } from 'descent';
import * as schedules from 'descent';
import { closestName, param, SGD } from 'descent';

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
  /** Steps a plot shows at these options: the chapter's, where it plots the schedule. */
  steps: number;
  /**
   * Steps that show the whole schedule with the given options: its phases, up to the step from
   * which it holds its final value, and half as many again (or a few cycles of a cyclic one).
   * Without it, a plot shows `steps` whatever the options.
   */
  span?: (options: Options) => number;
  /** The schedule cannot be evaluated past its span (OneCycleLR counts its steps). */
  bounded?: boolean;
  /** A schedule: builds (t) => value from the options. */
  make?: Make;
  /** A scheduler: constructed on an optimizer with the options. */
  Scheduler?: SchedulerClass;
}

type Span = Pick<ScheduleEntry, 'span' | 'bounded'>;

function fn(
  name: string,
  make: unknown,
  kind: 'book' | 'schedule',
  options: ScheduleEntry['options'],
  steps = 30,
  span: Span = {},
): ScheduleEntry {
  const f = make as Make;
  return { name, call: f.name, kind, options, steps, make: f, ...span };
}

/**
 * A PyTorch-style scheduler, run on an SGD optimizer (momentum 0.9, so that momentum cycling has
 * something to cycle) whose learning rate starts at the `lr` option.
 */
function cls(
  Scheduler: unknown,
  options: Options & { lr: number },
  steps = 30,
  span: Span = {},
): ScheduleEntry {
  const c = Scheduler as SchedulerClass;
  return { name: c.name, call: c.name, kind: 'scheduler', options, steps, Scheduler: c, ...span };
}

/** Spans: the steps up to `end` (where the final value starts) and half as many again. */
const num = (o: Options, key: string): number => o[key] as number;
const last = (o: Options, key: string): number => {
  const list = o[key] as readonly number[];
  return list.length === 0 ? 0 : list[list.length - 1];
};
const holds = (end: (o: Options) => number): Span => ({
  span: (o) => {
    const t = end(o);
    return Math.max(t + 1, Math.ceil(1.5 * t));
  },
});
/** A schedule over `total(o)` steps (its whole run), with nothing after it worth a plot. */
const over = (total: (o: Options) => number, bounded = false): Span => ({
  span: total,
  bounded,
});
/** The first step at which the book's factor scheduler sits on its floor. */
function factorFloor(o: Options): number {
  const [factor, floor, base] = [num(o, 'factor'), num(o, 'stopFactorLr'), num(o, 'baseLr')];
  if (base <= floor || factor === 0) return 0;
  return Math.max(0, Math.ceil(Math.log(floor / base) / Math.log(factor)) - 1);
}

export const scheduleEntries: ScheduleEntry[] = [
  fn('square-root', schedules.squareRootScheduler, 'book', { lr: 0.1 }),
  fn(
    'factor',
    schedules.factorScheduler,
    'book',
    { factor: 0.9, stopFactorLr: 1e-2, baseLr: 2 },
    50,
    holds(factorFloor),
  ),
  fn(
    'multi-factor',
    schedules.multiFactorScheduler,
    'book',
    { step: [15, 30], factor: 0.5, baseLr: 0.5 },
    30,
    // MXNet's class changes the rate on the epoch after each step.
    holds((o) => last(o, 'step') + 1),
  ),
  fn(
    'cosine',
    schedules.cosineScheduler,
    'book',
    { maxUpdate: 20, baseLr: 0.3, finalLr: 0.01, warmupSteps: 0, warmupBeginLr: 0 },
    30,
    holds((o) => num(o, 'maxUpdate')),
  ),
  fn('constant', schedules.constantSchedule, 'schedule', { value: 0.1 }),
  fn(
    'linear',
    schedules.linearSchedule,
    'schedule',
    { initValue: 0.1, endValue: 0.01, steps: 20 },
    30,
    holds((o) => num(o, 'steps')),
  ),
  fn(
    'polynomial',
    schedules.polynomialSchedule,
    'schedule',
    { initValue: 0.1, endValue: 0.01, steps: 20, power: 2 },
    30,
    holds((o) => num(o, 'steps')),
  ),
  fn(
    'exponential-decay',
    schedules.exponentialDecay,
    'schedule',
    { initValue: 0.1, decayRate: 0.9, transitionSteps: 1, staircase: false, endValue: 0 },
    30,
    over((o) => Math.ceil(30 * num(o, 'transitionSteps'))),
  ),
  fn(
    'cosine-decay',
    schedules.cosineDecay,
    'schedule',
    { initValue: 0.1, endValue: 0, steps: 20 },
    30,
    holds((o) => num(o, 'steps')),
  ),
  fn(
    'inverse-sqrt-decay',
    schedules.inverseSqrtDecay,
    'schedule',
    { initValue: 0.1, timescale: 1 },
    30,
    over((o) => Math.ceil(30 * num(o, 'timescale'))),
  ),
  fn(
    'piecewise-constant',
    schedules.piecewiseConstant,
    'schedule',
    { values: [0.1, 0.05, 0.01], boundaries: [10, 20] },
    30,
    holds((o) => last(o, 'boundaries')),
  ),
  fn(
    'piecewise-interpolated',
    schedules.piecewiseInterpolated,
    'schedule',
    { values: [0.1, 0.05, 0.01], boundaries: [0, 10, 20], shape: 'linear' },
    30,
    holds((o) => last(o, 'boundaries')),
  ),
  fn(
    'sgdr',
    schedules.sgdr,
    'schedule',
    { initValue: 0.1, endValue: 0, periodSteps: 10, periodMultiplier: 2, decay: undefined },
    70,
    // Three cycles.
    over((o) => {
      const m = (o.periodMultiplier as number | undefined) ?? 1;
      return Math.ceil(num(o, 'periodSteps') * (1 + m + m * m));
    }),
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
    // The end value is reached at step totalSteps − 1.
    over((o) => num(o, 'totalSteps')),
  ),
  // Both reach their end value at step totalSteps, which counts every phase.
  fn(
    'warmup-cosine-decay',
    schedules.warmupCosineDecay,
    'schedule',
    {
      peakValue: 0.1,
      warmupSteps: 5,
      totalSteps: 30,
      initValue: undefined,
      endValue: undefined,
    },
    31,
    over((o) => num(o, 'totalSteps') + 1),
  ),
  fn(
    'warmup-stable-decay',
    schedules.warmupStableDecay,
    'schedule',
    {
      peakValue: 0.1,
      warmupSteps: 5,
      decaySteps: 10,
      totalSteps: 30,
      initValue: undefined,
      endValue: undefined,
      warmupShape: undefined,
      decayShape: undefined,
    },
    31,
    over((o) => num(o, 'totalSteps') + 1),
  ),
  cls(
    schedules.ConstantLR,
    { lr: 0.1, factor: 1 / 3, totalIters: 5 },
    30,
    holds((o) => num(o, 'totalIters')),
  ),
  cls(
    schedules.CosineAnnealingLR,
    { lr: 0.1, TMax: 20, etaMin: 0 },
    30,
    holds((o) => num(o, 'TMax')),
  ),
  cls(
    schedules.CosineAnnealingWarmRestarts,
    { lr: 0.1, T0: 10, TMult: 2, etaMin: 0 },
    70,
    // Three cycles.
    over((o) => num(o, 'T0') * (1 + num(o, 'TMult') + num(o, 'TMult') ** 2)),
  ),
  cls(
    schedules.CyclicLR,
    { lr: 0.1, baseLr: 0.01, maxLr: 0.1, stepSizeUp: 10, mode: 'triangular', gamma: 1 },
    60,
    // Three cycles, up and down again.
    over((o) => 6 * num(o, 'stepSizeUp')),
  ),
  cls(schedules.ExponentialLR, { lr: 0.1, gamma: 0.9 }),
  cls(
    schedules.LinearLR,
    { lr: 0.1, startFactor: 1 / 3, endFactor: 1, totalIters: 5 },
    30,
    holds((o) => num(o, 'totalIters')),
  ),
  cls(
    schedules.MultiStepLR,
    { lr: 0.5, milestones: [15, 30], gamma: 0.5 },
    30,
    holds((o) => last(o, 'milestones')),
  ),
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
    // PyTorch's OneCycleLR refuses a step past totalSteps.
    over((o) => num(o, 'totalSteps'), true),
  ),
  cls(
    schedules.PolynomialLR,
    { lr: 0.1, totalIters: 5, power: 1 },
    30,
    holds((o) => num(o, 'totalIters')),
  ),
  cls(
    schedules.StepLR,
    { lr: 0.1, stepSize: 10, gamma: 0.5 },
    30,
    // Three steps down.
    over((o) => 3 * num(o, 'stepSize')),
  ),
  cls(
    schedules.SWALR,
    { lr: 0.1, swaLr: 0.01, annealEpochs: 10, annealStrategy: 'cos' },
    30,
    holds((o) => num(o, 'annealEpochs')),
  ),
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

/** "did you mean warmupSteps? " when an option or name is close to `name`, else "". */
function hint(name: string, valid: readonly string[]): string {
  const closest = closestName(
    normalize(name),
    valid.map((v) => normalize(v)),
  );
  return closest === undefined
    ? ''
    : `did you mean ${valid.find((v) => normalize(v) === closest)}? `;
}

export function findSchedule(name: string): ScheduleEntry {
  const names = scheduleEntries.map((e) => e.name);
  const entry = scheduleEntries.find((e) => normalize(e.name) === normalize(name));
  if (entry === undefined) {
    const reason = Object.entries(notPlottable).find(
      ([n]) => normalize(n) === normalize(name),
    )?.[1];
    throw new RangeError(
      reason === undefined
        ? `Unknown schedule: ${JSON.stringify(name)} (${hint(name, names)}expected one of ${names.join(', ')})`
        : `${name} cannot be plotted from options: it ${reason}`,
    );
  }
  return entry;
}

/**
 * The options of a plot: the entry's, with `given` (names matched as schedule names are) over
 * them. An option the schedule does not take is a RangeError naming it. Only `given`'s own
 * properties count: `{ __proto__: 5 }` parsed from a command line is an unknown option.
 */
export function scheduleOptions(
  entry: ScheduleEntry,
  given: Record<string, OptionValue> = {},
): Options {
  const options: Options = {};
  const valid = Object.keys(entry.options);
  for (const [key, value] of Object.entries(entry.options))
    if (value !== undefined) options[key] = value;
  for (const [key, value] of Object.entries(given)) {
    const known = valid.find((k) => normalize(k) === normalize(key));
    if (known === undefined) {
      throw new RangeError(
        `Unknown option for ${entry.name}: ${key} (${hint(key, valid)}expected ${valid.join(', ')})`,
      );
    }
    options[known] = value;
  }
  return options;
}

/** The entry's own options: what a plot takes when not told otherwise. */
const defaultOptions = (entry: ScheduleEntry): Options => scheduleOptions(entry);

/**
 * The steps a plot shows with these options (checked ones: see `scheduleValues`): the chapter's
 * `steps` at the entry's own settings; else enough to show the whole schedule (`span`), and no
 * fewer than the chapter's unless the schedule ends there (`bounded`).
 */
export function plotSteps(entry: ScheduleEntry, options: Options): number {
  if (entry.span === undefined) return entry.steps;
  const span = Math.ceil(entry.span(options));
  if (entry.bounded) return span;
  if (span === Math.ceil(entry.span(defaultOptions(entry)))) return entry.steps;
  return Math.max(entry.steps, span);
}

/** The schedule at these options, as a function of the step t = 0, 1, 2, ... called in turn. */
function evaluator(entry: ScheduleEntry, options: Options): () => number {
  if (entry.make !== undefined) {
    const at = entry.make(options);
    let t = 0;
    return () => at(t++);
  }
  const { lr, ...rest } = options;
  const optimizer = new SGD([param(1, { dtype: 'float64' })], { lr: lr as number, momentum: 0.9 });
  const scheduler = new entry.Scheduler!(optimizer, rest);
  return () => {
    const value = scheduler.getLastLr()[0];
    optimizer.step();
    scheduler.step();
    return value;
  };
}

/** Checks the options through descent (the schedule's own checks): throws as it does. */
export function checkSchedule(entry: ScheduleEntry, options: Options): void {
  evaluator(entry, options);
}

/**
 * The learning rate at t = 0, 1, ..., steps − 1 (for a scheduler: the one each optimizer step
 * uses); by default over `plotSteps`.
 */
export function scheduleValues(entry: ScheduleEntry, options: Options, steps?: number): number[] {
  const next = evaluator(entry, options);
  return Array.from({ length: steps ?? plotSteps(entry, options) }, next);
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
