import type { FloatArray } from '../core/param.js';
import { fma } from './fma.js';

/** Rounds a scalar to the precision of the arrays it was computed from (identity for float64). */
export type Round = (x: number) => number;

/**
 * Σ a_i b_i in index order, accumulated in the arrays' precision, as PyTorch's `dot` (reference
 * BLAS, or its own loop) does.
 */
export function dot(a: FloatArray, b: FloatArray): number {
  let sum = 0;
  if (a instanceof Float32Array) {
    for (let i = 0; i < a.length; i++) sum = Math.fround(sum + Math.fround(a[i] * b[i]));
  } else {
    for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  }
  return sum;
}

/** max_i |a_i| (0 for an empty array). */
export function maxAbs(a: FloatArray): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (!(v <= max)) max = v;
  }
  return max;
}

/** Σ |a_i|, accumulated in double precision. */
export function sumAbs(a: FloatArray): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]);
  return sum;
}

/**
 * y ← y + alpha x, each element rounded once as PyTorch's fused `add_(x, alpha)`: float32 gets it
 * from computing in double (the product of two float32 is exact), float64 from `fma`.
 */
export function axpy(alpha: number, x: FloatArray, y: FloatArray): void {
  if (y instanceof Float64Array) {
    for (let i = 0; i < y.length; i++) y[i] = fma(alpha, x[i], y[i]);
  } else {
    for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
  }
}

/** out ← alpha x (out may be x). */
export function scaleInto(out: FloatArray, alpha: number, x: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = alpha * x[i];
}

/** out ← a − b. */
export function differenceInto(out: FloatArray, a: FloatArray, b: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] - b[i];
}

/**
 * The L-BFGS two-loop recursion: writes d = −H g, H the inverse-Hessian approximation built from
 * the curvature pairs (s_i = steps[i], y_i = gradDiffs[i], ρ_i = rho[i] = 1 / y_i·s_i, oldest
 * first) on top of hDiag · I. `alpha` is scratch as long as the history. `round` rounds each
 * scalar to the arrays' precision, as PyTorch's 0-d tensors are.
 */
export function lbfgsDirection(
  d: FloatArray,
  g: FloatArray,
  gradDiffs: FloatArray[],
  steps: FloatArray[],
  rho: number[],
  hDiag: number,
  alpha: Float64Array,
  round: Round,
): void {
  scaleInto(d, -1, g);
  for (let i = gradDiffs.length - 1; i >= 0; i--) {
    alpha[i] = round(round(dot(steps[i], d)) * rho[i]);
    axpy(-alpha[i], gradDiffs[i], d);
  }
  scaleInto(d, hDiag, d);
  for (let i = 0; i < gradDiffs.length; i++) {
    const beta = round(round(dot(gradDiffs[i], d)) * rho[i]);
    axpy(round(alpha[i] - beta), steps[i], d);
  }
}
