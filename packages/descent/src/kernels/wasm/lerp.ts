import { kernelFlag } from './batch.js';

const FROM_END = kernelFlag('LERP_FROM_END');

/**
 * How a row passes a torch.lerp weight to a WebAssembly kernel (assembly/lerp.ts): the flag to
 * set (the formula works from the end for weights of 0.5 or more, as src/kernels/lerp.ts) and the
 * factor the kernel multiplies by.
 */
export function lerpFlag(weight: number): number {
  return Math.abs(weight) < 0.5 ? 0 : FROM_END;
}

export function lerpFactor(weight: number): number {
  return Math.abs(weight) < 0.5 ? weight : 1 - weight;
}
