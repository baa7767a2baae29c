import type { FloatArray } from '../core/param.js';
import { dot, maxAbs, type Round } from '../kernels/lbfgs.js';

/** The objective along the search direction: loss and (flat) gradient at x + t d. */
export type DirectionalObjective = (t: number) => { loss: number; grad: FloatArray };

export interface StrongWolfeOptions {
  /** Sufficient-decrease (Armijo) constant; default 1e-4. */
  c1?: number;
  /** Curvature constant; default 0.9. */
  c2?: number;
  /** Stops zooming once the bracket moves no coordinate by more than this; default 1e-9. */
  toleranceChange?: number;
  /** Maximum number of evaluations after the first; default 25. */
  maxLs?: number;
  /** Rounds to the gradients' precision (Math.fround for float32); default identity. */
  round?: Round;
  /** Whether the initial t is already in the gradients' precision (see `Scalar`); default false. */
  tensorStep?: boolean;
}

export interface StrongWolfeResult {
  t: number;
  loss: number;
  grad: FloatArray;
  /** Evaluations of the objective made. */
  evals: number;
}

/**
 * A scalar of the line search as PyTorch holds it: a Python float, or a 0-d tensor of the
 * gradients' dtype (directional derivatives, and what is computed from them). Where the two meet,
 * PyTorch rounds the float to the tensor's precision and computes in it; floats alone stay double.
 * In float64 the distinction vanishes; in float32 it moves trial steps by an ulp or so, which a
 * search along a curved valley (Rosenbrock's) amplifies.
 */
interface Scalar {
  value: number;
  tensor: boolean;
}

/** One evaluated step length: loss, gradient and directional derivative (a tensor) there. */
interface Trial {
  t: Scalar;
  f: number;
  g: FloatArray;
  gtd: number;
}

/** Arithmetic and comparisons on `Scalar`s, with PyTorch's promotion rule. */
function scalarMath(round: Round) {
  const py = (value: number): Scalar => ({ value, tensor: false });
  const tensor = (value: number): Scalar => ({ value: round(value), tensor: true });
  const arithmetic =
    (op: (a: number, b: number) => number) =>
    (a: Scalar, b: Scalar): Scalar =>
      a.tensor || b.tensor ? tensor(op(round(a.value), round(b.value))) : py(op(a.value, b.value));
  const comparison =
    (op: (a: number, b: number) => boolean) =>
    (a: Scalar, b: Scalar): boolean =>
      a.tensor || b.tensor ? op(round(a.value), round(b.value)) : op(a.value, b.value);
  const lt = comparison((a, b) => a < b);
  const gt = comparison((a, b) => a > b);
  const mul = arithmetic((a, b) => a * b);
  const quotient = arithmetic((a, b) => a / b);
  return {
    py,
    tensor,
    add: arithmetic((a, b) => a + b),
    sub: arithmetic((a, b) => a - b),
    mul,
    // A float divided by a tensor is, in PyTorch (`Tensor.__rtruediv__`), the tensor's reciprocal
    // times the float.
    div: (a: Scalar, b: Scalar): Scalar =>
      !a.tensor && b.tensor ? mul(quotient(py(1), b), a) : quotient(a, b),
    abs: (a: Scalar): Scalar => ({ value: Math.abs(a.value), tensor: a.tensor }),
    sqrt: (a: Scalar): Scalar => (a.tensor ? tensor : py)(Math.sqrt(a.value)),
    lt,
    gt,
    le: comparison((a, b) => a <= b),
    ge: comparison((a, b) => a >= b),
    // Python's max and min: the first argument unless the second is strictly beyond it.
    max: (a: Scalar, b: Scalar): Scalar => (gt(b, a) ? b : a),
    min: (a: Scalar, b: Scalar): Scalar => (lt(b, a) ? b : a),
  };
}

type ScalarMath = ReturnType<typeof scalarMath>;

/**
 * Minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to `bounds`
 * (by default the interval between x1 and x2); their midpoint when the cubic has no minimizer.
 * PyTorch's `_cubic_interpolate` (from torch/optim's polyinterp.lua), operation for operation.
 */
function cubicInterpolate(
  m: ScalarMath,
  [x1, f1, g1]: [Scalar, number, number],
  [x2, f2, g2]: [Scalar, number, number],
  bounds?: [Scalar, Scalar],
): Scalar {
  const { py, tensor, add, sub, mul, div } = m;
  const [low, high] = bounds ?? (m.le(x1, x2) ? [x1, x2] : [x2, x1]);
  const [s1, s2] = [tensor(g1), tensor(g2)];
  const d1 = sub(add(s1, s2), div(mul(py(3), py(f1 - f2)), sub(x1, x2)));
  const d2Square = sub(mul(d1, d1), mul(s1, s2));
  if (!m.ge(d2Square, py(0))) return div(add(low, high), py(2));
  const d2 = m.sqrt(d2Square);
  // Measured from the larger of x1 and x2, as PyTorch does.
  const [xa, sa, xb, sb] = m.le(x1, x2) ? [x2, s2, x1, s1] : [x1, s1, x2, s2];
  const ratio = div(sub(add(sa, d2), d1), add(sub(sa, sb), mul(py(2), d2)));
  const minPos = sub(xa, mul(sub(xa, xb), ratio));
  return m.min(m.max(minPos, low), high);
}

