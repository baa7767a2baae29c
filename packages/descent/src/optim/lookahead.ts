import type { FloatArray, Param } from '../core/param.js';
import {
  checkStoredNumber,
  decode,
  describeStored,
  isRecord,
  type Json,
  numberKinds,
} from '../core/serialize.js';
import { checkInRange, checkKnownOptions, checkSafeInteger } from '../core/validate.js';
import type { Closure } from './optimizer.js';
import { checkFits, loadArrays, saveArrays, savedOption } from './param-arrays.js';
import { checkWrappable, paramsOf, type WrappableOptimizer } from './wrapped-optimizer.js';

/** The options of {@link Lookahead}, the paper's names. */
export interface LookaheadOptions {
  /** k, the inner optimizer's steps between two synchronizations: an integer >= 1. Default 5. */
  k?: number;
  /**
   * α, the slow weights' step towards the fast ones at a synchronization, in [0, 1]. Default
   * 0.5. (1 makes Lookahead the inner optimizer alone; 0 returns to the start every k steps.)
   */
  alpha?: number;
}

/** The state of a {@link Lookahead} as plain JSON: what `stateDict` returns. */
export interface LookaheadStateDict {
  /** The inner optimizer's state dict. */
  optimizer: unknown;
  /** k, the steps between synchronizations. */
  k: number;
  /** α, the slow weights' step size. */
  alpha: number;
  /** The inner steps taken so far. */
  stepCount: number;
  /**
   * φ, one array per parameter in the order of the inner optimizer's groups, encoded exactly;
   * null for a parameter added to the inner optimizer after the last step (it joins at the next).
   */
  slowWeights: Json[];
  /** The parameters' names, when every one has a distinct name: loading matches by them. */
  paramNames?: string[];
}

function checkOptions(k: unknown, alpha: unknown): void {
  checkSafeInteger('k', k, 1);
  checkInRange('alpha', alpha, 0, 1, { closed: true });
}

/**
 * Lookahead (Zhang, Lucas, Hinton and Ba 2019, "Lookahead Optimizer: k steps forward, 1 step
 * back", Algorithm 1) around any descent optimizer A, the fast one: it keeps slow weights φ,
 * lets A take k steps from them, then moves φ part of the way to where A went and starts A again
 * from there. With θ the parameters (the fast weights) and t the steps taken,
 *
 *     φ ← θ                                     (on construction: φ₀ = θ₀)
 *     each step:  θ ← θ + A(∇f(θ)),   t ← t + 1   (the inner optimizer's step)
 *     when k divides t:  φ ← φ + α(θ − φ),   θ ← φ
 *
 * Every parameter of the inner optimizer's groups is synchronized, also one without a gradient
 * at that step. The inner optimizer keeps its own state (momenta, moments) across
 * synchronizations, as PyTorch's Lookahead wrappers do. The slow weights are the parameters'
 * values when Lookahead is built, as the algorithm's φ₀ = θ₀ (timm's wrapper, for one, takes them
 * at the first synchronization instead, which then leaves the parameters where they are); a
 * parameter added to the inner optimizer later (`lookahead.optimizer.addParamGroup`) takes its
 * values at its first step.
 *
 * Schedulers drive it like an optimizer: `paramGroups` and `defaults` are the inner optimizer's
 * (as the usual PyTorch wrappers expose them), so `new CosineAnnealingLR(lookahead, ...)` sets
 * the inner rate. `stateDict()` holds the inner optimizer's state dict, the slow weights and the
 * step count; `loadStateDict()` checks all of it before anything changes. k and α may be
 * changed between steps; the next step checks them.
 *
 *     const optimizer = new Lookahead(new Adam(params, { lr: 1e-3 }), { k: 5, alpha: 0.5 });
 */
export class Lookahead<O extends WrappableOptimizer = WrappableOptimizer> {
  /** A, the inner (fast) optimizer. */
  readonly optimizer: O;
  /** k, the inner steps between synchronizations (an integer >= 1). */
  k: number;
  /** α, the slow weights' step size, in [0, 1]. */
  alpha: number;
  /** The inner steps taken so far; a synchronization follows each multiple of k. */
  stepCount = 0;
  /** φ, the slow weights of each parameter. */
  readonly slowWeights = new Map<Param, FloatArray>();

