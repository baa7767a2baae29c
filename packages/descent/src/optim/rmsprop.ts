import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkWeightDecay } from '../core/validate.js';
import { rmspropKernel } from '../kernels/rmsprop.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import {
  epsOption,
  flagOption,
  lrOption,
  maximizeOption,
  unitOption,
  weightDecayOption,
} from './shared-options.js';
import {
  type MomentSigns,
  momentStorage,
  type StateDtypeOptions,
  stateDtypeOptions,
} from './state-dtype.js';

/** The options of {@link RMSprop}, PyTorch's in camelCase; a group may override any of them. */
export interface RMSpropOptions extends StateDtypeOptions {
  /** The learning rate γ. Default 1e-2; finite, >= 0. */
  lr: number;
  /**
   * α, the smoothing constant: the running mean of squared gradients keeps α of its past at each
   * step (about 1 / (1 − α) steps of memory). Default 0.99; in [0, 1] (PyTorch takes any value
   * >= 0; past 1 the mean goes negative and the step NaN).
   */
  alpha: number;
  /**
   * ε, added to the root of the mean square (outside the square root, as in PyTorch; tfjs puts it
   * inside). Default 1e-8; finite, >= 0.
   */
  eps: number;
  /**
   * λ, an L2 penalty: λ θ is added to the gradient. Default 0; finite, >= 0, with
   * lr · weightDecay <= 1 (a larger step would shrink the parameter past zero). PyTorch:
   * `weight_decay`.
   */
  weightDecay: number;
  /** μ, heavy-ball momentum on the rescaled gradient. Default 0 (no buffer); in [0, 1]. */
  momentum: number;
  /**
   * Divide by an estimate of the gradient's standard deviation, √(v − m²), rather than its root
   * mean square √v. Default false. Not with `stateDtype: 'int8'` (as in bitsandbytes, whose 8-bit
   * RMSprop refuses it): v and m quantized apart lose v ≥ m², and the step turns NaN.
   */
  centered: boolean;
  /** Maximize the objective instead of minimizing it (the gradient's sign flips). Default false. */
  maximize: boolean;
}

