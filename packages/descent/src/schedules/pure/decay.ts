import {
  checkBoolean,
  checkFinite,
  checkInRange,
  checkInteger,
  checkNonNegative,
  checkPositive,
} from '../../core/validate.js';
import {
  between,
  type OptionNames,
  optionsOf,
  type Schedule,
  schedule,
  transition,
} from './schedule.js';

/** The options of {@link constantSchedule}. */
export interface ConstantScheduleOptions {
  /** The value at every step (finite). */
  value: number;
}

const constantOptions = optionsOf<ConstantScheduleOptions>('constantSchedule', { value: true });

/** The same value at every step. */
export function constantSchedule(options: ConstantScheduleOptions): Schedule {
  const { value } = constantOptions(options);
  checkFinite('value', value);
  return schedule(() => value);
}

/** The options of {@link linearSchedule}. */
export interface LinearScheduleOptions {
  /** v₀, the value at step 0 (finite). */
  initValue: number;
  /** v_end, the value from step `steps` on (finite). */
  endValue: number;
  /** Steps to go from initValue to endValue (an integer >= 1); endValue holds after. */
  steps: number;
}

const linearNames: OptionNames<LinearScheduleOptions> = {
  initValue: true,
  endValue: true,
  steps: true,
};
const linearOptions = optionsOf<LinearScheduleOptions>('linearSchedule', linearNames);

/**
 * From initValue at step 0 to endValue at step `steps` in a straight line, then endValue:
 *
 *     v(t) = v₀ + (v_end − v₀) · min(t, T)/T        (T = steps)
 *
 * Bounds: between initValue and endValue.
 */
export function linearSchedule(options: LinearScheduleOptions): Schedule {
  const { initValue, endValue, steps } = linearOptions(options);
  checkFinite('initValue', initValue);
  checkFinite('endValue', endValue);
  checkInteger('steps', steps, 1);
  return schedule((t) => transition('linear', initValue, endValue, t / steps));
}

/** The options of {@link polynomialSchedule}: a linear schedule's and the power. */
export interface PolynomialScheduleOptions extends LinearScheduleOptions {
  /** p, the power of the decay (finite, > 0); default 1 (linear). */
  power?: number;
}

const polynomialOptions = optionsOf<PolynomialScheduleOptions>('polynomialSchedule', {
  ...linearNames,
  power: true,
});

/**
 * Polynomial decay from initValue to endValue over `steps`, then endValue:
 *
 *     v(t) = v_end + (v₀ − v_end) · (1 − min(t, T)/T)^p        (T = steps, p = power)
 *
 * Bounds: between initValue and endValue.
 */
export function polynomialSchedule(options: PolynomialScheduleOptions): Schedule {
  const { initValue, endValue, steps, power = 1 } = polynomialOptions(options);
  checkFinite('initValue', initValue);
  checkFinite('endValue', endValue);
  checkInteger('steps', steps, 1);
  checkFinite('power', power);
  checkPositive('power', power);
  return schedule((t) =>
    between(
      initValue,
      endValue,
      t / steps,
      (f) => endValue + (initValue - endValue) * (1 - f) ** power,
    ),
  );
}

/** The options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** v₀, the value at step 0 (finite, >= 0). */
  initValue: number;
  /** The factor applied every `transitionSteps` steps, in [0, 1]. */
  decayRate: number;
  /** Steps per factor of decayRate (> 0); default 1. */
  transitionSteps?: number;
  /** Decay in whole factors at multiples of transitionSteps rather than continuously; default false. */
  staircase?: boolean;
  /** The floor the decay stops at; default 0. */
  endValue?: number;
}

const exponentialOptions = optionsOf<ExponentialDecayOptions>('exponentialDecay', {
  initValue: true,
  decayRate: true,
  transitionSteps: true,
  staircase: true,
  endValue: true,
});

/**
 * Exponential decay with a floor:
 *
 *     v(t) = max(v_end, v₀ · r^(t/T))        (r = decayRate, T = transitionSteps; ⌊t/T⌋ if staircase)
 *
 * Bounds: between endValue and max(initValue, endValue).
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  const {
    initValue,
    decayRate,
    transitionSteps = 1,
    staircase = false,
    endValue = 0,
  } = exponentialOptions(options);
  checkFinite('initValue', initValue);
  checkNonNegative('initValue', initValue);
  checkInRange('decayRate', decayRate, 0, 1, { closed: true });
  checkFinite('transitionSteps', transitionSteps);
  checkPositive('transitionSteps', transitionSteps);
  checkBoolean('staircase', staircase);
  checkFinite('endValue', endValue);
  return schedule((t) => {
    const exponent = staircase ? Math.floor(t / transitionSteps) : t / transitionSteps;
    return Math.max(endValue, initValue * decayRate ** exponent);
  });
}

/** The options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  /** v₀, the value at step 0 (finite). */
  initValue: number;
  /** v_end, the value the cosine ends at, held after (finite); default 0. */
  endValue?: number;
  /** Steps of the half cosine (an integer >= 1); endValue holds after. */
  steps: number;
}

const cosineOptions = optionsOf<CosineDecayOptions>('cosineDecay', {
  initValue: true,
  endValue: true,
  steps: true,
});

/**
 * Half a cosine from initValue down (or up) to endValue over `steps`, then endValue:
 *
 *     v(t) = v_end + (v₀ − v_end)/2 · (1 + cos(π min(t, T)/T))        (T = steps)
 *
 * Bounds: between initValue and endValue.
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  const { initValue, endValue = 0, steps } = cosineOptions(options);
  checkFinite('initValue', initValue);
  checkFinite('endValue', endValue);
  checkInteger('steps', steps, 1);
  return schedule((t) => transition('cosine', initValue, endValue, t / steps));
}

/** The options of {@link inverseSqrtDecay}. */
export interface InverseSqrtDecayOptions {
  /** v₀, the value at step 0 (finite). */
  initValue: number;
  /** Steps over which the decay sets in (> 0); default 1. */
  timescale?: number;
}

const inverseSqrtOptions = optionsOf<InverseSqrtDecayOptions>('inverseSqrtDecay', {
  initValue: true,
  timescale: true,
});

/**
 * Inverse square root decay, initValue at step 0:
 *
 *     v(t) = v₀ / √(1 + t/τ)        (τ = timescale)
 *
 * With τ = 1 it is the book's SquareRootScheduler; joined after a warmup of τ steps
 * (`warmup(inverseSqrtDecay({ initValue, timescale: τ }), { steps: τ })`) it is the Transformer's
 * schedule, v₀·√(τ/t) for t >= τ. Bounds: between 0 (exclusive in exact arithmetic) and initValue.
 */
export function inverseSqrtDecay(options: InverseSqrtDecayOptions): Schedule {
  const { initValue, timescale = 1 } = inverseSqrtOptions(options);
  checkFinite('initValue', initValue);
  checkFinite('timescale', timescale);
  checkPositive('timescale', timescale);
  return schedule((t) => initValue / Math.sqrt(1 + t / timescale));
}
