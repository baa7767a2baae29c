import { defaultsOf, defineSpec } from '../core/options.js';
import {
  allocate,
  type DType,
  dtypeOf,
  type FloatArray,
  isFloatArray,
  type Param,
  zeros,
} from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { checkWeightDecay } from '../core/validate.js';
import { type MuonWorkspace, muonKernel } from '../kernels/muon.js';
import { freeArray, inArena } from '../kernels/wasm/arena.js';
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
  unitOption,
  weightDecayOption,
} from './shared-options.js';

/** How Muon scales its learning rate by the matrix's shape (PyTorch's `adjust_lr_fn`). */
export type MuonAdjustLr = 'original' | 'match_rms_adamw' | null;

/** The options of {@link Muon}, PyTorch's in camelCase; a group may override any of them. */
export interface MuonOptions {
  /** γ, the learning rate, before its adjustment to the shape. Default 1e-3; finite, >= 0. */
  lr: number;
  /**
   * λ, decoupled weight decay: θ ← θ (1 − γλ), with the unadjusted γ. Default 0.1; finite,
   * >= 0, with lr · weightDecay <= 1. PyTorch: `weight_decay`.
   */
  weightDecay: number;
  /** μ, the momentum factor: the buffer keeps μ of its past. Default 0.95; in [0, 1]. */
  momentum: number;
  /** Orthogonalize g + μ(B − g), Nesterov's look-ahead, rather than the buffer B. Default true. */
  nesterov: boolean;
  /**
   * (a, b, c), the Newton–Schulz polynomial a·X + (b·A + c·A²)·X. Default [3.4445, -4.775,
   * 2.0315] (Keller Jordan's); three finite numbers. PyTorch: `ns_coefficients`.
   */
  nsCoefficients: [number, number, number];
  /** ε, the floor of the Frobenius norm the update is divided by. Default 1e-7; finite, >= 0. */
  eps: number;
  /** k, the number of Newton–Schulz iterations. Default 5; an integer in [0, 99]. */
  nsSteps: number;
  /**
   * How γ is adjusted to the m × n shape: null or 'original', γ·√max(1, m/n) (Keller Jordan's);
   * 'match_rms_adamw', 0.2·γ·√max(m, n) (Moonshot's, to reuse AdamW's lr and weight decay).
   * Default null. PyTorch: `adjust_lr_fn`.
   */
  adjustLrFn: MuonAdjustLr;
}

/** A parameter as a step takes it (the base class refuses anything else, naming it). */
function isParam(p: unknown): p is Param {
  return typeof p === 'object' && p !== null && isFloatArray((p as Param).data);
}

/** The adjusted learning rate of an m × n matrix (PyTorch's `_adjust_lr`). */
function adjustLr(lr: number, adjust: MuonAdjustLr, rows: number, cols: number): number {
  const ratio =
    adjust === 'match_rms_adamw'
      ? 0.2 * Math.sqrt(Math.max(rows, cols))
      : Math.sqrt(Math.max(1, rows / cols));
  return lr * ratio;
}

