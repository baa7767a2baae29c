import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import { numberKinds } from '../core/serialize.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { nadamKernel } from '../kernels/nadam.js';
import { decayScalars, MomentOptimizer, type MomentOptions } from './moments.js';
import {
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import {
  betasOption,
  decayOption,
  decoupledWeightDecayOption,
  epsOption,
  lrOption,
  maximizeOption,
  weightDecayOption,
} from './shared-options.js';
import { type StateDtypeOptions, stateDtypeOptions } from './state-dtype.js';

/** The options of {@link NAdam}, PyTorch's in camelCase; a group may override any of them. */
export interface NAdamOptions extends MomentOptions, StateDtypeOptions {
  /**
   * ψ, the pace at which the momentum coefficient warms up to β₁: μ_t = β₁ (1 − ½ · 0.96^(t ψ)).
   * Default 4e-3; finite, >= 0. PyTorch: `momentum_decay`.
   */
  momentumDecay: number;
  /**
   * Decay the weights directly, θ ← (1 − γ λ) θ, as AdamW does, instead of adding λ θ to the
   * gradient. Default false. PyTorch: `decoupled_weight_decay`.
   */
  decoupledWeightDecay: boolean;
}

/**
 * NAdam (Dozat: Adam with Nesterov momentum), as PyTorch 2.x's `torch.optim.NAdam`. The momentum
 * coefficient μ_t warms up over the steps at a pace set by momentumDecay.
 *
 *     g_t = ±∇f(θ_{t-1})                          (− when maximize)
 *     g_t ← g_t + λ θ_{t-1}                       (λ = weightDecay; coupled, the default)
 *     θ_{t-1} ← (1 − γ λ) θ_{t-1}                 (decoupledWeightDecay instead)
 *     μ_t = β₁ (1 − ½ · 0.96^(t ψ))               (ψ = momentumDecay)
 *     m_t = β₁ m_{t-1} + (1 − β₁) g_t             (m_0 = 0)
 *     v_t = β₂ v_{t-1} + (1 − β₂) g_t²            (v_0 = 0)
 *     θ_t = θ_{t-1} − γ [(1 − μ_t) g_t / (1 − ∏_{i≤t} μ_i) + μ_{t+1} m_t / (1 − ∏_{i≤t+1} μ_i)]
 *                   / (√(v_t / (1 − β₂ᵗ)) + ε)    (γ = lr, (β₁, β₂) = betas)
 *
 * State: step, muProduct (∏_{i≤t} μ_i), expAvg (m), expAvgSq (v).
 * Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0, momentumDecay 4e-3,
 * decoupledWeightDecay false, maximize false.
 */
export class NAdam extends MomentOptimizer<NAdamOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<NAdamOptions>({
    name: 'NAdam',
    kind: 'optimizer',
    summary: 'Adam with Nesterov momentum, whose coefficient warms up over the steps',
    reference: 'PyTorch 2.x torch.optim.NAdam',
    options: {
      lr: lrOption(2e-3),
      betas: betasOption(),
      eps: epsOption(1e-8, 'ε, added to the root of the second moment'),
      weightDecay: weightDecayOption(0, 'λ, an L2 penalty (or, decoupled, AdamW’s shrinking of θ)'),
      momentumDecay: decayOption(
        4e-3,
        'ψ, the pace at which the momentum coefficient warms up to β₁',
        'momentum_decay',
      ),
      decoupledWeightDecay: decoupledWeightDecayOption,
      maximize: maximizeOption,
      ...stateDtypeOptions,
    },
  });

  constructor(params: ParamsInput<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super(params, options, defaultsOf(NAdam.spec));
  }

  protected override initState(p: Param, group: ParamGroup<NAdamOptions>): ParamState {
    return { ...super.initState(p, group), muProduct: 1 };
  }

  /** muProduct, a product of factors in [0, 1), starts at 1; past 1 a step can divide by zero. */
  protected override stateSpec(p: Param, group: ParamGroup<NAdamOptions>): StateSpec {
    return { ...super.stateSpec(p, group), muProduct: stateEntry.number(numberKinds.unit) };
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<NAdamOptions>,
  ): void {
    const step = this.countStep(state);
    const [beta1, beta2] = group.betas;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * group.momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * group.momentumDecay));
    const muProduct = (state.muProduct as number) * mu;
    state.muProduct = muProduct;
    const { gradSign, weightDecay, paramDecay } = decayScalars(group);
    nadamKernel(
      p.data,
      grad,
      this.moment(p, state, group, 'expAvg'),
      this.moment(p, state, group, 'expAvgSq'),
      {
        gradSign,
        weightDecay,
        paramDecay,
        beta1,
        beta2,
        eps: group.eps,
        biasCorrection2: 1 - beta2 ** step,
        gradStep: (group.lr * (1 - mu)) / (1 - muProduct),
        expAvgStep: (group.lr * muNext) / (1 - muProduct * muNext),
      },
    );
  }
}
