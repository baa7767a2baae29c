import { defineSpec } from '../core/options.js';
import { checkInteger } from '../core/validate.js';
import { cosineDecay, exponentialDecay, inverseSqrtDecay } from './pure/decay.js';
import { piecewiseConstant } from './pure/piecewise.js';
import {
  checkIncreasing,
  optionsOf,
  type Schedule,
  schedule,
  stepsOption,
} from './pure/schedule.js';
import { warmup } from './pure/warmup.js';

/**
 * The four schedulers of the "Learning Rate Scheduling" section of Dive into Deep Learning, with
 * the book's options in camelCase and the book's defaults. The book's schedulers are objects
 * called once per epoch with the epoch t = 0, 1, 2, ...; here each is a schedule whose value at t
 * is what the book's object returns on its (t+1)-th call, so it can be evaluated at any t.
 */

/** The spec of a learning rate of the book's: finite, >= 0. */
const rate = { type: 'number', min: 0, scale: 'log' } as const;

/** The spec of a factor of the book's, in [0, 1] (a larger one would grow the rate). */
const factor = { type: 'number', min: 0, max: 1, scale: 'linear', reference: 'factor' } as const;

/** The options of {@link squareRootScheduler}, the book's. */
export interface SquareRootSchedulerOptions {
  /** η₀, the rate at epoch 0 (finite, >= 0); default 0.1. */
  lr?: number;
}

/** Its options, as programs built on descent list them. */
squareRootScheduler.spec = defineSpec<SquareRootSchedulerOptions>({
  name: 'squareRootScheduler',
  kind: 'schedule',
  summary: 'the book’s square root decay, η₀ (t + 1)^(−1/2)',
  reference: 'Dive into Deep Learning, 12.11 (SquareRootScheduler)',
  options: { lr: { ...rate, summary: 'η₀, the rate at epoch 0', default: 0.1, reference: 'lr' } },
});
const squareRootOptions = optionsOf<SquareRootSchedulerOptions>(squareRootScheduler.spec);

/** The book's SquareRootScheduler: η_t = η₀ (t + 1)^(−1/2). */
export function squareRootScheduler(options: SquareRootSchedulerOptions = {}): Schedule {
  const { lr } = squareRootOptions(options);
  return inverseSqrtDecay({ initValue: lr, timescale: 1 });
}

/** The options of {@link factorScheduler}, the book's in camelCase (stop_factor_lr, base_lr). */
export interface FactorSchedulerOptions {
  /** α, the factor of every epoch, in [0, 1]; default 1. */
  factor?: number;
  /** η_min, the floor (finite, >= 0); default 1e-7. */
  stopFactorLr?: number;
  /** η₀, the rate before the first factor (finite, >= 0); default 0.1. */
  baseLr?: number;
}

/** Its options, as programs built on descent list them. */
factorScheduler.spec = defineSpec<FactorSchedulerOptions>({
  name: 'factorScheduler',
  kind: 'schedule',
  summary: 'the book’s factor decay, max(η_min, η₀ α^(t+1))',
  reference: 'Dive into Deep Learning, 12.11 (FactorScheduler)',
  options: {
    factor: { ...factor, summary: 'α, the factor of every epoch', default: 1 },
    stopFactorLr: {
      ...rate,
      summary: 'η_min, the floor',
      default: 1e-7,
      reference: 'stop_factor_lr',
    },
    baseLr: {
      ...rate,
      summary: 'η₀, the rate before the first factor',
      default: 0.1,
      reference: 'base_lr',
    },
  },
});
const factorOptions = optionsOf<FactorSchedulerOptions>(factorScheduler.spec);

/**
 * The book's FactorScheduler: η_{t+1} = max(η_min, η_t · α) from η₀, applied at every call, so
 * the value at t is max(η_min, η₀ α^(t+1)) (α <= 1 makes the recursion and the closed form agree).
 */
export function factorScheduler(options: FactorSchedulerOptions = {}): Schedule {
  const { factor, stopFactorLr, baseLr } = factorOptions(options);
  const decay = exponentialDecay({ initValue: baseLr, decayRate: factor, endValue: stopFactorLr });
  return schedule((t) => decay(t + 1));
}

/** The options of {@link multiFactorScheduler}, MXNet's in camelCase (`base_lr`). */
export interface MultiFactorSchedulerOptions {
  /**
   * The epochs after which the rate is multiplied by factor: strictly increasing integers >= 1, at
   * least one.
   */
  step: readonly number[];
  /** α, the multiplier after each of those epochs, in [0, 1]; default 1. */
  factor?: number;
  /** η₀, the rate before the first of them (finite, >= 0); default 0.01. */
  baseLr?: number;
}

