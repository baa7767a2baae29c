import { dtypeOf, type FloatArray } from '../../core/param.js';
import { arenaZeros, inArena } from './arena.js';
import { simdEnabledNow } from './batch.js';

/**
 * Gradients from outside the arena, copied into it so that the WebAssembly kernels step them.
 *
 * `zeroGrad()` sets gradients to null, as PyTorch's does, and the obvious code then writes a new
 * array (`p.grad = new Float32Array(n)`, or tfjs's `dataSync()`): left there, every step of that
 * parameter would fall to the TypeScript kernels, several times slower. A copy costs one read
 * and one write of the gradient, a fraction of a step. Each parameter keeps its own copy, reused
 * from step to step and released with the parameter.
 */

const copies = new WeakMap<object, FloatArray>();

/**
 * The gradient a kernel should read for a parameter whose values are `data`: `grad` itself when
 * it is in the arena or when the kernels cannot run there, else its copy in the arena.
 */
export function arenaGradient(owner: object, data: FloatArray, grad: FloatArray): FloatArray {
  if (inArena(grad) || !inArena(data) || !simdEnabledNow()) return grad;
  let copy = copies.get(owner);
  if (copy === undefined || copy.length !== grad.length || dtypeOf(copy) !== dtypeOf(grad)) {
    const fresh = arenaZeros(dtypeOf(grad), grad.length);
    if (fresh === null) return grad;
    copy = fresh;
    copies.set(owner, copy);
  }
  copy.set(grad);
  return copy;
}
