import type { FloatArray } from '../core/param.js';
import type { DecayScalars } from './adam.js';
import { lerp } from './lerp.js';
import { type Moment, type Narrow, withFloatMoments } from './moment.js';
import { radamSimd } from './wasm/radam.js';

export interface RAdamScalars extends DecayScalars {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 − β₁ᵗ. */
  biasCorrection1: number;
  /** √(1 − β₂ᵗ). */
  biasCorrection2Sqrt: number;
  /** The variance rectification r_t, or 0 while ρ_t ≤ 5 (the step is then momentum SGD). */
  rect: number;
}

/**
 * One RAdam step over a tensor, in place: `expAvg` and `expAvgSq` are the two moments.
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function radamKernel(
  p: FloatArray,
  g: FloatArray,
  expAvg: Moment,
  expAvgSq: Moment,
  s: RAdamScalars,
): void {
  if (radamSimd(p, g, expAvg, expAvgSq, s)) return;
  withFloatMoments(p, [expAvg, expAvgSq], ([m, v], narrow) => {
    radamLoop(p, g, m!, v!, s, narrow);
  });
}

function radamLoop(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  s: RAdamScalars,
  narrow: Narrow | null,
): void {
  const { gradSign, weightDecay, paramDecay, lr, beta1, beta2, eps } = s;
  const { biasCorrection1, biasCorrection2Sqrt, rect } = s;
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
    const step = (expAvg[i] / biasCorrection1) * lr;
    p[i] =
      rect === 0
        ? x - step
        : x - step * (biasCorrection2Sqrt / (Math.sqrt(expAvgSq[i]) + eps)) * rect;
  }
}
