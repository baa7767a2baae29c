import { CompositeScheduler, checkSchedulers } from './composite-scheduler.js';
import { groupLrs, type LRScheduler, type SchedulableOptimizer } from './lr-scheduler.js';

/**
 * Steps several schedulers together, as PyTorch's `ChainedScheduler`: each `step()` steps every
 * scheduler in order, so chainable schedulers compose their factors (ConstantLR with
 * ExponentialLR gives η₀ · f · γ^t while ConstantLR holds). The optimizer defaults to the first
 * scheduler's; all must share it.
 */
export class ChainedScheduler extends CompositeScheduler<{
  /** The schedulers stepped together, in order. */
  schedulers: LRScheduler[];
}> {
  constructor(schedulers: readonly LRScheduler[], optimizer?: SchedulableOptimizer) {
    const list = checkSchedulers(schedulers, undefined);
    super(optimizer ?? list[0].optimizer, { schedulers: list });
    this.lastEpoch = 0;
    this.lastLr = groupLrs(this.optimizer);
  }

  protected validateOptions(o: { schedulers: LRScheduler[] }): void {
    checkSchedulers(o.schedulers, this.optimizer);
  }

  override step(): void {
    for (const scheduler of this.options.schedulers) scheduler.step();
    this.lastEpoch += 1;
    this.lastLr = groupLrs(this.optimizer);
  }
}
