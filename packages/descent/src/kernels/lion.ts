import type { FloatArray } from '../core/param.js';

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
 * moves θ, then the momentum takes the gradient with its own, slower, rate.
 */
export function lionKernel(p: FloatArray, g: FloatArray, expAvg: FloatArray, s: LionScalars): void {
  const { lr, beta1, beta2, gradSign, paramDecay } = s;
  const weight1 = 1 - beta1;
  const weight2 = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    const d = gradSign * g[i];
    const m = expAvg[i];
    // Math.sign, like torch.sign, is 0 at 0 and NaN at NaN.
    p[i] = p[i] * paramDecay - lr * Math.sign(beta1 * m + weight1 * d);
    expAvg[i] = beta2 * m + weight2 * d;
  }
}
