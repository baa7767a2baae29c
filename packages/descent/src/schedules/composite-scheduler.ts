import { describeStored, isRecord } from '../core/serialize.js';
import { checkArray } from '../core/validate.js';
import { LRScheduler, type SchedulableOptimizer, type SchedulerStateDict } from './lr-scheduler.js';

/**
 * Checks the schedulers a composite holds: a non-empty list of LRSchedulers (ReduceLROnPlateau,
 * which steps on a metric, is not one) attached to `optimizer` when given, and accepted by
 * `accept`, which `expected` describes.
 */
export function checkSchedulers(
  value: unknown,
  optimizer: SchedulableOptimizer | undefined,
  accept: (scheduler: LRScheduler) => boolean = () => true,
  expected = 'an LRScheduler',
): LRScheduler[] {
  const list = checkArray('schedulers', value);
  if (list.length === 0) throw new RangeError('Invalid schedulers: [] (expected at least one)');
  list.forEach((s, i) => {
    if (!(s instanceof LRScheduler) || !accept(s)) {
      const name = isRecord(s) ? s.constructor.name : String(s);
      throw new TypeError(`Invalid schedulers[${i}]: ${name} (expected ${expected})`);
    }
    if (optimizer !== undefined && s.optimizer !== optimizer) {
      throw new RangeError(
        `Invalid schedulers[${i}]: ${s.constructor.name} is attached to another optimizer`,
      );
    }
  });
  return list as LRScheduler[];
}

/**
 * Base of SequentialLR and ChainedScheduler: schedulers that step other schedulers. Their state
 * dict holds their own counters and each child's state dict under `schedulers`; loading checks
 * every part before changing any.
 */
export abstract class CompositeScheduler<
  O extends {
    /** The schedulers the composite steps. */
    schedulers: LRScheduler[];
  },
> extends LRScheduler<O> {
  /** The composite's own state, with each child's state dict, in order, under `schedulers`. */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), schedulers: this.options.schedulers.map((s) => s.stateDict()) };
  }

  protected override prepareLoad(stateDict: unknown): () => void {
    if (!isRecord(stateDict)) {
      throw new TypeError(`Invalid state dict: ${describeStored(stateDict)} (expected an object)`);
    }
    const { schedulers: saved, ...own } = stateDict;
    if (!Array.isArray(saved)) {
      throw new TypeError(
        `Invalid state dict: schedulers is ${describeStored(saved)} (expected a list of state dicts)`,
      );
    }
    const children: unknown[] = saved;
    const { schedulers } = this.options;
    if (children.length !== schedulers.length) {
      throw new RangeError(
        `Invalid state dict: ${children.length} scheduler states for ${schedulers.length} schedulers`,
      );
    }
    const commits = [
      super.prepareLoad(own),
      ...schedulers.map((s, i) => LRScheduler.prepareLoadOf(s, children[i])),
    ];
    return () => {
      for (const commit of commits) commit();
    };
  }
}
