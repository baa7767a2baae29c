import { checkInteger } from '../core/validate.js';
import {
  checkUnitFactor,
  groupLrs,
  LRScheduler,
  resolveOptions,
  type SchedulableOptimizer,
} from './lr-scheduler.js';

/** The options of {@link ConstantLR}, PyTorch's in camelCase (`total_iters`). */
export interface ConstantLROptions {
  /**
   * f, the factor on the rate until totalIters. In (0, 1]; default 1/3. PyTorch also takes 0,
   * then divides by it at totalIters.
   */
  factor?: number;
  /** Steps at the reduced rate (an integer >= 1); default 5. */
  totalIters?: number;
}

/**
 * Multiplies each group's learning rate by a constant factor for the first `totalIters` steps,
 * as PyTorch's `ConstantLR`:
 *
 *     η_0 = η · f,   η_t = η_{t−1} / f  at t = totalIters,  else η_{t−1}
 *     (alone: η_t = η₀ · f for t < totalIters, η₀ after)
 */
export class ConstantLR extends LRScheduler<Required<ConstantLROptions>> {
  constructor(optimizer: SchedulableOptimizer, options: ConstantLROptions = {}) {
    super(optimizer, resolveOptions('ConstantLR', { factor: 1 / 3, totalIters: 5 }, options));
    this.initialStep();
  }

  protected validateOptions(o: Required<ConstantLROptions>): void {
    checkUnitFactor('factor', o.factor);
    checkInteger('totalIters', o.totalIters, 1);
  }

  protected override getLr(): number[] {
    const { factor, totalIters } = this.options;
    const lrs = groupLrs(this.optimizer);
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * factor);
    if (this.lastEpoch !== totalIters) return lrs;
    return lrs.map((lr) => lr * (1 / factor));
  }

  protected override closedFormLr(): number[] {
    const { factor, totalIters } = this.options;
    const restored = this.lastEpoch >= totalIters ? 1 - factor : 0;
    return this.baseLrs.map((base) => base * (factor + restored));
  }
}
