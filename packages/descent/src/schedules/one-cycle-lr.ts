import {
  checkFiniteNonNegative,
  checkInteger,
  checkOneOf,
  checkPositive,
} from '../core/validate.js';
import {
  checkCycleMomentum,
  LRScheduler,
  momentumKey,
  numbersPerGroup,
  perGroup,
  resolveOptions,
  type SchedulableOptimizer,
  setMomentum,
  startCycleMomentum,
} from './lr-scheduler.js';
import { type CyclePoint, locatePhase, oneCyclePhases } from './pure/cyclic.js';
import { interpolate } from './pure/schedule.js';

/**
 * The options of {@link OneCycleLR}, PyTorch's in camelCase (`max_lr`, `total_steps`, `pct_start`,
 * `div_factor`, ...).
 */
export interface OneCycleLROptions {
  /** The peak rate (>= 0), one for every group or one per group. */
  maxLr: number | readonly number[];
  /** T, the steps in the cycle (an integer >= 1); default null: epochs · stepsPerEpoch. */
  totalSteps?: number | null;
  /** With stepsPerEpoch, when totalSteps is null: the epochs of the cycle (an integer >= 1). */
  epochs?: number | null;
  /** With epochs, when totalSteps is null: the batches of an epoch (an integer >= 1). */
  stepsPerEpoch?: number | null;
  /** Fraction of the steps spent going up; default 0.3. */
  pctStart?: number;
  /** How each phase anneals: along a half cosine ('cos') or a line ('linear'); default 'cos'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or betas[0]) inversely to the rate; default true. */
  cycleMomentum?: boolean;
  /** Momentum at the peak rate; default 0.85. */
  baseMomentum?: number | readonly number[];
  /** Momentum at the start and the end; default 0.95. */
  maxMomentum?: number | readonly number[];
  /** initialLr = maxLr / divFactor (> 0); default 25. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (> 0); default 1e4. */
  finalDivFactor?: number;
  /** Down to initialLr before going to minLr, as in the paper; default false. */
  threePhase?: boolean;
}

/**
 * The options with their defaults filled in.
 *
 * @inline
 */
type Options = Required<OneCycleLROptions>;

/** Group keys holding each corner of the cycle, for the rate and for momentum (PyTorch's). */
const lrKeys: Record<CyclePoint, string> = { init: 'initialLr', peak: 'maxLr', end: 'minLr' };
const momentumKeys: Record<CyclePoint, string> = {
  init: 'maxMomentum',
  peak: 'baseMomentum',
  end: 'maxMomentum',
};

function totalStepsOf(o: Options): number {
  if (o.totalSteps !== null) return checkInteger('totalSteps', o.totalSteps, 1);
  if (o.epochs === null || o.stepsPerEpoch === null) {
    throw new TypeError(
      `Invalid totalSteps: ${o.totalSteps} (give totalSteps, or epochs and stepsPerEpoch)`,
    );
  }
  return checkInteger('epochs', o.epochs, 1) * checkInteger('stepsPerEpoch', o.stepsPerEpoch, 1);
}

function groupNumber(group: Record<string, unknown>, key: string, i: number): number {
  const value = group[key];
  if (typeof value !== 'number') {
    throw new TypeError(
      `Invalid parameter group ${i}: ${key} is ${String(value)} (expected a number)`,
    );
  }
  return value;
}

/**
 * The 1cycle policy (Smith & Topin, 2019), as PyTorch's `OneCycleLR`, stepped after every batch:
 * the rate goes from initialLr = maxLr/divFactor up to maxLr by step pctStart·T − 1, then down
 * to minLr = initialLr/finalDivFactor by step T − 1 (T = totalSteps; with threePhase, back down
 * to initialLr by step 2·pctStart·T − 2 first). Each phase anneals from a to b as
 *
 *     'cos':    b + (a − b)/2 · (1 + cos πp)        'linear':  a + (b − a)·p
 *
 * with p the fraction of the phase done; momentum goes the opposite way between maxMomentum and
 * baseMomentum, into `momentum` or `betas[0]`. The corners are kept on the groups (initialLr,
 * maxLr, minLr, maxMomentum, baseMomentum) and read at every step, as PyTorch does. Stepping
 * past totalSteps throws a RangeError, as PyTorch does (it allows one step beyond the last, at
 * step T). The same values at any step, without an optimizer: the pure schedule `oneCycle`.
 */
