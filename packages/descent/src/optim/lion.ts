import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkWeightDecay } from '../core/validate.js';
import { lionKernel } from '../kernels/lion.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import { betasOption, lrOption, maximizeOption, weightDecayOption } from './shared-options.js';
import { type MomentSigns, type StateDtypeOptions, stateDtypeOptions } from './state-dtype.js';

/** The options of {@link Lion}, the paper's in camelCase; a group may override any of them. */
export interface LionOptions extends StateDtypeOptions {
  /**
   * γ, the size of every coordinate's step (each moves by ±γ): the paper advises 3 to 10 times
   * smaller than AdamW's. Default 1e-4; finite, >= 0.
   */
  lr: number;
  /**
   * (β₁, β₂): β₁ blends the momentum with the gradient for the step's sign, β₂ is the momentum's
   * own decay. Default [0.9, 0.99]; each in [0, 1).
   */
  betas: [number, number];
  /**
   * λ, decoupled weight decay: θ ← θ (1 − γλ) before the step (the paper advises 3 to 10 times
   * AdamW's, as γ is smaller). Default 0; finite, >= 0, with lr · weightDecay <= 1. Reference:
   * `weight_decay`.
   */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign flips). Default false. */
  maximize: boolean;
}

/**
 * Lion, "evolved sign momentum" (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms", Algorithm 2 and Program 1): every coordinate steps by ±γ, the sign of a blend of
 * the momentum and the gradient; one state array, the momentum. PyTorch has no Lion.
 *
 *     g_t = ±∇f(θ_{t-1})                           (− when maximize)
 *     c_t = β₁ m_{t-1} + (1 − β₁) g_t              (m_0 = 0)
 *     θ_t = θ_{t-1} (1 − γλ) − γ sign(c_t)         (γ = lr, λ = weightDecay, (β₁, β₂) = betas)
 *     m_t = β₂ m_{t-1} + (1 − β₂) g_t
 *
 * The paper writes the step θ_{t-1} − γ (sign(c_t) + λ θ_{t-1}): the same, the decay applied to
 * θ_{t-1} first (as its authors' lion-pytorch and AdamW do). sign(0) is 0.
 *
 * State: expAvg (m).
 * Defaults (the paper's): lr 1e-4, betas [0.9, 0.99], weightDecay 0, maximize false.
 */
export class Lion extends Optimizer<LionOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<LionOptions>({
    name: 'Lion',
    kind: 'optimizer',
    summary: 'the sign of a blend of momentum and gradient: every coordinate steps by ±lr',
    reference: 'Chen et al. 2023, Symbolic Discovery of Optimization Algorithms (Lion)',
    options: {
      lr: lrOption(1e-4),
      betas: {
        ...betasOption(
          '(β₁, β₂): β₁ blends momentum and gradient for the sign, β₂ decays the momentum',
        ),
        default: [0.9, 0.99],
      },
      weightDecay: weightDecayOption(
        0,
        'λ, decoupled weight decay: θ ← θ(1 − γλ) before the step (lr · weightDecay <= 1)',
      ),
      maximize: maximizeOption,
      ...stateDtypeOptions,
    },
  });

  /** The moment `stateDtype` stores: the momentum. */
  static readonly moments: MomentSigns = { expAvg: 'signed' };

  constructor(params: ParamsInput<LionOptions>, options: Partial<LionOptions> = {}) {
    super(params, options, defaultsOf(Lion.spec));
  }

  protected override validateOptions(o: LionOptions): void {
    checkWeightDecay(o.weightDecay, o.lr);
  }

  protected override initState(p: Param, group: ParamGroup<LionOptions>): ParamState {
    return this.momentZeros(p, group, 'expAvg');
  }

  /** A step count is kept for stochastic rounding, whose random bits change with it. */
  protected override stateSpec(p: Param, group: ParamGroup<LionOptions>): StateSpec {
    return { ...this.momentSpec(p, group, 'expAvg'), step: stateEntry.optional(stateEntry.count) };
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<LionOptions>,
  ): void {
    const [beta1, beta2] = group.betas;
    if (group.stochasticRounding) state.step = ((state.step as number | undefined) ?? 0) + 1;
    lionKernel(p.data, grad, this.moment(p, state, group, 'expAvg'), {
      lr: group.lr,
      beta1,
      beta2,
      gradSign: group.maximize ? -1 : 1,
      paramDecay: 1 - group.lr * group.weightDecay,
    });
  }
}
