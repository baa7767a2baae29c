import type { FloatArray } from '../core/param.js';
import { adadeltaSimd } from './wasm/adadelta.js';

export interface AdadeltaScalars {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * One Adadelta step over a tensor, in place: `squareAvg` averages squared gradients, `accDelta`
 * squared updates.
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function adadeltaKernel(
  p: FloatArray,
  g: FloatArray,
  squareAvg: FloatArray,
  accDelta: FloatArray,
  s: AdadeltaScalars,
): void {
  if (adadeltaSimd(p, g, squareAvg, accDelta, s)) return;
  const { lr, rho, eps, weightDecay, maximize } = s;
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    if (weightDecay !== 0) d += weightDecay * p[i];
    squareAvg[i] = rho * squareAvg[i] + (1 - rho) * d * d;
    const delta = (Math.sqrt(accDelta[i] + eps) / Math.sqrt(squareAvg[i] + eps)) * d;
    accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta;
    p[i] -= lr * delta;
  }
}
