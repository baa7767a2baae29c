import type { AlgorithmSpec } from '../../core/spec.js';
import { checkArray, checkInteger, checkKnownOptions, checkOption } from '../../core/validate.js';

/**
 * A schedule: the value of a hyperparameter as a function of the step t = 0, 1, 2, ..., the number
 * of optimizer steps already taken (the value at t is the one the (t+1)-th optimizer step uses).
 * Every schedule is a closed form, so any step can be evaluated directly and resuming needs
 * nothing but the step. A step that is not an integer >= 0 throws a RangeError.
 *
 * One naming scheme serves every schedule:
 * - values: `value` (a constant), `initValue` (the value at step 0), `peakValue` (the top of a
 *   warmup or of a cycle), `endValue` (the value a decay reaches and then holds);
 * - lengths, in steps: `steps` is the length of a single-phase schedule; in schedules with phases,
 *   `warmupSteps`, `decaySteps`, ... count one phase each, and `totalSteps` counts every step of
 *   the schedule, warmup included. `warmup(schedule, { steps })` is the one exception by design:
 *   it puts its steps before the schedule, which starts counting from 0 when the warmup ends;
 * - `shape` picks the curve of a transition (see `Shape`).
 */
export type Schedule = (step: number) => number;

/**
 * Curves from a value `from` to a value `to` as a fraction f goes from 0 to 1:
 * - 'linear':      from + (to − from)·f
 * - 'cosine':      to + (from − to)/2 · (1 + cos πf)
 * - 'exponential': from · (to/from)^f              (from and to positive)
 * - '1-sqrt':      to + (from − to)·(1 − √f)        (the cooldown of Hägele et al., 2024)
 */
export type Shape = 'linear' | 'cosine' | 'exponential' | '1-sqrt';

/** Every {@link Shape}, in order: the names a `shape` option accepts. */
export const shapes: readonly Shape[] = ['linear', 'cosine', 'exponential', '1-sqrt'];

/**
 * The value a fraction f of the way from `from` to `to` along `shape`. The linear and cosine
 * expressions are PyTorch's (OneCycleLR's `_annealing_linear` and `_annealing_cos`), so schedulers
 * built on them agree with PyTorch to the last bit or two; f outside [0, 1] extrapolates, as
 * PyTorch does one step past the end of a cycle.
 */
export function interpolate(shape: Shape, from: number, to: number, f: number): number {
  switch (shape) {
    case 'linear':
      return (to - from) * f + from;
    case 'cosine':
      return to + ((from - to) / 2) * (Math.cos(Math.PI * f) + 1);
    case 'exponential':
      return from * (to / from) ** f;
    case '1-sqrt':
      return to + (from - to) * (1 - Math.sqrt(f));
  }
}

/**
 * A curve from `from` to `to` for schedules: exactly `from` up to f = 0 and exactly `to` from
 * f = 1 on, so pieces joined at those points meet exactly, and in between kept within the two
 * ends, which rounding alone could pass by an ulp.
 */
export function between(from: number, to: number, f: number, curve: (f: number) => number): number {
  if (f <= 0) return from;
  if (f >= 1) return to;
  return Math.min(Math.max(curve(f), Math.min(from, to)), Math.max(from, to));
}

/** `interpolate` along `shape`, held to its ends as `between` holds a curve. */
export function transition(shape: Shape, from: number, to: number, f: number): number {
  return between(from, to, f, (x) => interpolate(shape, from, to, x));
}

/**
 * The reader of a schedule's options, from its spec (`cosineDecay.spec`, written once next to its
 * options). It refuses what is not an object, and any option the spec does not list, with a
 * TypeError naming it and the closest valid name ("Unknown option endVaule for cosineDecay (did
 * you mean endValue?)"), as Python refuses an unexpected keyword argument; this runs before
 * anything reads the options, so a required option given under a wrong name is reported as such,
 * not as missing. It then puts in the spec's defaults and checks each option against its spec
 * (`checkOption`: type and range). An option whose default follows others (`defaultFrom`) is
 * left out when not given, for the schedule to work it out (type `Derived`).
 */
export function optionsOf<T extends object, Derived extends keyof T = never>(
  spec: AlgorithmSpec,
): (options: T) => Required<Omit<T, Derived>> & Pick<T, Derived> {
  const valid = spec.options.map((option) => option.name);
  return (options) => {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new TypeError(
        `Invalid options for ${spec.name}: ${String(options)} (expected an object of options)`,
      );
    }
    checkKnownOptions(options, valid, spec.name);
    const read: Record<string, unknown> = {};
    for (const option of spec.options) {
      const given = (options as Record<string, unknown>)[option.name];
      const value = given === undefined ? option.default : given;
      if (value === undefined && option.defaultFrom !== undefined) continue;
      checkOption(option, value);
      read[option.name] = value;
    }
    return read as Required<Omit<T, Derived>> & Pick<T, Derived>;
  };
}

/** Wraps a formula as a schedule that refuses steps other than integers >= 0. */
export function schedule(formula: (step: number) => number): Schedule {
  return (step) => formula(checkInteger('step', step, 0));
}

/** The spec of a finite value of a schedule (of any sign: it may drive any hyperparameter). */
export const valueOption = { type: 'number', scale: 'linear' } as const;

/** The spec of a number of steps: an integer >= `min`. */
export const stepsOption = (min: number) => ({ type: 'integer', min, scale: 'linear' }) as const;

/** The spec of a `Shape`. */
export const shapeOption = { type: 'choice', choices: shapes } as const;

/** An exponential curve needs both ends positive (it multiplies by their ratio). */
export function checkExponentialEnds(
  shape: Shape,
  from: number,
  to: number,
  option: string,
  value: number,
): void {
  if (shape === 'exponential' && !(from > 0 && to > 0)) {
    throw new RangeError(
      `Invalid ${option}: ${value} (an exponential transition needs positive values at both ends, got ${from} and ${to})`,
    );
  }
}

/** Steps strictly increasing, as boundaries between pieces must be. */
export function checkIncreasing(option: string, steps: readonly number[]): void {
  for (let i = 1; i < steps.length; i++) {
    if (steps[i] <= steps[i - 1]) {
      throw new RangeError(
        `Invalid ${option}: [${steps.join(', ')}] (expected strictly increasing steps)`,
      );
    }
  }
}

/** A list of steps: integers >= `min`, strictly increasing unless `increasing` is false. */
export function checkStepList(
  option: string,
  value: unknown,
  { min = 0, increasing = true }: { min?: number; increasing?: boolean } = {},
): number[] {
  const list = checkArray(option, value);
  list.forEach((step, i) => {
    checkInteger(`${option}[${i}]`, step, min);
  });
  if (increasing) checkIncreasing(option, list as number[]);
  return list as number[];
}

/** How many of the sorted `boundaries` are <= x (Python's bisect_right). */
export function bisectRight(boundaries: readonly number[], x: number): number {
  let low = 0;
  let high = boundaries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (x < boundaries[mid]) high = mid;
    else low = mid + 1;
  }
  return low;
}
