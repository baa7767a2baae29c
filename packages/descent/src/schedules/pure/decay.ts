import { defineSpec } from '../../core/options.js';
import {
  between,
  optionsOf,
  type Schedule,
  schedule,
  stepsOption,
  transition,
  valueOption,
} from './schedule.js';

/** The options of {@link constantSchedule}. */
export interface ConstantScheduleOptions {
  /** The value at every step (finite). */
  value: number;
}

/** Its options, as programs built on descent list them. */
constantSchedule.spec = defineSpec<ConstantScheduleOptions>({
  name: 'constantSchedule',
  kind: 'schedule',
  summary: 'the same value at every step',
  reference: "Optax's constant_schedule",
  options: {
    value: {
      ...valueOption,
      summary: 'the value at every step',
      default: undefined,
      example: 0.1,
      reference: 'value',
    },
  },
});
const constantOptions = optionsOf<ConstantScheduleOptions>(constantSchedule.spec);

/** The same value at every step. */
export function constantSchedule(options: ConstantScheduleOptions): Schedule {
  const { value } = constantOptions(options);
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

/** The options of a linear or polynomial schedule, as Optax names them. */
const linearSpecs = {
  initValue: {
    ...valueOption,
    summary: 'v₀, the value at step 0',
    default: undefined,
    example: 0.1,
    reference: 'init_value',
  },
  endValue: {
    ...valueOption,
    summary: 'v_end, the value from step `steps` on',
    default: undefined,
    example: 0.01,
    reference: 'end_value',
  },
  steps: {
    ...stepsOption(1),
    summary: 'T, the steps from initValue to endValue',
    default: undefined,
    example: 20,
    reference: 'transition_steps',
  },
} as const;

/** Its options, as programs built on descent list them. */
linearSchedule.spec = defineSpec<LinearScheduleOptions>({
  name: 'linearSchedule',
  kind: 'schedule',
  summary: 'a straight line from initValue to endValue over `steps`, then endValue',
  reference: "Optax's linear_schedule",
  options: linearSpecs,
});
const linearOptions = optionsOf<LinearScheduleOptions>(linearSchedule.spec);

/**
 * From initValue at step 0 to endValue at step `steps` in a straight line, then endValue:
 *
 *     v(t) = v₀ + (v_end − v₀) · min(t, T)/T        (T = steps)
 *
 * Bounds: between initValue and endValue.
 */
export function linearSchedule(options: LinearScheduleOptions): Schedule {
  const { initValue, endValue, steps } = linearOptions(options);
  return schedule((t) => transition('linear', initValue, endValue, t / steps));
}

/** The options of {@link polynomialSchedule}: a linear schedule's and the power. */
export interface PolynomialScheduleOptions extends LinearScheduleOptions {
  /** p, the power of the decay (finite, > 0); default 1 (linear). */
  power?: number;
}

/** Its options, as programs built on descent list them. */
polynomialSchedule.spec = defineSpec<PolynomialScheduleOptions>({
  name: 'polynomialSchedule',
  kind: 'schedule',
  summary: 'polynomial decay from initValue to endValue over `steps`, then endValue',
  reference: "Optax's polynomial_schedule",
  options: {
    ...linearSpecs,
    power: {
      summary: 'p, the power of the decay (1: linear)',
      type: 'number',
      default: 1,
      min: 0,
      minExclusive: true,
      scale: 'log',
      reference: 'power',
    },
  },
});
const polynomialOptions = optionsOf<PolynomialScheduleOptions>(polynomialSchedule.spec);

/**
 * Polynomial decay from initValue to endValue over `steps`, then endValue:
 *
 *     v(t) = v_end + (v₀ − v_end) · (1 − min(t, T)/T)^p        (T = steps, p = power)
 *
 * Bounds: between initValue and endValue.
 */
export function polynomialSchedule(options: PolynomialScheduleOptions): Schedule {
  const { initValue, endValue, steps, power } = polynomialOptions(options);
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

/** Its options, as programs built on descent list them. */
exponentialDecay.spec = defineSpec<ExponentialDecayOptions>({
  name: 'exponentialDecay',
  kind: 'schedule',
  summary: 'exponential decay with a floor: max(endValue, v₀ · r^(t/T))',
  reference: "Optax's exponential_decay",
  options: {
    initValue: {
      summary: 'v₀, the value at step 0',
      type: 'number',
      default: undefined,
      example: 0.1,
      min: 0,
      scale: 'log',
      reference: 'init_value',
    },
    decayRate: {
      summary: 'r, the factor applied every transitionSteps steps',
      type: 'number',
      default: undefined,
      example: 0.9,
      min: 0,
      max: 1,
      scale: 'linear',
      reference: 'decay_rate',
    },
    transitionSteps: {
      summary: 'T, the steps per factor of decayRate',
      type: 'number',
      default: 1,
      min: 0,
      minExclusive: true,
      scale: 'log',
      reference: 'transition_steps',
    },
    staircase: {
      summary: 'decay in whole factors, at multiples of transitionSteps',
      type: 'boolean',
      default: false,
      reference: 'staircase',
    },
    endValue: {
      ...valueOption,
      summary: 'the floor the decay stops at',
      default: 0,
      reference: 'end_value',
    },
  },
});
const exponentialOptions = optionsOf<ExponentialDecayOptions>(exponentialDecay.spec);

/**
 * Exponential decay with a floor:
 *
 *     v(t) = max(v_end, v₀ · r^(t/T))        (r = decayRate, T = transitionSteps; ⌊t/T⌋ if staircase)
 *
 * Bounds: between endValue and max(initValue, endValue).
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  const { initValue, decayRate, transitionSteps, staircase, endValue } =
    exponentialOptions(options);
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

/** Its options, as programs built on descent list them. */
cosineDecay.spec = defineSpec<CosineDecayOptions>({
  name: 'cosineDecay',
  kind: 'schedule',
  summary: 'half a cosine from initValue to endValue over `steps`, then endValue',
  reference: "Optax's cosine_decay_schedule (its alpha is endValue / initValue)",
  options: {
    initValue: linearSpecs.initValue,
    endValue: { ...linearSpecs.endValue, default: 0, example: undefined, reference: undefined },
    steps: {
      ...linearSpecs.steps,
      summary: 'T, the steps of the half cosine',
      reference: 'decay_steps',
    },
  },
});
const cosineOptions = optionsOf<CosineDecayOptions>(cosineDecay.spec);

/**
 * Half a cosine from initValue down (or up) to endValue over `steps`, then endValue:
 *
 *     v(t) = v_end + (v₀ − v_end)/2 · (1 + cos(π min(t, T)/T))        (T = steps)
 *
 * Bounds: between initValue and endValue.
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  const { initValue, endValue, steps } = cosineOptions(options);
  return schedule((t) => transition('cosine', initValue, endValue, t / steps));
}

/** The options of {@link inverseSqrtDecay}. */
export interface InverseSqrtDecayOptions {
  /** v₀, the value at step 0 (finite). */
  initValue: number;
  /** Steps over which the decay sets in (> 0); default 1. */
  timescale?: number;
}

/** Its options, as programs built on descent list them. */
inverseSqrtDecay.spec = defineSpec<InverseSqrtDecayOptions>({
  name: 'inverseSqrtDecay',
  kind: 'schedule',
  summary: 'inverse square root decay, v₀ / √(1 + t/τ)',
  reference: 'its formula; the book’s SquareRootScheduler at timescale 1',
  options: {
    initValue: { ...linearSpecs.initValue, reference: undefined },
    timescale: {
      summary: 'τ, the steps over which the decay sets in',
      type: 'number',
      default: 1,
      min: 0,
      minExclusive: true,
      scale: 'log',
    },
  },
});
const inverseSqrtOptions = optionsOf<InverseSqrtDecayOptions>(inverseSqrtDecay.spec);

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
  const { initValue, timescale } = inverseSqrtOptions(options);
  return schedule((t) => initValue / Math.sqrt(1 + t / timescale));
}
