import { checkArray, checkFinite, checkFunction } from '../../core/validate.js';
import {
  bisectRight,
  checkExponentialEnds,
  checkShape,
  checkStepList,
  optionsOf,
  type Schedule,
  type Shape,
  schedule,
  transition,
} from './schedule.js';

function checkValues(option: string, value: unknown, length: number, expected: string): number[] {
  const values = checkArray(option, value);
  if (values.length !== length) {
    throw new RangeError(
      `Invalid ${option}: ${values.length} values (expected ${length}, ${expected})`,
    );
  }
  values.forEach((v, i) => {
    checkFinite(`${option}[${i}]`, v);
  });
  return [...(values as number[])];
}

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

const constantOptions = optionsOf<PiecewiseConstantOptions>('piecewiseConstant', {
  values: true,
  boundaries: true,
});

/**
 * A step function: values[0] before boundaries[0], values[i] from boundaries[i − 1] on.
 *
 *     v(t) = values[#{b ∈ boundaries : b <= t}]
 *
 * Bounds: between the least and the greatest of the values.
 */
export function piecewiseConstant(options: PiecewiseConstantOptions): Schedule {
  const { values, boundaries } = constantOptions(options);
  const steps = checkStepList('boundaries', boundaries);
  const list = checkValues('values', values, steps.length + 1, 'one more than boundaries');
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

const interpolatedOptions = optionsOf<PiecewiseInterpolatedOptions>('piecewiseInterpolated', {
  values: true,
  boundaries: true,
  shape: true,
});

/**
 * Knots (boundaries[i], values[i]) joined by `shape` curves; values[0] before the first knot and
 * the last value after the last. Continuous at every knot. Bounds: between the least and the
 * greatest of the values.
 */
export function piecewiseInterpolated(options: PiecewiseInterpolatedOptions): Schedule {
  const { values, boundaries, shape = 'linear' } = interpolatedOptions(options);
  const steps = checkStepList('boundaries', boundaries);
  if (steps.length === 0) throw new RangeError('Invalid boundaries: [] (expected at least one)');
  const list = checkValues('values', values, steps.length, 'one per boundary');
  checkShape('shape', shape);
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
