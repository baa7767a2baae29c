import { defaultsOf, defineSpec } from '../core/options.js';
import { allocate, dtypeOf, type FloatArray, isFloatArray, type Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkWeightDecay } from '../core/validate.js';
import {
  type AdafactorScalars,
  adafactorFactorsKernel,
  adafactorMomentsKernel,
  adafactorStepKernel,
  adafactorStepSize,
  adafactorSumsKernel,
} from '../kernels/adafactor.js';
import { SumsWorkspace } from '../kernels/partial-sums.js';
import { inArena } from '../kernels/wasm/arena.js';
import { batch } from '../kernels/wasm/batch.js';
import { arenaGradient } from '../kernels/wasm/staging.js';
import {
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import { lrOption, maximizeOption, weightDecayOption } from './shared-options.js';

/** The options of {@link Adafactor}, PyTorch's in camelCase; a group may override any of them. */
export interface AdafactorOptions {
  /**
   * γ: the largest relative step size ρ_t = min(γ, 1/√t), and the weight decay's rate. Default
   * 1e-2 (the paper's constant); finite, >= 0.
   */
  lr: number;
  /**
   * τ, the exponent of the second moment's decay: 1 − β̂₂ₜ = t^τ, so the running means weigh
   * the new squares by 1 at the first step and less and less. Default -0.8; finite, <= 0.
   * PyTorch: `beta2_decay`.
   */
  beta2Decay: number;
  /**
   * (ε₁, ε₂): ε₁ floors the second moment's root (and the row factors' mean), null for the
   * machine epsilon of the parameter's dtype (2⁻²³ for float32, 2⁻⁵² for float64); ε₂ floors the
   * parameter's root-mean-square in the step size, so a parameter at zero can move. Default
   * [null, 1e-3]; each finite, >= 0.
   */
  eps: [number | null, number];
  /**
   * d, the clipping threshold: the update is scaled down when its root-mean-square exceeds d.
   * Default 1; finite, >= 1.
   */
  d: number;
  /**
   * λ, decoupled weight decay: θ ← θ (1 − γλ) before the step. Default 0; finite, >= 0, with
   * lr · weightDecay <= 1. PyTorch: `weight_decay`.
   */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (the gradient's sign flips). Default false. */
  maximize: boolean;
}

/** A parameter as a step takes it (the base class refuses anything else, naming it). */
function isParam(p: unknown): p is Param {
  return typeof p === 'object' && p !== null && isFloatArray((p as Param).data);
}

/** The last two dimensions of a parameter of two or more, whose second moment is factored. */
function matrixOf(p: Param): { rows: number; cols: number } | null {
  const shape = p.shape;
  if (shape === undefined || shape.length < 2) return null;
  return { rows: shape[shape.length - 2], cols: shape[shape.length - 1] };
}

/**
 * Adafactor (Shazeer and Stern 2018, "Adafactor: Adaptive Learning Rates with Sublinear Memory
 * Cost"), as PyTorch 2.5+'s `torch.optim.Adafactor`: for a parameter of two or more dimensions
 * (its `shape`), the second moment of each trailing m × n matrix is kept as m row and n column
 * means, m + n numbers instead of m·n; a vector keeps it whole. Steps are relative to the
 * parameter's size, with no first moment.
 *
 *     g_t = ±∇f(θ_{t-1})                               (− when maximize)
 *     w_t = t^τ                                        (1 − β̂₂ₜ; τ = beta2Decay)
 *     ρ_t = min(γ, 1/√t),   α_t = max(ε₂, RMS(θ_{t-1})) ρ_t
 *     θ_{t-1} ← (1 − γλ) θ_{t-1}                       (λ = weightDecay)
 *     matrix: R_t = R_{t-1} + w_t (mean_j g_t² − R_{t-1})   (per row i; R_0 = 0)
 *             C_t = C_{t-1} + w_t (mean_i g_t² − C_{t-1})   (per column j; C_0 = 0)
 *             V̂_t = R_t C_tᵀ / max(mean_i R_t, ε₁)
 *     vector: V̂_t = V̂_{t-1} + w_t (g_t² − V̂_{t-1})         (V̂_0 = 0)
 *     U_t = g_t / √max(V̂_t, ε₁²)
 *     θ_t = θ_{t-1} − α_t / max(1, RMS(U_t) / d) · U_t
 *
 * RMS is over the whole tensor; a parameter of more than two dimensions factors each trailing
 * matrix, its leading dimensions a batch. As PyTorch's, ε₁ floors the estimate and its root
 * rather than joining the squares (the paper's way), and the means are means, not the paper's sums.
 * With ε₁ null, PyTorch's loop takes the dtype of the first parameter of the group for all; here
 * each parameter takes its own.
 *
 * State: step, rowVar (R, one per row of each matrix) and colVar (C, one per column), or
 * variance (V̂) for a vector.
 * Defaults (PyTorch's): lr 1e-2, beta2Decay -0.8, eps [null, 1e-3], d 1, weightDecay 0,
 * maximize false.
 */
export class Adafactor extends Optimizer<AdafactorOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<AdafactorOptions>({
    name: 'Adafactor',
    kind: 'optimizer',
    summary: 'relative steps, the second moment of a matrix factored into row and column means',
    reference: 'PyTorch 2.5+ torch.optim.Adafactor',
    options: {
      lr: lrOption(1e-2, 'γ, the largest relative step size, and the weight decay’s rate'),
      beta2Decay: {
        summary: 'τ: the squares’ weight in the second moment is t^τ',
        type: 'number',
        default: -0.8,
        max: 0,
        scale: 'linear',
        reference: 'beta2_decay',
        label: 'beta2_decay value',
      },
      eps: {
        summary: '(ε₁, ε₂): floors of the second moment’s root (null: the dtype’s) and of RMS(θ)',
        type: 'pair',
        default: [null, 1e-3],
        min: 0,
        items: [{ min: 0, nullable: true }, { min: 0 }],
        scale: 'log',
        reference: 'eps',
        label: 'epsilon value',
      },
      d: {
        summary: 'the clipping threshold of the update’s root-mean-square',
        type: 'number',
        default: 1,
        min: 1,
        scale: 'log',
        reference: 'd',
        label: 'clipping threshold d',
      },
      weightDecay: weightDecayOption(
        0,
        'λ, decoupled weight decay: θ ← θ(1 − γλ) before the step (lr · weightDecay <= 1)',
      ),
      maximize: maximizeOption,
    },
  });

  constructor(params: ParamsInput<AdafactorOptions>, options: Partial<AdafactorOptions> = {}) {
    super(params, options, defaultsOf(Adafactor.spec));
  }

  protected override validateOptions(o: AdafactorOptions): void {
    checkWeightDecay(o.weightDecay, o.lr);
  }

  /**
   * Besides the usual checks, each parameter's shape, which decides the state's layout: integers
   * whose product is its length (a parameter made by hand, or whose shape was replaced, may have
   * another).
   */
  protected override checkBeforeStep(): void {
    // First, as the state's checks read the shape; a list that is not one of parameters is
    // left to the base class to name.
    for (const group of this.paramGroups) {
      if (!Array.isArray(group.params)) continue;
      for (const p of group.params as unknown[]) {
        if (!isParam(p)) continue;
        const shape = p.shape as unknown;
        if (shape === undefined) continue;
        const valid = Array.isArray(shape) && shape.every((n) => Number.isInteger(n) && n >= 0);
        const elements = valid ? shape.reduce((a: number, b: number) => a * b, 1) : Number.NaN;
        const which = p.name === undefined ? 'a parameter' : `parameter ${JSON.stringify(p.name)}`;
        if (elements !== p.data.length) {
          throw new RangeError(
            `Invalid shape of ${which}: ${JSON.stringify(shape)} for ${p.data.length} elements`,
          );
        }
        // A matrix's state cannot step a vector, nor the reverse.
        const state = this.state.get(p);
        if (state !== undefined && (matrixOf(p) === null) !== 'variance' in state) {
          throw new RangeError(
            `Invalid shape of ${which}: ${JSON.stringify(shape)}, and its state is a ${'variance' in state ? "vector's" : "matrix's"}`,
          );
        }
      }
    }
    super.checkBeforeStep();
  }

  protected override initState(p: Param): ParamState {
    const matrix = matrixOf(p);
    if (matrix === null) return { step: 0, variance: this.zerosLike(p) };
    const batch = p.data.length / (matrix.rows * matrix.cols) || 0;
    return {
      step: 0,
      rowVar: this.zerosLike(p, batch * matrix.rows),
      colVar: this.zerosLike(p, batch * matrix.cols),
    };
  }

  /** A matrix's row and column means, of its rows' and columns' number; a vector's whole moment. */
  protected override stateSpec(p: Param): StateSpec {
    const matrix = matrixOf(p);
    if (matrix === null) {
      return { step: stateEntry.count, variance: stateEntry.array({ nonNegative: true }) };
    }
    const batch = p.data.length / (matrix.rows * matrix.cols) || 0;
    return {
      step: stateEntry.count,
      rowVar: stateEntry.array({ length: batch * matrix.rows, nonNegative: true }),
      colVar: stateEntry.array({ length: batch * matrix.cols, nonNegative: true }),
    };
  }

  /** Where the passes leave each tensor's sums (src/kernels/partial-sums.ts). */
  private readonly sums = new SumsWorkspace();

  /**
   * A factored parameter's 1/√C, from its first pass for the next two (src/kernels/adafactor.ts):
   * not state, as the next step computes it again.
   */
  private readonly roots = new WeakMap<Param, FloatArray>();

  /**
   * The array of a factored parameter's roots, as long as its colVar, and in the arena when
   * colVar is (it may have been made while the arena was off).
   */
  private rootsOf(p: Param, colVar: FloatArray): FloatArray {
    let roots = this.roots.get(p);
    if (
      roots === undefined ||
      roots.length !== colVar.length ||
      dtypeOf(roots) !== dtypeOf(colVar) ||
      (inArena(colVar) && !inArena(roots))
    ) {
      roots = allocate(dtypeOf(colVar), colVar.length);
      this.roots.set(p, roots);
    }
    return roots;
  }

  /**
   * Three passes over the group, each one batch of kernel rows shared by all its tensors
   * (src/kernels/adafactor.ts): a vector's second moment and sums, or a matrix's row and column
   * means; then a vector's step, or a matrix's sums, which need the new means; then a matrix's
   * step. A step size needs its tensor's whole sums, so each waits for the batch before. A group
   * of vectors only makes two calls into WebAssembly, as an empty batch makes none.
   */
  protected override stepGroup(group: ParamGroup<AdafactorOptions>): void {
    const params = group.params.filter((p) => p.grad !== null);
    const sums = this.sums.views(params.map((p) => p.data.length));
    const [eps1, eps2] = group.eps;
    const tensors = params.map((p, i) => {
      const state = this.stateOf(p, group);
      const step = this.countStep(state);
      const matrix = matrixOf(p);
      const scalars: AdafactorScalars = {
        gradSign: group.maximize ? -1 : 1,
        weight: step ** group.beta2Decay,
        eps1: eps1 ?? (p.data instanceof Float64Array ? 2 ** -52 : 2 ** -23),
        eps2,
        rho: Math.min(group.lr, 1 / step ** 0.5),
        d: group.d,
        paramDecay: 1 - group.lr * group.weightDecay,
        rows: matrix?.rows ?? 0,
        cols: matrix?.cols ?? 0,
      };
      return {
        p: p.data,
        // Staged in the arena once, for every pass.
        grad: arenaGradient(p, p.data, p.grad as FloatArray),
        variance: matrix === null ? (state.variance as FloatArray) : null,
        rowVar: matrix === null ? null : (state.rowVar as FloatArray),
        colVar: matrix === null ? null : (state.colVar as FloatArray),
        roots: matrix === null ? null : this.rootsOf(p, state.colVar as FloatArray),
        sums: sums[i],
        scalars,
      };
    });
    const stepSize = (t: (typeof tensors)[number]) =>
      adafactorStepSize(t.sums, t.p.length, t.scalars);
    batch(() => {
      for (const t of tensors) {
        if (t.variance !== null) adafactorMomentsKernel(t.p, t.grad, t.variance, t.sums, t.scalars);
        else adafactorFactorsKernel(t.p, t.grad, t.rowVar!, t.colVar!, t.roots!, t.scalars);
      }
    });
    batch(() => {
      for (const t of tensors) {
        if (t.variance !== null) {
          adafactorStepKernel(t.p, t.grad, t.variance, null, null, null, stepSize(t), t.scalars);
        } else {
          adafactorSumsKernel(t.p, t.grad, t.rowVar!, t.colVar!, t.roots!, t.sums, t.scalars);
        }
      }
    });
    batch(() => {
      for (const t of tensors) {
        if (t.variance !== null) continue;
        const { p, grad, rowVar, colVar, roots, scalars } = t;
        adafactorStepKernel(p, grad, null, rowVar, colVar, roots, stepSize(t), scalars);
      }
    });
  }
}
