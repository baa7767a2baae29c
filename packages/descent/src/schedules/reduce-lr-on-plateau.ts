import { numberKinds } from '../core/serialize.js';
import {
  checkInRange,
  checkInteger,
  checkNonNegative,
  checkOneOf,
  checkSafeInteger,
} from '../core/validate.js';
import {
  checkGroupRates,
  checkOptimizer,
  encodeState,
  groupLrs,
  numbersPerGroup,
  parseState,
  perGroup,
  resolveOptions,
  type SchedulableOptimizer,
  type SchedulerStateDict,
  type StateKinds,
} from './lr-scheduler.js';

/**
 * The options of {@link ReduceLROnPlateau}, PyTorch's in camelCase (`threshold_mode`, `min_lr`).
 */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should go down; 'max': up. Default 'min'. */
  mode?: 'min' | 'max';
  /** new lr = lr · factor, in [0, 1); default 0.1. */
  factor?: number;
  /** Bad epochs tolerated before reducing (an integer >= 0); default 10. */
  patience?: number;
  /** How much better counts as better (>= 0, relative or absolute: thresholdMode); default 1e-4. */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': than best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs after a reduction during which bad epochs are not counted; default 0. */
  cooldown?: number;
  /** Floor of the rate, one for every group or one per group; default 0. */
  minLr?: number | readonly number[];
  /** Reductions smaller than eps (>= 0) are skipped; default 1e-8. */
  eps?: number;
}

/**
 * The options with their defaults filled in.
 *
 * @inline
 */
type Options = Required<ReduceLROnPlateauOptions>;

/** What the counters of its state dict must be: best may be infinite (none yet), never NaN. */
const stateKinds: StateKinds = {
  lastEpoch: numberKinds.count,
  best: numberKinds.notNaN,
  numBadEpochs: numberKinds.count,
  cooldownCounter: numberKinds.count,
  lastLr: numberKinds.finite,
};

/** A step leaves numBadEpochs at most patience and cooldownCounter at most cooldown. */
function checkCounters(o: Options, state: Record<string, unknown>): void {
  for (const [key, bound] of [
    ['numBadEpochs', 'patience'],
    ['cooldownCounter', 'cooldown'],
  ] as const) {
    const value = state[key] as number;
    if (value > o[bound]) {
      throw new RangeError(
        `Invalid state dict: ${key} is ${value}, past ${bound} (${o[bound]}), which a step never leaves it`,
      );
    }
  }
}

/**
 * Reduces the learning rate when a metric stops improving, as PyTorch's `ReduceLROnPlateau`:
 * call `step(metric)` after each validation. A metric is better when (mode 'min') it is below
 * best·(1 − threshold) ('rel') or best − threshold ('abs'), ('max') above best·(1 + threshold)
 * or best + threshold. After more than `patience` epochs that are not better (not counted during
 * a cooldown), each group's rate becomes max(lr · factor, minLr), unless that changes it by no
 * more than eps; then `cooldown` epochs follow. A NaN metric counts as not better, as in PyTorch.
 */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' learning rates the scheduler reduces. */
  readonly optimizer: SchedulableOptimizer;
  /** Epochs seen (calls to step). */
  lastEpoch = 0;
  /** The best metric so far (±Infinity before the first). */
  best: number;
  /** Epochs in a row that were not better, outside cooldowns (PyTorch's num_bad_epochs). */
  numBadEpochs = 0;
  /** Epochs of cooldown left after the last reduction (PyTorch's cooldown_counter). */
  cooldownCounter = 0;
  /** The options with defaults filled in; loadStateDict restores them. */
  protected options: Options;
  /** The rates after the last step, one per group. */
  protected lastLr: number[];

  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    this.optimizer = checkOptimizer(optimizer);
    const o = resolveOptions<ReduceLROnPlateauOptions>(
      'ReduceLROnPlateau',
      {
        mode: 'min',
        factor: 0.1,
        patience: 10,
        threshold: 1e-4,
        thresholdMode: 'rel',
        cooldown: 0,
        minLr: 0,
        eps: 1e-8,
      },
      options,
    );
    this.validateOptions(o);
    checkGroupRates(this.optimizer, () => 'lr', stateKinds.lastLr);
    this.options = { ...o, minLr: Array.isArray(o.minLr) ? [...o.minLr] : o.minLr };
    this.best = o.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.lastLr = groupLrs(this.optimizer);
  }

  private validateOptions(o: Options): void {
    checkOneOf('mode', o.mode, ['min', 'max']);
    checkInRange('factor', o.factor, 0, 1);
    checkInteger('patience', o.patience, 0);
    checkNonNegative('threshold', o.threshold);
    checkOneOf('thresholdMode', o.thresholdMode, ['rel', 'abs']);
    // cooldownCounter, a count of the state, starts at it.
    checkSafeInteger('cooldown', o.cooldown, 0);
    perGroup('minLr', o.minLr, this.optimizer, checkNonNegative);
    checkNonNegative('eps', o.eps);
  }

  /** Records one epoch's metric and reduces the rates if it is time. */
  step(metric: number): void {
    if (typeof metric !== 'number') {
      throw new TypeError(`Invalid metric: ${String(metric)} (expected a number)`);
    }
    // Groups added since construction take a single minLr; a list must still fit (PyTorch 2.x).
    const minLrs = numbersPerGroup('minLr', this.options.minLr, this.optimizer);
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      this.optimizer.paramGroups.forEach((group, i) => {
        const old = group.lr as number;
        const reduced = Math.max(old * this.options.factor, minLrs[i]);
        if (old - reduced > this.options.eps) group.lr = reduced;
      });
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = groupLrs(this.optimizer);
  }

  /** The learning rates after the last step, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's state as plain JSON: its options and its counters. */
  stateDict(): SchedulerStateDict {
    return encodeState(this.options, this.state());
  }

  /** Restores what `stateDict` returned; checks everything first and throws on any mismatch. */
  loadStateDict(stateDict: unknown): void {
    const { options, state } = parseState(
      stateDict,
      { options: this.options, state: this.state() },
      (o) => this.validateOptions(o),
      stateKinds,
      checkCounters,
    );
    this.options = options;
    Object.assign(this, state);
  }

  private state(): Record<string, unknown> {
    return {
      lastEpoch: this.lastEpoch,
      best: this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastLr: this.lastLr,
    };
  }

  private isBetter(metric: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (mode === 'min') {
      return thresholdMode === 'rel'
        ? metric < this.best * (1 - threshold)
        : metric < this.best - threshold;
    }
    return thresholdMode === 'rel'
      ? metric > this.best * (threshold + 1)
      : metric > this.best + threshold;
  }
}
