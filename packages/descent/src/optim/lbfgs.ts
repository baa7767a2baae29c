import { defaultsOf, defineSpec } from '../core/options.js';
import { type DType, dtypeOf, type FloatArray, type Param, zeros } from '../core/param.js';
import { numberKinds } from '../core/serialize.js';
import type { AlgorithmSpec } from '../core/spec.js';
import {
  axpy,
  differenceInto,
  dot,
  lbfgsDirection,
  maxAbs,
  type Round,
  scaleInto,
  sumAbs,
} from '../kernels/lbfgs.js';
import { strongWolfe } from './line-search.js';
import {
  type Closure,
  checkGradient,
  checkStateSpec,
  type GroupInput,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateSpec,
  stateEntry,
} from './optimizer.js';
import { lrOption } from './shared-options.js';

/** The options of {@link LBFGS}, PyTorch's in camelCase; L-BFGS takes a single group. */
export interface LBFGSOptions {
  /**
   * γ, the step length of each iteration (scaled down on the very first one); with a line search,
   * its first trial step. Default 1; finite, >= 0.
   */
  lr: number;
  /** The most iterations one `step` runs. Default 20; an integer >= 1. PyTorch: `max_iter`. */
  maxIter: number;
  /**
   * The most evaluations of the closure one `step` makes. Default ⌊maxIter · 5 / 4⌋; an integer
   * >= 1. PyTorch: `max_eval`.
   */
  maxEval: number;
  /**
   * A `step` stops once the largest gradient element is at most this: first-order optimality.
   * Default 1e-7; >= 0. PyTorch: `tolerance_grad`.
   */
  toleranceGrad: number;
  /**
   * A `step` stops once the loss, the step or the directional derivative changes by less than
   * this. Default 1e-9; >= 0. PyTorch: `tolerance_change`.
   */
  toleranceChange: number;
  /**
   * m, the number of curvature pairs kept; each costs two vectors the size of all the parameters.
   * Default 100; an integer >= 1. PyTorch: `history_size`.
   */
  historySize: number;
  /**
   * 'strong_wolfe' refines each step length by a line search satisfying the strong Wolfe
   * conditions (more closure calls, safer steps); null takes the step length as it is. Default
   * null. PyTorch: `line_search_fn`.
   */
  lineSearchFn: 'strong_wolfe' | null;
}

/** PyTorch's L-BFGS state, over the flat parameter vector; held, as there, by the first parameter. */
interface LBFGSState {
  funcEvals: number;
  nIter: number;
  /** Last search direction. */
  d: FloatArray | null;
  /** Last step length. */
  t: number | null;
  /** Gradient differences y_i, oldest first. */
  oldDirs: FloatArray[];
  /** Steps s_i = t d, oldest first. */
  oldStps: FloatArray[];
  /** 1 / (y_i · s_i). */
  ro: number[];
  /** Scale of the initial inverse-Hessian approximation. */
  HDiag: number | null;
  prevFlatGrad: FloatArray | null;
  prevLoss: number | null;
}

/** Below this y·s a curvature pair is not stored (PyTorch's constant). */
const minCurvature = 1e-10;

