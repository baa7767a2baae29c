import type { FloatArray } from '../core/param.js';
import { type Moment, type Narrow, withFloatMoments } from './moment.js';
import { sgdSimd } from './wasm/sgd.js';

export interface SGDScalars {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  /** True on a parameter's first step with momentum: the buffer starts as the gradient itself. */
  firstStep: boolean;
}

/**
 * One SGD step over a tensor, in place; `buffer` is the momentum buffer (null without momentum).
 * When every array is in the WebAssembly arena the step runs there (src/kernels/wasm/); this loop
 * is the reference and the fallback.
 */
export function sgdKernel(
  p: FloatArray,
  g: FloatArray,
  buffer: Moment | null,
  s: SGDScalars,
): void {
  if (sgdSimd(p, g, buffer, s)) return;
  withFloatMoments(p, [buffer], ([b], narrow) => {
    sgdLoop(p, g, b, s, narrow);
  });
}

function sgdLoop(
  p: FloatArray,
  g: FloatArray,
  buffer: FloatArray | null,
  s: SGDScalars,
  narrow: Narrow | null,
): void {
  const { lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep } = s;
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < p.length; i++) {
    let d = sign * g[i];
    if (weightDecay !== 0) d += weightDecay * p[i];
    if (buffer !== null) {
      const b = firstStep ? d : momentum * buffer[i] + (1 - dampening) * d;
      buffer[i] = b;
      narrow?.(buffer, 0, i);
      d = nesterov ? d + momentum * buffer[i] : buffer[i];
    }
    p[i] -= lr * d;
  }
}
