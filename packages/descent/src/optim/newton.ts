import { defaultsOf, defineSpec } from '../core/options.js';
import type { Param } from '../core/param.js';
import type { AlgorithmSpec } from '../core/spec.js';
import { solveAbsoluteShifted, solveShifted } from '../kernels/linalg.js';
import { type Closure, Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';
import { flagOption, lrOption, maximizeOption } from './shared-options.js';

/**
 * The dense Hessian of the loss at the parameters' current values, row-major n × n, where the
 * group's parameters are concatenated in order and n is their total length.
 */
export type Hessian = (params: Param[]) => ArrayLike<number>;

/**
 * The options of {@link Newton} (not a PyTorch optimizer: the names are descent's); a group may
 * override any of them, its own `hessian` included.
 */
export interface NewtonOptions {
  /** η, the fraction of the Newton step taken. Default 1 (the full step); finite, >= 0. */
  lr: number;
  /** The Hessian of the loss at the current point, for the group's parameters. Required. */
  hessian: Hessian;
  /**
   * δ, added to the Hessian's diagonal (Levenberg's damping): it shortens the step and, large
   * enough, makes the system positive definite. Default 0; finite, >= 0.
   */
  damping: number;
  /**
   * Replace the Hessian's eigenvalues by their absolute values (the book's remedy for negative
   * curvature), so that the step always descends. Default false.
   */
  absoluteEigenvalues: boolean;
  /** Maximize the objective instead of minimizing it (the gradient's sign flips). Default false. */
  maximize: boolean;
}

/**
 * Newton's method for small problems, as in Dive into Deep Learning, 12.3.3. It couples all the
 * parameters of a group: x is their concatenation, of length n, and the `hessian` callback gives
 * the n × n Hessian H of the loss f at x.
 *
 *     g = ±∇f(x),  H = ±∇²f(x)            (− when maximize: the method minimizes −f)
 *     H ← V |Λ| Vᵀ  where H = V Λ Vᵀ       (only with absoluteEigenvalues)
 *     (H + δ I) d = g                       (δ = damping)
 *     x ← x − η d                           (η = lr)
 *
 * The system is solved by Cholesky when H + δI is positive definite and otherwise by LU with
 * partial pivoting, so an indefinite H is honoured: plain Newton heads for whatever stationary
 * point is near, uphill too (the book's f(x) = x cos(cx) from x = 10 with lr 1), and takes the
 * same step whether it maximizes or not. Taking absolute eigenvalues (the book's remedy) or enough
 * damping makes the system positive definite, so that d is a descent direction (ascent, with
 * maximize); lr below 1 then guards against overshooting.
 *
 * Every group's Hessian is taken, and its system solved, at the point before the step; a
 * singular system or an invalid Hessian throws before any parameter changes. A parameter whose
 * grad is null counts as having a zero gradient (as in PyTorch's L-BFGS); a group with no
 * gradient at all is left alone.
 *
 * State: step. Defaults: lr 1, damping 0, absoluteEigenvalues false, maximize false; `hessian`
 * is required.
 */
export class Newton extends Optimizer<NewtonOptions> {
  /** Its options (the names are descent's; the book's step is eta), defaults and ranges. */
  static readonly spec: AlgorithmSpec = defineSpec<NewtonOptions>({
    name: 'Newton',
    kind: 'optimizer',
    summary: 'Newton’s method for small problems: solves (H + δI) d = g with a given Hessian',
    reference: 'Dive into Deep Learning, 12.3.3 (newton)',
    options: {
      lr: { ...lrOption(1, 'η, the fraction of the Newton step taken'), reference: 'eta' },
      hessian: {
        summary: 'the dense Hessian at the current point: (params) => n·n numbers, row-major',
        type: 'function',
        default: undefined,
      },
      damping: {
        summary: 'δ, added to the Hessian’s diagonal (Levenberg’s damping)',
        type: 'number',
        default: 0,
        min: 0,
        scale: 'log',
        label: 'damping value',
      },
      absoluteEigenvalues: flagOption(
        'replace the Hessian’s eigenvalues by their absolute values, so the step descends',
      ),
      maximize: { ...maximizeOption, reference: undefined },
    },
  });

  constructor(
    params: ParamsInput<NewtonOptions>,
    options: Partial<NewtonOptions> & Pick<NewtonOptions, 'hessian'>,
  ) {
    // `hessian` has no default: a group without its own takes the one given here.
    const { hessian } = options ?? {};
    super(params, options, { ...defaultsOf<NewtonOptions>(Newton.spec), hessian });
  }

  override step(closure?: Closure): number | undefined {
    const loss = closure === undefined ? undefined : closure();
    this.checkBeforeStep();
    const directions = this.paramGroups.map((group, i) => this.direction(group, i));
    this.paramGroups.forEach((group, i) => {
      const d = directions[i];
      if (d === null) return;
      let offset = 0;
      for (const p of group.params) {
        const x = p.data;
        for (let j = 0; j < x.length; j++) x[j] -= group.lr * d[offset + j];
        offset += x.length;
        this.countStep(this.stateOf(p, group));
      }
    });
    return loss;
  }

  /** The group's Newton direction d, or null when none of its parameters has a gradient. */
  private direction(group: ParamGroup<NewtonOptions>, index: number): Float64Array | null {
    const { params } = group;
    if (params.every((p) => p.grad === null)) return null;
    const n = params.reduce((sum, p) => sum + p.data.length, 0);
    const h = readHessian(group.hessian(params), n, index);
    const d = new Float64Array(n);
    let offset = 0;
    for (const p of params) {
      if (p.grad !== null) d.set(p.grad, offset);
      offset += p.data.length;
    }
    if (group.maximize) {
      for (let i = 0; i < n * n; i++) h[i] = -h[i];
      for (let i = 0; i < n; i++) d[i] = -d[i];
    }
    const solved = group.absoluteEigenvalues
      ? solveAbsoluteShifted(h, n, d, group.damping, new Float64Array(n * n), new Float64Array(n))
      : solveShifted(h, n, d, group.damping, new Float64Array(n * n), new Int32Array(n));
    if (!solved) {
      throw new RangeError(
        `Singular Hessian for parameter group ${index} (damping ${group.damping}): the Newton system has no unique solution; add damping`,
      );
    }
    return d;
  }
}

// Hessians from automatic differentiation or finite differences are symmetric up to rounding;
// a larger difference, relative to the largest entry, is a mistake in the callback.
const asymmetryTolerance = 1e-8;

/** Checks what `hessian` returned and copies it, symmetrized, into a fresh Float64Array. */
function readHessian(value: unknown, n: number, group: number): Float64Array {
  const what = `Invalid hessian for parameter group ${group}`;
  const shape = `${n * n} numbers: ${n} x ${n}, row-major`;
  if (typeof value !== 'object' || value === null || !('length' in value)) {
    throw new TypeError(`${what}: it returned ${String(value)} (expected ${shape})`);
  }
  const values = value as ArrayLike<unknown>;
  if (values.length !== n * n) {
    throw new RangeError(`${what}: it returned ${values.length} numbers (expected ${shape})`);
  }
  const h = new Float64Array(n * n);
  let largest = 0;
  for (let i = 0; i < n * n; i++) {
    const entry = values[i];
    const where = `entry (${Math.floor(i / n)}, ${i % n})`;
    if (typeof entry !== 'number') {
      throw new TypeError(
        `${what}: ${where} is ${JSON.stringify(entry) ?? String(entry)} (expected a number)`,
      );
    }
    if (!Number.isFinite(entry)) {
      throw new RangeError(`${what}: ${where} is ${entry} (expected a finite number)`);
    }
    h[i] = entry;
    largest = Math.max(largest, Math.abs(entry));
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const upper = h[i * n + j];
      const lower = h[j * n + i];
      if (Math.abs(upper - lower) > asymmetryTolerance * largest) {
        throw new RangeError(
          `${what}: it is not symmetric, entry (${i}, ${j}) is ${upper} but (${j}, ${i}) is ${lower}`,
        );
      }
      h[i * n + j] = h[j * n + i] = upper + (lower - upper) / 2;
    }
  }
  return h;
}
