import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { scheduleFreeSgdKernel } from '../kernels/schedule-free.js';
import type { ParamGroup, ParamState, ParamsInput, StateSpec } from './optimizer.js';
import { stateEntry } from './optimizer.js';
import {
  ScheduleFreeOptimizer,
  type ScheduleFreeOptions,
  scheduleFreeOptionSpecs,
} from './schedule-free.js';
import { lrOption } from './shared-options.js';

/** The options of {@link ScheduleFreeSGD}, the reference's in camelCase. */
export interface ScheduleFreeSGDOptions extends ScheduleFreeOptions {
  /**
   * β, where y sits between z and x: y = (1 − β) z + β x. Default 0.9; in (0, 1), as the
   * reference requires.
   */
  momentum: number;
}

/**
 * Schedule-Free SGD (Defazio et al. 2024, "The Road Less Scheduled"), as `SGDScheduleFree` of the
 * authors' `schedule_free` package (schedulefree/sgd_schedulefree.py, commit 59ed9b6): no
 * schedule is needed; the iterate to evaluate is an average x of the base sequence z, and
 * gradients are taken at y, between them. With t = k + 1, per group:
 *
 *     γ_t = γ · min(1, t / warmupSteps),   γ_max = max(γ_max, γ_t)
 *     w_t = t^r · γ_max^weightLrPower,     c_t = w_t / Σ_{i<=t} w_i   (0 while the sum is 0)
 *     g_t = ∇f(y_{t-1}) + λ y_{t-1}                             (λ = weightDecay)
 *     y_t = (1 − c_t) y_{t-1} + c_t z_{t-1} + γ_t (β (1 − c_t) − 1) g_t   (β = momentum)
 *     z_t = z_{t-1} − γ_t g_t                                  (z_0 = y_0)
 *
 * which keeps y_t = (1 − β) z_t + β x_t with x_t = (1 − c_t) x_{t-1} + c_t z_t. The parameters
 * hold y in train mode and x in eval mode: call `eval()` before evaluating or saving the model and
 * `train()` before stepping again (see `ScheduleFreeOptimizer`; a step in eval mode is an error).
 * Unlike the reference, which starts in eval mode, it starts in train mode (before the first step
 * x = y = z), and it leaves the gradient as it found it (the reference adds λ y to it in place).
 *
 * State: z per parameter; per group (`groupState`) k, weightSum, lrMax, trainMode.
 * Defaults (the reference's): lr 1, momentum 0.9, weightDecay 0, warmupSteps 0, r 0,
 * weightLrPower 2.
 */
export class ScheduleFreeSGD extends ScheduleFreeOptimizer<ScheduleFreeSGDOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<ScheduleFreeSGDOptions>({
    name: 'ScheduleFreeSGD',
    kind: 'optimizer',
    summary: 'SGD without a schedule: gradients at an interpolation of z and its average x',
    reference: "schedule_free's SGDScheduleFree (Defazio et al. 2024)",
    options: {
      lr: lrOption(1),
      momentum: {
        summary: 'β, y = (1 − β) z + β x',
        type: 'number',
        default: 0.9,
        min: 0,
        max: 1,
        minExclusive: true,
        maxExclusive: true,
        scale: 'linear',
        reference: 'momentum',
      },
      ...scheduleFreeOptionSpecs,
    },
  });

  constructor(
    params: ParamsInput<ScheduleFreeSGDOptions>,
    options: Partial<ScheduleFreeSGDOptions> = {},
  ) {
    super(params, options, defaultsOf(ScheduleFreeSGD.spec));
  }

  protected interpolation(group: ParamGroup<ScheduleFreeSGDOptions>): number {
    return group.momentum;
  }

  protected override stateSpec(): StateSpec {
    return { z: stateEntry.array() };
  }

  protected override stepParam(p: Param, grad: FloatArray, state: ParamState): void {
    scheduleFreeSgdKernel(p.data, grad, state.z as FloatArray, this.scalars);
  }
}
