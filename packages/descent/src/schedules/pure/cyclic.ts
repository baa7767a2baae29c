import { defineSpec } from '../../core/options.js';
import { checkBoolean, checkInRange, checkInteger } from '../../core/validate.js';
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

/** The options of {@link sgdr}. */
export interface SgdrOptions {
  /** The value at the start of the first cycle. */
  initValue: number;
  /** The value each cycle anneals to; default 0. */
  endValue?: number;
  /** Steps of the first cycle (> 0). */
  periodSteps: number;
  /** Each cycle is this many times longer than the one before (>= 1); default 1. */
  periodMultiplier?: number;
  /** Each cycle's height above endValue is this times the previous one's, in [0, 1]; default 1. */
  decay?: number;
}

/** Its options, as programs built on descent list them (PyTorch's names, where it has them). */
sgdr.spec = defineSpec<SgdrOptions>({
  name: 'sgdr',
  kind: 'schedule',
  summary: 'cosine annealing with warm restarts, cycles growing by periodMultiplier',
  reference: "PyTorch's CosineAnnealingWarmRestarts (Loshchilov & Hutter's SGDR)",
  options: {
    initValue: {
      ...valueOption,
      summary: 'v₀, the value at the start of the first cycle',
      default: undefined,
      example: 0.1,
    },
    endValue: {
      ...valueOption,
      summary: 'the value each cycle anneals to',
      default: 0,
      reference: 'eta_min',
    },
    periodSteps: {
      summary: 'T₀, the steps of the first cycle',
      type: 'number',
      default: undefined,
      example: 10,
      min: 0,
      minExclusive: true,
      scale: 'log',
      reference: 'T_0',
    },
    periodMultiplier: {
      summary: 'm: each cycle is m times longer than the one before',
      type: 'number',
      default: 1,
      min: 1,
      scale: 'linear',
      reference: 'T_mult',
    },
    decay: {
      summary: 'd: each cycle’s height above endValue is d times the previous one’s',
      type: 'number',
      default: 1,
      min: 0,
      max: 1,
      scale: 'linear',
    },
  },
});
const sgdrOptions = optionsOf<SgdrOptions>(sgdr.spec);

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter, 2017). Cycle i (from 0) lasts
 * T_i = T₀·m^i steps and starts at s_i = T₀·(m^i − 1)/(m − 1) (T₀·i when m = 1):
 *
 *     v(t) = v_end + (v₀ − v_end)·d^i / 2 · (1 + cos(π (t − s_i)/T_i))     (s_i <= t < s_{i+1})
 *
 * (T₀ = periodSteps, m = periodMultiplier, d = decay). With integer T₀ and m and d = 1 it is
 * PyTorch's CosineAnnealingWarmRestarts; m may be any real >= 1 here, and a restart that falls
 * on a step for the options as written (periodSteps 3 with periodMultiplier 1.8: at step 3) is at
 * that step, however s_i rounds. Jumps back up at each restart (not continuous there). Bounds:
 * between endValue and initValue.
 */
export function sgdr(options: SgdrOptions): Schedule {
  const { initValue, endValue, periodSteps, periodMultiplier, decay } = sgdrOptions(options);
  const m = periodMultiplier;
  // m^i − 1 to an ulp or two: from the power where it is at least 2 (m^i − 1 is then exact), from
  // expm1 below, where subtracting 1 would cancel the power's rounding into many ulps.
  const grown = (i: number) => {
    const power = m ** i;
    return power >= 2 ? power - 1 : Math.expm1(i * Math.log1p(m - 1));
  };
  const start = (i: number) => (m === 1 ? periodSteps * i : (periodSteps * grown(i)) / (m - 1));
  // Cycle i has begun at step t when s_i <= t. start(i) is within a few ulps of s_i, so a start
  // that close above t counts as reached: a start that is an integer for the options as written
  // (periodSteps 3 with periodMultiplier 1.8 restarts at step 3) is one, rather than one step late
  // when its rounding lands above it.
  const begun = (i: number, t: number) => i <= 0 || start(i) <= t + 8 * Number.EPSILON * t;
  return schedule((t) => {
    // The logarithm finds the cycle up to rounding; one comparison each way settles it.
    let i =
      m === 1
        ? Math.floor(t / periodSteps)
        : Math.floor(Math.log1p((t * (m - 1)) / periodSteps) / Math.log(m));
    if (begun(i + 1, t)) i += 1;
    else if (!begun(i, t)) i -= 1;
    const top = transition('linear', endValue, initValue, decay ** i);
    return transition('cosine', top, endValue, (t - start(i)) / (periodSteps * m ** i));
  });
}

/** A corner of a one-cycle: its start, its peak, its end. */
export type CyclePoint = 'init' | 'peak' | 'end';

export interface CyclePhase {
  /** The step at which the phase ends (PyTorch's end_step; fractional in general). */
  end: number;
  from: CyclePoint;
  to: CyclePoint;
}

/**
 * The phases of a one-cycle, as PyTorch's OneCycleLR lays them out: up to the peak by step
 * pctStart·T − 1, then down to the end by step T − 1 (T = totalSteps); with threePhase, back down
 * to the start by step 2·pctStart·T − 2 first, then to the end.
 *
 * Every phase must span some steps: PyTorch divides by zero (or skips the warmup) when one does
 * not, descent refuses such settings with a RangeError naming pctStart.
 */
