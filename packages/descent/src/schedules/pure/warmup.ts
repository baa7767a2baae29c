import { defineSpec } from '../../core/options.js';
import { checkFinite, checkFunction, checkInteger } from '../../core/validate.js';
import { constantSchedule, cosineDecay } from './decay.js';
import { join } from './piecewise.js';
import {
  checkExponentialEnds,
  optionsOf,
  type Schedule,
  type Shape,
  schedule,
  shapeOption,
  stepsOption,
  transition,
  valueOption,
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

/** Its options, as programs built on descent list them. */
warmup.spec = defineSpec<WarmupOptions>({
  name: 'warmup',
  kind: 'schedule',
  summary: 'a warmup from initValue to the schedule’s first value, put before the schedule',
  reference: "Optax's join_schedules of a linear_schedule and the schedule (shape 'linear')",
  takesSchedule: true,
  options: {
    steps: {
      ...stepsOption(0),
      summary: 'W, the steps of warmup, added before the schedule',
      default: undefined,
      example: 5,
    },
    initValue: { ...valueOption, summary: 'the value at step 0', default: 0 },
    shape: { ...shapeOption, summary: 'the warmup’s curve', default: 'linear' },
  },
});
const warmupOptions = optionsOf<WarmupOptions>(warmup.spec);

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
  const { steps, initValue, shape } = warmupOptions(options);
  checkFunction('schedule', scheduleAfter);
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

/** The options of a warmup to a peak and a decay after it, by Optax's names. */
const peakSpecs = {
  initValue: {
    ...valueOption,
    summary: 'the value at step 0, where the warmup starts',
    default: 0,
    reference: 'init_value',
  },
  peakValue: {
    ...valueOption,
    summary: 'the value at the end of the warmup',
    default: undefined,
    example: 0.1,
    reference: 'peak_value',
  },
  endValue: {
    ...valueOption,
    summary: 'the value reached at step totalSteps, held after',
    default: 0,
    reference: 'end_value',
  },
  warmupSteps: {
    ...stepsOption(0),
    summary: 'the steps of warmup, from initValue to peakValue',
    default: undefined,
    example: 5,
    reference: 'warmup_steps',
  },
} as const;

/** Its options, as programs built on descent list them. */
warmupCosineDecay.spec = defineSpec<WarmupCosineDecayOptions>({
  name: 'warmupCosineDecay',
  kind: 'schedule',
  summary: 'a linear warmup to peakValue, then a cosine decay to endValue',
  reference: "Optax's warmup_cosine_decay_schedule (its decay_steps is totalSteps)",
  options: {
    ...peakSpecs,
    totalSteps: {
      ...stepsOption(1),
      summary: 'every step of the schedule, warmup included (> warmupSteps)',
      default: undefined,
      example: 30,
      reference: 'decay_steps',
    },
  },
});
const warmupCosineOptions = optionsOf<WarmupCosineDecayOptions>(warmupCosineDecay.spec);

/**
 * Linear warmup to peakValue, then a cosine decay to endValue reached at step totalSteps (which
 * counts the warmup), held after. Continuous. Bounds: between the least and the greatest of
 * initValue, peakValue, endValue.
 */
export function warmupCosineDecay(options: WarmupCosineDecayOptions): Schedule {
  const { initValue, peakValue, endValue, warmupSteps, totalSteps } = warmupCosineOptions(options);
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

/** Its options, as programs built on descent list them. */
warmupStableDecay.spec = defineSpec<WarmupStableDecayOptions>({
  name: 'warmupStableDecay',
  kind: 'schedule',
  summary: 'warmup-stable-decay (WSD): warm up to peakValue, hold it, cool down to endValue',
  reference: 'its formula, after Hägele et al. 2024',
  options: {
    // Optax has no WSD: the names are descent's.
    initValue: { ...peakSpecs.initValue, reference: undefined },
    peakValue: {
      ...peakSpecs.peakValue,
      summary: 'the value of the stable phase',
      reference: undefined,
    },
    endValue: { ...peakSpecs.endValue, reference: undefined },
    warmupSteps: { ...peakSpecs.warmupSteps, reference: undefined },
    decaySteps: {
      ...stepsOption(1),
      summary: 'the steps of the cooldown from peakValue to endValue',
      default: undefined,
      example: 10,
    },
    totalSteps: {
      ...stepsOption(1),
      summary: 'every step: warmup, stable phase and cooldown (>= warmupSteps + decaySteps)',
      default: undefined,
      example: 30,
    },
    warmupShape: { ...shapeOption, summary: 'the warmup’s curve', default: 'linear' },
    decayShape: {
      ...shapeOption,
      summary: 'the cooldown’s curve (1-sqrt: Hägele et al.’s)',
      default: 'linear',
    },
  },
});
const warmupStableOptions = optionsOf<WarmupStableDecayOptions>(warmupStableDecay.spec);

/**
 * Warmup-stable-decay (WSD): warmup to peakValue, hold it, then cool down to endValue, reached at
 * step totalSteps (which counts every phase) and held after. Continuous at both joins. Bounds:
 * between the least and the greatest of initValue, peakValue, endValue.
 */
export function warmupStableDecay(options: WarmupStableDecayOptions): Schedule {
  const {
    initValue,
    peakValue,
    endValue,
    warmupSteps,
    decaySteps,
    totalSteps,
    warmupShape,
    decayShape,
  } = warmupStableOptions(options);
  checkInteger('totalSteps', totalSteps, warmupSteps + decaySteps);
  checkExponentialEnds(decayShape, peakValue, endValue, 'endValue', endValue);
  const cooldown = schedule((t) => transition(decayShape, peakValue, endValue, t / decaySteps));
  const stableSteps = totalSteps - warmupSteps - decaySteps;
  const stableThenCooldown = join(
    [constantSchedule({ value: peakValue }), cooldown],
    [stableSteps],
  );
  return warmup(stableThenCooldown, { steps: warmupSteps, initValue, shape: warmupShape });
}
