import { checkBoolean } from '../core/validate.js';
import { Adam, type AdamOptions } from './adam.js';
import type { ParamsInput } from './optimizer.js';

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
  constructor(params: ParamsInput<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super(params, { weightDecay: 1e-2, decoupledWeightDecay: true, ...options });
  }

  protected override validateOptions(o: AdamOptions): void {
    super.validateOptions(o);
    if (!checkBoolean('decoupledWeightDecay', o.decoupledWeightDecay)) {
      throw new RangeError(
        'Invalid decoupledWeightDecay: false (AdamW always decouples weight decay; use Adam)',
      );
    }
  }
}
