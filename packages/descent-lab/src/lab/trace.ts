import type { Optimizer } from 'descent';
import { type Param, param } from 'descent';
import type { Function1D, Function2D } from './functions.js';
import type { Random } from './random.js';

/** Builds one of descent's optimizers over the given parameters. */
export type MakeOptimizer = (params: Param[]) => Optimizer<object>;

export interface TraceOptions {
  /** Writes ∇f at `x` into `grad`. */
  gradient(x: Float64Array, grad: Float64Array): void;
  optimizer: MakeOptimizer;
  start: readonly number[];
  steps: number;
  /** Called before step t (t = 1, 2, ...): sets a scheduled learning rate, adds noise. */
  beforeStep?(t: number, optimizer: Optimizer<object>, grad: Float64Array): void;
}

/** Runs a descent optimizer from `start` for `steps` steps; the path includes the start. */
export function runTrace(options: TraceOptions): number[][] {
  const x = param(options.start, { dtype: 'float64' });
  const grad = x.grad as Float64Array;
  const optimizer = options.optimizer([x]);
  const path = [Array.from(x.data)];
  for (let t = 1; t <= options.steps; t++) {
    options.gradient(x.data as Float64Array, grad);
    options.beforeStep?.(t, optimizer, grad);
    optimizer.step();
    path.push(Array.from(x.data));
  }
  return path;
}

/** The chapter's 1-D trace: from x = 10, 10 steps. */
export function trace1d(
  fn: Function1D,
  optimizer: MakeOptimizer,
  start = 10,
  steps = 10,
): number[] {
  return runTrace({
    gradient: (x, grad) => {
      grad[0] = fn.grad(x[0]);
    },
    optimizer,
    start: [start],
    steps,
  }).map(([x]) => x);
}

export interface Trace2dOptions {
  start?: readonly [number, number];
  steps?: number;
  /** Adds N(0, 1) noise to each coordinate of the gradient, as the chapter's SGD does. */
  noise?: Random;
  /** Learning rate at step t (t counts from 1), replacing the optimizer's own. */
  lr?: (t: number) => number;
}

/** The chapter's 2-D trace: from (−5, −2), 20 steps. */
export function trace2d(
  fn: Function2D,
  optimizer: MakeOptimizer,
  { start = [-5, -2], steps = 20, noise, lr }: Trace2dOptions = {},
): [number, number][] {
  return runTrace({
    gradient: (x, grad) => {
      grad.set(fn.grad(x[0], x[1]));
    },
    optimizer,
    start,
    steps,
    beforeStep: (t, opt, grad) => {
      if (noise !== undefined) {
        grad[0] += noise.normal();
        grad[1] += noise.normal();
      }
      if (lr !== undefined) for (const group of opt.paramGroups) group.lr = lr(t);
    },
  }) as [number, number][];
}