/**
 * Muon, "MomentUm Orthogonalized by Newton–Schulz" (Keller Jordan 2024, "Muon: An optimizer for
 * hidden layers in neural networks"), as PyTorch 2.9+'s `torch.optim.Muon`: the momentum of a
 * matrix's gradient is replaced by a nearby orthogonal matrix, computed by a few Newton–Schulz
 * iterations, so every direction of the update moves by about the same amount.
 *
 *     B_t = B_{t-1} + (1 − μ)(g_t − B_{t-1})           (lerp; B_0 = 0)
 *     U_t = g_t + μ (B_t − g_t) if nesterov, else B_t
 *     X_0 = U_t / max(‖U_t‖_F, ε)                      (Uᵀ first when m > n)
 *     X_{i+1} = a X_i + (b A_i + c A_i²) X_i,  A_i = X_i X_iᵀ   (k = nsSteps times)
 *     O_t = X_k                                        (transposed back when m > n)
 *     θ_t = θ_{t-1} (1 − γλ) − γ' O_t
 *     γ' = γ √max(1, m/n) (adjustLrFn null, 'original'), 0.2 γ √max(m, n) ('match_rms_adamw')
 *
 * for an m × n parameter ((a, b, c) = nsCoefficients, μ = momentum, γ = lr, λ = weightDecay).
 * The coefficients do not converge to the orthogonal factor U Vᵀ of the SVD but to U S' Vᵀ with S'
 * roughly uniform in (0.5, 1.5) (PyTorch's documentation), which trains as well, in 5 steps.
 *
 * Only matrices: each parameter must have a two-dimensional `shape` (`param(init, { shape:
 * [rows, cols] })`); biases, gains and embeddings belong in an AdamW group, as PyTorch's
 * documentation says. PyTorch runs the iteration in bfloat16, for the GPU's speed; here it runs in
 * the parameter's own type (float32 or float64), which is PyTorch's algorithm in that type.
 * PyTorch's `use_addmm` (the same products, fused) has no equivalent.
 *
 * Where the products run: each iteration is three matrix products, X Xᵀ, c·A² + b·A and
 * B X + a·X (src/kernels/matmul.ts). For a parameter in the WebAssembly arena (`param()`'s
 * default) they run in WebAssembly, blocked, SIMD and shared by rows between threads
 * (assembly/matmul.ts; their sums in the parameter's type, as PyTorch's, and the same bits on
 * any number of threads), on matrices of the arena the optimizer keeps from step to step, one set
 * per element type sized to the largest parameter; otherwise on TypeScript loops (sums in
 * float64).
 *
 * State: momentumBuffer (B).
 * Defaults (PyTorch's): lr 1e-3, weightDecay 0.1, momentum 0.95, nesterov true, nsCoefficients
 * [3.4445, -4.775, 2.0315], eps 1e-7, nsSteps 5, adjustLrFn null.
 */
