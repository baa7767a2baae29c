import { Adadelta } from '../optim/adadelta.js';
import { Adafactor } from '../optim/adafactor.js';
import { Adagrad } from '../optim/adagrad.js';
import { Adam } from '../optim/adam.js';
import { Adamax } from '../optim/adamax.js';
import { AdamW } from '../optim/adamw.js';
import { ASGD } from '../optim/asgd.js';
import { LAMB } from '../optim/lamb.js';
import { LBFGS } from '../optim/lbfgs.js';
import { Lion } from '../optim/lion.js';
import { Muon } from '../optim/muon.js';
import { NAdam } from '../optim/nadam.js';
import { Newton } from '../optim/newton.js';
import { Prodigy } from '../optim/prodigy.js';
import { RAdam } from '../optim/radam.js';
import { RMSprop } from '../optim/rmsprop.js';
import { Rprop } from '../optim/rprop.js';
import { ScheduleFreeAdamW } from '../optim/schedule-free-adamw.js';
import { ScheduleFreeSGD } from '../optim/schedule-free-sgd.js';
import { SGD } from '../optim/sgd.js';
import { Yogi } from '../optim/yogi.js';
import {
  cosineScheduler,
  factorScheduler,
  multiFactorScheduler,
  squareRootScheduler,
} from '../schedules/book.js';
import { oneCycle, sgdr } from '../schedules/pure/cyclic.js';
import {
  constantSchedule,
  cosineDecay,
  exponentialDecay,
  inverseSqrtDecay,
  linearSchedule,
  polynomialSchedule,
} from '../schedules/pure/decay.js';
import { piecewiseConstant, piecewiseInterpolated } from '../schedules/pure/piecewise.js';
import { warmup, warmupCosineDecay, warmupStableDecay } from '../schedules/pure/warmup.js';
import { didYouMean } from './validate.js';

/**
 * What each optimizer and schedule declares about its options, beside its code (`Adam.spec`,
 * `cosineDecay.spec`): one description that the options' checks, the command line, programs
 * built on descent (a playground's controls) and the README's tables read, so that an optimizer
 * added later appears in all of them.
 */

/** A value an option takes. */
export type OptionValue = number | boolean | string | null | readonly (number | null)[];

/** The bounds of a number, or of each element of a list of numbers. */
export interface NumberBounds {
  /** The least value; none: no lower bound. */
  min?: number;
  /** The greatest value; none: no upper bound. */
  max?: number;
  /** `min` itself is outside the range. */
  minExclusive?: boolean;
  /** `max` itself is outside the range. */
  maxExclusive?: boolean;
  /**
   * null is a value too, which its algorithm gives a meaning; a number is checked as any. On an
   * option: Prodigy's beta3 (null: √β₂); on an element of a pair (in `items`): Adafactor's
   * eps[0] (null: the machine epsilon of the parameter's dtype).
   */
  nullable?: boolean;
}

/** One option of an optimizer or schedule. */
export interface OptionSpec extends NumberBounds {
  /** The camelCase key of the options object: 'lr', 'betas', 'weightDecay'. */
  name: string;
  /** One line: what it is, with its symbol ("γ, the learning rate"). */
  summary: string;
  /**
   * What it is: a number, an integer, a boolean, a pair or a list of numbers, one of `choices`,
   * or a function (Newton's `hessian`, which no control can set).
   */
  type: 'number' | 'integer' | 'boolean' | 'pair' | 'numbers' | 'choice' | 'function';
  /**
   * The value it takes when not given; undefined: required (Newton's `hessian`, a schedule's
   * `totalSteps`), unless `defaultFrom` says how the default follows other options.
   */
  default: OptionValue | undefined;
  /** How a slider should move: 'log' for rates, epsilons, decays; 'linear' otherwise. */
  scale?: 'linear' | 'log';
  /** The values a 'choice' takes. */
  choices?: readonly (string | null)[];
  /** The reference's own name of it: PyTorch's 'weight_decay', Optax's 'init_value'. */
  reference?: string;
  /**
   * The words an error names it by, PyTorch's where it has them: 'learning rate' makes "Invalid
   * learning rate (lr): -1"; for a pair, element i is "Invalid beta parameter at index 0
   * (betas[0])". Without it, an error names the option alone.
   */
  label?: string;
  /** Each element of a 'pair' or 'numbers' is an integer (a list of steps). */
  integer?: boolean;
  /**
   * Infinity is in range too (L-BFGS's tolerances, Rprop's stepSizes); without it a number must
   * be finite: a rate or a coefficient reaches every parameter, an infinite one makes them NaN.
   */
  infinite?: boolean;
  /**
   * Each element's own bounds, for a pair whose elements differ (Rprop's etas: 0 < η₋ < 1 < η₊);
   * `min` and `max` then bound both.
   */
  items?: readonly NumberBounds[];
  /**
   * The option takes only its default, for this reason (AdamW's decoupledWeightDecay: "AdamW
   * always decouples weight decay; use Adam"): it is accepted, as where it comes from, and refused
   * with the reason when it differs.
   */
  fixed?: string;
  /**
   * A default that follows other options, in their names ('peakValue / 25', '⌊maxIter · 5 / 4⌋').
   * `default` is then its value at the others' defaults, or undefined when those are required.
   */
  defaultFrom?: string;
  /**
   * For an option without a default of its own (required, or `defaultFrom`): a value that makes a
   * valid call with the other options' defaults and examples (a control's starting value).
   */
  example?: OptionValue;
}

