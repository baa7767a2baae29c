import { allocate } from '../core/param.js';
import { freeArray } from './wasm/arena.js';

/**
 * Sums over a whole tensor (LAMB's norms, Prodigy's ⟨g, θ₀ − θ⟩ and Σ|s|, Adafactor's
 * root-mean-squares), taken by blocks: a kernel sums each block of SUM_BLOCK elements on its own
 * and stores SUMS_PER_BLOCK numbers per block (block b's sum k at b·SUMS_PER_BLOCK + k), and
 * `total` adds the blocks in order. The WebAssembly kernels work this way so that threads never
 * share a block and the result does not depend on their number (assembly/reduce.ts); the
 * TypeScript kernels do the same, so both add in the same order.
 */
export const SUM_BLOCK = 1024;
export const SUMS_PER_BLOCK = 2;

/** The numbers `sums` must hold for a tensor of `length` elements. */
export function sumsLength(length: number): number {
  return Math.ceil(length / SUM_BLOCK) * SUMS_PER_BLOCK;
}

/** Sum k of a tensor: its blocks' sums k, added in order. */
export function total(sums: Float64Array, k: number): number {
  let sum = 0;
  for (let i = k; i < sums.length; i += SUMS_PER_BLOCK) sum += sums[i];
  return sum;
}

/**
 * Where an optimizer's kernels leave their block sums for one step: an arena array (so that the
 * WebAssembly kernels can write it) kept for the largest step so far and cut into one view per
 * tensor. A larger step frees the old block.
 */
export class SumsWorkspace {
  private buffer: Float64Array = new Float64Array(0);

  /** One view per tensor of these lengths, each `sumsLength` long. */
  views(lengths: readonly number[]): Float64Array[] {
    let needed = 0;
    for (const length of lengths) needed += sumsLength(length);
    if (needed > this.buffer.length) {
      freeArray(this.buffer);
      this.buffer = allocate('float64', needed) as Float64Array;
    }
    let start = 0;
    return lengths.map((length) => {
      const view = this.buffer.subarray(start, start + sumsLength(length));
      start += view.length;
      return view;
    });
  }
}
