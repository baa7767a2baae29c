import { type LambdaLROptions, lambdaFactors, lrLambdas } from './lambda-lr.js';
import {
  groupLrs,
  LRScheduler,
  resolveOptions,
  type SchedulableOptimizer,
} from './lr-scheduler.js';

/** The options of {@link MultiplicativeLR}: LambdaLR's, `lrLambda` giving each step's factor. */
export type MultiplicativeLROptions = LambdaLROptions;

/**
 * Multiplies each group's learning rate by a function of the epoch at every step, as PyTorch's
 * `MultiplicativeLR` (2.x: every step but the constructor's, also the step of a SequentialLR
 * milestone):
 *
 *     η_t = η_{t−1} · λ(t)
 *
 * `stateDict()` leaves the functions out, as PyTorch does.
 */
export class MultiplicativeLR extends LRScheduler<MultiplicativeLROptions> {
  constructor(optimizer: SchedulableOptimizer, options: MultiplicativeLROptions) {
    super(optimizer, resolveOptions('MultiplicativeLR', { lrLambda: undefined }, options));
    this.initialStep();
  }

  protected validateOptions(o: MultiplicativeLROptions): void {
    lrLambdas(this.optimizer, o.lrLambda);
  }

  protected override getLr(): number[] {
    const lrs = groupLrs(this.optimizer);
    if (this.isInitial) return lrs;
    const factors = lambdaFactors(lrLambdas(this.optimizer, this.options.lrLambda), this.lastEpoch);
    return lrs.map((lr, i) => lr * factors[i]);
  }
}
