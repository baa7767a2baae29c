import type { FloatArray } from '../core/param.js';
import { type Moment, type Narrow, withFloatMoments } from './moment.js';
import { lionSimd } from './wasm/lion.js';

export interface LionScalars {
  /** γ, the step along the sign. */
  lr: number;
  beta1: number;
  beta2: number;
  /** −1 when maximizing, else 1. */
  gradSign: number;
  /** 1 − γλ, the decoupled weight decay's factor on θ. */
  paramDecay: number;
}

/**
 * One Lion step over a tensor, in place: the sign of a blend of the momentum and the gradient
 * moves θ, then the momentum takes the gradient with its own, slower, rate. When every array is
 * in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop is the reference
 * and the fallback.
 */
export function lionKernel(p: FloatArray, g: FloatArray, expAvg: Moment, s: LionScalars): void {
  if (lionSimd(p, g, expAvg, s)) return;
  withFloatMoments(p, [expAvg], ([m], narrow) => {
    lionLoop(p, g, m!, s, narrow);
  });
}

function lionLoop(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray,
  s: LionScalars,
  narrow: Narrow | null,
): void {
  const { lr, beta1, beta2, gradSign, paramDecay } = s;
  const weight1 = 1 - beta1;
  const weight2 = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    const d = gradSign * g[i];
    const m = expAvg[i];
    const c = beta1 * m + weight1 * d;
    // sign(c), as torch.sign, is 0 at 0 and NaN at NaN; at ±0 the step is +0, as WebAssembly's.
    p[i] = p[i] * paramDecay - (c === 0 ? 0 : lr * Math.sign(c));
    expAvg[i] = beta2 * m + weight2 * d;
    narrow?.(expAvg, 0, i);
  }
}
