import type { FloatArray } from '../core/param.js';
import {
  checkStoredNumber,
  decode,
  describeStored,
  isRecord,
  numberKinds,
} from '../core/serialize.js';
import { checkKnownOptions, checkSafeInteger } from '../core/validate.js';
import { firstNonFinite } from './clip-grad.js';
import { type Closure, checkGradient } from './optimizer.js';
import { describeParam, savedOption } from './param-arrays.js';
import { checkWrappable, paramsOf, type WrappableOptimizer } from './wrapped-optimizer.js';

/** The options of {@link skipNonFinite}, Optax's in camelCase (`max_consecutive_errors`). */
export interface SkipNonFiniteOptions {
  /**
   * How many steps in a row may be skipped for non-finite gradients: the next one throws. An
   * integer >= 0 (0: the first throws). Required, as Optax's `max_consecutive_errors` is.
   */
  maxConsecutive: number;
}

/** The state of a {@link SkipNonFinite} as plain JSON: what `stateDict` returns. */
export interface SkipNonFiniteStateDict {
  /** The inner optimizer's state dict. */
  optimizer: unknown;
  /** The steps in a row that may be skipped. */
  maxConsecutive: number;
  /** Steps skipped in a row, up to now (Optax's `notfinite_count`). */
  notfiniteCount: number;
  /** Whether the last step's gradients were finite (Optax's `last_finite`). */
  lastFinite: boolean;
  /** Steps skipped in all (Optax's `total_notfinite`). */
  totalNotfinite: number;
}

/**
 * An optimizer that skips the steps whose gradients are not finite, made by
 * {@link skipNonFinite}: Optax's `apply_if_finite`, for descent's optimizers.
 */
export class SkipNonFinite<O extends WrappableOptimizer = WrappableOptimizer> {
  /** The optimizer whose steps are taken when the gradients are finite. */
  readonly optimizer: O;
  /** The steps in a row that may be skipped; the next one throws (an integer >= 0). */
  maxConsecutive: number;
  /** Steps skipped in a row, up to now (Optax's `notfinite_count`). */
  notfiniteCount = 0;
  /** Whether the last step's gradients were finite (Optax's `last_finite`). */
  lastFinite = true;
  /** Steps skipped in all (Optax's `total_notfinite`). */
  totalNotfinite = 0;

