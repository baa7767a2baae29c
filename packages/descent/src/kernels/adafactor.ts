import type { FloatArray } from '../core/param.js';
import { lerp } from './lerp.js';
import { SUM_BLOCK, total } from './partial-sums.js';
import {
  adafactorFactorsSimd,
  adafactorMomentsSimd,
  adafactorStepSimd,
  adafactorSumsSimd,
} from './wasm/adafactor.js';

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

/*
 * One Adafactor step over a tensor (src/optim/adafactor.ts has the whole algorithm) takes two
 * norms of the whole tensor, RMS(θ_{t-1}) and RMS(U_t), so it is made of passes, each in
 * WebAssembly when the arrays are in the arena (assembly/adafactor.ts) and these loops otherwise,
 * the reference. The norms' squares are summed by blocks (src/kernels/partial-sums.ts): `sums`
 * holds each block's Σθ² and ΣU², in that order.
 *
 * A vector, V̂ kept whole, takes two passes:
 *   adafactorMomentsKernel  V̂ ← lerp(V̂, g², w), U = g / √max(V̂, ε₁²), and the sums;
 *   adafactorStepKernel     θ ← θ(1 − γλ) − s U, with s = adafactorStepSize(sums).
 * A parameter factored into m × n matrices (R per row, C per column of each), three:
 *   adafactorFactorsKernel  R ← lerp(R, mean_j g², w), C ← lerp(C, mean_i g², w);
 *   adafactorSumsKernel     U = g / √max(R_i C_j / max(mean_i R, ε₁), ε₁²), and the sums;
 *   adafactorStepKernel     as a vector's, U computed again (no array holds it).
 * θ² is summed before θ moves (α takes θ_{t-1}, before the decay); g's sign (maximize) changes
 * U's but not U², so only the step applies it. A factored parameter's passes also take `roots`,
 * an array like colVar where the WebAssembly kernels keep 1/√C from the first pass for the
 * others (assembly/adafactor.ts); these loops do without it.
 */

/** A vector's first pass, in place: V̂ and the sums. */
export function adafactorMomentsKernel(
  p: FloatArray,
  g: FloatArray,
  variance: FloatArray,
  sums: Float64Array,
  s: AdafactorScalars,
): void {
  if (adafactorMomentsSimd(p, g, variance, sums, s)) return;
  const floor = s.eps1 * s.eps1;
  for (let start = 0, b = 0; start < p.length; start += SUM_BLOCK, b += 2) {
    let paramSquares = 0;
    let updateSquares = 0;
    for (let i = start; i < Math.min(p.length, start + SUM_BLOCK); i++) {
      variance[i] = lerp(variance[i], g[i] * g[i], s.weight);
      const u = g[i] / Math.sqrt(Math.max(variance[i], floor));
      paramSquares += p[i] * p[i];
      updateSquares += u * u;
    }
    sums[b] = paramSquares;
    sums[b + 1] = updateSquares;
  }
}

/** A factored parameter's first pass, in place: the row and column means of g², into R and C. */
export function adafactorFactorsKernel(
  p: FloatArray,
  g: FloatArray,
  rowVar: FloatArray,
  colVar: FloatArray,
  roots: FloatArray,
  s: AdafactorScalars,
): void {
  if (adafactorFactorsSimd(p, g, rowVar, colVar, roots, s)) return;
  const { rows, cols } = s;
  const size = rows * cols;
  for (let b = 0; b < p.length / size; b++) {
    const base = b * size;
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += g[base + i * cols + j] * g[base + i * cols + j];
      rowVar[b * rows + i] = lerp(rowVar[b * rows + i], sum / cols, s.weight);
    }
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += g[base + i * cols + j] * g[base + i * cols + j];
      colVar[b * cols + j] = lerp(colVar[b * cols + j], sum / rows, s.weight);
    }
  }
}

