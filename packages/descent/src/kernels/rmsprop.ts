import type { FloatArray } from '../core/param.js';
import { lerp } from './lerp.js';
import { type Moment, type Narrow, withFloatMoments } from './moment.js';
import { rmspropSimd } from './wasm/rmsprop.js';

export interface RMSpropScalars {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  maximize: boolean;
}

/**
 * One RMSprop step over a tensor, in place. `momentumBuffer` is null without momentum and
 * `gradAvg` null unless centered.
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function rmspropKernel(
  p: FloatArray,
  g: FloatArray,
  squareAvg: Moment,
  momentumBuffer: Moment | null,
  gradAvg: Moment | null,
  s: RMSpropScalars,
): void {
  if (rmspropSimd(p, g, squareAvg, momentumBuffer, gradAvg, s)) return;
  withFloatMoments(p, [squareAvg, momentumBuffer, gradAvg], ([v, b, m], narrow) => {
    rmspropLoop(p, g, v!, b, m, s, narrow);
  });
}

function rmspropLoop(
  p: FloatArray,
  g: FloatArray,
  squareAvg: FloatArray,
  momentumBuffer: FloatArray | null,
  gradAvg: FloatArray | null,
  s: RMSpropScalars,
  narrow: Narrow | null,
): void {
  const { lr, alpha, eps, weightDecay, momentum, maximize } = s;
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    if (weightDecay !== 0) d += weightDecay * p[i];
    squareAvg[i] = alpha * squareAvg[i] + (1 - alpha) * d * d;
    narrow?.(squareAvg, 0, i);
    let v = squareAvg[i];
    if (gradAvg !== null) {
      gradAvg[i] = lerp(gradAvg[i], d, 1 - alpha);
      narrow?.(gradAvg, 2, i);
      v -= gradAvg[i] * gradAvg[i];
    }
    const denom = Math.sqrt(v) + eps;
    if (momentumBuffer !== null) {
      momentumBuffer[i] = momentum * momentumBuffer[i] + d / denom;
      narrow?.(momentumBuffer, 1, i);
      p[i] -= lr * momentumBuffer[i];
    } else {
      p[i] -= (lr * d) / denom;
    }
  }
}
