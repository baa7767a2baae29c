import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import {
  type LambScalars,
  lambMomentsKernel,
  lambStepKernel,
  trustRatio,
} from '../kernels/lamb.js';
import { SumsWorkspace } from '../kernels/partial-sums.js';
import { batch } from '../kernels/wasm/batch.js';
import { arenaGradient } from '../kernels/wasm/staging.js';
import { MomentOptimizer, type MomentOptions } from './moments.js';
import type { ParamGroup, ParamsInput } from './optimizer.js';
import {
  betasOption,
  epsOption,
  lrOption,
  maximizeOption,
  weightDecayOption,
} from './shared-options.js';

/** The options of {@link LAMB}, Optax's in camelCase; a group may override any of them. */
export interface LAMBOptions extends MomentOptions {
  /**
   * ε_root, added to the bias-corrected second moment under the square root (Optax's
   * `eps_root`; a nonzero one keeps the root differentiable at 0, for meta-learning). Default 0;
   * finite, >= 0.
   */
  epsRoot: number;
}

/**
 * LAMB (You et al. 2020, "Large Batch Optimization for Deep Learning: Training BERT in 76
 * minutes"), as Optax's `optax.lamb`: Adam's update plus weight decay, rescaled per parameter
 * tensor by the trust ratio ‖θ‖ / ‖u‖, so every layer moves by about γ times its own norm
 * whatever the scale of its gradients. PyTorch has no LAMB; maximize is descent's.
 *
 *     g_t = ±∇f(θ_{t-1})                           (− when maximize)
 *     m_t = β₁ m_{t-1} + (1 − β₁) g_t              (m_0 = 0)
 *     v_t = β₂ v_{t-1} + (1 − β₂) g_t²             (v_0 = 0)
 *     u_t = (m_t / (1 − β₁ᵗ)) / (√(v_t / (1 − β₂ᵗ) + ε_root) + ε) + λ θ_{t-1}
 *     r_t = ‖θ_{t-1}‖ / ‖u_t‖, or 1 where either norm is 0   (norms over the whole tensor)
 *     θ_t = θ_{t-1} − γ r_t u_t                   (γ = lr, λ = weightDecay, (β₁, β₂) = betas)
 *
 * Optax chains scale_by_adam(b1, b2, eps, eps_root), add_decayed_weights(weight_decay),
 * scale_by_trust_ratio() and scale_by_learning_rate(learning_rate); its `mask` of the decayed
 * parameters is a group here, with weightDecay 0.
 *
 * State: step, expAvg (m; Optax's mu), expAvgSq (v; nu).
 * Defaults (Optax's): lr 1e-3, betas [0.9, 0.999], eps 1e-6, epsRoot 0, weightDecay 0,
 * maximize false.
 */
export class LAMB extends MomentOptimizer<LAMBOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<LAMBOptions>({
    name: 'LAMB',
    kind: 'optimizer',
    summary: 'Adam’s update with weight decay, scaled per tensor by the trust ratio ‖θ‖ / ‖u‖',
    reference: 'Optax optax.lamb (You et al. 2020)',
    options: {
      lr: { ...lrOption(1e-3), reference: 'learning_rate' },
      betas: { ...betasOption(), reference: 'b1, b2' },
      eps: epsOption(1e-6, 'ε, added to the root of the second moment'),
      epsRoot: {
        ...epsOption(0, 'ε_root, added to the second moment under the root'),
        reference: 'eps_root',
        label: 'eps_root value',
      },
      weightDecay: weightDecayOption(
        0,
        'λ: λθ is added to the update before the trust ratio (lr · weightDecay <= 1)',
      ),
      maximize: { ...maximizeOption, reference: undefined },
    },
  });

  constructor(params: ParamsInput<LAMBOptions>, options: Partial<LAMBOptions> = {}) {
    super(params, options, defaultsOf(LAMB.spec));
  }

  /** Where the first pass leaves each tensor's sums (src/kernels/partial-sums.ts). */
  private readonly sums = new SumsWorkspace();

  /**
   * Two passes over the group, each one batch of kernel rows: the moments and the sums of every
   * tensor, then every step with its tensor's trust ratio, which needs the whole first pass.
   */
  protected override stepGroup(group: ParamGroup<LAMBOptions>): void {
    const params = group.params.filter((p) => p.grad !== null);
    const sums = this.sums.views(params.map((p) => p.data.length));
    const [beta1, beta2] = group.betas;
    const scalars = params.map((p): LambScalars => {
      const step = this.countStep(this.stateOf(p, group));
      return {
        gradSign: group.maximize ? -1 : 1,
        beta1,
        beta2,
        eps: group.eps,
        epsRoot: group.epsRoot,
        weightDecay: group.weightDecay,
        biasCorrection1: 1 - beta1 ** step,
        biasCorrection2: 1 - beta2 ** step,
      };
    });
    const moments = (p: Param) => this.state.get(p) as { expAvg: FloatArray; expAvgSq: FloatArray };
    batch(() => {
      params.forEach((p, i) => {
        const { expAvg, expAvgSq } = moments(p);
        const grad = arenaGradient(p, p.data, p.grad as FloatArray);
        lambMomentsKernel(p.data, grad, expAvg, expAvgSq, sums[i], scalars[i]);
      });
    });
    batch(() => {
      params.forEach((p, i) => {
        const { expAvg, expAvgSq } = moments(p);
        lambStepKernel(p.data, expAvg, expAvgSq, group.lr * trustRatio(sums[i]), scalars[i]);
      });
    });
  }
}
