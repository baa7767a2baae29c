import { checkFiniteNonNegative, checkInteger } from '../core/validate.js';
import {
  groupLrs,
  LRScheduler,
  resolveOptions,
  type SchedulableOptimizer,
} from './lr-scheduler.js';

/** The options of {@link PolynomialLR}, PyTorch's in camelCase (`total_iters`). */
export interface PolynomialLROptions {
  /** T, the steps of decay to 0 (an integer >= 1); default 5. */
  totalIters?: number;
  /** p, the power of the decay (>= 0; 1 is linear); default 1. */
  power?: number;
}

/**
 * Decays each group's learning rate polynomially to 0 over `totalIters` steps, as PyTorch's
 * `PolynomialLR`:
 *
 *     η_t = η_{t−1} · ((1 − t/T) / (1 − (t − 1)/T))^p  for 0 < t <= T, else η_{t−1}
 *     (alone: η_t = η₀ · (1 − min(t, T)/T)^p)        (T = totalIters, p = power)
 */
export class PolynomialLR extends LRScheduler<Required<PolynomialLROptions>> {
  constructor(optimizer: SchedulableOptimizer, options: PolynomialLROptions = {}) {
    super(optimizer, resolveOptions('PolynomialLR', { totalIters: 5, power: 1 }, options));
    this.initialStep();
  }

  protected validateOptions(o: Required<PolynomialLROptions>): void {
    checkInteger('totalIters', o.totalIters, 1);
    // The closed form raises 1 to the power at step 0: 1^Infinity is NaN.
    checkFiniteNonNegative('power', o.power);
  }

  protected override getLr(): number[] {
    const { totalIters: n, power } = this.options;
    const lrs = groupLrs(this.optimizer);
    if (this.isInitial || this.lastEpoch > n) return lrs;
    const factor = ((1 - this.lastEpoch / n) / (1 - (this.lastEpoch - 1) / n)) ** power;
    return lrs.map((lr) => lr * factor);
  }

  protected override closedFormLr(): number[] {
    const { totalIters: n, power } = this.options;
    return this.baseLrs.map((base) => base * (1 - Math.min(n, this.lastEpoch) / n) ** power);
  }
}
