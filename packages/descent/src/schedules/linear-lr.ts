import { checkInRange, checkInteger } from '../core/validate.js';
import {
  checkUnitFactor,
  groupLrs,
  LRScheduler,
  resolveOptions,
  type SchedulableOptimizer,
} from './lr-scheduler.js';

/**
 * The options of {@link LinearLR}, PyTorch's in camelCase (`start_factor`, `end_factor`,
 * `total_iters`).
 */
export interface LinearLROptions {
  /** s, the factor on the rate at step 0. In (0, 1]; default 1/3. */
  startFactor?: number;
  /** e, the factor from totalIters on. In [0, 1]; default 1. */
  endFactor?: number;
  /** Steps to go from startFactor to endFactor (an integer >= 1); default 5. */
  totalIters?: number;
}

/**
 * Scales each group's learning rate by a factor going linearly from startFactor to endFactor over
 * `totalIters` steps, as PyTorch's `LinearLR` (the warmup of choice before another scheduler):
 *
 *     η_0 = η · s,   η_t = η_{t−1} · (1 + (e − s) / (T·s + (t − 1)(e − s)))  for 0 < t <= T
 *     (alone: η_t = η₀ · (s + (e − s) · min(t, T)/T))        (s, e = start/endFactor, T = totalIters)
 */
export class LinearLR extends LRScheduler<Required<LinearLROptions>> {
  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    super(
      optimizer,
      resolveOptions('LinearLR', { startFactor: 1 / 3, endFactor: 1, totalIters: 5 }, options),
    );
    this.initialStep();
  }

  protected validateOptions(o: Required<LinearLROptions>): void {
    checkUnitFactor('startFactor', o.startFactor);
    checkInRange('endFactor', o.endFactor, 0, 1, { closed: true });
    checkInteger('totalIters', o.totalIters, 1);
  }

  protected override getLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n } = this.options;
    const lrs = groupLrs(this.optimizer);
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * s);
    if (this.isInitial || this.lastEpoch > n) return lrs;
    return lrs.map((lr) => lr * (1 + (e - s) / (n * s + (this.lastEpoch - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n } = this.options;
    return this.baseLrs.map((base) => base * (s + ((e - s) * Math.min(n, this.lastEpoch)) / n));
  }
}