/**
 * Line search for a step length t satisfying the strong Wolfe conditions along a descent
 * direction d from a point with loss f, gradient g and directional derivative gtd = g·d < 0:
 *
 *     f(t) ≤ f + c1 t gtd   and   |g(t)·d| ≤ −c2 gtd
 *
 * First brackets such a t (growing it by cubic extrapolation), then zooms into the bracket by
 * cubic interpolation, kept a tenth of the bracket away from its ends once it stalls there.
 * Returns the best point found within `maxLs` further evaluations. A port of PyTorch's
 * `_strong_wolfe` (from torch/optim's lswolfe.lua), operation for operation.
 */
export function strongWolfe(
  objective: DirectionalObjective,
  t: number,
  d: FloatArray,
  f: number,
  g: FloatArray,
  gtd: number,
  options: StrongWolfeOptions = {},
): StrongWolfeResult {
  const { c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25 } = options;
  const m = scalarMath(options.round ?? ((x) => x));
  const { py, tensor, add, sub, mul } = m;
  const dNorm = tensor(maxAbs(d));
  let evals = 0;
  const evaluate = (step: Scalar): Trial => {
    evals++;
    const { loss, grad } = objective(step.value);
    return { t: step, f: loss, g: grad, gtd: tensor(dot(grad, d)).value };
  };
  const armijoFails = (p: Trial) => m.gt(py(p.f), add(py(f), mul(mul(py(c1), p.t), tensor(gtd))));
  const curvatureHolds = (p: Trial) => m.le(m.abs(tensor(p.gtd)), mul(py(-c2), tensor(gtd)));
  const point = (p: Trial): [Scalar, number, number] => [p.t, p.f, p.gtd];

  const start: Trial = { t: py(0), f, g, gtd };
  let prev = start;
  let next = evaluate(options.tensorStep ? tensor(t) : py(t));
  let bracket: Trial[] = [];
  let done = false;
  let iter = 0;
  for (; iter < maxLs; iter++) {
    if (armijoFails(next) || (iter > 1 && next.f >= prev.f)) {
      bracket = [prev, next];
      break;
    }
    if (curvatureHolds(next)) {
      bracket = [next];
      done = true;
      break;
    }
    if (next.gtd >= 0) {
      bracket = [prev, next];
      break;
    }
    // Extrapolate: somewhat past the current step, at most ten times it.
    const bounds: [Scalar, Scalar] = [
      add(next.t, mul(py(0.01), sub(next.t, prev.t))),
      mul(next.t, py(10)),
    ];
    const step = cubicInterpolate(m, point(prev), point(next), bounds);
    prev = next;
    next = evaluate(step);
  }
  // Out of evaluations while still extrapolating: fall back on the start and the last point.
  if (iter === maxLs) bracket = [start, next];

  const lowFirst = () => bracket[0].f <= bracket[bracket.length - 1].f;
  let [low, high] = lowFirst() ? [0, 1] : [1, 0];
  let insufficientProgress = false;
  while (!done && iter < maxLs) {
    const [a, b] = bracket;
    if (m.lt(mul(m.abs(sub(b.t, a.t)), dNorm), py(toleranceChange))) break;
    let step = cubicInterpolate(m, point(a), point(b));
    const top = m.max(a.t, b.t);
    const bottom = m.min(a.t, b.t);
    const margin = mul(py(0.1), sub(top, bottom));
    if (m.lt(m.min(sub(top, step), sub(step, bottom)), margin)) {
      if (insufficientProgress || m.ge(step, top) || m.le(step, bottom)) {
        const nearTop = m.lt(m.abs(sub(step, top)), m.abs(sub(step, bottom)));
        step = nearTop ? sub(top, margin) : add(bottom, margin);
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }

    const p = evaluate(step);
    iter++;
    if (armijoFails(p) || p.f >= bracket[low].f) {
      bracket[high] = p;
      [low, high] = lowFirst() ? [0, 1] : [1, 0];
    } else {
      if (curvatureHolds(p)) {
        done = true;
      } else if (m.ge(mul(tensor(p.gtd), sub(bracket[high].t, bracket[low].t)), py(0))) {
        bracket[high] = bracket[low];
      }
      bracket[low] = p;
    }
  }
  const best = bracket[low];
  return { t: best.t.value, loss: best.f, grad: best.g, evals };
}
