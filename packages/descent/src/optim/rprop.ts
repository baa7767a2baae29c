import { defaultsOf, defineSpec } from '../core/options.js';
import type { FloatArray, Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { rpropKernel } from '../kernels/rprop.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import { lrOption, maximizeOption } from './shared-options.js';

/** The options of {@link Rprop}, PyTorch's in camelCase; a group may override any of them. */
export interface RpropOptions {
  /**
   * The initial step size s_0 of every element (Rprop's steps do not scale with the gradient).
   * Default 1e-2; finite, >= 0.
   */
  lr: number;
  /**
   * (η₋, η₊): the factors by which an element's step size shrinks when its gradient's sign flips
   * and grows while it holds. Default [0.5, 1.2]; 0 < η₋ < 1 < η₊, finite.
   */
  etas: [number, number];
  /**
   * (Γ_min, Γ_max), the bounds of the step sizes. Default [1e-6, 50]; 0 <= Γ_min <= Γ_max (PyTorch
   * takes any pair; a negative or inverted one would make Rprop climb). PyTorch: `step_sizes`.
   */
  stepSizes: [number, number];
  /** Maximize the objective instead of minimizing it (the gradient's sign flips). Default false. */
  maximize: boolean;
}

/**
 * Resilient backpropagation, as PyTorch's `torch.optim.Rprop`: each element moves by its own step
 * size in the direction of its gradient's sign, the step size growing while the sign holds and
 * shrinking when it flips.
 *
 *     g_t = ±∇f(θ_{t-1})                                  (− when maximize)
 *     s_t = min(η₊ s_{t-1}, Γ_max)   if g_t g_{t-1} > 0    (s_0 = γ = lr)
 *     s_t = max(η₋ s_{t-1}, Γ_min),  g_t ← 0   if g_t g_{t-1} < 0
 *     s_t = clamp(s_{t-1}, Γ_min, Γ_max)     otherwise    (g_0 = 0)
 *     θ_t = θ_{t-1} − s_t sign(g_t)
 *
 * with (η₋, η₊) = etas, 0 < η₋ < 1 < η₊, and (Γ_min, Γ_max) = stepSizes. The g_t stored for the
 * next step is the one zeroed at a sign change, so the step after a flip neither grows nor shrinks.
 *
 * State: step, prev (g_t), stepSize (s_t).
 * Defaults: lr 1e-2, etas [0.5, 1.2], stepSizes [1e-6, 50], maximize false.
 */
export class Rprop extends Optimizer<RpropOptions> {
  /** Its options, their defaults and ranges (PyTorch takes any stepSizes). */
  static readonly spec: AlgorithmSpec = defineSpec<RpropOptions>({
    name: 'Rprop',
    kind: 'optimizer',
    summary: 'each element steps by its own size, grown while its gradient’s sign holds',
    reference: 'PyTorch 2.x torch.optim.Rprop',
    options: {
      lr: lrOption(1e-2, 's₀, the initial step size of every element'),
      etas: {
        summary: '(η₋, η₊), the factors a step size shrinks by at a sign flip and grows by after',
        type: 'pair',
        default: [0.5, 1.2],
        min: 0,
        minExclusive: true,
        items: [
          { min: 0, max: 1, minExclusive: true, maxExclusive: true },
          { min: 1, minExclusive: true },
        ],
        scale: 'linear',
        reference: 'etas',
      },
      // A negative step size would make Rprop climb; an infinite maximum leaves it unbounded.
      stepSizes: {
        summary: '(Γ_min, Γ_max), the bounds of the step sizes (Γ_min <= Γ_max)',
        type: 'pair',
        default: [1e-6, 50],
        min: 0,
        infinite: true,
        // The least finite: the first step of every element is at least it.
        items: [{ min: 0, max: Number.MAX_VALUE }, { min: 0 }],
        scale: 'log',
        reference: 'step_sizes',
      },
      maximize: maximizeOption,
    },
  });

  constructor(params: ParamsInput<RpropOptions>, options: Partial<RpropOptions> = {}) {
    super(params, options, defaultsOf(Rprop.spec));
  }

  protected override validateOptions(o: RpropOptions): void {
    // PyTorch takes any step sizes; an inverted range would only make Rprop climb.
    const [min, max] = o.stepSizes;
    if (!(min <= max)) {
      throw new RangeError(
        `Invalid step sizes (stepSizes): ${min}, ${max} (expected stepSizes[0] <= stepSizes[1])`,
      );
    }
  }

  protected override initState(p: Param, group: ParamGroup<RpropOptions>): ParamState {
    return { step: 0, prev: this.zerosLike(p), stepSize: this.zerosLike(p).fill(group.lr) };
  }

  /** Step sizes stay within stepSizes, >= 0: a negative one would step uphill. */
  protected override stateSpec(): StateSpec {
    return {
      step: stateEntry.count,
      prev: stateEntry.array(),
      stepSize: stateEntry.array({ nonNegative: true }),
    };
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<RpropOptions>,
  ): void {
    this.countStep(state);
    rpropKernel(p.data, grad, state.prev as FloatArray, state.stepSize as FloatArray, group);
  }
}
