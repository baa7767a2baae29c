import type { FloatArray } from '../core/param.js';
import { lerp } from './lerp.js';
import { type Moment, type Narrow, withFloatMoments } from './moment.js';
import { adamSimd } from './wasm/adam.js';

/** How the gradient and the parameter enter a step of the Adam family, before the moments. */
export interface DecayScalars {
  /** −1 when maximizing, else 1. */
  gradSign: number;
  /** L2 coefficient added to the gradient; 0 when weight decay is decoupled. */
  weightDecay: number;
  /** Factor on the parameter before the update: 1 − lr·weightDecay when decoupled, else 1. */
  paramDecay: number;
}

export interface AdamScalars extends DecayScalars {
  beta1: number;
  beta2: number;
  eps: number;
  /** lr / (1 − β₁ᵗ). */
  stepSize: number;
  /** √(1 − β₂ᵗ). */
  biasCorrection2Sqrt: number;
}

/**
 * One Adam (or AdamW) step over a tensor, in place: `expAvg` and `expAvgSq` are the first and
 * second moments, `maxExpAvgSq` the running maximum of the second (AMSGrad; null without).
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function adamKernel(
  p: FloatArray,
  g: FloatArray,
  expAvg: Moment,
  expAvgSq: Moment,
  maxExpAvgSq: Moment | null,
  s: AdamScalars,
): void {
  if (adamSimd(p, g, expAvg, expAvgSq, maxExpAvgSq, s)) return;
  withFloatMoments(p, [expAvg, expAvgSq, maxExpAvgSq], ([m, v, vmax], narrow) => {
    adamLoop(p, g, m!, v!, vmax, s, narrow);
  });
}

function adamLoop(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  maxExpAvgSq: FloatArray | null,
  s: AdamScalars,
  narrow: Narrow | null,
): void {
  const { gradSign, weightDecay, paramDecay, beta1, beta2, eps, stepSize, biasCorrection2Sqrt } = s;
  const weight1 = 1 - beta1;
  const weight2 = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    const x = p[i] * paramDecay;
    let d = gradSign * g[i];
    if (weightDecay !== 0) d += weightDecay * x;
    // Moments are read back from their arrays so float32 state rounds as PyTorch's does.
    expAvg[i] = lerp(expAvg[i], d, weight1);
    narrow?.(expAvg, 0, i);
    expAvgSq[i] = beta2 * expAvgSq[i] + weight2 * d * d;
    narrow?.(expAvgSq, 1, i);
    let v = expAvgSq[i];
    if (maxExpAvgSq !== null) {
      // Math.max, like torch.maximum, propagates NaN.
      maxExpAvgSq[i] = Math.max(maxExpAvgSq[i], v);
      narrow?.(maxExpAvgSq, 2, i);
      v = maxExpAvgSq[i];
    }
    p[i] = x - (stepSize * expAvg[i]) / (Math.sqrt(v) / biasCorrection2Sqrt + eps);
  }
}