/** max(mean_i R, ε₁) of each matrix: the outer product's normalization. */
function rowMeans(rowVar: FloatArray, s: AdafactorScalars): Float64Array {
  const means = new Float64Array(rowVar.length / s.rows);
  for (let b = 0; b < means.length; b++) {
    let sum = 0;
    for (let i = 0; i < s.rows; i++) sum += rowVar[b * s.rows + i];
    means[b] = Math.max(sum / s.rows, s.eps1);
  }
  return means;
}

/** U of element k of a factored parameter, but for g's sign. */
function factoredUpdate(
  g: FloatArray,
  rowVar: FloatArray,
  colVar: FloatArray,
  means: Float64Array,
  k: number,
  s: AdafactorScalars,
): number {
  // Element k is in row q of all the matrices' rows (row i of matrix b), column j.
  const q = Math.floor(k / s.cols);
  const j = k - q * s.cols;
  const b = Math.floor(q / s.rows);
  const v = Math.max((rowVar[q] * colVar[b * s.cols + j]) / means[b], s.eps1 * s.eps1);
  return g[k] / Math.sqrt(v);
}

/** A factored parameter's second pass: the sums. */
export function adafactorSumsKernel(
  p: FloatArray,
  g: FloatArray,
  rowVar: FloatArray,
  colVar: FloatArray,
  roots: FloatArray,
  sums: Float64Array,
  s: AdafactorScalars,
): void {
  if (adafactorSumsSimd(p, g, rowVar, colVar, roots, sums, s)) return;
  const means = rowMeans(rowVar, s);
  for (let start = 0, b = 0; start < p.length; start += SUM_BLOCK, b += 2) {
    let paramSquares = 0;
    let updateSquares = 0;
    for (let k = start; k < Math.min(p.length, start + SUM_BLOCK); k++) {
      const u = factoredUpdate(g, rowVar, colVar, means, k, s);
      paramSquares += p[k] * p[k];
      updateSquares += u * u;
    }
    sums[b] = paramSquares;
    sums[b + 1] = updateSquares;
  }
}

/**
 * α_t / max(1, RMS(U_t) / d), with α_t = max(ε₂, RMS(θ_{t-1})) ρ_t, from the sums of a tensor of
 * `length` elements: the update clipped when its root-mean-square exceeds d.
 */
export function adafactorStepSize(sums: Float64Array, length: number, s: AdafactorScalars): number {
  const alpha = Math.max(s.eps2, Math.sqrt(total(sums, 0)) / Math.sqrt(length)) * s.rho;
  return alpha / Math.max(1, Math.sqrt(total(sums, 1)) / (Math.sqrt(length) * s.d));
}

/**
 * The last pass, in place: θ ← θ(1 − γλ) − stepSize · U, with U from `variance` for a vector,
 * else from `rowVar` and `colVar` (and `roots`).
 */
export function adafactorStepKernel(
  p: FloatArray,
  g: FloatArray,
  variance: FloatArray | null,
  rowVar: FloatArray | null,
  colVar: FloatArray | null,
  roots: FloatArray | null,
  stepSize: number,
  s: AdafactorScalars,
): void {
  if (adafactorStepSimd(p, g, variance, rowVar, colVar, roots, stepSize, s)) return;
  const { gradSign, paramDecay } = s;
  if (variance !== null) {
    const floor = s.eps1 * s.eps1;
    for (let i = 0; i < p.length; i++) {
      const u = (gradSign * g[i]) / Math.sqrt(Math.max(variance[i], floor));
      p[i] = p[i] * paramDecay - stepSize * u;
    }
    return;
  }
  const r = rowVar as FloatArray;
  const c = colVar as FloatArray;
  const means = rowMeans(r, s);
  for (let k = 0; k < p.length; k++) {
    const u = gradSign * factoredUpdate(g, r, c, means, k, s);
    p[k] = p[k] * paramDecay - stepSize * u;
  }
}
