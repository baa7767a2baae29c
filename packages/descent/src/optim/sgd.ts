import type { FloatArray, Param } from '../core/param.js';
import { checkBoolean, checkInRange, checkLr, checkWeightDecay } from '../core/validate.js';
import { sgdKernel } from '../kernels/sgd.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
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
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, options, {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
    });
  }

  protected validateOptions(o: SGDOptions): void {
    checkWeightDecay(o.weightDecay, checkLr(o.lr));
    // PyTorch takes any momentum >= 0; past 1 the buffer grows geometrically.
    checkInRange('momentum', o.momentum, 0, 1, { closed: true, description: 'momentum value' });
    checkInRange('dampening', o.dampening, 0, 1, { closed: true, description: 'dampening value' });
    checkBoolean('nesterov', o.nesterov);
    checkBoolean('maximize', o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(
        `Nesterov momentum requires a momentum and zero dampening (momentum: ${o.momentum}, dampening: ${o.dampening})`,
      );
    }
  }

  protected override initState(): ParamState {
    return { momentumBuffer: null };
  }

  /** The buffer is null until the first step with momentum makes it. */
  protected override stateSpec(): StateSpec {
    return { momentumBuffer: stateEntry.orNull(stateEntry.array()) };
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<SGDOptions>,
  ): void {
    let buffer = state.momentumBuffer as FloatArray | null;
    const firstStep = group.momentum !== 0 && buffer === null;
    if (firstStep) {
      buffer = this.zerosLike(p);
      state.momentumBuffer = buffer;
    }
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    const scalars = { lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep };
    sgdKernel(p.data, grad, momentum !== 0 ? buffer : null, scalars);
  }
}