export class OneCycleLR extends LRScheduler<Options> {
  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    super(
      optimizer,
      resolveOptions(
        'OneCycleLR',
        {
          maxLr: undefined,
          totalSteps: null,
          epochs: null,
          stepsPerEpoch: null,
          pctStart: 0.3,
          annealStrategy: 'cos',
          cycleMomentum: true,
          baseMomentum: 0.85,
          maxMomentum: 0.95,
          divFactor: 25,
          finalDivFactor: 1e4,
          threePhase: false,
        },
        options,
      ),
    );
    this.initialStep();
  }

  /** The corners of the cycle, maxLr, initialLr = maxLr/divFactor and minLr, are finite rates. */
  protected validateOptions(o: Options): void {
    oneCyclePhases(totalStepsOf(o), o.pctStart, o.threePhase);
    checkOneOf('annealStrategy', o.annealStrategy, ['cos', 'linear']);
    const maxLrs = perGroup('maxLr', o.maxLr, this.optimizer, checkFiniteNonNegative);
    checkPositive('divFactor', o.divFactor);
    checkPositive('finalDivFactor', o.finalDivFactor);
    for (const maxLr of maxLrs) {
      const initialLr = maxLr / o.divFactor;
      for (const [option, value, rate] of [
        ['divFactor', o.divFactor, initialLr],
        ['finalDivFactor', o.finalDivFactor, initialLr / o.finalDivFactor],
      ] as const) {
        if (!Number.isFinite(rate)) {
          throw new RangeError(
            `Invalid ${option}: ${value} (with maxLr ${maxLr} it makes a rate of ${rate}, expected a finite one)`,
          );
        }
      }
    }
    checkCycleMomentum(o, this.optimizer);
  }

  /** A step goes at most to totalSteps (the one beyond the last, as PyTorch allows). */
  protected override checkLoadedState(o: Options, state: Record<string, unknown>): void {
    const totalSteps = totalStepsOf(o);
    if ((state.lastEpoch as number) > totalSteps) {
      throw new RangeError(
        `Invalid state dict: lastEpoch is ${state.lastEpoch}, past totalSteps (${totalSteps})`,
      );
    }
  }

  protected override prepareGroups(): void {
    const o = this.options;
    const maxLrs = numbersPerGroup('maxLr', o.maxLr, this.optimizer);
    this.optimizer.paramGroups.forEach((group, i) => {
      const initialLr = maxLrs[i] / o.divFactor;
      group.initialLr = initialLr;
      group.maxLr = maxLrs[i];
      group.minLr = initialLr / o.finalDivFactor;
    });
    startCycleMomentum(o, this.optimizer);
  }

  protected override getLr(): number[] {
    const o = this.options;
    const totalSteps = totalStepsOf(o);
    if (this.lastEpoch > totalSteps) {
      throw new RangeError(
        `OneCycleLR stepped ${this.lastEpoch} times, past totalSteps (${totalSteps})`,
      );
    }
    const { phase, fraction } = locatePhase(
      this.lastEpoch,
      oneCyclePhases(totalSteps, o.pctStart, o.threePhase),
    );
    const shape = o.annealStrategy === 'cos' ? 'cosine' : 'linear';
    const anneal = (group: Record<string, unknown>, i: number, keys: Record<CyclePoint, string>) =>
      interpolate(
        shape,
        groupNumber(group, keys[phase.from], i),
        groupNumber(group, keys[phase.to], i),
        fraction,
      );
    const groups = this.optimizer.paramGroups;
    const lrs = groups.map((group, i) => anneal(group, i, lrKeys));
    if (o.cycleMomentum) {
      const key = momentumKey(this.optimizer, 'cycleMomentum');
      const momenta = groups.map((group, i) => anneal(group, i, momentumKeys));
      groups.forEach((group, i) => {
        setMomentum(group, key, momenta[i]);
      });
    }
    return lrs;
  }
}