export class Muon extends Optimizer<MuonOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<MuonOptions>({
    name: 'Muon',
    kind: 'optimizer',
    summary: 'momentum orthogonalized by Newton–Schulz iterations, for matrices only',
    reference: 'PyTorch 2.9+ torch.optim.Muon',
    options: {
      lr: lrOption(1e-3, 'γ, the learning rate before its adjustment to the matrix’s shape'),
      weightDecay: weightDecayOption(
        0.1,
        'λ, decoupled weight decay: θ ← θ(1 − γλ) before the step (lr · weightDecay <= 1)',
      ),
      // PyTorch takes any momentum >= 0; past 1 the buffer extrapolates away from the gradient.
      momentum: unitOption(
        0.95,
        'μ, the momentum factor: the buffer keeps μ of its past',
        'momentum',
      ),
      nesterov: {
        ...flagOption('orthogonalize Nesterov’s g + μ(B − g) rather than the buffer B', 'nesterov'),
        default: true,
      },
      nsCoefficients: {
        summary: '(a, b, c) of the Newton–Schulz polynomial a·X + (b·A + c·A²)·X',
        type: 'numbers',
        default: [3.4445, -4.775, 2.0315],
        scale: 'linear',
        reference: 'ns_coefficients',
      },
      eps: epsOption(1e-7, 'ε, the floor of the Frobenius norm the update is divided by'),
      nsSteps: {
        summary: 'k, the number of Newton–Schulz iterations',
        type: 'integer',
        default: 5,
        min: 0,
        max: 99,
        scale: 'linear',
        reference: 'ns_steps',
      },
      adjustLrFn: {
        summary: "γ's adjustment: null or 'original' √max(1, m/n), 'match_rms_adamw' 0.2√max(m, n)",
        type: 'choice',
        default: null,
        choices: [null, 'original', 'match_rms_adamw'],
        reference: 'adjust_lr_fn',
      },
    },
  });

  /**
   * The iteration's matrices, by element type and by where the parameter lives (the arena, where
   * the products run in WebAssembly, or ordinary arrays), each kept for the largest matrix so far
   * and reused from step to step; a larger one frees the arena blocks of the old.
   */
  private readonly workspaces = new Map<string, MuonWorkspace>();

  constructor(params: ParamsInput<MuonOptions>, options: Partial<MuonOptions> = {}) {
    super(params, options, defaultsOf(Muon.spec));
  }

  /** A workspace for a rows × cols parameter whose values are `data`. */
  private workspace(data: FloatArray, rows: number, cols: number): MuonWorkspace {
    const dtype: DType = dtypeOf(data);
    const arena = inArena(data);
    const key = `${dtype} ${arena}`;
    const n = rows * cols;
    const r = Math.min(rows, cols);
    const held = this.workspaces.get(key);
    if (held !== undefined && held.x.length >= n && held.gram.length >= r * r) return held;
    const make = (length: number) => (arena ? allocate(dtype, length) : zeros(dtype, length));
    const size = Math.max(n, held?.x.length ?? 0);
    const square = Math.max(r * r, held?.gram.length ?? 0);
    const work = { x: make(size), next: make(size), gram: make(square), poly: make(square) };
    if (held !== undefined) for (const array of Object.values(held)) freeArray(array);
    this.workspaces.set(key, work);
    return work;
  }

  protected override validateOptions(o: MuonOptions): void {
    if (o.nsCoefficients.length !== 3) {
      throw new TypeError(
        `Invalid nsCoefficients: ${JSON.stringify(o.nsCoefficients)} (expected three numbers)`,
      );
    }
    checkWeightDecay(o.weightDecay, o.lr);
  }

  /**
   * Every parameter a matrix: a `shape` of two dimensions, checked at construction, when a group
   * is added, before each step and on loading (a shape may have been replaced since).
   */
  protected override validateGroups(groups: readonly ParamGroup<MuonOptions>[]): void {
    for (const group of groups) {
      if (!Array.isArray(group.params)) continue;
      for (const p of group.params as unknown[]) {
        // What is not a parameter is left to the base class to name.
        if (!isParam(p)) continue;
        const shape = p.shape as unknown;
        const which = p.name === undefined ? 'a parameter' : `parameter ${JSON.stringify(p.name)}`;
        const matrix =
          Array.isArray(shape) &&
          shape.length === 2 &&
          shape.every((d) => Number.isInteger(d) && d >= 0) &&
          shape[0] * shape[1] === p.data.length;
        if (!matrix) {
          throw new RangeError(
            `Muon takes only matrices, and ${which} has shape ${JSON.stringify(shape ?? [p.data.length])}: give it a two-dimensional shape (param(init, { shape: [rows, cols] })), or put it in an AdamW group`,
          );
        }
      }
    }
  }

  protected override initState(p: Param): ParamState {
    return { momentumBuffer: this.zerosLike(p) };
  }

  protected override stateSpec(): StateSpec {
    return { momentumBuffer: stateEntry.array() };
  }

  protected override stepParam(
    p: Param,
    grad: FloatArray,
    state: ParamState,
    group: ParamGroup<MuonOptions>,
  ): void {
    const [rows, cols] = p.shape as readonly number[];
    const [a, b, c] = group.nsCoefficients;
    const work = this.workspace(p.data, rows, cols);
    muonKernel(p.data, grad, state.momentumBuffer as FloatArray, work, {
      momentum: group.momentum,
      nesterov: group.nesterov,
      a,
      b,
      c,
      eps: group.eps,
      nsSteps: group.nsSteps,
      paramDecay: 1 - group.lr * group.weightDecay,
      adjustedLr: adjustLr(group.lr, group.adjustLrFn, rows, cols),
      rows,
      cols,
    });
  }
}