/** An optimizer or a schedule, as a program built on descent can list it. */
export interface AlgorithmSpec {
  /** The export's name: 'Adam', 'cosineDecay'. */
  name: string;
  /** An optimizer class or a schedule function. */
  kind: 'optimizer' | 'schedule';
  /** One line. */
  summary: string;
  /** What it follows: "PyTorch 2.x torch.optim.Adam", "Optax's cosine_decay_schedule". */
  reference: string;
  /** Every option it takes, in the order its documentation gives them. */
  options: readonly OptionSpec[];
  /**
   * An optimizer whose `step(closure)` needs a closure that re-evaluates the loss (L-BFGS): a
   * loop that only computes gradients cannot drive it.
   */
  needsClosure?: boolean;
  /** A schedule called as `name(schedule, options)`: it puts something before another schedule. */
  takesSchedule?: boolean;
}

/** Every optimizer class descent exports, from plain gradient descent on. */
export const optimizerSpecs: readonly AlgorithmSpec[] = Object.freeze(
  [
    SGD,
    Adagrad,
    RMSprop,
    Adadelta,
    Adam,
    AdamW,
    Adamax,
    NAdam,
    RAdam,
    Rprop,
    ASGD,
    LBFGS,
    Yogi,
    Newton,
    Lion,
    LAMB,
    Muon,
    Adafactor,
    ScheduleFreeSGD,
    ScheduleFreeAdamW,
    Prodigy,
  ].map((optimizer) => optimizer.spec),
);

/**
 * Every pure schedule (src/schedules/pure/) and the book's (src/schedules/book.ts). `join`, which
 * takes a list of schedules and one of boundaries rather than options, is not one of them.
 */
export const scheduleSpecs: readonly AlgorithmSpec[] = Object.freeze(
  [
    constantSchedule,
    linearSchedule,
    polynomialSchedule,
    exponentialDecay,
    cosineDecay,
    inverseSqrtDecay,
    piecewiseConstant,
    piecewiseInterpolated,
    warmup,
    warmupCosineDecay,
    warmupStableDecay,
    sgdr,
    oneCycle,
    squareRootScheduler,
    factorScheduler,
    multiFactorScheduler,
    cosineScheduler,
  ].map((schedule) => schedule.spec),
);

function find(what: string, specs: readonly AlgorithmSpec[], name: string): AlgorithmSpec {
  const spec = specs.find((s) => s.name === name);
  if (spec !== undefined) return spec;
  const names = specs.map((s) => s.name);
  throw new TypeError(
    `Unknown ${what} ${String(name)}${typeof name === 'string' ? didYouMean(name, names) : ''}`,
  );
}

/**
 * An optimizer's spec by its class name; a TypeError for any other ("Unknown optimizer Adamm
 * (did you mean Adam?)").
 */
export function optimizerSpec(name: string): AlgorithmSpec {
  return find('optimizer', optimizerSpecs, name);
}

/**
 * A schedule's spec by its function's name; a TypeError for any other ("Unknown schedule
 * cosineDecy (did you mean cosineDecay?)").
 */
export function scheduleSpec(name: string): AlgorithmSpec {
  return find('schedule', scheduleSpecs, name);
}
