import type { FloatArray } from '../core/param.js';
import { lerp } from './lerp.js';
import { type Moment, type Narrow, withFloatMoments } from './moment.js';
import { adamaxSimd } from './wasm/adamax.js';

export interface AdamaxScalars {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
  /** The parameter's step count, this step included (1 on its first step). */
  step: number;
}

/**
 * One Adamax step over a tensor, in place: `expAvg` is the first moment, `expInf` the
 * exponentially weighted infinity norm.
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function adamaxKernel(
  p: FloatArray,
  g: FloatArray,
  expAvg: Moment,
  expInf: Moment,
  s: AdamaxScalars,
): void {
  if (adamaxSimd(p, g, expAvg, expInf, s)) return;
  withFloatMoments(p, [expAvg, expInf], ([m, u], narrow) => {
    adamaxLoop(p, g, m!, u!, s, narrow);
  });
}

function adamaxLoop(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray,
  expInf: FloatArray,
  s: AdamaxScalars,
  narrow: Narrow | null,
): void {
  const { lr, betas, eps, weightDecay, maximize, step } = s;
  const beta1 = betas[0];
  const beta2 = betas[1];
  const sign = maximize ? -1 : 1;
  const clr = lr / (1 - beta1 ** step);
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    if (weightDecay !== 0) d += weightDecay * p[i];
    expAvg[i] = lerp(expAvg[i], d, 1 - beta1);
    narrow?.(expAvg, 0, i);
    expInf[i] = Math.max(beta2 * expInf[i], Math.abs(d) + eps);
    narrow?.(expInf, 1, i);
    p[i] -= (clr * expAvg[i]) / expInf[i];
  }
}
