import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { radamKernel } from '../kernels/radam.js';
import { decayScalars, MomentOptimizer, type MomentOptions } from './moments.js';
import type { ParamGroup, ParamState, ParamsInput } from './optimizer.js';
import {
  betasOption,
  decoupledWeightDecayOption,
  epsOption,
  lrOption,
  maximizeOption,
  weightDecayOption,
} from './shared-options.js';
import { type StateDtypeOptions, stateDtypeOptions } from './state-dtype.js';

/** The options of {@link RAdam}, PyTorch's in camelCase; a group may override any of them. */
export interface RAdamOptions extends MomentOptions, StateDtypeOptions {
  /**
   * Decay the weights directly, θ ← (1 − γ λ) θ, as AdamW does, instead of adding λ θ to the
   * gradient. Default false. PyTorch: `decoupled_weight_decay`.
   */
  decoupledWeightDecay: boolean;
}

/**
 * RAdam (Liu et al.: rectified Adam), as PyTorch 2.x's `torch.optim.RAdam`. While the second
 * moment rests on too few steps for its variance to be trusted (ρ_t ≤ 5) the step is momentum SGD;
 * afterwards it is Adam's, scaled by the rectification r_t.
 *
 *     g_t = ±∇f(θ_{t-1})                          (− when maximize)
 *     g_t ← g_t + λ θ_{t-1}                       (λ = weightDecay; coupled, the default)
 *     θ_{t-1} ← (1 − γ λ) θ_{t-1}                 (decoupledWeightDecay instead)
 *     m_t = β₁ m_{t-1} + (1 − β₁) g_t             (m_0 = 0)
 *     v_t = β₂ v_{t-1} + (1 − β₂) g_t²            (v_0 = 0)
 *     ρ_∞ = 2 / (1 − β₂) − 1,   ρ_t = ρ_∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
 *     r_t = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))
 *     θ_t = θ_{t-1} − γ m_t / (1 − β₁ᵗ) · r_t √(1 − β₂ᵗ) / (√v_t + ε)   if ρ_t > 5
 *     θ_t = θ_{t-1} − γ m_t / (1 − β₁ᵗ)                                  otherwise
 *                                                  (γ = lr, (β₁, β₂) = betas)
 *
 * State: step, expAvg (m), expAvgSq (v).
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0, decoupledWeightDecay false,
 * maximize false.
 */
export class RAdam extends MomentOptimizer<RAdamOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<RAdamOptions>({
    name: 'RAdam',
    kind: 'optimizer',
    summary: 'Adam rectified: momentum SGD until the second moment’s variance can be trusted',
    reference: 'PyTorch 2.x torch.optim.RAdam',
    options: {
      lr: lrOption(1e-3),
      betas: betasOption(),
      eps: epsOption(1e-8, 'ε, added to the root of the second moment'),
      weightDecay: weightDecayOption(0, 'λ, an L2 penalty (or, decoupled, AdamW’s shrinking of θ)'),
      decoupledWeightDecay: decoupledWeightDecayOption,
      maximize: maximizeOption,
      ...stateDtypeOptions,
    },
  });

  constructor(params: ParamsInput<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super(params, options, defaultsOf(RAdam.spec));
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<RAdamOptions>,
  ): void {
    const step = this.countStep(state);
    const [beta1, beta2] = group.betas;
    const biasCorrection2 = 1 - beta2 ** step;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rho = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
    const { gradSign, weightDecay, paramDecay } = decayScalars(group);
    radamKernel(
      p.data,
      grad,
      this.moment(p, state, group, 'expAvg'),
      this.moment(p, state, group, 'expAvgSq'),
      {
        gradSign,
        weightDecay,
        paramDecay,
        lr: group.lr,
        beta1,
        beta2,
        eps: group.eps,
        biasCorrection1: 1 - beta1 ** step,
        biasCorrection2Sqrt: Math.sqrt(biasCorrection2),
        rect:
          rho > 5
            ? Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho))
            : 0,
      },
    );
  }
}
