import type { FloatArray } from '../core/param.js';
import { lerp } from './lerp.js';
import { matmul } from './matmul.js';

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
 * The iteration's matrices, of θ's type, at least as long as said (the caller keeps them from
 * step to step): for an m × n parameter with r = min(m, n), X and its next value rows · cols
 * elements each, A = X Xᵀ and B = b·A + c·A² r × r each.
 */
export interface MuonWorkspace {
  x: FloatArray;
  next: FloatArray;
  gram: FloatArray;
  poly: FloatArray;
}

/**
 * One Muon step over a rows × cols matrix, in place: the momentum buffer takes the gradient, the
 * update (Nesterov's or the buffer) is orthogonalized by Newton–Schulz, and θ decays and steps
 * along it. Every intermediate matrix is an array of θ's own type, so a float32 parameter rounds
 * each product's elements to float32 as PyTorch's float32 tensors do. The products are
 * `matmul`'s: in WebAssembly when the workspace is in the arena (their sums in θ's type, as
 * PyTorch's), else its TypeScript loops (sums in float64 before that rounding).
 */
export function muonKernel(
  p: FloatArray,
  g: FloatArray,
  buf: FloatArray,
  work: MuonWorkspace,
  s: MuonScalars,
): void {
  const { momentum, nesterov, a, b, c, eps, nsSteps, paramDecay, adjustedLr, rows, cols } = s;
  const round = p instanceof Float32Array ? Math.fround : (x: number) => x;
  const n = rows * cols;
  // A wide matrix as it is, a tall one transposed: X is r × k with r <= k, so X Xᵀ is the
  // smaller Gram matrix.
  const tall = rows > cols;
  const r = tall ? cols : rows;
  const k = tall ? rows : cols;
  let { x, next } = work;
  const { gram, poly } = work;
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
  for (let t = 0; t < nsSteps; t++) {
    // A = X Xᵀ; B = b·A + c·A², as c·(A A) + b·A (PyTorch's (c·A) @ A, to rounding); then
    // X ← a·X + B X.
    matmul(gram, x, x, null, {
      m: r,
      n: r,
      k,
      transposed: true,
      symmetric: true,
      alpha: 1,
      beta: 0,
    });
    matmul(poly, gram, gram, gram, {
      m: r,
      n: r,
      k: r,
      transposed: false,
      symmetric: true,
      alpha: c,
      beta: b,
    });
    matmul(next, poly, x, x, {
      m: r,
      n: k,
      k: r,
      transposed: false,
      symmetric: false,
      alpha: 1,
      beta: a,
    });
    [x, next] = [next, x];
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const e = i * cols + j;
      p[e] = round(p[e] * paramDecay) - adjustedLr * x[tall ? j * k + i : e];
    }
  }
}
