import type { FloatArray } from '../core/param.js';
import type { DecayScalars } from './adam.js';
import { lerp } from './lerp.js';
import { type Moment, type Narrow, withFloatMoments } from './moment.js';
import { nadamSimd } from './wasm/nadam.js';

export interface NAdamScalars extends DecayScalars {
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 − β₂ᵗ. */
  biasCorrection2: number;
  /** lr (1 − μ_t) / (1 − ∏_{i≤t} μ_i): the weight of the current gradient. */
  gradStep: number;
  /** lr μ_{t+1} / (1 − ∏_{i≤t+1} μ_i): the weight of the first moment. */
  expAvgStep: number;
}

/**
 * One NAdam step over a tensor, in place: `expAvg` and `expAvgSq` are the two moments.
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function nadamKernel(
  p: FloatArray,
  g: FloatArray,
  expAvg: Moment,
  expAvgSq: Moment,
  s: NAdamScalars,
): void {
  if (nadamSimd(p, g, expAvg, expAvgSq, s)) return;
  withFloatMoments(p, [expAvg, expAvgSq], ([m, v], narrow) => {
    nadamLoop(p, g, m!, v!, s, narrow);
  });
}

function nadamLoop(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  s: NAdamScalars,
  narrow: Narrow | null,
): void {
  const { gradSign, weightDecay, paramDecay, beta1, beta2, eps } = s;
  const { biasCorrection2, gradStep, expAvgStep } = s;
  const weight1 = 1 - beta1;
  const weight2 = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    const x = p[i] * paramDecay;
    let d = gradSign * g[i];
    if (weightDecay !== 0) d += weightDecay * x;
    expAvg[i] = lerp(expAvg[i], d, weight1);
    narrow?.(expAvg, 0, i);
    expAvgSq[i] = beta2 * expAvgSq[i] + weight2 * d * d;
    narrow?.(expAvgSq, 1, i);
    const denom = Math.sqrt(expAvgSq[i] / biasCorrection2) + eps;
    p[i] = x - (gradStep * d) / denom - (expAvgStep * expAvg[i]) / denom;
  }
}
