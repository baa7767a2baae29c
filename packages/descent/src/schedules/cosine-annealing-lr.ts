import { checkFiniteNonNegative, checkInteger } from '../core/validate.js';
import {
  groupLrs,
  LRScheduler,
  resolveOptions,
  type SchedulableOptimizer,
} from './lr-scheduler.js';

/** The options of {@link CosineAnnealingLR}, PyTorch's in camelCase (`T_max`, `eta_min`). */
export interface CosineAnnealingLROptions {
  /** T, the steps of the half cosine, from the initial rate down to etaMin (an integer >= 1). */
  TMax: number;
  /** η_min, the rate at the bottom of the cosine (>= 0); default 0. */
  etaMin?: number;
}

/**
 * Anneals each group's learning rate along a cosine from its initial value to etaMin over TMax
 * steps, as PyTorch's `CosineAnnealingLR`, in PyTorch's recursive (chainable) form:
 *
 *     η_t = η_min + (η_{t−1} − η_min) · (1 + cos(πt/T)) / (1 + cos(π(t − 1)/T))
 *     η_t = η_{t−1} + (η₀ − η_min)(1 − cos(π/T))/2      when (t − 1 − T) mod 2T = 0
 *     (alone: η_t = η_min + (η₀ − η_min)(1 + cos(πt/T))/2, rising again after T)   (T = TMax)
 */
export class CosineAnnealingLR extends LRScheduler<Required<CosineAnnealingLROptions>> {
  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    super(optimizer, resolveOptions('CosineAnnealingLR', { TMax: undefined, etaMin: 0 }, options));
    this.initialStep();
  }

  protected validateOptions(o: Required<CosineAnnealingLROptions>): void {
    checkInteger('TMax', o.TMax, 1);
    // The rate anneals towards etaMin: an infinite one makes it infinite.
    checkFiniteNonNegative('etaMin', o.etaMin);
  }

  protected override getLr(): number[] {
    const { TMax: T, etaMin } = this.options;
    const t = this.lastEpoch;
    const lrs = groupLrs(this.optimizer);
    if (this.isInitial) return lrs;
    if ((t - 1 - T) % (2 * T) === 0) {
      return lrs.map(
        (lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2,
      );
    }
    return lrs.map(
      (lr) =>
        ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) *
          (lr - etaMin) +
        etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    const { TMax: T, etaMin } = this.options;
    return this.baseLrs.map(
      (base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / T))) / 2,
    );
  }
}
