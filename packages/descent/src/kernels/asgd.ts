import type { FloatArray } from '../core/param.js';
import { asgdSimd } from './wasm/asgd.js';

export interface ASGDScalars {
  lambd: number;
  weightDecay: number;
  maximize: boolean;
  /** The step size for this step (η), from the state. */
  eta: number;
  /** The weight of this step in the average (μ), from the state; 1 copies the parameters. */
  mu: number;
}

/**
 * One ASGD step over a tensor, in place; `ax` is the running average of the parameters.
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function asgdKernel(p: FloatArray, g: FloatArray, ax: FloatArray, s: ASGDScalars): void {
  if (asgdSimd(p, g, ax, s)) return;
  const { lambd, weightDecay, maximize, eta, mu } = s;
  const sign = maximize ? -1 : 1;
  const decay = 1 - lambd * eta;
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    if (weightDecay !== 0) d += weightDecay * p[i];
    p[i] = p[i] * decay - eta * d;
    ax[i] = mu === 1 ? p[i] : ax[i] + (p[i] - ax[i]) * mu;
  }
}
