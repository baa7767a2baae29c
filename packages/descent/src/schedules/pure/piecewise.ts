import { defineSpec } from '../../core/options.js';
import { checkArray, checkFunction } from '../../core/validate.js';
import {
  bisectRight,
  checkExponentialEnds,
  checkIncreasing,
  checkStepList,
  optionsOf,
  type Schedule,
  type Shape,
  schedule,
  shapeOption,
  transition,
} from './schedule.js';

/** `values`, as many as `length` (`expected` says why), copied. */
function checkCount(
  option: string,
  values: readonly number[],
  length: number,
  expected: string,
): number[] {
  if (values.length !== length) {
    throw new RangeError(
      `Invalid ${option}: ${values.length} values (expected ${length}, ${expected})`,
    );
  }
  return [...values];
}

/** The knots of a piecewise schedule: its steps and the values there. */
const knots = {
  values: { type: 'numbers', scale: 'linear' },
  boundaries: { type: 'numbers', integer: true, min: 0, scale: 'linear' },
} as const;

/** The options of {@link piecewiseConstant}. */
export interface PiecewiseConstantOptions {
  /**
   * values[i] holds from boundaries[i − 1] (or step 0) up to boundaries[i]; one more than
   * boundaries, each finite.
   */
  values: readonly number[];
  /** Steps at which the next value starts: strictly increasing integers >= 0. */
  boundaries: readonly number[];
}

/** Its options, as programs built on descent list them. */
piecewiseConstant.spec = defineSpec<PiecewiseConstantOptions>({
  name: 'piecewiseConstant',
  kind: 'schedule',
  summary: 'a step function: values[i] from boundaries[i − 1] on',
  reference: 'its formula (Optax’s piecewise_constant_schedule takes factors for values)',
  options: {
    values: {
      ...knots.values,
      summary: 'values[i] holds from boundaries[i − 1] (or step 0): one more than boundaries',
      default: undefined,
      example: [0.1, 0.05, 0.01],
    },
    boundaries: {
      ...knots.boundaries,
      summary: 'the steps at which the next value starts, strictly increasing',
      default: undefined,
      example: [10, 20],
    },
  },
});
const constantOptions = optionsOf<PiecewiseConstantOptions>(piecewiseConstant.spec);

/**
 * A step function: values[0] before boundaries[0], values[i] from boundaries[i − 1] on.
 *
 *     v(t) = values[#{b ∈ boundaries : b <= t}]
 *
 * Bounds: between the least and the greatest of the values.
 */
export function piecewiseConstant(options: PiecewiseConstantOptions): Schedule {
  const { values, boundaries } = constantOptions(options);
  checkIncreasing('boundaries', boundaries);
  const list = checkCount('values', values, boundaries.length + 1, 'one more than boundaries');
  const steps = [...boundaries];
  return schedule((t) => list[bisectRight(steps, t)]);
}

/** The options of {@link piecewiseInterpolated}. */
export interface PiecewiseInterpolatedOptions {
  /** The value at each boundary; as many as boundaries. */
  values: readonly number[];
  /** Steps of the knots: strictly increasing integers >= 0, at least one. */
  boundaries: readonly number[];
  /** Curve between knots; default 'linear'. */
  shape?: Shape;
}

/** Its options, as programs built on descent list them. */
piecewiseInterpolated.spec = defineSpec<PiecewiseInterpolatedOptions>({
  name: 'piecewiseInterpolated',
  kind: 'schedule',
  summary: 'knots (boundaries[i], values[i]) joined by `shape` curves',
  reference: 'its formula (Optax’s piecewise_interpolate_schedule takes factors for values)',
  options: {
    values: {
      ...knots.values,
      summary: 'the value at each boundary',
      default: undefined,
      example: [0.1, 0.05, 0.01],
    },
    boundaries: {
      ...knots.boundaries,
      summary: 'the steps of the knots, strictly increasing, at least one',
      default: undefined,
      example: [0, 10, 20],
    },
    shape: { ...shapeOption, summary: 'the curve between knots', default: 'linear' },
  },
});
const interpolatedOptions = optionsOf<PiecewiseInterpolatedOptions>(piecewiseInterpolated.spec);

/**
 * Knots (boundaries[i], values[i]) joined by `shape` curves; values[0] before the first knot and
 * the last value after the last. Continuous at every knot. Bounds: between the least and the
 * greatest of the values.
 */
export function piecewiseInterpolated(options: PiecewiseInterpolatedOptions): Schedule {
  const { values, boundaries, shape } = interpolatedOptions(options);
  checkIncreasing('boundaries', boundaries);
  if (boundaries.length === 0) {
    throw new RangeError('Invalid boundaries: [] (expected at least one)');
  }
  const list = checkCount('values', values, boundaries.length, 'one per boundary');
  const steps = [...boundaries];
  for (let i = 1; i < list.length; i++) {
    checkExponentialEnds(shape, list[i - 1], list[i], `values[${i}]`, list[i]);
  }
  const last = steps.length - 1;
  return schedule((t) => {
    const i = bisectRight(steps, t) - 1;
    if (i < 0) return list[0];
    if (i >= last) return list[last];
    return transition(shape, list[i], list[i + 1], (t - steps[i]) / (steps[i + 1] - steps[i]));
  });
}

/**
 * Sequences schedules: schedules[0] before boundaries[0]; from boundaries[i − 1] on,
 * schedules[i], counting its own steps from 0 there:
 *
 *     v(t) = s_i(t − b_{i−1})    (s = schedules, b = boundaries, b_{−1} = 0, i = #{j : b_j <= t})
 *
 * Continuous at a boundary exactly when the schedule before it, run up to the boundary, reaches
 * the first value of the schedule after it; `warmup`, `warmupCosineDecay`, `warmupStableDecay`
 * are built this way and are continuous.
 */
export function join(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  const steps = checkStepList('boundaries', boundaries);
  const list = checkArray('schedules', schedules) as Schedule[];
  if (list.length !== steps.length + 1) {
    throw new RangeError(
      `Invalid schedules: ${list.length} schedules (expected ${steps.length + 1}, one more than boundaries)`,
    );
  }
  list.forEach((s, i) => {
    checkFunction(`schedules[${i}]`, s);
  });
  const pieces = [...list];
  return schedule((t) => {
    const i = bisectRight(steps, t);
    return pieces[i](i === 0 ? t : t - steps[i - 1]);
  });
}
