import type { FloatArray } from '../core/param.js';
import { SUM_BLOCK, total } from './partial-sums.js';
import { lambMomentsSimd, lambStepSimd } from './wasm/lamb.js';

/** The scalars of both LAMB passes over a tensor. */
export interface LambScalars {
  /** −1 when maximizing, else 1. */
  gradSign: number;
  beta1: number;
  beta2: number;
  eps: number;
  epsRoot: number;
  /** λ, added to the update as λθ. */
  weightDecay: number;
  /** 1 − β₁ᵗ. */
  biasCorrection1: number;
  /** 1 − β₂ᵗ. */
  biasCorrection2: number;
}

/** u = m̂ / (√(v̂ + ε_root) + ε) + λθ, from the new moments. */
function update(m: number, v: number, x: number, s: LambScalars): number {
  return (
    m / s.biasCorrection1 / (Math.sqrt(v / s.biasCorrection2 + s.epsRoot) + s.eps) +
    s.weightDecay * x
  );
}

/**
 * LAMB's first pass over a tensor, in place: m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g²,
 * and into `sums` (src/kernels/partial-sums.ts) each block's Σθ² and Σu², whose totals
 * `trustRatio` turns into the ratio ‖θ‖/‖u‖. In WebAssembly when every array is in the arena
 * (src/kernels/wasm/); this loop is the reference and the fallback.
 */
export function lambMomentsKernel(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  sums: Float64Array,
  s: LambScalars,
): void {
  if (lambMomentsSimd(p, g, expAvg, expAvgSq, sums, s)) return;
  const { gradSign, beta1, beta2 } = s;
  const weight1 = 1 - beta1;
  const weight2 = 1 - beta2;
  for (let start = 0, b = 0; start < p.length; start += SUM_BLOCK, b += 2) {
    let paramSquares = 0;
    let updateSquares = 0;
    for (let i = start; i < Math.min(p.length, start + SUM_BLOCK); i++) {
      const d = gradSign * g[i];
      // Read back from the arrays, so float32 moments round as Optax's do.
      expAvg[i] = beta1 * expAvg[i] + weight1 * d;
      expAvgSq[i] = beta2 * expAvgSq[i] + weight2 * d * d;
      const x = p[i];
      const u = update(expAvg[i], expAvgSq[i], x, s);
      paramSquares += x * x;
      updateSquares += u * u;
    }
    sums[b] = paramSquares;
    sums[b + 1] = updateSquares;
  }
}

/** Optax's scale_by_trust_ratio from the first pass's sums: 1 where either norm is 0. */
export function trustRatio(sums: Float64Array): number {
  const paramSquares = total(sums, 0);
  const updateSquares = total(sums, 1);
  return paramSquares === 0 || updateSquares === 0
    ? 1
    : Math.sqrt(paramSquares) / Math.sqrt(updateSquares);
}

/**
 * LAMB's second pass, in place: θ ← θ − stepSize · u, with u computed again from the moments of
 * the first (the same numbers, so no array holds it) and stepSize = γ · ratio.
 */
export function lambStepKernel(
  p: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  stepSize: number,
  s: LambScalars,
): void {
  if (lambStepSimd(p, expAvg, expAvgSq, stepSize, s)) return;
  for (let i = 0; i < p.length; i++) {
    const x = p[i];
    p[i] = x - stepSize * update(expAvg[i], expAvgSq[i], x, s);
  }
}
