import type { FloatArray } from '../core/param.js';
import type { DecayScalars } from './adam.js';
import { type Moment, type Narrow, withFloatMoments } from './moment.js';
import { yogiSimd } from './wasm/yogi.js';

export interface YogiScalars extends DecayScalars {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 − β₁ᵗ. */
  biasCorrection1: number;
  /** 1 − β₂ᵗ. */
  biasCorrection2: number;
}

/**
 * One Yogi step over a tensor, in place: `expAvg` is the first moment v, `expAvgSq` the second, s.
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function yogiKernel(
  p: FloatArray,
  g: FloatArray,
  expAvg: Moment,
  expAvgSq: Moment,
  s: YogiScalars,
): void {
  if (yogiSimd(p, g, expAvg, expAvgSq, s)) return;
  withFloatMoments(p, [expAvg, expAvgSq], ([m, v], narrow) => {
    yogiLoop(p, g, m!, v!, s, narrow);
  });
}

function yogiLoop(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  s: YogiScalars,
  narrow: Narrow | null,
): void {
  const { gradSign, weightDecay, paramDecay, lr, beta1, beta2, eps } = s;
  const { biasCorrection1, biasCorrection2 } = s;
  const weight1 = 1 - beta1;
  const weight2 = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    const x = p[i] * paramDecay;
    let d = gradSign * g[i];
    if (weightDecay !== 0) d += weightDecay * x;
    const d2 = d * d;
    // The book's formula as written (not a lerp), so rounding follows the reference.
    expAvg[i] = beta1 * expAvg[i] + weight1 * d;
    narrow?.(expAvg, 0, i);
    expAvgSq[i] = expAvgSq[i] + weight2 * Math.sign(d2 - expAvgSq[i]) * d2;
    narrow?.(expAvgSq, 1, i);
    p[i] =
      x - (lr * (expAvg[i] / biasCorrection1)) / (Math.sqrt(expAvgSq[i] / biasCorrection2) + eps);
  }
}
