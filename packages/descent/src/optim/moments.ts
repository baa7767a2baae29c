import type { Param } from '../core/param.js';
import { checkBetas, checkBoolean, checkLrEpsDecay } from '../core/validate.js';
import type { DecayScalars } from '../kernels/adam.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type StateSpec,
  stateEntry,
} from './optimizer.js';

/** Options every optimizer of the Adam family takes. */
export interface MomentOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * Base of the Adam family (Adam, AdamW, NAdam, RAdam, Yogi): the options they share, and the
 * per-parameter state they all keep: a step count and first and second moments, `expAvg` and
 * `expAvgSq`, zero at first.
 */
export abstract class MomentOptimizer<O extends MomentOptions> extends Optimizer<O> {
  protected validateOptions(o: O): void {
    checkLrEpsDecay(o);
    checkBetas(o.betas);
    checkBoolean('maximize', o.maximize);
  }

  protected override initState(p: Param, _group: ParamGroup<O>): ParamState {
    return { step: 0, expAvg: this.zerosLike(p), expAvgSq: this.zerosLike(p) };
  }

  protected override stateSpec(_p: Param, _group: ParamGroup<O>): StateSpec {
    return {
      step: stateEntry.count,
      expAvg: stateEntry.array(),
      expAvgSq: stateEntry.array({ nonNegative: true }),
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
