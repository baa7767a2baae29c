import type { FloatArray } from '../core/param.js';
import { type Moment, type Narrow, withFloatMoments } from './moment.js';
import { adagradSimd } from './wasm/adagrad.js';

export interface AdagradScalars {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  eps: number;
  maximize: boolean;
  /** The parameter's step count, this step included (1 on its first step). */
  step: number;
}

/**
 * One Adagrad step over a tensor, in place; `sum` accumulates the squared gradients.
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function adagradKernel(p: FloatArray, g: FloatArray, sum: Moment, s: AdagradScalars): void {
  if (adagradSimd(p, g, sum, s)) return;
  withFloatMoments(p, [sum], ([total], narrow) => {
    adagradLoop(p, g, total!, s, narrow);
  });
}

function adagradLoop(
  p: FloatArray,
  g: FloatArray,
  sum: FloatArray,
  s: AdagradScalars,
  narrow: Narrow | null,
): void {
  const { lr, lrDecay, weightDecay, eps, maximize, step } = s;
  const sign = maximize ? -1 : 1;
  const clr = lr / (1 + (step - 1) * lrDecay);
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    if (weightDecay !== 0) d += weightDecay * p[i];
    sum[i] += d * d;
    narrow?.(sum, 0, i);
    p[i] -= (clr * d) / (Math.sqrt(sum[i]) + eps);
  }
}
