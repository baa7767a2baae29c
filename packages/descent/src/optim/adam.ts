import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { adamKernel } from '../kernels/adam.js';
import { decayScalars, MomentOptimizer, type MomentOptions } from './moments.js';
import {
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateDict,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import {
  betasOption,
  decoupledWeightDecayOption,
  epsOption,
  flagOption,
  lrOption,
  maximizeOption,
  weightDecayOption,
} from './shared-options.js';
import { type MomentSigns, type StateDtypeOptions, stateDtypeOptions } from './state-dtype.js';

/**
 * The options of {@link Adam} and {@link AdamW}, PyTorch's in camelCase; a group may override any
 * of them.
 */
export interface AdamOptions extends MomentOptions, StateDtypeOptions {
  /**
   * AMSGrad (Reddi et al.): divide by the largest second moment so far, so that a coordinate's
   * step never grows because its gradients shrank. Default false.
   */
  amsgrad: boolean;
  /**
   * Decay the weights directly, θ ← (1 − γ λ) θ, instead of adding λ θ to the gradient, where
   * the adaptive scaling would weaken it for coordinates with large gradients (Loshchilov and
   * Hutter): that is AdamW. Default false. PyTorch: `decoupled_weight_decay`.
   */
  decoupledWeightDecay: boolean;
}

/**
 * Adam, with its AMSGrad variant, as PyTorch 2.x's `torch.optim.Adam`. With
 * `decoupledWeightDecay` the decay shrinks the parameter instead of joining the gradient: that is
 * AdamW (see `AdamW`, which differs only in its defaults).
 *
 *     g_t = ±∇f(θ_{t-1})                          (− when maximize)
 *     g_t ← g_t + λ θ_{t-1}                       (λ = weightDecay; coupled, the default)
 *     θ_{t-1} ← (1 − γ λ) θ_{t-1}                 (decoupled instead)
 *     m_t = β₁ m_{t-1} + (1 − β₁) g_t             (m_0 = 0)
 *     v_t = β₂ v_{t-1} + (1 − β₂) g_t²            (v_0 = 0)
 *     v̂_t = max(v̂_{t-1}, v_t) if amsgrad, else v_t      (v̂_0 = 0)
 *     θ_t = θ_{t-1} − γ / (1 − β₁ᵗ) · m_t / (√v̂_t / √(1 − β₂ᵗ) + ε)   (γ = lr, (β₁, β₂) = betas)
 *
 * State: step, expAvg (m), expAvgSq (v), maxExpAvgSq (v̂, with amsgrad).
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0, amsgrad false, maximize false,
 * decoupledWeightDecay false.
 */
export class Adam extends MomentOptimizer<AdamOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<AdamOptions>({
    name: 'Adam',
    kind: 'optimizer',
    summary:
      'running means of the gradient and of its square, bias-corrected (AMSGrad as an option)',
    reference: 'PyTorch 2.x torch.optim.Adam',
    options: {
      lr: lrOption(1e-3),
      betas: betasOption(),
      eps: epsOption(1e-8, 'ε, added to the root of the second moment'),
      weightDecay: weightDecayOption(0, 'λ, an L2 penalty (or, decoupled, AdamW’s shrinking of θ)'),
      amsgrad: flagOption('AMSGrad: divide by the largest second moment so far', 'amsgrad'),
      maximize: maximizeOption,
      decoupledWeightDecay: decoupledWeightDecayOption,
      ...stateDtypeOptions,
    },
  });

  /** The moments `stateDtype` stores, AMSGrad's maximum among them. */
  static override readonly moments: MomentSigns = {
    ...MomentOptimizer.moments,
    maxExpAvgSq: 'unsigned',
  };

  /** The defaults are those of the class's spec: Adam's, or a subclass's (AdamW's). */
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, options, defaultsOf(new.target.spec));
  }

  protected override initState(p: Param, group: ParamGroup<AdamOptions>): ParamState {
    const state = super.initState(p, group);
    if (group.amsgrad) Object.assign(state, this.momentZeros(p, group, 'maxExpAvgSq'));
    return state;
  }

  /** maxExpAvgSq is kept once amsgrad has been on, and must be there while it is. */
  protected override stateSpec(p: Param, group: ParamGroup<AdamOptions>): StateSpec {
    const max = this.momentSpec(p, group, 'maxExpAvgSq');
    const entries = group.amsgrad
      ? max
      : Object.fromEntries(
          Object.entries(max).map(([key, entry]) => [key, stateEntry.optional(entry)]),
        );
    return { ...super.stateSpec(p, group), ...entries };
  }

  /**
   * With amsgrad switched on since a parameter's last step, its maximum does not exist yet (the
   * next step would start it from zero): it is made now, so that the saved state is complete and
   * loads, and the resumed run takes the step the uninterrupted one would.
   */
  override stateDict(): StateDict {
    for (const group of this.paramGroups) {
      if (!group.amsgrad) continue;
      for (const p of group.params) {
        const state = this.state.get(p);
        if (state !== undefined && state.maxExpAvgSq === undefined) {
          Object.assign(state, this.momentZeros(p, group, 'maxExpAvgSq'));
        }
      }
    }
    return super.stateDict();
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<AdamOptions>,
  ): void {
    const step = this.countStep(state);
    // amsgrad may be switched on between steps: the maximum then starts from zero.
    if (group.amsgrad && state.maxExpAvgSq === undefined) {
      Object.assign(state, this.momentZeros(p, group, 'maxExpAvgSq'));
    }
    const [beta1, beta2] = group.betas;
    const { gradSign, weightDecay, paramDecay } = decayScalars(group);
    adamKernel(
      p.data,
      grad,
      this.moment(p, state, group, 'expAvg'),
      this.moment(p, state, group, 'expAvgSq'),
      group.amsgrad ? this.moment(p, state, group, 'maxExpAvgSq') : null,
      {
        gradSign,
        weightDecay,
        paramDecay,
        beta1,
        beta2,
        eps: group.eps,
        stepSize: group.lr / (1 - beta1 ** step),
        biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** step),
      },
    );
  }
}