  constructor(optimizer: O, options: LookaheadOptions = {}) {
    checkWrappable(optimizer, 'Lookahead');
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`Invalid options for Lookahead: ${String(options)} (expected an object)`);
    }
    checkKnownOptions(options, ['k', 'alpha'], 'Lookahead');
    const { k = 5, alpha = 0.5 } = options;
    checkOptions(k, alpha);
    const params = paramsOf(optimizer);
    checkFits(params, [], 'slow weights');
    this.optimizer = optimizer;
    this.k = k;
    this.alpha = alpha;
    for (const p of params) this.slowWeights.set(p, p.data.slice());
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
   * One inner step (with the closure, if given; its loss is returned), then, every k-th step,
   * the synchronization. Everything the synchronization needs (k, α, each parameter's values of
   * its slow weights' type and length) is checked before the inner step, so a step that throws
   * changes nothing.
   */
  step(closure?: Closure): number | undefined {
    checkOptions(this.k, this.alpha);
    const params = paramsOf(this.optimizer);
    const slow = params.map((p) => this.slowWeights.get(p));
    const synchronize = (this.stepCount + 1) % this.k === 0;
    checkFits(params, slow, 'slow weights');
    const joining = params.flatMap((p, i) => (slow[i] === undefined ? [p.data.slice()] : []));
    const loss = this.optimizer.step(closure);
    let j = 0;
    params.forEach((p, i) => {
      if (slow[i] === undefined) {
        slow[i] = joining[j++];
        this.slowWeights.set(p, slow[i]);
      }
    });
    this.stepCount++;
    if (synchronize) {
      const alpha = this.alpha;
      params.forEach((p, k) => {
        const phi = slow[k] as FloatArray;
        const theta = p.data;
        for (let i = 0; i < phi.length; i++) {
          phi[i] = phi[i] + alpha * (theta[i] - phi[i]);
          theta[i] = phi[i];
        }
      });
    }
    return loss;
  }

  /** Clears the gradients, as the inner optimizer's `zeroGrad` does. */
  zeroGrad(setToNone = true): void {
    this.optimizer.zeroGrad(setToNone);
  }

  /** The inner optimizer's state dict, k, α, the step count and the slow weights, as plain JSON. */
  stateDict(): LookaheadStateDict {
    const params = paramsOf(this.optimizer);
    const { arrays, paramNames } = saveArrays(
      params,
      params.map((p) => this.slowWeights.get(p) ?? null),
    );
    const dict: LookaheadStateDict = {
      optimizer: this.optimizer.stateDict(),
      k: this.k,
      alpha: this.alpha,
      stepCount: this.stepCount,
      slowWeights: arrays,
    };
    if (paramNames !== undefined) dict.paramNames = paramNames;
    return dict;
  }

  /**
   * Restores what `stateDict` returned (also after a JSON round trip). Everything is checked
   * before anything changes: k and α as the constructor checks them, the step count, one slow
   * weight array (or null) per parameter of its element type and length (by name when all
   * parameters have distinct names, else by position), no other key, and then the inner
   * optimizer's state dict by the inner optimizer itself. On any mismatch it throws a TypeError
   * or RangeError naming it and nothing changes.
   */
  loadStateDict(stateDict: unknown): void {
    if (!isRecord(stateDict)) {
      throw new TypeError(
        `Invalid state dict: ${describeStored(stateDict)} (expected { optimizer, k, alpha, stepCount, slowWeights })`,
      );
    }
    const { optimizer, ...own } = stateDict;
    if (!('optimizer' in stateDict)) throw new TypeError('Invalid state dict: missing optimizer');
    const saved = decode(own, 'stateDict') as Record<string, unknown>;
    for (const key of Object.keys(saved)) {
      if (!['k', 'alpha', 'stepCount', 'slowWeights', 'paramNames'].includes(key)) {
        throw new TypeError(`Invalid state dict: unknown key ${JSON.stringify(key)}`);
      }
    }
    const k = savedOption(saved, 'k') as number;
    const alpha = savedOption(saved, 'alpha') as number;
    checkOptions(k, alpha);
    const stepCount = checkStoredNumber(saved.stepCount, numberKinds.count, 'stepCount') as number;
    const params = paramsOf(this.optimizer);
    const slow = loadArrays(saved.slowWeights, saved.paramNames, params, 'slowWeights', true);
    this.optimizer.loadStateDict(optimizer);
    this.k = k;
    this.alpha = alpha;
    this.stepCount = stepCount;
    this.slowWeights.clear();
    params.forEach((p, i) => {
      const phi = slow[i];
      if (phi !== null) this.slowWeights.set(p, phi);
    });
  }
}
