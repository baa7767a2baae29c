import { checkFiniteNonNegative } from '../core/validate.js';
import {
  groupLrs,
  LRScheduler,
  resolveOptions,
  type SchedulableOptimizer,
} from './lr-scheduler.js';
import { checkStepList } from './pure/schedule.js';

/** The options of {@link MultiStepLR}. */
export interface MultiStepLROptions {
  /** Steps at which to decay (integers >= 0); a step listed k times decays by γ^k, as in PyTorch. */
  milestones: readonly number[];
  /** γ, the factor applied at each milestone (>= 0); default 0.1. */
  gamma?: number;
}

/**
 * Multiplies each group's learning rate by γ at each milestone, as PyTorch's `MultiStepLR`:
 *
 *     η_t = η_{t−1} · γ^(times t is listed in milestones)
 *     (alone: η_t = η₀ · γ^#{m ∈ milestones : m <= t})
 */
export class MultiStepLR extends LRScheduler<Required<MultiStepLROptions>> {
  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    super(optimizer, resolveOptions('MultiStepLR', { milestones: undefined, gamma: 0.1 }, options));
    this.initialStep();
  }

  protected validateOptions(o: Required<MultiStepLROptions>): void {
    checkStepList('milestones', o.milestones, { increasing: false });
    // gamma multiplies the rate: an infinite one makes it infinite (or NaN from 0).
    checkFiniteNonNegative('gamma', o.gamma);
  }

  protected override getLr(): number[] {
    const { milestones, gamma } = this.options;
    const count = milestones.filter((m) => m === this.lastEpoch).length;
    const lrs = groupLrs(this.optimizer);
    return count === 0 ? lrs : lrs.map((lr) => lr * gamma ** count);
  }

  protected override closedFormLr(): number[] {
    const { milestones, gamma } = this.options;
    const passed = milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((base) => base * gamma ** passed);
  }
}
