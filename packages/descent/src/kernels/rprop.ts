import type { FloatArray } from '../core/param.js';
import { rpropSimd } from './wasm/rprop.js';

export interface RpropScalars {
  etas: readonly [number, number];
  stepSizes: readonly [number, number];
  maximize: boolean;
}

/**
 * One Rprop step over a tensor, in place: `prev` is the gradient the last step used (zero where
 * its sign changed), `stepSize` the per-element step sizes.
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function rpropKernel(
  p: FloatArray,
  g: FloatArray,
  prev: FloatArray,
  stepSize: FloatArray,
  s: RpropScalars,
): void {
  if (rpropSimd(p, g, prev, stepSize, s)) return;
  const [etaminus, etaplus] = s.etas;
  const [stepSizeMin, stepSizeMax] = s.stepSizes;
  const sign = s.maximize ? -1 : 1;
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    const agreement = d * prev[i];
    let factor = 1;
    if (agreement > 0) {
      factor = etaplus;
    } else if (agreement < 0) {
      factor = etaminus;
      // After a sign change the element does not move, and the next step sees no previous sign.
      d = 0;
    }
    // PyTorch clamps every step size, changed or not, so an lr outside stepSizes is clamped at
    // the first step.
    stepSize[i] = Math.min(Math.max(stepSize[i] * factor, stepSizeMin), stepSizeMax);
    p[i] -= Math.sign(d) * stepSize[i];
    prev[i] = d;
  }
}
