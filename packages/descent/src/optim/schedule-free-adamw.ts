import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { scheduleFreeAdamWKernel } from '../kernels/schedule-free.js';
import type { ParamGroup, ParamState, ParamsInput, StateSpec } from './optimizer.js';
import { stateEntry } from './optimizer.js';
import {
  ScheduleFreeOptimizer,
  type ScheduleFreeOptions,
  scheduleFreeOptionSpecs,
} from './schedule-free.js';
import { betasOption, epsOption, lrOption } from './shared-options.js';

/** The options of {@link ScheduleFreeAdamW}, the reference's in camelCase. */
export interface ScheduleFreeAdamWOptions extends ScheduleFreeOptions {
  /**
   * (β₁, β₂): β₁ places y between z and x, y = (1 − β₁) z + β₁ x; β₂ is the decay of the running
   * mean of the squared gradient. Default [0.9, 0.999]; β₁ in (0, 1) (x is recovered from y by
   * dividing by it), β₂ in [0, 1).
   */
  betas: [number, number];
  /** ε, added to the root of the second moment. Default 1e-8; finite, >= 0. */
  eps: number;
}

/**
 * Schedule-Free AdamW (Defazio et al. 2024, "The Road Less Scheduled"), as `AdamWScheduleFree` of
 * the authors' `schedule_free` package (schedulefree/adamw_schedulefree.py, commit 59ed9b6; its
 * later inner_momentum, 0 by default, is not here): Schedule-Free SGD (see `ScheduleFreeSGD`)
 * along the gradient normalized by Adam's second moment. With t = k + 1, per group:
 *
 *     γ_t = γ · min(1, t / warmupSteps),   γ_max = max(γ_max, γ_t)
 *     w_t = t^r · γ_max^weightLrPower,     c_t = w_t / Σ_{i<=t} w_i   (0 while the sum is 0)
 *     v_t = β₂ v_{t-1} + (1 − β₂) g_t²                        (g_t = ∇f(y_{t-1}), v_0 = 0)
 *     u_t = g_t / (√(v_t / (1 − β₂ᵗ)) + ε) + λ y_{t-1}       (λ = weightDecay, at y)
 *     y_t = (1 − c_t) y_{t-1} + c_t z_{t-1} + γ_t (β₁ (1 − c_t) − 1) u_t
 *     z_t = z_{t-1} − γ_t u_t                                  (z_0 = y_0)
 *
 * There is no first moment: the interpolation y = (1 − β₁) z + β₁ x is the momentum. The
 * parameters hold y in train mode and x in eval mode: call `eval()` before evaluating or saving
 * the model and `train()` before stepping again (a step in eval mode is an error). Unlike the
 * reference, which starts in eval mode, it starts in train mode (before the first step x = y = z),
 * and it leaves the gradient as it found it (the reference divides it in place).
 *
 * State: z, expAvgSq (v) per parameter; per group (`groupState`) k, weightSum, lrMax, trainMode.
 * Defaults (the reference's): lr 0.0025, betas [0.9, 0.999], eps 1e-8, weightDecay 0,
 * warmupSteps 0, r 0, weightLrPower 2.
 */
export class ScheduleFreeAdamW extends ScheduleFreeOptimizer<ScheduleFreeAdamWOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<ScheduleFreeAdamWOptions>({
    name: 'ScheduleFreeAdamW',
    kind: 'optimizer',
    summary: 'AdamW without a schedule: normalized steps at an interpolation of z and its average',
    reference: "schedule_free's AdamWScheduleFree (Defazio et al. 2024)",
    options: {
      lr: lrOption(0.0025),
      betas: {
        ...betasOption('(β₁, β₂): y = (1 − β₁) z + β₁ x; the decay of the mean of g²'),
        items: [
          { min: 0, max: 1, minExclusive: true, maxExclusive: true },
          { min: 0, max: 1, maxExclusive: true },
        ],
      },
      eps: epsOption(1e-8, 'ε, added to the root of the second moment'),
      ...scheduleFreeOptionSpecs,
    },
  });

  /** 1 − β₂ᵗ of the group being stepped. */
  private biasCorrection2 = 1;

  constructor(
    params: ParamsInput<ScheduleFreeAdamWOptions>,
    options: Partial<ScheduleFreeAdamWOptions> = {},
  ) {
    super(params, options, defaultsOf(ScheduleFreeAdamW.spec));
  }

  protected interpolation(group: ParamGroup<ScheduleFreeAdamWOptions>): number {
    return group.betas[0];
  }

  protected override initState(p: Param): ParamState {
    return { ...super.initState(p), expAvgSq: this.zerosLike(p) };
  }

  protected override stateSpec(): StateSpec {
    return { z: stateEntry.array(), expAvgSq: stateEntry.array({ nonNegative: true }) };
  }

  protected override prepareGroup(group: ParamGroup<ScheduleFreeAdamWOptions>, t: number): void {
    this.biasCorrection2 = 1 - group.betas[1] ** t;
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<ScheduleFreeAdamWOptions>,
  ): void {
    const { lr, ckp1, beta, weightDecay } = this.scalars;
    scheduleFreeAdamWKernel(p.data, grad, state.z as FloatArray, state.expAvgSq as FloatArray, {
      lr,
      ckp1,
      beta,
      weightDecay,
      beta2: group.betas[1],
      eps: group.eps,
      biasCorrection2: this.biasCorrection2,
    });
  }
}
