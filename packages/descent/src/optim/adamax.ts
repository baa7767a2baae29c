import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkWeightDecay } from '../core/validate.js';
import { adamaxKernel } from '../kernels/adamax.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import {
  betasOption,
  epsOption,
  lrOption,
  maximizeOption,
  weightDecayOption,
} from './shared-options.js';
import { type MomentSigns, type StateDtypeOptions, stateDtypeOptions } from './state-dtype.js';

/** The options of {@link Adamax}, PyTorch's in camelCase; a group may override any of them. */
export interface AdamaxOptions extends StateDtypeOptions {
  /** The learning rate γ. Default 2e-3; finite, >= 0. */
  lr: number;
  /**
   * (β₁, β₂): the decay rates of the running mean of gradients and of the weighted infinity norm.
   * Default [0.9, 0.999]; each in [0, 1).
   */
  betas: [number, number];
  /** ε, added to |g| before the maximum, so the norm is never 0. Default 1e-8; finite, >= 0. */
  eps: number;
  /**
   * λ, an L2 penalty: λ θ is added to the gradient. Default 0; finite, >= 0, with
   * lr · weightDecay <= 1 (a larger step would shrink the parameter past zero). PyTorch:
   * `weight_decay`.
   */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign flips). Default false. */
  maximize: boolean;
}

/**
 * Adamax, as PyTorch's `torch.optim.Adamax`: Adam with the second moment replaced by an
 * exponentially weighted infinity norm, which needs no bias correction.
 *
 *     g_t = ±∇f(θ_{t-1}) + λ θ_{t-1}             (− when maximize; λ = weightDecay)
 *     m_t = β₁ m_{t-1} + (1 − β₁) g_t             (m_0 = 0)
 *     u_t = max(β₂ u_{t-1}, |g_t| + ε)            (u_0 = 0)
 *     θ_t = θ_{t-1} − γ / (1 − β₁ᵗ) · m_t / u_t   (γ = lr, (β₁, β₂) = betas)
 *
 * State: step, expAvg (m), expInf (u).
 * Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0, maximize false.
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<AdamaxOptions>({
    name: 'Adamax',
    kind: 'optimizer',
    summary: 'Adam with an exponentially weighted infinity norm for the second moment',
    reference: 'PyTorch 2.x torch.optim.Adamax',
    options: {
      lr: lrOption(2e-3),
      betas: betasOption(
        '(β₁, β₂), the decay rates of the mean of gradients and of the weighted infinity norm',
      ),
      eps: epsOption(1e-8, 'ε, added to |g| before the maximum, so the norm is never 0'),
      weightDecay: weightDecayOption(0),
      maximize: maximizeOption,
      ...stateDtypeOptions,
    },
  });

  /** The moments `stateDtype` stores: the first, and the infinity norm (unsigned). */
  static readonly moments: MomentSigns = { expAvg: 'signed', expInf: 'unsigned' };

  constructor(params: ParamsInput<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super(params, options, defaultsOf(Adamax.spec));
  }

  protected override validateOptions(o: AdamaxOptions): void {
    checkWeightDecay(o.weightDecay, o.lr);
  }

  protected override initState(p: Param, group: ParamGroup<AdamaxOptions>): ParamState {
    return {
      step: 0,
      ...this.momentZeros(p, group, 'expAvg'),
      ...this.momentZeros(p, group, 'expInf'),
    };
  }

  protected override stateSpec(p: Param, group: ParamGroup<AdamaxOptions>): StateSpec {
    return {
      step: stateEntry.count,
      ...this.momentSpec(p, group, 'expAvg'),
      ...this.momentSpec(p, group, 'expInf'),
    };
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<AdamaxOptions>,
  ): void {
    const step = this.countStep(state);
    const { lr, betas, eps, weightDecay, maximize } = group;
    adamaxKernel(
      p.data,
      grad,
      this.moment(p, state, group, 'expAvg'),
      this.moment(p, state, group, 'expInf'),
      {
        lr,
        betas,
        eps,
        weightDecay,
        maximize,
        step,
      },
    );
  }
}
