import type { FloatArray } from '../core/param.js';

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
  lr: number;
}

/**
 * One LAMB step over a tensor, in place, in two passes: the first updates the moments and sums
 * the squares of θ and of the update u, whose norms give the trust ratio; the second computes u
 * again from the new moments (the same numbers, so no array holds it) and steps by −γ·ratio·u.
 */
export function lambKernel(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  s: LambScalars,
): void {
  const { gradSign, beta1, beta2, eps, epsRoot, weightDecay, biasCorrection1, biasCorrection2 } = s;
  const weight1 = 1 - beta1;
  const weight2 = 1 - beta2;
  let paramSquares = 0;
  let updateSquares = 0;
  for (let i = 0; i < p.length; i++) {
    const d = gradSign * g[i];
    // Read back from the arrays, so float32 moments round as Optax's do.
    expAvg[i] = beta1 * expAvg[i] + weight1 * d;
    expAvgSq[i] = beta2 * expAvgSq[i] + weight2 * d * d;
    const x = p[i];
    const u =
      expAvg[i] / biasCorrection1 / (Math.sqrt(expAvgSq[i] / biasCorrection2 + epsRoot) + eps) +
      weightDecay * x;
    paramSquares += x * x;
    updateSquares += u * u;
  }
  // Optax's scale_by_trust_ratio: 1 where either norm is 0, so a zero tensor can leave zero.
  const ratio =
    paramSquares === 0 || updateSquares === 0
      ? 1
      : Math.sqrt(paramSquares) / Math.sqrt(updateSquares);
  const stepSize = s.lr * ratio;
  for (let i = 0; i < p.length; i++) {
    const x = p[i];
    const u =
      expAvg[i] / biasCorrection1 / (Math.sqrt(expAvgSq[i] / biasCorrection2 + epsRoot) + eps) +
      weightDecay * x;
    p[i] = x - stepSize * u;
  }
}