  constructor(optimizer: O, options: SkipNonFiniteOptions) {
    checkWrappable(optimizer, 'skipNonFinite');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `Invalid options for skipNonFinite: ${String(options)} (expected an object with maxConsecutive)`,
      );
    }
    checkKnownOptions(options, ['maxConsecutive'], 'skipNonFinite');
    this.maxConsecutive = checkSafeInteger('maxConsecutive', options.maxConsecutive, 0);
    this.optimizer = optimizer;
  }

  /** The inner optimizer's groups: schedulers set their rates through these. */
  get paramGroups(): O['paramGroups'] {
    return this.optimizer.paramGroups;
  }

  /** The inner optimizer's options, which schedulers cycling momentum read. */
  get defaults(): O['defaults'] {
    return this.optimizer.defaults;
  }

  /**
   * Calls the closure, if given (its loss is returned), then checks every gradient. All finite:
   * the inner optimizer steps (a closure it calls again recomputes, as usual) and the count of
   * skipped steps in a row goes back to 0. A NaN or an infinity anywhere: nothing changes but the
   * counts (neither the parameters nor the inner optimizer's state), unless that makes more than
   * `maxConsecutive` in a row; then it throws a RangeError naming the parameter and the element,
   * and the counts stay as they were too.
   */
  step(closure?: Closure): number | undefined {
    const maxConsecutive = checkSafeInteger('maxConsecutive', this.maxConsecutive, 0);
    const loss = closure?.();
    const params = paramsOf(this.optimizer);
    const withGrad = params.filter((p) => {
      checkGradient(p);
      return p.grad !== null && p.grad !== undefined;
    });
    const found = firstNonFinite(withGrad.map((p) => p.grad as FloatArray));
    if (found === null) {
      let first = closure !== undefined;
      const result = this.optimizer.step(
        closure &&
          (() => {
            // The gradients of the closure's first call are in place: an optimizer calling it
            // first (they all do) gets that loss, and later calls recompute.
            if (!first) return closure();
            first = false;
            return loss as number;
          }),
      );
      this.notfiniteCount = 0;
      this.lastFinite = true;
      return result;
    }
    if (this.notfiniteCount >= maxConsecutive) {
      const p = withGrad[found.tensor];
      throw new RangeError(
        `Invalid gradient for ${describeParam(p, params.indexOf(p))}: ${found.value} at index ${found.index}, the ${this.notfiniteCount + 1}${ordinal(this.notfiniteCount + 1)} step in a row with a non-finite gradient (maxConsecutive ${maxConsecutive})`,
      );
    }
    this.notfiniteCount++;
    this.totalNotfinite++;
    this.lastFinite = false;
    return loss;
  }

  /** Clears the gradients, as the inner optimizer's `zeroGrad` does. */
  zeroGrad(setToNone = true): void {
    this.optimizer.zeroGrad(setToNone);
  }

  /** The inner optimizer's state dict, maxConsecutive and the counts, as plain JSON. */
  stateDict(): SkipNonFiniteStateDict {
    return {
      optimizer: this.optimizer.stateDict(),
      maxConsecutive: this.maxConsecutive,
      notfiniteCount: this.notfiniteCount,
      lastFinite: this.lastFinite,
      totalNotfinite: this.totalNotfinite,
    };
  }

  /**
   * Restores what `stateDict` returned (also after a JSON round trip). Everything is checked
   * before anything changes: maxConsecutive as the constructor checks it, the counts (and that
   * they agree: at most maxConsecutive in a row, no more in a row than in all, the last step
   * finite exactly when none is in a row), no other key, and then the inner optimizer's state
   * dict by the inner optimizer itself. On any mismatch it throws a TypeError or RangeError
   * naming it and nothing changes.
   */
  loadStateDict(stateDict: unknown): void {
    if (!isRecord(stateDict)) {
      throw new TypeError(
        `Invalid state dict: ${describeStored(stateDict)} (expected { optimizer, maxConsecutive, notfiniteCount, lastFinite, totalNotfinite })`,
      );
    }
    const { optimizer, ...own } = stateDict;
    if (!('optimizer' in stateDict)) throw new TypeError('Invalid state dict: missing optimizer');
    const saved = decode(own, 'stateDict') as Record<string, unknown>;
    const keys = ['maxConsecutive', 'notfiniteCount', 'lastFinite', 'totalNotfinite'];
    for (const key of Object.keys(saved)) {
      if (!keys.includes(key)) {
        throw new TypeError(`Invalid state dict: unknown key ${JSON.stringify(key)}`);
      }
    }
    const maxConsecutive = checkSafeInteger(
      'maxConsecutive',
      savedOption(saved, 'maxConsecutive'),
      0,
    );
    const count = (key: string) => checkStoredNumber(saved[key], numberKinds.count, key) as number;
    const notfiniteCount = count('notfiniteCount');
    const totalNotfinite = count('totalNotfinite');
    const { lastFinite } = saved;
    if (typeof lastFinite !== 'boolean') {
      throw new TypeError(
        `Invalid state dict: lastFinite is not true or false: ${describeStored(lastFinite)}`,
      );
    }
    if (notfiniteCount > maxConsecutive) {
      throw new RangeError(
        `Invalid state dict: notfiniteCount is ${notfiniteCount}, more than maxConsecutive ${maxConsecutive} (that step would have thrown)`,
      );
    }
    if (notfiniteCount > totalNotfinite) {
      throw new RangeError(
        `Invalid state dict: notfiniteCount is ${notfiniteCount}, more than totalNotfinite ${totalNotfinite}`,
      );
    }
    if (lastFinite !== (notfiniteCount === 0)) {
      throw new RangeError(
        `Invalid state dict: lastFinite is ${lastFinite} with notfiniteCount ${notfiniteCount} (the last step is finite exactly when none was skipped since)`,
      );
    }
    this.optimizer.loadStateDict(optimizer);
    this.maxConsecutive = maxConsecutive;
    this.notfiniteCount = notfiniteCount;
    this.lastFinite = lastFinite;
    this.totalNotfinite = totalNotfinite;
  }
}

function ordinal(n: number): string {
  if (n % 100 >= 11 && n % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

/**
 * Wraps an optimizer so that a step whose gradients hold a NaN or an infinity is skipped, as
 * Optax's `optax.apply_if_finite(inner, max_consecutive_errors)`: the parameters and the inner
 * optimizer's state stay as they were, and the step is counted (`notfiniteCount` in a row,
 * `totalNotfinite` in all, `lastFinite`; the counts are Optax's and are in the state dict). A
 * finite step resets the count in a row. Where Optax, inside a compiled update, applies the
 * update after `max_consecutive_errors` skips in a row, this throws: the step after
 * `maxConsecutive` skipped ones in a row, if its gradients are not finite either, throws a
 * RangeError naming the parameter and the element, changing nothing (neither the parameters,
 * the state nor the counts), so a run whose loss has diverged stops instead of training on NaN.
 *
 * Only the gradients are checked (as Optax checks the updates): a loss that is NaN with finite
 * gradients steps. The wrapper has the optimizer's methods and exposes its `paramGroups`, so
 * schedulers drive it; around a {@link Lookahead}, skipped steps do not count towards its k.
 *
 *     const optimizer = skipNonFinite(new AdamW(params), { maxConsecutive: 5 });
 */
export function skipNonFinite<O extends WrappableOptimizer>(
  optimizer: O,
  options: SkipNonFiniteOptions,
): SkipNonFinite<O> {
  return new SkipNonFinite(optimizer, options);
}
