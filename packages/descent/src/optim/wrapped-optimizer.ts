import { isFloatArray, type Param } from '../core/param.js';
import { isRecord } from '../core/serialize.js';
import type { Closure } from './optimizer.js';

/**
 * What {@link Lookahead} and `skipNonFinite` wrap: any descent optimizer, or another such
 * wrapper (they have the same methods). Schedulers drive the wrapper as they drive the optimizer,
 * through the groups it exposes.
 */
export interface WrappableOptimizer {
  /** The parameter groups, each its parameters and its hyperparameters (`lr`, ...). */
  readonly paramGroups: ({
    /** The group's parameters. */
    params: Param[];
  } & Record<string, unknown>)[];
  /** The optimizer's options, which schedulers cycling momentum read. */
  readonly defaults: object;
  /** One optimization step; with a closure, which recomputes the loss and gradients, its loss. */
  step(closure?: Closure): number | undefined;
  /** Clears the gradients: to null, or with `setToNone` false to zeros. */
  zeroGrad(setToNone?: boolean): void;
  /** The optimizer's state as plain JSON. */
  stateDict(): unknown;
  /** Restores what `stateDict` returned, or throws and changes nothing. */
  loadStateDict(stateDict: unknown): void;
}

/** Refuses what is no optimizer, with a TypeError naming the wrapper. */
export function checkWrappable(optimizer: unknown, owner: string): void {
  const methods = ['step', 'zeroGrad', 'stateDict', 'loadStateDict'];
  if (
    !isRecord(optimizer) ||
    !Array.isArray(optimizer.paramGroups) ||
    !isRecord(optimizer.defaults) ||
    methods.some((method) => typeof optimizer[method] !== 'function')
  ) {
    throw new TypeError(
      `Invalid optimizer for ${owner}: ${String(optimizer)} (expected an optimizer: paramGroups, defaults, ${methods.join(', ')})`,
    );
  }
}

/**
 * Every parameter of the optimizer's groups, in order (as state dicts number them). A group's
 * `params` that is no list of parameters is refused, as an optimizer's step refuses it.
 */
export function paramsOf(optimizer: WrappableOptimizer): Param[] {
  return optimizer.paramGroups.flatMap((group, g) => {
    const params: unknown = group.params;
    if (!Array.isArray(params)) {
      throw new TypeError(
        `Invalid paramGroups[${g}].params: expected an array of parameters, got ${String(params)}`,
      );
    }
    params.forEach((p, i) => {
      if (!isRecord(p) || !isFloatArray(p.data)) {
        throw new TypeError(
          `Invalid paramGroups[${g}].params[${i}]: expected a parameter { data: Float32Array | Float64Array, grad }`,
        );
      }
    });
    return params as Param[];
  });
}
