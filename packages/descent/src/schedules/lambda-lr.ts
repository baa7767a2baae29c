import { checkFunction } from '../core/validate.js';
import {
  checkReturned,
  LRScheduler,
  perGroup,
  resolveOptions,
  type SchedulableOptimizer,
} from './lr-scheduler.js';

/** A function of the epoch giving a factor. */
export type LrLambda = (epoch: number) => number;

/**
 * The options of {@link LambdaLR} and {@link MultiplicativeLR}, PyTorch's in camelCase
 * (`lr_lambda`).
 */
export interface LambdaLROptions {
  /** The factor as a function of the epoch: one function for every group, or one per group. */
  lrLambda: LrLambda | readonly LrLambda[];
}

/** The per-group functions of LambdaLR and MultiplicativeLR. */
export function lrLambdas(optimizer: SchedulableOptimizer, value: unknown): LrLambda[] {
  return perGroup('lrLambda', value, optimizer, (name, fn) => {
    checkFunction(name, fn);
    return fn as LrLambda;
  });
}

/** Calls each group's function at `epoch`; every result must be a finite number. */
export function lambdaFactors(lambdas: readonly LrLambda[], epoch: number): number[] {
  return lambdas.map((fn, i) => checkReturned(`lrLambda[${i}]`, fn(epoch), `epoch ${epoch}`));
}

/**
 * Each group's learning rate is its initial one times a function of the epoch, as PyTorch's
 * `LambdaLR`:
 *
 *     η_t = η₀ · λ(t)
 *
 * `stateDict()` leaves the functions out, as PyTorch does: give them again to the scheduler you
 * load the state into.
 */
export class LambdaLR extends LRScheduler<LambdaLROptions> {
  constructor(optimizer: SchedulableOptimizer, options: LambdaLROptions) {
    super(optimizer, resolveOptions('LambdaLR', { lrLambda: undefined }, options));
    this.initialStep();
  }

  protected validateOptions(o: LambdaLROptions): void {
    lrLambdas(this.optimizer, o.lrLambda);
  }

  protected override getLr(): number[] {
    const factors = lambdaFactors(lrLambdas(this.optimizer, this.options.lrLambda), this.lastEpoch);
    return this.baseLrs.map((base, i) => base * factors[i]);
  }
}
