import { ChainedScheduler } from './chained-scheduler.js';
import { CompositeScheduler, checkSchedulers } from './composite-scheduler.js';
import { type LRScheduler, resolveOptions, type SchedulableOptimizer } from './lr-scheduler.js';
import { bisectRight, checkStepList } from './pure/schedule.js';

/** The options of {@link SequentialLR}. */
export interface SequentialLROptions {
  /** The schedulers, in order; all attached to the optimizer. */
  schedulers: LRScheduler[];
  /**
   * The steps at which each next scheduler takes over: strictly increasing integers >= 1, one
   * fewer than schedulers.
   */
  milestones: number[];
}

/**
 * Runs schedulers one after another, as PyTorch 2.x's `SequentialLR`: schedulers[0] until
 * milestones[0], then schedulers[1], restarted at its epoch 0 (from its closed form where it
 * has one), and so on. On construction it puts every group's lr back to its initialLr, undoes the
 * step each scheduler took when it was constructed, and redoes the first one's.
 *
 * A SequentialLR cannot hold a SequentialLR or a ChainedScheduler: PyTorch cannot restart one at
 * a milestone either (it raises NotImplementedError there).
 */
export class SequentialLR extends CompositeScheduler<SequentialLROptions> {
  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    super(
      optimizer,
      resolveOptions('SequentialLR', { schedulers: undefined, milestones: undefined }, options),
    );
    const { schedulers } = this.options;
    this.lastEpoch = 0;
    for (const group of this.optimizer.paramGroups) group.lr = group.initialLr;
    for (const scheduler of schedulers) scheduler.lastEpoch -= 1;
    SequentialLR.initialStepOf(schedulers[0]);
    this.lastLr = schedulers[0].getLastLr();
  }

  protected validateOptions(o: SequentialLROptions): void {
    const schedulers = checkSchedulers(
      o.schedulers,
      this.optimizer,
      (s) => !(s instanceof SequentialLR || s instanceof ChainedScheduler),
      'an LRScheduler other than SequentialLR and ChainedScheduler',
    );
    const milestones = checkStepList('milestones', o.milestones, { min: 1 });
    if (milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        `Invalid milestones: ${milestones.length} milestones for ${schedulers.length} schedulers (expected one fewer)`,
      );
    }
  }

  override step(): void {
    const { schedulers, milestones } = this.options;
    const epoch = this.lastEpoch + 1;
    const index = bisectRight(milestones, epoch);
    const scheduler = schedulers[index];
    if (index > 0 && milestones[index - 1] === epoch) SequentialLR.restartOf(scheduler);
    else scheduler.step();
    this.lastEpoch = epoch;
    this.lastLr = scheduler.getLastLr();
  }
}
