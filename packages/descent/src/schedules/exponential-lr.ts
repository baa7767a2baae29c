import { numberKinds } from '../core/serialize.js';
import { checkNonNegative } from '../core/validate.js';
import {
  groupLrs,
  LRScheduler,
  resolveOptions,
  type SchedulableOptimizer,
  type StateKinds,
} from './lr-scheduler.js';

/** The options of {@link ExponentialLR}. */
export interface ExponentialLROptions {
  /** γ, the factor applied to the rate at every step (>= 0; below 1 it decays). Required. */
  gamma: number;
}

/**
 * Multiplies each group's learning rate by γ at every step, as PyTorch's `ExponentialLR`:
 *
 *     η_t = η_{t−1} · γ        (alone: η_t = η₀ · γ^t)
 */
export class ExponentialLR extends LRScheduler<ExponentialLROptions> {
  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    super(optimizer, resolveOptions('ExponentialLR', { gamma: undefined }, options));
    this.initialStep();
  }

  protected validateOptions(o: ExponentialLROptions): void {
    checkNonNegative('gamma', o.gamma);
  }

  /** gamma multiplies the rate: an infinite one makes it infinite (or NaN from 0). */
  protected override stateKinds(): StateKinds {
    return { ...super.stateKinds(), gamma: numberKinds.nonNegative };
  }

  protected override getLr(): number[] {
    const lrs = groupLrs(this.optimizer);
    return this.isInitial ? lrs : lrs.map((lr) => lr * this.options.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.options.gamma ** this.lastEpoch);
  }
}
