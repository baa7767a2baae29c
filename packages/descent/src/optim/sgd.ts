import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkWeightDecay } from '../core/validate.js';
import { sgdKernel } from '../kernels/sgd.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import {
  flagOption,
  lrOption,
  maximizeOption,
  unitOption,
  weightDecayOption,
} from './shared-options.js';
import { type MomentSigns, type StateDtypeOptions, stateDtypeOptions } from './state-dtype.js';

/** The options of {@link SGD}, PyTorch's in camelCase; a group may override any of them. */
export interface SGDOptions extends StateDtypeOptions {
  /** The learning rate γ, the step's scale. Default 1e-3; finite, >= 0. */
  lr: number;
  /**
   * μ, the factor by which the momentum buffer keeps its past (heavy ball; Nesterov with
   * `nesterov`). Default 0: plain SGD, no buffer. In [0, 1] (PyTorch takes any value >= 0; past 1
   * the buffer grows geometrically).
   */
  momentum: number;
  /**
   * τ, the part of each new gradient left out of the momentum buffer (the first step's buffer is
   * the whole gradient). Default 0; in [0, 1]; must be 0 with `nesterov`.
   */
  dampening: number;
  /**
   * λ, an L2 penalty: λ θ is added to the gradient. Default 0; finite, >= 0, with
   * lr · weightDecay <= 1 (a larger step would shrink the parameter past zero). PyTorch:
   * `weight_decay`.
   */
  weightDecay: number;
  /**
   * Nesterov momentum: step along g_t + μ b_t, the gradient plus the updated buffer, rather than
   * along the buffer alone. Default false; needs momentum > 0 and dampening 0.
   */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it (the gradient's sign flips). Default false. */
  maximize: boolean;
}

/**
 * Stochastic gradient descent, with optional momentum (heavy ball or Nesterov), as PyTorch's
 * `torch.optim.SGD`. With momentum 0 it is plain gradient descent; fed minibatch gradients, it is
 * minibatch SGD.
 *
 *     g_t = ±∇f(θ_{t-1}) + λ θ_{t-1}                     (− when maximize; λ = weightDecay)
 *     b_1 = g_1,   b_t = μ b_{t-1} + (1 − τ) g_t  (t > 1)   (μ = momentum, τ = dampening)
 *     d_t = g_t + μ b_t  if nesterov,  else b_t          (d_t = g_t when μ = 0)
 *     θ_t = θ_{t-1} − γ d_t                             (γ = lr)
 *
 * Defaults: lr 1e-3, momentum 0, dampening 0, weightDecay 0, nesterov false, maximize false.
 */
export class SGD extends Optimizer<SGDOptions> {
  /** Its options, their defaults and ranges (PyTorch's momentum >= 0 is [0, 1] here). */
  static readonly spec: AlgorithmSpec = defineSpec<SGDOptions>({
    name: 'SGD',
    kind: 'optimizer',
    summary: 'stochastic gradient descent, with heavy-ball or Nesterov momentum',
    reference: 'PyTorch 2.x torch.optim.SGD',
    options: {
      lr: lrOption(1e-3),
      // PyTorch takes any momentum >= 0; past 1 the buffer grows geometrically.
      momentum: unitOption(0, 'μ, the momentum factor: the buffer keeps μ of its past', 'momentum'),
      dampening: unitOption(
        0,
        'τ, the part of each new gradient left out of the momentum buffer (0 with nesterov)',
        'dampening',
      ),
      weightDecay: weightDecayOption(0),
      nesterov: flagOption(
        'Nesterov momentum: step along g + μb (needs momentum > 0, dampening 0)',
        'nesterov',
      ),
      maximize: maximizeOption,
      ...stateDtypeOptions,
    },
  });

  /** The moment `stateDtype` stores: the momentum buffer. */
  static readonly moments: MomentSigns = { momentumBuffer: 'signed' };

  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, options, defaultsOf(SGD.spec));
  }

  protected override validateOptions(o: SGDOptions): void {
    checkWeightDecay(o.weightDecay, o.lr);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(
        `Nesterov momentum requires a momentum and zero dampening (momentum: ${o.momentum}, dampening: ${o.dampening})`,
      );
    }
  }

  protected override initState(): ParamState {
    return { momentumBuffer: null };
  }

  /**
   * The buffer is null until the first step with momentum makes it (int8's scales with it). A
   * step count is kept for stochastic rounding, whose random bits change with it.
   */
  protected override stateSpec(p: Param, group: ParamGroup<SGDOptions>): StateSpec {
    const buffer = this.momentSpec(p, group, 'momentumBuffer');
    return {
      ...Object.fromEntries(
        Object.entries(buffer).map(([key, entry]) => [
          key,
          stateEntry.optional(stateEntry.orNull(entry)),
        ]),
      ),
      step: stateEntry.optional(stateEntry.count),
    };
  }

  /** A buffer kept in int8 needs its scales. */
  protected override checkLoadedState(
    p: Param,
    state: ParamState,
    where: string,
    group: ParamGroup<SGDOptions>,
  ): void {
    super.checkLoadedState(p, state, where, group);
    for (const key of Object.keys(this.momentSpec(p, group, 'momentumBuffer'))) {
      if ((state[key] ?? null) === null && (state.momentumBuffer ?? null) !== null) {
        throw new TypeError(`Invalid state dict: ${where}.${key} is missing or null`);
      }
    }
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<SGDOptions>,
  ): void {
    const firstStep = group.momentum !== 0 && (state.momentumBuffer ?? null) === null;
    if (firstStep) Object.assign(state, this.momentZeros(p, group, 'momentumBuffer'));
    if (group.stochasticRounding) state.step = ((state.step as number | undefined) ?? 0) + 1;
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    const scalars = { lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep };
    const buffer = momentum !== 0 ? this.moment(p, state, group, 'momentumBuffer') : null;
    sgdKernel(p.data, grad, buffer, scalars);
  }
}
