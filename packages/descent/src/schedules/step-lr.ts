import { checkFiniteNonNegative, checkInteger } from '../core/validate.js';
import {
  groupLrs,
  LRScheduler,
  resolveOptions,
  type SchedulableOptimizer,
} from './lr-scheduler.js';

/** The options of {@link StepLR}, PyTorch's in camelCase (`step_size`). */
export interface StepLROptions {
  /** Steps between decays (an integer >= 1). */
  stepSize: number;
  /** γ, the factor applied every stepSize steps (>= 0); default 0.1. */
  gamma?: number;
}

/**
 * Multiplies each group's learning rate by γ every `stepSize` steps, as PyTorch's `StepLR`:
 *
 *     η_t = η_{t−1} · γ  when t > 0 and t mod stepSize = 0, else η_{t−1}
 *     (alone: η_t = η₀ · γ^⌊t/stepSize⌋)
 */
export class StepLR extends LRScheduler<Required<StepLROptions>> {
  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    super(optimizer, resolveOptions('StepLR', { stepSize: undefined, gamma: 0.1 }, options));
    this.initialStep();
  }

  protected validateOptions(o: Required<StepLROptions>): void {
    checkInteger('stepSize', o.stepSize, 1);
    // gamma multiplies the rate: an infinite one makes it infinite (or NaN from 0).
    checkFiniteNonNegative('gamma', o.gamma);
  }

  protected override getLr(): number[] {
    const { stepSize, gamma } = this.options;
    const lrs = groupLrs(this.optimizer);
    if (this.lastEpoch === 0 || this.lastEpoch % stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * gamma);
  }

  protected override closedFormLr(): number[] {
    const { stepSize, gamma } = this.options;
    return this.baseLrs.map((base) => base * gamma ** Math.floor(this.lastEpoch / stepSize));
  }
}
