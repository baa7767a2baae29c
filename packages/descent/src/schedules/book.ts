import { checkFinite, checkInRange, checkInteger, checkNonNegative } from '../core/validate.js';
import { cosineDecay, exponentialDecay, inverseSqrtDecay } from './pure/decay.js';
import { piecewiseConstant } from './pure/piecewise.js';
import { checkStepList, optionsOf, type Schedule, schedule } from './pure/schedule.js';
import { warmup } from './pure/warmup.js';

/**
 * The four schedulers of the "Learning Rate Scheduling" section of Dive into Deep Learning, with
 * the book's options in camelCase and the book's defaults. The book's schedulers are objects
 * called once per epoch with the epoch t = 0, 1, 2, ...; here each is a schedule whose value at t
 * is what the book's object returns on its (t+1)-th call, so it can be evaluated at any t.
 */

function checkLr(option: string, value: unknown): number {
  checkFinite(option, value);
  return checkNonNegative(option, value);
}

/** The options of {@link squareRootScheduler}, the book's. */
export interface SquareRootSchedulerOptions {
  /** η₀, the rate at epoch 0 (finite, >= 0); default 0.1. */
  lr?: number;
}

const squareRootOptions = optionsOf<SquareRootSchedulerOptions>('squareRootScheduler', {
  lr: true,
});

/** The book's SquareRootScheduler: η_t = η₀ (t + 1)^(−1/2). */
export function squareRootScheduler(options: SquareRootSchedulerOptions = {}): Schedule {
  const { lr = 0.1 } = squareRootOptions(options);
  checkLr('lr', lr);
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

const factorOptions = optionsOf<FactorSchedulerOptions>('factorScheduler', {
  factor: true,
  stopFactorLr: true,
  baseLr: true,
});

/**
 * The book's FactorScheduler: η_{t+1} = max(η_min, η_t · α) from η₀, applied at every call, so
 * the value at t is max(η_min, η₀ α^(t+1)) (α <= 1 makes the recursion and the closed form agree).
 */
export function factorScheduler(options: FactorSchedulerOptions = {}): Schedule {
  const { factor = 1, stopFactorLr = 1e-7, baseLr = 0.1 } = factorOptions(options);
  checkInRange('factor', factor, 0, 1, { closed: true });
  checkLr('stopFactorLr', stopFactorLr);
  checkLr('baseLr', baseLr);
  const decay = exponentialDecay({ initValue: baseLr, decayRate: factor, endValue: stopFactorLr });
  return schedule((t) => decay(t + 1));
}

/** The options of {@link multiFactorScheduler}, the book's in camelCase (`base_lr`). */
export interface MultiFactorSchedulerOptions {
  /** The epochs after which the rate is multiplied by factor: strictly increasing integers >= 1, at least one. */
  step: readonly number[];
  /** α, the multiplier after each of those epochs, in [0, 1]; default 1. */
  factor?: number;
  /** η₀; default 0.01. */
  baseLr?: number;
}

const multiFactorOptions = optionsOf<MultiFactorSchedulerOptions>('multiFactorScheduler', {
  step: true,
  factor: true,
  baseLr: true,
});

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
  const { step, factor = 1, baseLr = 0.01 } = multiFactorOptions(options);
  const steps = checkStepList('step', step, { min: 1 });
  if (steps.length === 0) throw new RangeError('Invalid step: [] (expected at least one step)');
  checkInRange('factor', factor, 0, 1, { closed: true });
  checkLr('baseLr', baseLr);
  const values = [baseLr];
  for (let i = 0; i < steps.length; i++) values.push(values[i] * factor);
  // The rate after s changes at t = s + 1, where piecewiseConstant starts its next value.
  return piecewiseConstant({ values, boundaries: steps.map((s) => s + 1) });
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

const cosineOptions = optionsOf<CosineSchedulerOptions>('cosineScheduler', {
  maxUpdate: true,
  baseLr: true,
  finalLr: true,
  warmupSteps: true,
  warmupBeginLr: true,
});

/**
 * The book's CosineScheduler, warmup included: with W = warmupSteps,
 *
 *     η_t = η_begin + (η₀ − η_begin) t/W                                  t < W
 *     η_t = η_T + (η₀ − η_T)/2 · (1 + cos(π (t − W)/(T − W)))             W <= t <= T
 *     η_t = η_T                                                           t > T
 */
export function cosineScheduler(options: CosineSchedulerOptions): Schedule {
  const {
    maxUpdate,
    baseLr = 0.01,
    finalLr = 0,
    warmupSteps = 0,
    warmupBeginLr = 0,
  } = cosineOptions(options);
  checkInteger('warmupSteps', warmupSteps, 0);
  checkInteger('maxUpdate', maxUpdate, warmupSteps + 1);
  checkLr('baseLr', baseLr);
  checkLr('finalLr', finalLr);
  checkLr('warmupBeginLr', warmupBeginLr);
  const decay = cosineDecay({
    initValue: baseLr,
    endValue: finalLr,
    steps: maxUpdate - warmupSteps,
  });
  return warmup(decay, { steps: warmupSteps, initValue: warmupBeginLr });
}
