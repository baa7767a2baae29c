import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import { numberKinds } from '../core/serialize.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkDecayRate, checkWeightDecay } from '../core/validate.js';
import { asgdKernel } from '../kernels/asgd.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import { decayOption, lrOption, maximizeOption, weightDecayOption } from './shared-options.js';

/** The options of {@link ASGD}, PyTorch's in camelCase; a group may override any of them. */
export interface ASGDOptions {
  /** The initial step size γ = η_0, from which η decays. Default 1e-2; finite, >= 0. */
  lr: number;
  /**
   * λ, the decay term: it sets how fast η shrinks, η_t = γ / (1 + λ γ t)^α, and shrinks θ by
   * (1 − λ η) at each step. Default 1e-4; finite, >= 0. (PyTorch's spelling, as `lambda` is
   * reserved in Python.)
   */
  lambd: number;
  /** α, the power of η's decay. Default 0.75; finite, >= 0. */
  alpha: number;
  /**
   * t₀, the step from which the iterates are averaged (before it the average copies the last
   * iterate). Default 1e6, so that short runs never average; any finite number.
   */
  t0: number;
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
 * Averaged stochastic gradient descent (Polyak and Juditsky), as PyTorch's `torch.optim.ASGD`:
 * SGD with a slowly decaying step size, which also keeps the running average of its iterates
 * from step t₀ on (the average is the estimate; the parameters keep the last iterate).
 *
 *     g_t = ±∇f(θ_{t-1}) + λ_wd θ_{t-1}           (− when maximize; λ_wd = weightDecay)
 *     θ_t = (1 − λ η_{t-1}) θ_{t-1} − η_{t-1} g_t  (λ = lambd)
 *     a_t = a_{t-1} + μ_{t-1} (θ_t − a_{t-1})      (a = ax; μ = 1 copies θ_t)
 *     η_t = γ / (1 + λ γ t)^α,   μ_t = 1 / max(1, t − t₀)   (η_0 = γ = lr, μ_0 = 1)
 *
 * As in PyTorch, η and μ are float32 numbers (PyTorch's default dtype) whatever the parameters'.
 *
 * State: step, eta (η), mu (μ), ax (a).
 * Defaults: lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6, weightDecay 0, maximize false.
 */
export class ASGD extends Optimizer<ASGDOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<ASGDOptions>({
    name: 'ASGD',
    kind: 'optimizer',
    summary: 'SGD with a slowly decaying step, averaging its iterates from step t₀ on',
    reference: 'PyTorch 2.x torch.optim.ASGD',
    options: {
      // η starts at lr as a float32 number, as in PyTorch: past float32's largest it would be
      // infinite.
      lr: {
        ...lrOption(1e-2, 'γ = η₀, the initial step size, from which η decays'),
        max: 3.4028234663852886e38,
      },
      lambd: decayOption(1e-4, 'λ, the decay term: η_t = γ / (1 + λγt)^α', 'lambd'),
      alpha: { ...decayOption(0.75, 'α, the power of η’s decay', 'alpha'), scale: 'linear' },
      t0: {
        summary: 't₀, the step from which the iterates are averaged',
        type: 'number',
        default: 1e6,
        scale: 'linear',
        reference: 't0',
      },
      weightDecay: weightDecayOption(0),
      maximize: maximizeOption,
    },
  });

  constructor(params: ParamsInput<ASGDOptions>, options: Partial<ASGDOptions> = {}) {
    super(params, options, defaultsOf(ASGD.spec));
  }

  protected override validateOptions(o: ASGDOptions): void {
    const lr = o.lr;
    checkWeightDecay(o.weightDecay, lr);
    // θ is multiplied by 1 − λη, η <= lr: as weight decay, λ·lr must stay within 1.
    checkDecayRate('lambd', o.lambd, lr, 'lambd value');
  }

  protected override initState(p: Param, group: ParamGroup<ASGDOptions>): ParamState {
    return { step: 0, eta: Math.fround(group.lr), mu: 1, ax: this.zerosLike(p) };
  }

  /** η is a learning rate (finite, >= 0), μ an averaging weight in [0, 1]. */
  protected override stateSpec(): StateSpec {
    return {
      step: stateEntry.count,
      eta: stateEntry.number(numberKinds.nonNegative),
      mu: stateEntry.number(numberKinds.unit),
      ax: stateEntry.array(),
    };
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<ASGDOptions>,
  ): void {
    const step = this.countStep(state);
    const { lr, lambd, alpha, t0, weightDecay, maximize } = group;
    asgdKernel(p.data, grad, state.ax as FloatArray, {
      lambd,
      weightDecay,
      maximize,
      eta: state.eta as number,
      mu: state.mu as number,
    });
    state.eta = Math.fround(lr / (1 + lambd * lr * step) ** alpha);
    state.mu = Math.fround(1 / Math.max(1, step - t0));
  }
}
