import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkWeightDecay } from '../core/validate.js';
import { adagradKernel } from '../kernels/adagrad.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import {
  decayOption,
  epsOption,
  lrOption,
  maximizeOption,
  weightDecayOption,
} from './shared-options.js';
import { type MomentSigns, type StateDtypeOptions, stateDtypeOptions } from './state-dtype.js';

/** The options of {@link Adagrad}, PyTorch's in camelCase; a group may override any of them. */
export interface AdagradOptions extends StateDtypeOptions {
  /** The learning rate γ, before `lrDecay`. Default 1e-2; finite, >= 0. */
  lr: number;
  /**
   * η: the rate at step t is γ / (1 + (t − 1) η). Default 0 (no decay); finite, >= 0. PyTorch:
   * `lr_decay`.
   */
  lrDecay: number;
  /**
   * λ, an L2 penalty: λ θ is added to the gradient. Default 0; finite, >= 0, with
   * lr · weightDecay <= 1 (a larger step would shrink the parameter past zero). PyTorch:
   * `weight_decay`.
   */
  weightDecay: number;
  /**
   * τ, the value every sum of squared gradients starts from: a larger one damps the first steps.
   * Default 0; finite, >= 0. Only the constructor's value is used (as in PyTorch, which fills the
   * accumulators from it): a group's is kept but starts nothing. PyTorch:
   * `initial_accumulator_value`.
   */
  initialAccumulatorValue: number;
  /**
   * ε, added to the root of the sum of squares, so that a coordinate with no gradient yet does not
   * divide by zero. Default 1e-10; finite, >= 0.
   */
  eps: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign flips). Default false. */
  maximize: boolean;
}

/**
 * Adagrad, as PyTorch's `torch.optim.Adagrad`: each coordinate's step shrinks with the sum of its
 * squared gradients so far.
 *
 *     g_t = ±∇f(θ_{t-1}) + λ θ_{t-1}             (− when maximize; λ = weightDecay)
 *     γ_t = γ / (1 + (t − 1) η)                   (γ = lr, η = lrDecay)
 *     s_0 = τ,   s_t = s_{t-1} + g_t²             (τ = initialAccumulatorValue)
 *     θ_t = θ_{t-1} − γ_t g_t / (√s_t + ε)
 *
 * As in PyTorch, s_0 is the optimizer's own `initialAccumulatorValue` (the constructor option):
 * PyTorch fills every accumulator from it, so a value given to one parameter group is kept in the
 * group but starts nothing.
 *
 * Defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10, maximize false.
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<AdagradOptions>({
    name: 'Adagrad',
    kind: 'optimizer',
    summary: 'steps that shrink with the sum of each coordinate’s squared gradients',
    reference: 'PyTorch 2.x torch.optim.Adagrad',
    options: {
      lr: lrOption(1e-2, 'γ, the learning rate, before lrDecay'),
      lrDecay: decayOption(0, 'η: the rate at step t is γ / (1 + (t − 1) η)', 'lr_decay'),
      weightDecay: weightDecayOption(0),
      initialAccumulatorValue: decayOption(
        0,
        'τ, the value every sum of squared gradients starts from (the constructor’s only)',
        'initial_accumulator_value',
      ),
      eps: epsOption(1e-10, 'ε, added to the root of the sum of squares'),
      maximize: maximizeOption,
      ...stateDtypeOptions,
    },
  });

  /** The moment `stateDtype` stores: the sum of squares. */
  static readonly moments: MomentSigns = { sum: 'unsigned' };

  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, options, defaultsOf(Adagrad.spec));
  }

  protected override validateOptions(o: AdagradOptions): void {
    checkWeightDecay(o.weightDecay, o.lr);
  }

  protected override initState(p: Param, group: ParamGroup<AdagradOptions>): ParamState {
    const fill = this.defaults.initialAccumulatorValue;
    return { step: 0, ...this.momentZeros(p, group, 'sum', fill) };
  }

  protected override stateSpec(p: Param, group: ParamGroup<AdagradOptions>): StateSpec {
    return { step: stateEntry.count, ...this.momentSpec(p, group, 'sum') };
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<AdagradOptions>,
  ): void {
    const step = this.countStep(state);
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    adagradKernel(p.data, grad, this.moment(p, state, group, 'sum'), {
      lr,
      lrDecay,
      weightDecay,
      eps,
      maximize,
      step,
    });
  }
}
