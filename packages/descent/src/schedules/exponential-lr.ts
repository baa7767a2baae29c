import { checkFiniteNonNegative } from '../core/validate.js';
import {
  groupLrs,
  LRScheduler,
  resolveOptions,
  type SchedulableOptimizer,
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
    // gamma multiplies the rate: an infinite one makes it infinite (or NaN from 0).
    checkFiniteNonNegative('gamma', o.gamma);
  }

  protected override getLr(): number[] {
    const lrs = groupLrs(this.optimizer);
    return this.isInitial ? lrs : lrs.map((lr) => lr * this.options.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.options.gamma ** this.lastEpoch);
  }
}
