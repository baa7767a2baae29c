import { checkFiniteNonNegative, checkOneOf, checkSafeInteger } from '../core/validate.js';
import {
  groupLrs,
  LRScheduler,
  numbersPerGroup,
  perGroup,
  resolveOptions,
  type SchedulableOptimizer,
} from './lr-scheduler.js';

/**
 * The options of {@link SWALR}, PyTorch's in camelCase (`swa_lr`, `anneal_epochs`,
 * `anneal_strategy`).
 */
export interface SWALROptions {
  /** The rate annealed to and then held, one for every group or one per group; finite, >= 0. */
  swaLr: number | readonly number[];
  /**
   * E, the steps (PyTorch: epochs) the annealing takes: an integer >= 0; default 10. With 0 the
   * constructor sets swaLr at once.
   */
  annealEpochs?: number;
  /** The shape of the annealing: 'cos' (half a cosine, the default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
}

const strategies = ['cos', 'linear'] as const;

/**
 * Anneals each group's learning rate to a fixed rate, swaLr, and holds it there, as PyTorch's
 * `torch.optim.swa_utils.SWALR`: the scheduler of stochastic weight averaging (with
 * {@link AveragedParams}), stepped once an epoch from the epoch averaging starts. With step t
 * (0 after construction), E = annealEpochs and a(x) = (1 − cos πx)/2 ('cos') or x ('linear'),
 *
 *     s = max(1, t) if E = 0, else t;   αₛ = a(clamp((s − 1)/max(1, E)));   α = a(clamp(s/max(1, E)))
 *     η₀ = η_swa if αₛ = 1, else (η − αₛ η_swa)/(1 − αₛ)        (the rate the annealing left)
 *     η ← α η_swa + (1 − α) η₀                                  (clamp to [0, 1]; η the group's lr)
 *
 * PyTorch's recursion, which recovers the rate the annealing started from out of the current one,
 * so another scheduler may have set it until then (the usual recipe: a schedule until the
 * averaging starts, SWALR after). PyTorch's t is `_step_count − 1`, the steps taken, which is
 * lastEpoch here; PyTorch also writes `swa_lr` into the groups, where descent keeps it in the
 * options.
 */
export class SWALR extends LRScheduler<Required<SWALROptions>> {
  constructor(optimizer: SchedulableOptimizer, options: SWALROptions) {
    super(
      optimizer,
      resolveOptions(
        'SWALR',
        { swaLr: undefined, annealEpochs: 10, annealStrategy: 'cos' },
        options,
      ),
    );
    this.initialStep();
  }

  protected validateOptions(o: Required<SWALROptions>): void {
    perGroup('swaLr', o.swaLr, this.optimizer, checkFiniteNonNegative);
    checkSafeInteger('annealEpochs', o.annealEpochs, 0);
    checkOneOf('annealStrategy', o.annealStrategy, strategies);
  }

  protected override getLr(): number[] {
    const { swaLr, annealEpochs: E, annealStrategy } = this.options;
    const swa = numbersPerGroup('swaLr', swaLr, this.optimizer);
    const anneal =
      annealStrategy === 'cos' ? (x: number) => (1 - Math.cos(Math.PI * x)) / 2 : (x: number) => x;
    const clamp = (x: number) => Math.max(0, Math.min(1, x));
    const s = E === 0 ? Math.max(1, this.lastEpoch) : this.lastEpoch;
    const previous = anneal(clamp((s - 1) / Math.max(1, E)));
    const alpha = anneal(clamp(s / Math.max(1, E)));
    return groupLrs(this.optimizer).map((lr, i) => {
      const start = previous === 1 ? swa[i] : (lr - previous * swa[i]) / (1 - previous);
      return swa[i] * alpha + start * (1 - alpha);
    });
  }
}