export function oneCyclePhases(
  totalSteps: number,
  pctStart: number,
  threePhase: boolean,
): CyclePhase[] {
  checkInteger('totalSteps', totalSteps, 1);
  checkInRange('pctStart', pctStart, 0, 1, { closed: true });
  checkBoolean('threePhase', threePhase);
  const up = pctStart * totalSteps - 1;
  const phases: CyclePhase[] = threePhase
    ? [
        { end: up, from: 'init', to: 'peak' },
        { end: 2 * pctStart * totalSteps - 2, from: 'peak', to: 'init' },
        { end: totalSteps - 1, from: 'init', to: 'end' },
      ]
    : [
        { end: up, from: 'init', to: 'peak' },
        { end: totalSteps - 1, from: 'peak', to: 'end' },
      ];
  let start = 0;
  for (const phase of phases) {
    if (!(phase.end > start)) {
      throw new RangeError(
        `Invalid pctStart: ${pctStart} (with totalSteps ${totalSteps}${threePhase ? ' and threePhase' : ''} a phase of the cycle would have no steps)`,
      );
    }
    start = phase.end;
  }
  return phases;
}

/**
 * The phase a step falls in and how far along it the step is, as PyTorch's OneCycleLR finds
 * them: the first phase not yet ended, else the last one (a step past it gives a fraction > 1).
 */
export function locatePhase(
  step: number,
  phases: readonly CyclePhase[],
): { phase: CyclePhase; fraction: number } {
  let start = 0;
  let i = 0;
  while (i < phases.length - 1 && step > phases[i].end) {
    start = phases[i].end;
    i += 1;
  }
  return { phase: phases[i], fraction: (step - start) / (phases[i].end - start) };
}

/** The options of {@link oneCycle}. */
export interface OneCycleOptions {
  /** The value at the top of the cycle, reached at step pctStart · totalSteps − 1 (finite). */
  peakValue: number;
  /** Every step of the cycle (an integer); the end value is reached at step totalSteps − 1. */
  totalSteps: number;
  /** Fraction of the steps spent going up; default 0.3. */
  pctStart?: number;
  /** Default peakValue / 25, PyTorch's div_factor. */
  initValue?: number;
  /** Default initValue / 1e4, PyTorch's final_div_factor. */
  endValue?: number;
  /** Go back down to initValue before the final phase (the paper's schedule); default false. */
  threePhase?: boolean;
  /** The curve of each phase; default 'cosine' (PyTorch's default, `anneal_strategy` 'cos'). */
  shape?: Shape;
}

/** Its options, as programs built on descent list them (PyTorch's names, where it has them). */
oneCycle.spec = defineSpec<OneCycleOptions>({
  name: 'oneCycle',
  kind: 'schedule',
  summary: 'the one-cycle policy: up from initValue to peakValue, then down to endValue',
  reference: "PyTorch's OneCycleLR (Smith & Topin 2019)",
  options: {
    peakValue: {
      ...valueOption,
      summary: 'the value at the top of the cycle, at step pctStart · totalSteps − 1',
      default: undefined,
      example: 0.1,
      reference: 'max_lr',
    },
    totalSteps: {
      ...stepsOption(1),
      summary: 'every step of the cycle; endValue is reached at step totalSteps − 1',
      default: undefined,
      example: 100,
      reference: 'total_steps',
    },
    pctStart: {
      summary: 'the fraction of the steps spent going up',
      type: 'number',
      default: 0.3,
      min: 0,
      max: 1,
      scale: 'linear',
      reference: 'pct_start',
    },
    initValue: {
      ...valueOption,
      summary: 'the value at step 0 (PyTorch: max_lr / div_factor)',
      default: undefined,
      defaultFrom: 'peakValue / 25',
      example: 0.004,
    },
    endValue: {
      ...valueOption,
      summary: 'the value at the end (PyTorch: initial_lr / final_div_factor)',
      default: undefined,
      defaultFrom: 'initValue / 1e4',
      example: 4e-7,
    },
    threePhase: {
      summary: 'go back down to initValue before the final phase (the paper’s schedule)',
      type: 'boolean',
      default: false,
      reference: 'three_phase',
    },
    shape: {
      ...shapeOption,
      summary: 'the curve of each phase (PyTorch’s anneal_strategy, cos or linear)',
      default: 'cosine',
      reference: 'anneal_strategy',
    },
  },
});
const oneCycleOptions = optionsOf<OneCycleOptions, 'initValue' | 'endValue'>(oneCycle.spec);

/**
 * The one-cycle policy (Smith & Topin, 2019) as a schedule: from initValue up to peakValue, then
 * down to endValue (three-phase: down to initValue first, then to endValue), with PyTorch's
 * OneCycleLR phase boundaries (see `oneCyclePhases`); endValue holds from step totalSteps − 1
 * on. Cycling momentum the PyTorch way is the same schedule with initValue 0.95, peakValue 0.85,
 * endValue 0.95. Continuous. Bounds: between the least and the greatest of the three values.
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const {
    peakValue,
    totalSteps,
    pctStart,
    initValue = peakValue / 25,
    endValue = initValue / 1e4,
    threePhase,
    shape,
  } = oneCycleOptions(options);
  checkExponentialEnds(shape, initValue, peakValue, 'initValue', initValue);
  checkExponentialEnds(shape, initValue, endValue, 'endValue', endValue);
  const phases = oneCyclePhases(totalSteps, pctStart, threePhase);
  const points: Record<CyclePoint, number> = { init: initValue, peak: peakValue, end: endValue };
  return schedule((t) => {
    const { phase, fraction } = locatePhase(Math.min(t, totalSteps - 1), phases);
    return transition(shape, points[phase.from], points[phase.to], fraction);
  });
}