/**
 * RMSprop, as PyTorch's `torch.optim.RMSprop`: steps scaled by a running root mean square of the
 * gradients, optionally centered (divided by an estimate of their standard deviation instead) and
 * with heavy-ball momentum.
 *
 *     g_t = ±∇f(θ_{t-1}) + λ θ_{t-1}             (− when maximize; λ = weightDecay)
 *     v_t = α v_{t-1} + (1 − α) g_t²              (α = alpha; v_0 = 0)
 *     m_t = α m_{t-1} + (1 − α) g_t,  ṽ_t = v_t − m_t²   if centered (m_0 = 0),  else ṽ_t = v_t
 *     d_t = g_t / (√ṽ_t + ε)
 *     b_t = μ b_{t-1} + d_t,  θ_t = θ_{t-1} − γ b_t      if μ > 0 (μ = momentum; b_0 = 0)
 *     θ_t = θ_{t-1} − γ d_t                               otherwise (γ = lr)
 *
 * State: step, squareAvg (v), momentumBuffer (b, when μ > 0), gradAvg (m, when centered).
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false,
 * maximize false.
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  /** Its options, their defaults and ranges (PyTorch's alpha >= 0 is [0, 1] here). */
  static readonly spec: AlgorithmSpec = defineSpec<RMSpropOptions>({
    name: 'RMSprop',
    kind: 'optimizer',
    summary: 'steps scaled by a running root mean square of the gradients',
    reference: 'PyTorch 2.x torch.optim.RMSprop',
    options: {
      lr: lrOption(1e-2),
      // PyTorch takes any alpha >= 0; past 1 the average of squares goes negative and the step NaN.
      alpha: unitOption(
        0.99,
        'α, the smoothing constant: the mean of squared gradients keeps α of its past',
        'alpha',
      ),
      eps: epsOption(1e-8, 'ε, added to the root of the mean square'),
      weightDecay: weightDecayOption(0),
      momentum: unitOption(0, 'μ, heavy-ball momentum on the rescaled gradient', 'momentum'),
      centered: flagOption(
        'divide by an estimate of the gradient’s standard deviation, √(v − m²), not √v',
        'centered',
      ),
      maximize: maximizeOption,
      ...stateDtypeOptions,
    },
  });

  /** The moments `stateDtype` stores, in the kernel's order. */
  static readonly moments: MomentSigns = {
    squareAvg: 'unsigned',
    momentumBuffer: 'signed',
    gradAvg: 'signed',
  };

  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, options, defaultsOf(RMSprop.spec));
  }

  protected override validateOptions(o: RMSpropOptions): void {
    checkWeightDecay(o.weightDecay, o.lr);
    // A block's small squares quantize to 0 where their averages do not (the unsigned map's
    // smallest step is ~1e-7 of the block's largest value, and squares spread twice as wide), so
    // v − m² goes negative: 12 steps made a tensor NaN whose gradients were 1 and 1e-4.
    if (o.centered && o.stateDtype === 'int8') {
      throw new RangeError(
        "Invalid centered: true with stateDtype 'int8' (int8 state breaks v ≥ m² and the step turns NaN; bitsandbytes refuses it too): use 'bfloat16' or float32 state",
      );
    }
  }

  protected override initState(p: Param, group: ParamGroup<RMSpropOptions>): ParamState {
    return { step: 0, ...this.momentZeros(p, group, 'squareAvg') };
  }

  /** The momentum buffer and the gradient average are made on the first step that uses them. */
  protected override stateSpec(p: Param, group: ParamGroup<RMSpropOptions>): StateSpec {
    const optional = (key: string) =>
      Object.fromEntries(
        Object.entries(this.momentSpec(p, group, key)).map(([k, e]) => [k, stateEntry.optional(e)]),
      );
    return {
      step: stateEntry.count,
      ...this.momentSpec(p, group, 'squareAvg'),
      ...optional('momentumBuffer'),
      ...optional('gradAvg'),
    };
  }

  /**
   * Centered, the step divides by √(v − m²): an average of squares is at least the square of the
   * average, and a gradAvg whose square exceeds squareAvg would make the step NaN. Rounding puts
   * m² a little above v in a real run where the gradient barely changes (more so in float32 and
   * with alpha near 1), so only a square more than 1% above is refused: a corrupted state, such
   * as one with the two arrays swapped. bfloat16 state rounds each of the two by up to 2⁻⁷ of its
   * value (stochastically; half that to nearest), which moves m² up to 2.4% further: 5% there.
   */
  protected override checkLoadedState(
    p: Param,
    state: ParamState,
    where: string,
    group: ParamGroup<RMSpropOptions>,
  ): void {
    super.checkLoadedState(p, state, where, group);
    if (state.gradAvg === undefined) return;
    const m = this.momentValues(p, state, group, 'gradAvg');
    const v = this.momentValues(p, state, group, 'squareAvg');
    const slack = momentStorage(p, group) === 'bfloat16' ? 1.05 : 1.01;
    for (let i = 0; i < m.length; i++) {
      if (m[i] * m[i] > v[i] * slack) {
        throw new RangeError(
          `Invalid state dict: ${where}.gradAvg[${i}] is ${m[i]}, whose square exceeds squareAvg[${i}] (${v[i]}): the centered variance would be negative`,
        );
      }
    }
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<RMSpropOptions>,
  ): void {
    this.countStep(state);
    // Made when first needed, so momentum or centering switched on between steps starts from
    // zero (PyTorch would fail on the missing buffer).
    if (group.momentum > 0 && state.momentumBuffer === undefined) {
      Object.assign(state, this.momentZeros(p, group, 'momentumBuffer'));
    }
    if (group.centered && state.gradAvg === undefined) {
      Object.assign(state, this.momentZeros(p, group, 'gradAvg'));
    }
    rmspropKernel(
      p.data,
      grad,
      this.moment(p, state, group, 'squareAvg'),
      group.momentum > 0 ? this.moment(p, state, group, 'momentumBuffer') : null,
      group.centered ? this.moment(p, state, group, 'gradAvg') : null,
      group,
    );
  }
}
