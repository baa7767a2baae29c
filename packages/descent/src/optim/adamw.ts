import { defineSpec } from '../core/options.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { Adam, type AdamOptions } from './adam.js';
import type { ParamsInput } from './optimizer.js';
import {
  betasOption,
  epsOption,
  flagOption,
  lrOption,
  maximizeOption,
  weightDecayOption,
} from './shared-options.js';
import { stateDtypeOptions } from './state-dtype.js';

/** AdamW's options: Adam's, whose weight decay is always decoupled. */
export type AdamWOptions = Omit<AdamOptions, 'decoupledWeightDecay'>;

/**
 * AdamW, as PyTorch 2.x's `torch.optim.AdamW`: `Adam` with `decoupledWeightDecay` always on, so
 * each step first shrinks the parameter, θ ← (1 − γ λ) θ, and the moments see the bare gradient
 * (equations in `Adam`).
 *
 * State: step, expAvg, expAvgSq, maxExpAvgSq (with amsgrad).
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2, amsgrad false, maximize false.
 */
export class AdamW extends Adam {
  /**
   * Adam's options with AdamW's defaults; decoupledWeightDecay is accepted, as Adam's, but only
   * true.
   */
  static override readonly spec: AlgorithmSpec = defineSpec<AdamOptions>({
    name: 'AdamW',
    kind: 'optimizer',
    summary: 'Adam whose weight decay shrinks the parameter instead of joining the gradient',
    reference: 'PyTorch 2.x torch.optim.AdamW',
    options: {
      lr: lrOption(1e-3),
      betas: betasOption(),
      eps: epsOption(1e-8, 'ε, added to the root of the second moment'),
      weightDecay: weightDecayOption(1e-2, 'λ: each step first shrinks θ by (1 − γλ)'),
      amsgrad: flagOption('AMSGrad: divide by the largest second moment so far', 'amsgrad'),
      maximize: maximizeOption,
      // Not one of PyTorch's AdamW options: Adam's, which AdamW is with it on.
      decoupledWeightDecay: {
        summary: 'always true: AdamW is Adam with decoupled weight decay',
        type: 'boolean',
        default: true,
        fixed: 'AdamW always decouples weight decay; use Adam',
      },
      ...stateDtypeOptions,
    },
  });

  constructor(params: ParamsInput<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super(params, options);
  }
}