/**
 * L-BFGS, as PyTorch's `torch.optim.LBFGS`: a quasi-Newton method over all parameters taken as one
 * flat vector θ (a parameter whose grad is null counts as a zero gradient). One `step(closure)`
 * runs up to maxIter iterations k = 1, 2, …, each:
 *
 *     g_k = ∇f(θ_k)                                  (the closure recomputes it)
 *     s = t_{k-1} d_{k-1},  y = g_k − g_{k-1},  ρ = 1 / y·s
 *         kept if y·s > 1e-10, with the newest m = historySize pairs; then H⁰ = (y·s / y·y) I
 *     d_k = −H g_k                                   (two-loop recursion over the pairs on H⁰;
 *                                                     d_1 = −g_1, H⁰ = I before any pair)
 *     t_k = γ, or min(1, 1 / ‖g_1‖₁) γ on the very first iteration   (γ = lr)
 *         refined by a strong Wolfe line search when lineSearchFn is 'strong_wolfe'
 *     θ_{k+1} = θ_k + t_k d_k
 *
 * It stops early when max|g| ≤ toleranceGrad, g·d > −toleranceChange, max|t d| ≤ toleranceChange
 * or |f_{k+1} − f_k| < toleranceChange, or once a step has evaluated f maxEval times. Without a
 * line search the last iteration does not re-evaluate f. The state (iteration counts, last
 * direction and step, history) carries over from one `step` to the next.
 *
 * The arithmetic follows PyTorch's CPU kernels operation for operation: vector updates round once
 * per element (its fused multiply-add), float32 dot products accumulate in float32, and in float32
 * the scalars computed from the vectors are rounded to float32 where PyTorch holds them as 0-d
 * tensors. L-BFGS amplifies any last-bit difference, and with this its trajectories match
 * PyTorch's bit for bit on the reference problems, but for ‖g_1‖₁, which PyTorch sums in a
 * vectorized order that depends on the CPU. Only one parameter group is supported, as in PyTorch.
 *
 * Defaults: lr 1, maxIter 20, maxEval ⌊maxIter · 5 / 4⌋, toleranceGrad 1e-7, toleranceChange
 * 1e-9, historySize 100, lineSearchFn null.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  /** Its options, their defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<LBFGSOptions>({
    name: 'LBFGS',
    kind: 'optimizer',
    summary: 'limited-memory BFGS over all parameters as one vector, with a closure',
    reference: 'PyTorch 2.x torch.optim.LBFGS',
    needsClosure: true,
    options: {
      lr: lrOption(1, 'γ, the step length of each iteration (a line search’s first trial)'),
      maxIter: {
        summary: 'the most iterations one step runs',
        type: 'integer',
        default: 20,
        min: 1,
        scale: 'log',
        reference: 'max_iter',
      },
      maxEval: {
        summary: 'the most evaluations of the closure one step makes',
        type: 'integer',
        default: 25,
        defaultFrom: '⌊maxIter · 5 / 4⌋',
        min: 1,
        scale: 'log',
        reference: 'max_eval',
      },
      // An infinite tolerance stops a step at once.
      toleranceGrad: {
        summary: 'a step stops once the largest gradient element is at most this',
        type: 'number',
        default: 1e-7,
        min: 0,
        infinite: true,
        scale: 'log',
        reference: 'tolerance_grad',
      },
      toleranceChange: {
        summary: 'a step stops once the loss, the step or the slope changes by less than this',
        type: 'number',
        default: 1e-9,
        min: 0,
        infinite: true,
        scale: 'log',
        reference: 'tolerance_change',
      },
      historySize: {
        summary: 'm, the number of curvature pairs kept',
        type: 'integer',
        default: 100,
        min: 1,
        scale: 'log',
        reference: 'history_size',
      },
      lineSearchFn: {
        summary: "'strong_wolfe' refines each step length by a strong Wolfe line search",
        type: 'choice',
        default: null,
        choices: ['strong_wolfe', null],
        reference: 'line_search_fn',
      },
    },
  });

  private readonly dtype: DType;
  private readonly round: Round;
  private readonly numel: number;

  constructor(params: ParamsInput<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    const defaults = defaultsOf<LBFGSOptions>(LBFGS.spec);
    // PyTorch's default maxEval follows maxIter.
    const maxIter = options.maxIter ?? defaults.maxIter;
    super(params, options, { ...defaults, maxEval: Math.floor((maxIter * 5) / 4) });
    if (this.paramGroups.length !== 1) {
      throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    }
    const flat = this.params;
    this.dtype = dtypeOf(flat[0].data);
    for (const p of flat) {
      if (dtypeOf(p.data) !== this.dtype) {
        throw new TypeError(
          `LBFGS needs parameters of one element type: got ${this.dtype} and ${dtypeOf(p.data)}`,
        );
      }
    }
    this.round = this.dtype === 'float32' ? Math.fround : (x) => x;
    this.numel = flat.reduce((total, p) => total + p.data.length, 0);
  }

  /** Always a RangeError: L-BFGS takes one group, as in PyTorch. */
  override addParamGroup(_group: GroupInput<LBFGSOptions>): void {
    throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
  }

  /**
   * Runs up to maxIter iterations. `closure` must recompute the loss and the gradients (it is
   * called several times); returns the loss it gave first, before any change.
   */
  override step(closure?: Closure): number {
    if (typeof closure !== 'function') {
      throw new TypeError(
        `LBFGS.step requires a closure that recomputes the loss and gradients (got ${String(closure)})`,
      );
    }
    const group = this.paramGroups[0];
    this.checkGroupOptions(group);
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn } = group;
    const round = this.round;
    const isOptimal = (g: FloatArray) => maxAbs(g) <= round(toleranceGrad);

    let { loss, grad } = this.evaluate(closure);
    const state = this.lbfgsState();
    const firstLoss = loss;
    let evals = 1;
    state.funcEvals++;
    let optimal = isOptimal(grad);
    if (optimal) return firstLoss;

    for (let iter = 1; iter <= maxIter; iter++) {
      state.nIter++;
      const d = this.updateDirection(state, grad, group.historySize);
      state.prevFlatGrad ??= zeros(this.dtype, this.numel);
      state.prevFlatGrad.set(grad);
      const prevLoss = loss;
      state.prevLoss = prevLoss;
      const first = state.nIter === 1 ? this.firstStepLength(grad, lr) : null;
      let t = first?.t ?? lr;
      state.t = t;

      const gtd = round(dot(grad, d));
      if (gtd > round(-toleranceChange)) break;

      let lineEvals = 0;
      if (lineSearchFn === 'strong_wolfe') {
        const found = this.search(closure, d, t, first?.tensor ?? false, loss, grad, gtd);
        ({ t, loss, grad } = found);
        lineEvals = found.evals;
        state.t = t;
        this.moveAlong(t, d);
        optimal = isOptimal(grad);
      } else {
        this.moveAlong(t, d);
        // Like PyTorch, the last iteration skips the evaluation: under a stochastic loss the
        // caller's next step evaluates afresh anyway.
        if (iter !== maxIter) {
          ({ loss, grad } = this.evaluate(closure));
          optimal = isOptimal(grad);
          lineEvals = 1;
        }
      }
      evals += lineEvals;
      state.funcEvals += lineEvals;

      if (iter === maxIter || evals >= maxEval || optimal) break;
      // Lack of progress: the step moved no coordinate, or the loss did not change. (max|t d| is
      // the rounded product of the maxima, rounding being monotonic.)
      if (round(maxAbs(d) * Math.abs(round(t))) <= round(toleranceChange)) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    return firstLoss;
  }

  private get params(): Param[] {
    return this.paramGroups[0].params;
  }

  private lbfgsState(): LBFGSState {
    const first = this.params[0];
    let state = this.state.get(first) as LBFGSState | undefined;
    if (state === undefined) {
      state = {
        funcEvals: 0,
        nIter: 0,
        d: null,
        t: null,
        oldDirs: [],
        oldStps: [],
        ro: [],
        HDiag: null,
        prevFlatGrad: null,
        prevLoss: null,
      };
      this.state.set(first, state as unknown as ParamState);
    }
    return state;
  }

  /** The next search direction; updates the curvature history first, except on iteration 1. */
  private updateDirection(state: LBFGSState, grad: FloatArray, historySize: number): FloatArray {
    const d = state.d ?? zeros(this.dtype, this.numel);
    state.d = d;
    if (state.nIter === 1) {
      scaleInto(d, -1, grad);
      state.oldDirs = [];
      state.oldStps = [];
      state.ro = [];
      state.HDiag = 1;
      return d;
    }
    const round = this.round;
    const y = zeros(this.dtype, this.numel);
    differenceInto(y, grad, state.prevFlatGrad!);
    const s = zeros(this.dtype, this.numel);
    scaleInto(s, round(state.t!), d);
    const ys = round(dot(y, s));
    if (ys > round(minCurvature)) {
      // `>=` rather than PyTorch's `==` also trims a history left longer by a smaller historySize.
      while (state.oldDirs.length >= historySize) {
        state.oldDirs.shift();
        state.oldStps.shift();
        state.ro.shift();
      }
      state.oldDirs.push(y);
      state.oldStps.push(s);
      state.ro.push(round(1 / ys));
      state.HDiag = round(ys / round(dot(y, y)));
    }
    const alpha = new Float64Array(state.oldDirs.length);
    lbfgsDirection(d, grad, state.oldDirs, state.oldStps, state.ro, state.HDiag!, alpha, round);
    return d;
  }

  /**
   * min(1, 1 / ‖g‖₁) lr, so that the first step moves no coordinate by more than lr. `tensor`
   * tells whether PyTorch holds it as a 0-d tensor (see the line search's `Scalar`).
   */
  private firstStepLength(grad: FloatArray, lr: number): { t: number; tensor: boolean } {
    const round = this.round;
    const inverse = round(1 / round(sumAbs(grad)));
    return inverse < 1 ? { t: round(inverse * round(lr)), tensor: true } : { t: lr, tensor: false };
  }

  /** Calls the closure and gathers the gradients into one flat vector (null grads as zeros). */
  private evaluate(closure: Closure): { loss: number; grad: FloatArray } {
    const loss = closure();
    if (typeof loss !== 'number') {
      throw new TypeError(`LBFGS closure must return the loss as a number (got ${String(loss)})`);
    }
    const grad = zeros(this.dtype, this.numel);
    let offset = 0;
    for (const p of this.params) {
      checkGradient(p);
      if (p.grad !== null) grad.set(p.grad, offset);
      offset += p.data.length;
    }
    return { loss, grad };
  }

  /** θ ← θ + t d over the flat vector (t in the parameters' precision, as in PyTorch). */
  private moveAlong(t: number, d: FloatArray): void {
    const step = this.round(t);
    let offset = 0;
    for (const p of this.params) {
      axpy(step, d.subarray(offset, offset + p.data.length), p.data);
      offset += p.data.length;
    }
  }

  /** Strong Wolfe line search along d from the current parameters, which it leaves in place. */
  private search(
    closure: Closure,
    d: FloatArray,
    t: number,
    tensorStep: boolean,
    loss: number,
    grad: FloatArray,
    gtd: number,
  ) {
    const x = this.params.map((p) => p.data.slice());
    const along = (step: number) => {
      this.moveAlong(step, d);
      try {
        return this.evaluate(closure);
      } finally {
        for (const [i, p] of this.params.entries()) p.data.set(x[i]);
      }
    };
    return strongWolfe(along, t, d, loss, grad, gtd, { round: this.round, tensorStep });
  }

  /**
   * The state, held by the first parameter: counts, vectors as long as all parameters together,
   * a step length and a scale that are finite, curvature pairs whose 1 / (y·s) is positive (only
   * pairs with y·s > 1e-10 are kept). The loss is only recorded: any number.
   */
  protected override stateSpec(): StateSpec {
    const flat = stateEntry.array({ length: this.numel });
    const finite = stateEntry.number(numberKinds.finite);
    return {
      funcEvals: stateEntry.count,
      nIter: stateEntry.count,
      d: stateEntry.orNull(flat),
      t: stateEntry.orNull(finite),
      oldDirs: stateEntry.list(flat),
      oldStps: stateEntry.list(flat),
      ro: stateEntry.list(stateEntry.number(numberKinds.positive)),
      HDiag: stateEntry.orNull(finite),
      prevFlatGrad: stateEntry.orNull(flat),
      prevLoss: stateEntry.orNull(stateEntry.number(numberKinds.any)),
    };
  }

  /** Besides the spec: state on the first parameter only, and entries that go together. */
  protected override checkLoadedState(
    p: Param,
    state: ParamState,
    where: string,
    _group: ParamGroup<LBFGSOptions>,
  ): void {
    if (p !== this.params[0]) {
      throw new RangeError(`Invalid state dict: ${where}: L-BFGS keeps its state on parameter 0`);
    }
    checkStateSpec(p, state, this.stateSpec(), where, 'L-BFGS');
    // From the first iteration on, the next one reads all of these.
    for (const key of ['d', 't', 'HDiag', 'prevFlatGrad']) {
      if ((state.nIter as number) > 0 && state[key] === null) {
        throw new TypeError(
          `Invalid state dict: ${where}.${key} is null after ${state.nIter} iterations`,
        );
      }
    }
    const ro = state.ro as number[];
    for (const key of ['oldDirs', 'oldStps']) {
      if ((state[key] as FloatArray[]).length !== ro.length) {
        throw new RangeError(
          `Invalid state dict: ${where}.${key} must be a list as long as ro (${ro.length})`,
        );
      }
    }
    this.checkCurvature(state as unknown as LBFGSState, where);
  }

  /**
   * Each ρ_i is 1 / (y_i · s_i) of its pair, and H⁰'s scale is (y·s) / (y·y) of the newest pair
   * (1 before any): the two-loop recursion multiplies by them, and one that is off by orders of
   * magnitude sends the next step to infinity. Recomputed here from the saved pairs, they must
   * agree within a factor of 2: descent's own state agrees to the bit, and the margin leaves room
   * for dot products summed in another order (a future kernel's, PyTorch's).
   */
  private checkCurvature(state: LBFGSState, where: string): void {
    const round = this.round;
    const agrees = (value: number, expected: number) =>
      value > 0 && expected > 0 && value <= 2 * expected && expected <= 2 * value;
    let scale = 1;
    state.ro.forEach((ro, i) => {
      const ys = round(dot(state.oldDirs[i], state.oldStps[i]));
      if (!agrees(ro, round(1 / ys))) {
        throw new RangeError(
          `Invalid state dict: ${where}.ro[${i}] is ${ro}, but its pair has 1 / (y·s) = ${round(1 / ys)}`,
        );
      }
      scale = round(ys / round(dot(state.oldDirs[i], state.oldDirs[i])));
    });
    if (state.HDiag !== null && !agrees(state.HDiag, scale)) {
      throw new RangeError(
        `Invalid state dict: ${where}.HDiag is ${state.HDiag}, but the newest pair gives (y·s) / (y·y) = ${scale}`,
      );
    }
  }
}