/** Its options, as programs built on descent list them. */
multiFactorScheduler.spec = defineSpec<MultiFactorSchedulerOptions>({
  name: 'multiFactorScheduler',
  kind: 'schedule',
  summary: 'the rate multiplied by α after each epoch listed in `step`',
  reference: "MXNet's lr_scheduler.MultiFactorScheduler, which the book uses",
  options: {
    step: {
      summary: 'the epochs after which the rate is multiplied by factor, strictly increasing',
      type: 'numbers',
      integer: true,
      min: 1,
      scale: 'linear',
      default: undefined,
      example: [15, 30],
      reference: 'step',
    },
    factor: { ...factor, summary: 'α, the multiplier after each of those epochs', default: 1 },
    baseLr: {
      ...rate,
      summary: 'η₀, the rate before the first of them',
      default: 0.01,
      reference: 'base_lr',
    },
  },
});
const multiFactorOptions = optionsOf<MultiFactorSchedulerOptions>(multiFactorScheduler.spec);

/**
 * The book's MultiFactorScheduler, which is MXNet's `mx.lr_scheduler.MultiFactorScheduler` (the
 * section's MXNet code; the PyTorch code uses MultiStepLR instead). Called with t, MXNet's
 * object multiplies the rate by α for each listed step s with t > s, so an epoch listed in
 * `step` still gets the old rate and the next one the new: one epoch later than PyTorch's
 * MultiStepLR with the same list. The value at t is
 *
 *     η_t = η₀ α^#{s ∈ step : s < t}
 *
 * MXNet's defaults and checks: a nonempty, strictly increasing list of steps >= 1, α <= 1 (here
 * also >= 0, as the book's FactorScheduler, since a negative α flips the rate's sign), η₀ >= 0
 * (MXNet refuses η₀ below its warmup start, 0).
 */
export function multiFactorScheduler(options: MultiFactorSchedulerOptions): Schedule {
  const { step, factor, baseLr } = multiFactorOptions(options);
  checkIncreasing('step', step);
  if (step.length === 0) throw new RangeError('Invalid step: [] (expected at least one step)');
  const values = [baseLr];
  for (let i = 0; i < step.length; i++) values.push(values[i] * factor);
  // The rate after s changes at t = s + 1, where piecewiseConstant starts its next value.
  return piecewiseConstant({ values, boundaries: step.map((s) => s + 1) });
}

/**
 * The options of {@link cosineScheduler}, the book's in camelCase (`max_update`, `base_lr`,
 * `final_lr`, `warmup_steps`, `warmup_begin_lr`).
 */
export interface CosineSchedulerOptions {
  /** T, the epoch at which the rate reaches finalLr (counts the warmup); an integer > warmupSteps. */
  maxUpdate: number;
  /** η₀, the rate at the end of the warmup; default 0.01. */
  baseLr?: number;
  /** η_T, held from maxUpdate on; default 0. */
  finalLr?: number;
  /** Epochs of linear warmup (an integer >= 0); default 0. */
  warmupSteps?: number;
  /** The rate at epoch 0 when there is a warmup; default 0. */
  warmupBeginLr?: number;
}

/** Its options, as programs built on descent list them. */
cosineScheduler.spec = defineSpec<CosineSchedulerOptions>({
  name: 'cosineScheduler',
  kind: 'schedule',
  summary: 'the book’s cosine schedule with a linear warmup',
  reference: 'Dive into Deep Learning, 12.11 (CosineScheduler)',
  options: {
    maxUpdate: {
      ...stepsOption(1),
      summary: 'T, the epoch at which the rate reaches finalLr (> warmupSteps)',
      default: undefined,
      example: 20,
      reference: 'max_update',
    },
    baseLr: {
      ...rate,
      summary: 'η₀, the rate at the end of the warmup',
      default: 0.01,
      reference: 'base_lr',
    },
    finalLr: { ...rate, summary: 'η_T, held from maxUpdate on', default: 0, reference: 'final_lr' },
    warmupSteps: {
      ...stepsOption(0),
      summary: 'the epochs of linear warmup',
      default: 0,
      reference: 'warmup_steps',
    },
    warmupBeginLr: {
      ...rate,
      summary: 'the rate at epoch 0 when there is a warmup',
      default: 0,
      reference: 'warmup_begin_lr',
    },
  },
});
const cosineOptions = optionsOf<CosineSchedulerOptions>(cosineScheduler.spec);

/**
 * The book's CosineScheduler, warmup included: with W = warmupSteps,
 *
 *     η_t = η_begin + (η₀ − η_begin) t/W                                  t < W
 *     η_t = η_T + (η₀ − η_T)/2 · (1 + cos(π (t − W)/(T − W)))             W <= t <= T
 *     η_t = η_T                                                           t > T
 */
export function cosineScheduler(options: CosineSchedulerOptions): Schedule {
  const { maxUpdate, baseLr, finalLr, warmupSteps, warmupBeginLr } = cosineOptions(options);
  checkInteger('maxUpdate', maxUpdate, warmupSteps + 1);
  const decay = cosineDecay({
    initValue: baseLr,
    endValue: finalLr,
    steps: maxUpdate - warmupSteps,
  });
  return warmup(decay, { steps: warmupSteps, initValue: warmupBeginLr });
}
