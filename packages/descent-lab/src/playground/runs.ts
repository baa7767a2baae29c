/**
 * Runs descent's optimizers on a playground function, in the page, on descent's own code: the
 * loop of the lab's traces (gradient, then the noise, then the scheduled rate, then the step).
 */
import * as descent from 'descent';
import {
  freeArray,
  type Optimizer,
  type OptionValue,
  optimizerSpec,
  type Param,
  param,
  type Schedule,
} from 'descent';
import { createRandom } from '../lab/random.js';
import type { PlaygroundFunction } from './functions.js';

/** One run's settings: an optimizer of descent with its options, and what changes its gradient or rate. */
export interface RunSettings {
  /** descent's class name: 'SGD', 'Adam', ... */
  optimizer: string;
  /** Options given to the constructor (those left out take descent's defaults). */
  options: Record<string, OptionValue>;
  /** A pure schedule of descent by function name: its value at step t (t = 1, 2, ...) is the rate. */
  schedule?: { name: string; options: Record<string, OptionValue> };
  /**
   * N(0, sd²) noise added to each coordinate of the gradient (the chapter's stochastic gradient
   * descent), from the lab's seeded generator: the same seed and stream give the same noise.
   */
  noise?: { sd: number; seed: number; stream: string };
}

/** What a run gives: its path, f along it, the rate of each step. */
export interface RunResult {
  /** The iterates, start included: point t is path[t·dim ..]. */
  path: Float64Array;
  /** f at each iterate. */
  values: Float64Array;
  /** The learning rate step t used (rates[t − 1]). */
  rates: Float64Array;
  /** Steps taken: fewer than asked when the run diverged. */
  steps: number;
  /** The step at which an iterate stopped being finite or passed 1e12, if one did. */
  diverged?: number;
}

type OptimizerClass = new (params: Param[], options?: object) => Optimizer<object>;
type ScheduleFactory = (options: object) => Schedule;

const library = descent as unknown as Record<string, unknown>;

/** Whether the optimizer takes only matrices (Muon), so the page's point is a 1 × n matrix. */
export const rowMatrix = (optimizer: string): boolean => optimizer === 'Muon';

/** descent's optimizer class by name, with the functions the page supplies (Newton's Hessian). */
export function makeOptimizer(
  settings: RunSettings,
  fn: PlaygroundFunction,
  params: Param[],
): Optimizer<object> {
  const spec = optimizerSpec(settings.optimizer);
  const Class = library[spec.name] as OptimizerClass;
  const options: Record<string, unknown> = { ...settings.options };
  for (const option of spec.options) {
    if (option.type === 'function' && option.name === 'hessian') {
      options.hessian = ([p]: Param[]) => fn.hess(p.data);
    }
  }
  return new Class(params, options);
}

/** descent's schedule by function name, built with the given options (descent checks them). */
export function makeSchedule(schedule: NonNullable<RunSettings['schedule']>): Schedule {
  const factory = library[schedule.name];
  if (typeof factory !== 'function') throw new RangeError(`Unknown schedule: ${schedule.name}`);
  return (factory as ScheduleFactory)(schedule.options);
}

const divergence = 1e12;

