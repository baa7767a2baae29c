import { checkFinite, checkFunction, checkInteger } from '../../core/validate.js';
import { constantSchedule, cosineDecay } from './decay.js';
import { join } from './piecewise.js';
import {
  checkExponentialEnds,
  checkShape,
  optionsOf,
  type Schedule,
  type Shape,
  schedule,
  transition,
} from './schedule.js';

/** The options of {@link warmup}. */
export interface WarmupOptions {
  /** Steps of warmup (an integer >= 0), added before the schedule. */
  steps: number;
  /** The value at step 0; default 0. */
  initValue?: number;
  /**
   * The warmup's curve; default 'linear'. 'exponential' needs initValue and the schedule's first
   * value positive.
   */
  shape?: Shape;
}

const warmupOptions = optionsOf<WarmupOptions>('warmup', {
  steps: true,
  initValue: true,
  shape: true,
});

/**
 * Prepends a warmup to any schedule: from initValue at step 0 along `shape` to the schedule's own
 * first value, reached at step `steps`, where the schedule takes over counting from 0:
 *
 *     v(t) = curve(v₀ → s(0), t/W)   for t < W;      v(t) = s(t − W)   for t >= W     (W = steps)
 *
 * So the warmup's steps come on top of the schedule's: a cosine decay over 1000 steps behind a
 * warmup of 100 ends at step 1100. Continuous at step W; monotone during the warmup. Bounds
 * during the warmup: between initValue and s(0).
 */
export function warmup(scheduleAfter: Schedule, options: WarmupOptions): Schedule {
  const { steps, initValue = 0, shape = 'linear' } = warmupOptions(options);
  checkFunction('schedule', scheduleAfter);
  checkInteger('steps', steps, 0);
  checkFinite('initValue', initValue);
  checkShape('shape', shape);
  if (steps === 0) return scheduleAfter;
  const peak = scheduleAfter(0);
  checkFinite('schedule(0)', peak);
  checkExponentialEnds(shape, initValue, peak, 'initValue', initValue);
  const ramp = schedule((t) => transition(shape, initValue, peak, t / steps));
  return join([ramp, scheduleAfter], [steps]);
}

/** The options of {@link warmupCosineDecay}. */
export interface WarmupCosineDecayOptions {
  /** The value at step 0, where the warmup starts (finite); default 0. */
  initValue?: number;
  /** The value at the end of the warmup, where the cosine starts (finite). */
  peakValue: number;
  /** The value the cosine ends at, at step totalSteps, held after (finite); default 0. */
  endValue?: number;
  /** Steps of linear warmup, from initValue to peakValue (an integer >= 0). */
  warmupSteps: number;
  /** Every step of the schedule, warmup included: the cosine takes totalSteps − warmupSteps. */
  totalSteps: number;
}

const warmupCosineOptions = optionsOf<WarmupCosineDecayOptions>('warmupCosineDecay', {
  initValue: true,
  peakValue: true,
  endValue: true,
  warmupSteps: true,
  totalSteps: true,
});

/**
 * Linear warmup to peakValue, then a cosine decay to endValue reached at step totalSteps (which
 * counts the warmup), held after. Continuous. Bounds: between the least and the greatest of
 * initValue, peakValue, endValue.
 */
export function warmupCosineDecay(options: WarmupCosineDecayOptions): Schedule {
  const {
    initValue = 0,
    peakValue,
    endValue = 0,
    warmupSteps,
    totalSteps,
  } = warmupCosineOptions(options);
  checkFinite('peakValue', peakValue);
  checkInteger('warmupSteps', warmupSteps, 0);
  checkInteger('totalSteps', totalSteps, warmupSteps + 1);
  const decay = cosineDecay({ initValue: peakValue, endValue, steps: totalSteps - warmupSteps });
  return warmup(decay, { steps: warmupSteps, initValue });
}

/** The options of {@link warmupStableDecay}. */
export interface WarmupStableDecayOptions {
  /** The value at step 0, where the warmup starts (finite); default 0. */
  initValue?: number;
  /** The value of the stable phase (finite). */
  peakValue: number;
  /** The value the cooldown ends at, at step totalSteps, held after (finite); default 0. */
  endValue?: number;
  /** Steps of warmup from initValue to peakValue (an integer >= 0). */
  warmupSteps: number;
  /** Steps of the cooldown from peakValue to endValue (an integer >= 1). */
  decaySteps: number;
  /** Every step: warmup, stable phase (totalSteps − warmupSteps − decaySteps) and cooldown. */
  totalSteps: number;
  /** The warmup's curve; default 'linear'. */
  warmupShape?: Shape;
  /**
   * The cooldown's curve; default 'linear'. '1-sqrt' is the cooldown Hägele et al. (2024) found
   * best.
   */
  decayShape?: Shape;
}

const warmupStableOptions = optionsOf<WarmupStableDecayOptions>('warmupStableDecay', {
  initValue: true,
  peakValue: true,
  endValue: true,
  warmupSteps: true,
  decaySteps: true,
  totalSteps: true,
  warmupShape: true,
  decayShape: true,
});

/**
 * Warmup-stable-decay (WSD): warmup to peakValue, hold it, then cool down to endValue, reached at
 * step totalSteps (which counts every phase) and held after. Continuous at both joins. Bounds:
 * between the least and the greatest of initValue, peakValue, endValue.
 */
export function warmupStableDecay(options: WarmupStableDecayOptions): Schedule {
  const {
    initValue = 0,
    peakValue,
    endValue = 0,
    warmupSteps,
    decaySteps,
    totalSteps,
    warmupShape = 'linear',
    decayShape = 'linear',
  } = warmupStableOptions(options);
  checkFinite('peakValue', peakValue);
  checkFinite('endValue', endValue);
  checkInteger('warmupSteps', warmupSteps, 0);
  checkInteger('decaySteps', decaySteps, 1);
  checkInteger('totalSteps', totalSteps, warmupSteps + decaySteps);
  checkShape('warmupShape', warmupShape);
  checkShape('decayShape', decayShape);
  checkExponentialEnds(decayShape, peakValue, endValue, 'endValue', endValue);
  const cooldown = schedule((t) => transition(decayShape, peakValue, endValue, t / decaySteps));
  const stableSteps = totalSteps - warmupSteps - decaySteps;
  const stableThenCooldown = join(
    [constantSchedule({ value: peakValue }), cooldown],
    [stableSteps],
  );
  return warmup(stableThenCooldown, { steps: warmupSteps, initValue, shape: warmupShape });
}
