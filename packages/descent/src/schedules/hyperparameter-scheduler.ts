import { checkFunction, checkKnownOptions } from '../core/validate.js';
import {
  checkReturned,
  groupLrs,
  LRScheduler,
  perGroup,
  type SchedulableOptimizer,
} from './lr-scheduler.js';
import type { Schedule } from './pure/schedule.js';

/**
 * Schedules per hyperparameter: a key of the optimizer's groups holding a number (lr, momentum,
 * weightDecay, eps, ...), or 'beta1' / 'beta2' for the entries of betas. Each takes one schedule
 * for every group or one per group. `K` is the names a given optimizer has (`Hyperparameter`).
 */
export type HyperparameterSchedules<K extends string = string> = Partial<
  Record<K, Schedule | readonly Schedule[]>
>;

/**
 * The hyperparameters of an optimizer whose defaults are `D` that a schedule may set: its
 * numeric options, and beta1 and beta2 when it has betas; any name when `D` does not say.
 */
export type Hyperparameter<D> = [keyof D] extends [never]
  ? string
  : string extends keyof D
    ? string
    :
        | { [K in keyof D]: D[K] extends number ? K : never }[keyof D & string]
        | (D extends {
            /** Adam's (β₁, β₂): each scheduled on its own, as beta1 and beta2. */
            betas: readonly number[];
          }
            ? 'beta1' | 'beta2'
            : never);

const betaIndex: Record<string, number> = { beta1: 0, beta2: 1 };

/**
 * The bridge from pure schedules to an optimizer: at step t it sets each scheduled
 * hyperparameter of each group to its schedule's value at t (absolute values, not factors):
 *
 *     new HyperparameterScheduler(optimizer, {
 *       lr: warmupCosineDecay({ peakValue: 0.1, warmupSteps: 100, totalSteps: 10_000 }),
 *       momentum: oneCycle({ initValue: 0.95, peakValue: 0.85, endValue: 0.95, totalSteps: 10_000 }),
 *     });
 *
 * Like every LRScheduler it sets step 0's values on construction and works inside SequentialLR
 * and ChainedScheduler. `betas` get a new array when beta1 or beta2 changes. Its state is just the
 * step count; the schedules are given again to the scheduler a state is loaded into.
 */
export class HyperparameterScheduler<
  D extends object = object,
> extends LRScheduler<HyperparameterSchedules> {
  constructor(
    optimizer: SchedulableOptimizer & { readonly defaults: D },
    schedules: HyperparameterSchedules<Hyperparameter<D>>,
  ) {
    super(optimizer, { ...schedules });
    this.initialStep();
  }

  protected validateOptions(o: HyperparameterSchedules): void {
    const keys = Object.keys(o);
    if (keys.length === 0) {
      throw new RangeError('Invalid schedules: {} (expected at least one hyperparameter)');
    }
    checkKnownOptions(o, this.hyperparameters(), 'HyperparameterScheduler');
    for (const key of keys) {
      this.optimizer.paramGroups.forEach((group, i) => {
        const present =
          key in betaIndex
            ? Array.isArray(group.betas) && typeof group.betas[betaIndex[key]] === 'number'
            : typeof group[key] === 'number';
        if (!present) {
          throw new TypeError(
            `Invalid ${key}: parameter group ${i} has no numeric ${key in betaIndex ? `betas[${betaIndex[key]}]` : key} to schedule`,
          );
        }
      });
      this.schedules(key, o[key]);
    }
  }

  protected override getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const values = Object.entries(this.options).map(
      ([key, schedules]) =>
        [key, this.schedules(key, schedules).map((s) => this.evaluate(key, s))] as const,
    );
    let lrs = groupLrs(this.optimizer);
    for (const [key, perGroupValues] of values) {
      if (key === 'lr') lrs = perGroupValues;
      else if (key in betaIndex) {
        groups.forEach((group, i) => {
          const betas = [...(group.betas as number[])];
          betas[betaIndex[key]] = perGroupValues[i];
          group.betas = betas;
        });
      } else {
        groups.forEach((group, i) => {
          group[key] = perGroupValues[i];
        });
      }
    }
    return lrs;
  }

  /**
   * What can be scheduled: every key holding a number in some group, and beta1 and beta2 where a
   * group has betas. A key no group has is an unknown option (likely a misspelling); one that
   * some groups lack is reported with the first group lacking it.
   */
  private hyperparameters(): string[] {
    const names = new Set<string>();
    for (const group of this.optimizer.paramGroups) {
      for (const [key, value] of Object.entries(group)) {
        if (typeof value === 'number') names.add(key);
      }
      if (Array.isArray(group.betas)) {
        for (const [name, index] of Object.entries(betaIndex)) {
          if (typeof group.betas[index] === 'number') names.add(name);
        }
      }
    }
    return [...names];
  }

  private schedules(key: string, value: unknown): Schedule[] {
    return perGroup(key, value, this.optimizer, (name, s) => {
      checkFunction(name, s);
      return s as Schedule;
    });
  }

  private evaluate(key: string, s: Schedule): number {
    return checkReturned(`${key} schedule`, s(this.lastEpoch), `step ${this.lastEpoch}`);
  }
}
