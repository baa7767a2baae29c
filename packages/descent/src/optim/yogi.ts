import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { yogiKernel } from '../kernels/yogi.js';
import { decayScalars, MomentOptimizer, type MomentOptions } from './moments.js';
import type { ParamGroup, ParamState, ParamsInput } from './optimizer.js';
import {
  betasOption,
  epsOption,
  lrOption,
  maximizeOption,
  weightDecayOption,
} from './shared-options.js';
import { type StateDtypeOptions, stateDtypeOptions } from './state-dtype.js';

/**
 * The options of {@link Yogi}: the Adam family's, with the book's defaults (no PyTorch original).
 *
 * @interface
 */
export type YogiOptions = MomentOptions & StateDtypeOptions;

/**
 * Yogi (Zaheer et al.), as Dive into Deep Learning (section 12.10) writes it: Adam whose second
 * moment moves towards g_t² by a step of fixed size (1 − β₂) g_t² rather than by a fraction of the
 * gap, so it cannot grow or shrink explosively. PyTorch has no Yogi; weightDecay (L2, as Adam's)
 * and maximize are descent's, for consistency with the rest of the family.
 *
 *     g_t = ±∇f(θ_{t-1}) + λ θ_{t-1}                  (− when maximize; λ = weightDecay)
 *     v_t = β₁ v_{t-1} + (1 − β₁) g_t                 (v_0 = 0)
 *     s_t = s_{t-1} + (1 − β₂) sign(g_t² − s_{t-1}) g_t²   (s_0 = 0)
 *     θ_t = θ_{t-1} − γ (v_t / (1 − β₁ᵗ)) / (√(s_t / (1 − β₂ᵗ)) + ε)   (γ = lr, (β₁, β₂) = betas)
 *
 * State: step, expAvg (v), expAvgSq (s).
 * Defaults (the book's): lr 0.01, betas [0.9, 0.999], eps 1e-3, weightDecay 0, maximize false.
 */
export class Yogi extends MomentOptimizer<YogiOptions> {
  /**
   * Its options, their defaults (the book's) and ranges. The book's code names lr and eps; its
   * β₁, β₂ are constants, weightDecay and maximize descent's: none has a reference name.
   */
  static readonly spec: AlgorithmSpec = defineSpec<YogiOptions>({
    name: 'Yogi',
    kind: 'optimizer',
    summary: 'Adam whose second moment moves towards g² by a step of fixed size',
    reference: 'Dive into Deep Learning, 12.10 (yogi); Zaheer et al. 2018',
    options: {
      lr: lrOption(0.01),
      betas: { ...betasOption(), reference: undefined },
      eps: epsOption(1e-3, 'ε, added to the root of the second moment (the book’s 1e-3)'),
      weightDecay: { ...weightDecayOption(0), reference: undefined },
      maximize: { ...maximizeOption, reference: undefined },
      ...stateDtypeOptions,
    },
  });

  constructor(params: ParamsInput<YogiOptions>, options: Partial<YogiOptions> = {}) {
    super(params, options, defaultsOf(Yogi.spec));
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<YogiOptions>,
  ): void {
    const step = this.countStep(state);
    const [beta1, beta2] = group.betas;
    const { gradSign, weightDecay, paramDecay } = decayScalars(group);
    yogiKernel(
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
        biasCorrection2: 1 - beta2 ** step,
      },
    );
  }
}