/** Runs `settings` on `fn` from `start` for `steps` steps; descent's errors are thrown as they come. */
export function run(
  settings: RunSettings,
  fn: PlaygroundFunction,
  start: readonly number[],
  steps: number,
  /** Called after each step with the optimizer and the parameter (the state arrows read it). */
  onStep?: (t: number, optimizer: Optimizer<object>, x: Param, grad: Float64Array) => boolean,
): RunResult {
  const dim = fn.dim;
  // Muon takes only matrices: the point is a 1 × n one (its update is then the normalized
  // momentum, scaled by the Newton–Schulz polynomial's value).
  const x = param(start, {
    dtype: 'float64',
    ...(rowMatrix(settings.optimizer) && { shape: [1, start.length] }),
  });
  const grad = x.grad as Float64Array;
  const data = x.data as Float64Array;
  const schedule = settings.schedule === undefined ? undefined : makeSchedule(settings.schedule);
  const optimizer = makeOptimizer(settings, fn, [x]);
  const noise =
    settings.noise === undefined
      ? undefined
      : createRandom(settings.noise.seed, settings.noise.stream);
  const closure =
    settings.optimizer === 'LBFGS'
      ? () => {
          fn.grad(data, grad);
          return fn.f(data);
        }
      : undefined;
  const path = new Float64Array((steps + 1) * dim);
  const values = new Float64Array(steps + 1);
  const rates = new Float64Array(steps);
  path.set(data);
  values[0] = fn.f(data);
  let t = 1;
  let diverged: number | undefined;
  try {
    for (; t <= steps; t++) {
      fn.grad(data, grad);
      if (noise !== undefined)
        for (let i = 0; i < dim; i++) grad[i] += settings.noise!.sd * noise.normal();
      if (schedule !== undefined) for (const group of optimizer.paramGroups) group.lr = schedule(t);
      rates[t - 1] = optimizer.paramGroups[0].lr as number;
      optimizer.step(closure);
      let out = false;
      for (let i = 0; i < dim; i++) {
        const v = data[i];
        path[t * dim + i] = v;
        if (!(Math.abs(v) <= divergence)) out = true;
      }
      values[t] = fn.f(data);
      if (onStep?.(t, optimizer, x, grad) === false) break;
      if (out) {
        diverged = t;
        break;
      }
    }
  } finally {
    release(optimizer, x);
  }
  const taken = Math.min(t, steps);
  return {
    path: path.subarray(0, (taken + 1) * dim),
    values: values.subarray(0, taken + 1),
    rates: rates.subarray(0, taken),
    steps: taken,
    diverged,
  };
}

/** Returns a finished run's WebAssembly memory at once, rather than when it is collected. */
function release(optimizer: Optimizer<object>, x: Param): void {
  for (const state of optimizer.state.values())
    for (const value of Object.values(state))
      if (value instanceof Float64Array || value instanceof Float32Array) freeArray(value);
  freeArray(x.data);
  if (x.grad !== null) freeArray(x.grad);
}

/** What the optimizer holds at step t, read from its own state: the arrows and step sizes at a step. */
export interface StepState {
  point: number[];
  /** The gradient the step used (noise included). */
  gradient: number[];
  /** The step's learning rate. */
  lr: number;
  /** Each state array of the parameter (momentumBuffer, expAvg, expAvgSq, sum, squareAvg, ...). */
  arrays: Record<string, number[]>;
  /** lr / (√v + ε) per coordinate, for the adaptive methods (Adam's v bias-corrected). */
  effectiveStep?: number[];
}

/** Runs again up to step t and reads the optimizer's state there (t from 1). */
export function stateAt(
  settings: RunSettings,
  fn: PlaygroundFunction,
  start: readonly number[],
  t: number,
): StepState | undefined {
  let found: StepState | undefined;
  let before: number[] = [...start];
  run(settings, fn, start, t, (step, optimizer, x, grad) => {
    if (step < t) {
      before = Array.from(x.data);
      return true;
    }
    const state = optimizer.state.get(x) ?? {};
    const group = optimizer.paramGroups[0] as Record<string, unknown>;
    const arrays: Record<string, number[]> = {};
    for (const [key, value] of Object.entries(state))
      if (value instanceof Float64Array || value instanceof Float32Array)
        arrays[key] = Array.from(value);
    found = {
      point: before,
      gradient: Array.from(grad),
      lr: group.lr as number,
      arrays,
      effectiveStep: effectiveStep(group, state, arrays),
    };
    return false;
  });
  return found;
}

function effectiveStep(
  group: Record<string, unknown>,
  state: Record<string, unknown>,
  arrays: Record<string, number[]>,
): number[] | undefined {
  const lr = group.lr as number;
  const eps = typeof group.eps === 'number' ? group.eps : 0;
  const key = ['expAvgSq', 'squareAvg', 'sum'].find((k) => arrays[k] !== undefined);
  if (key === undefined) return undefined;
  let correction = 1;
  const betas = group.betas as number[] | undefined;
  if (key === 'expAvgSq' && betas !== undefined && typeof state.step === 'number')
    correction = 1 - betas[1] ** state.step;
  return arrays[key].map((v) => lr / (Math.sqrt(v / correction) + eps));
}
