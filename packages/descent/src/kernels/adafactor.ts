import type { FloatArray } from '../core/param.js';
import { lerp } from './lerp.js';

export interface AdafactorScalars {
  /** −1 when maximizing, else 1. */
  gradSign: number;
  /** 1 − β̂₂ₜ = t^beta2Decay, the weight of the new squares in the running means. */
  weight: number;
  /** ε₁, the floor of the second moment's root (and of the row factors' mean). */
  eps1: number;
  /** ε₂, the floor of the parameter's root-mean-square in the step size. */
  eps2: number;
  /** ρ_t = min(γ, 1/√t), the relative step size. */
  rho: number;
  /** d, the clipping threshold of the update's root-mean-square. */
  d: number;
  /** 1 − γλ, the decoupled weight decay's factor. */
  paramDecay: number;
  /** The last two dimensions of a factored parameter (rows m, columns n); unused for a vector. */
  rows: number;
  cols: number;
}

/**
 * One Adafactor step over a tensor, in place. With `variance` (a vector) the second moment is
 * kept whole; without, `rowVar` (one per row of each trailing m × n matrix) and `colVar` (one per
 * column) hold running means of the squared gradient along the rows and the columns, and the
 * second moment is their outer product over the mean of the row factors. Passes: the parameter's
 * norm, then the moments, then the update's norm, then the step (the update computed again, so
 * no array holds it).
 */
export function adafactorKernel(
  p: FloatArray,
  g: FloatArray,
  variance: FloatArray | null,
  rowVar: FloatArray | null,
  colVar: FloatArray | null,
  s: AdafactorScalars,
): void {
  const n = p.length;
  if (n === 0) return;
  const { gradSign, weight, eps1, eps2, rho, d, paramDecay, rows, cols } = s;
  const floor = eps1 * eps1;
  let paramSquares = 0;
  for (let i = 0; i < n; i++) paramSquares += p[i] * p[i];
  // max(ε₂, RMS(θ_{t-1})) ρ_t, from θ before the weight decay.
  const alpha = Math.max(eps2, Math.sqrt(paramSquares) / Math.sqrt(n)) * rho;
  let updateSquares = 0;
  if (variance !== null) {
    for (let i = 0; i < n; i++) {
      const x = gradSign * g[i];
      variance[i] = lerp(variance[i], x * x, weight);
      const u = x / Math.sqrt(Math.max(variance[i], floor));
      updateSquares += u * u;
    }
  } else {
    const r = rowVar as FloatArray;
    const c = colVar as FloatArray;
    const size = rows * cols;
    for (let b = 0; b < n / size; b++) {
      const base = b * size;
      for (let i = 0; i < rows; i++) {
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += g[base + i * cols + j] ** 2;
        r[b * rows + i] = lerp(r[b * rows + i], sum / cols, weight);
      }
      for (let j = 0; j < cols; j++) {
        let sum = 0;
        for (let i = 0; i < rows; i++) sum += g[base + i * cols + j] ** 2;
        c[b * cols + j] = lerp(c[b * cols + j], sum / rows, weight);
      }
      const scale = rowMean(r, b, rows, eps1);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const v = Math.max((r[b * rows + i] * c[b * cols + j]) / scale, floor);
          const u = (gradSign * g[base + i * cols + j]) / Math.sqrt(v);
          updateSquares += u * u;
        }
      }
    }
  }
  // Update clipping: the step shrinks when the update's root-mean-square exceeds d.
  const stepSize = alpha / Math.max(1, Math.sqrt(updateSquares) / (Math.sqrt(n) * d));
  if (variance !== null) {
    for (let i = 0; i < n; i++) {
      const u = (gradSign * g[i]) / Math.sqrt(Math.max(variance[i], floor));
      p[i] = p[i] * paramDecay - stepSize * u;
    }
    return;
  }
  const r = rowVar as FloatArray;
  const c = colVar as FloatArray;
  const size = rows * cols;
  for (let b = 0; b < n / size; b++) {
    const base = b * size;
    const scale = rowMean(r, b, rows, eps1);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const k = base + i * cols + j;
        const v = Math.max((r[b * rows + i] * c[b * cols + j]) / scale, floor);
        const u = (gradSign * g[k]) / Math.sqrt(v);
        p[k] = p[k] * paramDecay - stepSize * u;
      }
    }
  }
}

/** The mean of matrix b's row factors, at least ε₁: the outer product's normalization. */
function rowMean(r: FloatArray, b: number, rows: number, eps1: number): number {
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += r[b * rows + i];
  return Math.max(sum / rows, eps1);
}
