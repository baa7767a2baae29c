import type { Param } from '../core/param.js';
import { checkWeightDecay } from '../core/validate.js';
import type { DecayScalars } from '../kernels/adam.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import type { MomentSigns } from './state-dtype.js';

/** Options every optimizer of the Adam family takes, PyTorch's in camelCase. */
export interface MomentOptions {
  /**
   * The learning rate γ. Default 1e-3 (Adam, AdamW, RAdam), 2e-3 (NAdam), 1e-2 (Yogi); finite,
   * >= 0.
   */
  lr: number;
  /**
   * (β₁, β₂): the decay rates of the running means of the gradient (first moment) and of its
   * square (second moment); 1 / (1 − β) steps is about their memory. Default [0.9, 0.999]; each
   * in [0, 1).
   */
  betas: [number, number];
  /**
   * ε, added to the root of the second moment (outside the square root, as in PyTorch), so that a
   * coordinate with tiny gradients does not take huge steps. Default 1e-8 (Yogi: 1e-3, the
   * book's); finite, >= 0.
   */
  eps: number;
  /**
   * λ: an L2 penalty, λ θ added to the gradient, or, with decoupled weight decay (AdamW), a
   * shrinking of θ by (1 − γ λ) before the step. Default 0 (AdamW: 1e-2); finite, >= 0, with
   * lr · weightDecay <= 1. PyTorch: `weight_decay`.
   */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign flips). Default false. */
  maximize: boolean;
}

/**
 * Base of the Adam family (Adam, AdamW, NAdam, RAdam, Yogi): the options they share, and the
 * per-parameter state they all keep: a step count and first and second moments, `expAvg` and
 * `expAvgSq`, zero at first.
 */
export abstract class MomentOptimizer<O extends MomentOptions> extends Optimizer<O> {
  /**
   * The moments `stateDtype` stores (state-dtype.ts), for the family's optimizers that take it:
   * the first (signed) and the second (unsigned).
   */
  static readonly moments: MomentSigns = { expAvg: 'signed', expAvgSq: 'unsigned' };

  /**
   * Checks every option against the spec of the optimizer's class (each of the family declares
   * its own, `Adam.spec`), and weight decay against the learning rate.
   */
  protected override validateOptions(o: O): void {
    checkWeightDecay(o.weightDecay, o.lr);
  }

  /** A zero step count and zero moments, shaped like the parameter. */
  protected override initState(p: Param, group: ParamGroup<O>): ParamState {
    return {
      step: 0,
      ...this.momentZeros(p, group, 'expAvg'),
      ...this.momentZeros(p, group, 'expAvgSq'),
    };
  }

  protected override stateSpec(p: Param, group: ParamGroup<O>): StateSpec {
    return {
      step: stateEntry.count,
      ...this.momentSpec(p, group, 'expAvg'),
      ...this.momentSpec(p, group, 'expAvgSq'),
    };
  }
}

/** How maximize and weight decay, coupled (L2) or decoupled (AdamW), enter a kernel. */
export function decayScalars(
  group: MomentOptions & { decoupledWeightDecay?: boolean },
): DecayScalars {
  const decoupled = group.decoupledWeightDecay === true;
  return {
    gradSign: group.maximize ? -1 : 1,
    weightDecay: decoupled ? 0 : group.weightDecay,
    paramDecay: decoupled ? 1 - group.lr * group.weightDecay : 1,
  };
}
