import type { FloatArray } from '../core/param.js';
import { lerp } from './lerp.js';

export interface MuonScalars {
  /** μ, the part of the momentum buffer each step keeps. */
  momentum: number;
  /** Orthogonalize g + μ(B − g) rather than the buffer B. */
  nesterov: boolean;
  /** (a, b, c), the Newton–Schulz polynomial's coefficients. */
  a: number;
  b: number;
  c: number;
  /** The floor of the Frobenius norm the iteration's input is divided by. */
  eps: number;
  /** The number of Newton–Schulz iterations. */
  nsSteps: number;
  /** 1 − γλ, the decoupled weight decay's factor on θ. */
  paramDecay: number;
  /** The adjusted learning rate the orthogonalized update is stepped by. */
  adjustedLr: number;
  /** The parameter's rows and columns, row-major. */
  rows: number;
  cols: number;
}

/**
 * One Muon step over a rows × cols matrix, in place: the momentum buffer takes the gradient, the
 * update (Nesterov's or the buffer) is orthogonalized by Newton–Schulz, and θ decays and steps
 * along it. Every intermediate matrix is an array of θ's own type, so a float32 parameter rounds
 * each product's elements to float32 as PyTorch's float32 tensors do; the matrix products are
 * plain loops (their sums accumulate in float64 before that rounding).
 */
export function muonKernel(p: FloatArray, g: FloatArray, buf: FloatArray, s: MuonScalars): void {
  const { momentum, nesterov, a, b, c, eps, nsSteps, paramDecay, adjustedLr, rows, cols } = s;
  const single = p instanceof Float32Array;
  const round = single ? Math.fround : (x: number) => x;
  const make = (length: number): FloatArray =>
    single ? new Float32Array(length) : new Float64Array(length);
  const n = rows * cols;
  // A wide matrix as it is, a tall one transposed: X is r × k with r <= k, so X Xᵀ is the
  // smaller Gram matrix.
  const tall = rows > cols;
  const r = tall ? cols : rows;
  const k = tall ? rows : cols;
  let x = make(n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const e = i * cols + j;
      buf[e] = lerp(buf[e], g[e], 1 - momentum);
      x[tall ? j * k + i : e] = nesterov ? lerp(g[e], buf[e], momentum) : buf[e];
    }
  }
  let squares = 0;
  for (let e = 0; e < n; e++) squares += x[e] * x[e];
  // clamp(min=eps) of the norm, not norm + eps; eps in θ's type, as PyTorch's clamp casts it.
  const norm = Math.max(round(Math.sqrt(squares)), round(eps));
  for (let e = 0; e < n; e++) x[e] /= norm;
  const gram = make(r * r);
  const scaled = make(r * r);
  const poly = make(r * r);
  let next = make(n);
  for (let t = 0; t < nsSteps; t++) {
    // A = X Xᵀ.
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < r; j++) {
        let sum = 0;
        for (let l = 0; l < k; l++) sum += x[i * k + l] * x[j * k + l];
        gram[i * r + j] = sum;
      }
    }
    // b·A + (c·A) A, in that order: Python's `c * A @ A` is (c * A) @ A.
    for (let e = 0; e < r * r; e++) scaled[e] = c * gram[e];
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < r; j++) {
        let sum = 0;
        for (let l = 0; l < r; l++) sum += scaled[i * r + l] * gram[l * r + j];
        poly[i * r + j] = round(b * gram[i * r + j]) + round(sum);
      }
    }
    // X ← a·X + (b·A + c·A²) X.
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < k; j++) {
        let sum = 0;
        for (let l = 0; l < r; l++) sum += poly[i * r + l] * x[l * k + j];
        next[i * k + j] = round(a * x[i * k + j]) + round(sum);
      }
    }
    [x, next] = [next, x];
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const e = i * cols + j;
      p[e] = round(p[e] * paramDecay) - adjustedLr * x[tall ? j * k + i : e];
    }
  }
}
