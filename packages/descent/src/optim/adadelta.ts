import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkWeightDecay } from '../core/validate.js';
import { adadeltaKernel } from '../kernels/adadelta.js';
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
  lrOption,
  maximizeOption,
  unitOption,
  weightDecayOption,
} from './shared-options.js';

/** The options of {@link Adadelta}, PyTorch's in camelCase; a group may override any of them. */
export interface AdadeltaOptions {
  /**
   * γ, a factor on the step, which Adadelta's own ratio already sizes (so it is 1 by default, not
   * a tuned rate). Default 1; finite, >= 0.
   */
  lr: number;
  /**
   * ρ, the decay rate of both running means (of squared gradients and of squared updates).
   * Default 0.9; in [0, 1].
   */
  rho: number;
  /**
   * ε, inside both square roots: it starts the first steps (where the mean of squared updates is
   * 0) and keeps the ratio finite. Default 1e-6; finite, >= 0.
   */
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
 * Adadelta, as PyTorch's `torch.optim.Adadelta`: the step is the gradient rescaled by the ratio of
 * the running RMS of past updates to the running RMS of gradients, so it carries the parameters'
 * units and needs no learning rate (lr only scales it).
 *
 *     g_t = ±∇f(θ_{t-1}) + λ θ_{t-1}             (− when maximize; λ = weightDecay)
 *     v_t = ρ v_{t-1} + (1 − ρ) g_t²              (ρ = rho; v_0 = 0)
 *     Δ_t = √(u_{t-1} + ε) / √(v_t + ε) · g_t
 *     u_t = ρ u_{t-1} + (1 − ρ) Δ_t²              (u_0 = 0)
 *     θ_t = θ_{t-1} − γ Δ_t                       (γ = lr)
 *
 * State: step, squareAvg (v), accDelta (u).
 * Defaults: lr 1.0, rho 0.9, eps 1e-6, weightDecay 0, maximize false.
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<AdadeltaOptions>({
    name: 'Adadelta',
    kind: 'optimizer',
    summary: 'the gradient rescaled by the ratio of the RMS of past updates to that of gradients',
    reference: 'PyTorch 2.x torch.optim.Adadelta',
    options: {
      lr: lrOption(1, 'γ, a factor on the step (Adadelta’s ratio already sizes it)'),
      rho: unitOption(0.9, 'ρ, the decay rate of both running means', 'rho'),
      eps: epsOption(1e-6, 'ε, inside both square roots: it starts the first steps'),
      weightDecay: weightDecayOption(0),
      maximize: maximizeOption,
    },
  });

  constructor(params: ParamsInput<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super(params, options, defaultsOf(Adadelta.spec));
  }

  protected override validateOptions(o: AdadeltaOptions): void {
    checkWeightDecay(o.weightDecay, o.lr);
  }

  protected override initState(p: Param): ParamState {
    return { step: 0, squareAvg: this.zerosLike(p), accDelta: this.zerosLike(p) };
  }

  protected override stateSpec(): StateSpec {
    return {
      step: stateEntry.count,
      squareAvg: stateEntry.array({ nonNegative: true }),
      accDelta: stateEntry.array({ nonNegative: true }),
    };
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<AdadeltaOptions>,
  ): void {
    this.countStep(state);
    adadeltaKernel(
      p.data,
      grad,
      state.squareAvg as FloatArray,
      state.accDelta as FloatArray,
      group,
    );
  }
}
