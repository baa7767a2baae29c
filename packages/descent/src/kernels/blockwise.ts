import type { FloatArray } from '../core/param.js';
import { nearestCode } from './dynamic-map.js';

/**
 * Block-wise 8-bit quantization (Dettmers et al. 2022, bitsandbytes' blockwise optimizers), for
 * optimizer state kept in one byte per element (`stateDtype: 'int8'`): the tensor is cut into
 * blocks of 256 elements, each with its absolute maximum in float32, and each element is the
 * code of its value divided by that maximum in a dynamic map (dynamic-map.ts).
 *
 *     absmax_b = max_{i ∈ b} |x_i|
 *     code_i   = nearestCode(map, x_i / absmax_b)          (the zero code when absmax_b is 0)
 *     x̃_i      = map[code_i] · absmax_b
 *
 * A block's own scale keeps an outlier from costing the rest of the tensor its precision: it
 * costs only its 255 neighbours theirs. With the signed map the code keeps the value's sign
 * (bitsandbytes' correction: a value whose nearest code has the other sign bit takes the
 * neighbouring code of its own sign), so a momentum never flips direction by rounding. As there,
 * the correction reads sign bits: a small negative value (or −0) becomes the smallest negative
 * code, a small positive one rounds to 0.
 *
 * A NaN or an infinity is never hidden: it makes its block's absmax NaN or infinite, and the
 * whole block then decodes to NaN (0 · ∞), as float32 state would carry it into the step.
 */

/** Elements per block, bitsandbytes' blocksize for its 8-bit optimizers. */
export const BLOCK = 256;

/** Blocks for a tensor of `length` elements (the last may be shorter). */
export function blockCount(length: number): number {
  return Math.ceil(length / BLOCK);
}

/** The index of 0 in a map (each map has one). */
export function zeroCode(map: Float32Array): number {
  return map.indexOf(0);
}

/** x̃ = map[code] · absmax, for the elements [lo, hi), into `out` (float32 products). */
export function decodeBlocks(
  codes: Uint8Array,
  absmax: Float32Array,
  map: Float32Array,
  out: FloatArray,
  lo = 0,
  hi = codes.length,
): void {
  for (let i = lo; i < hi; i++) out[i] = Math.fround(map[codes[i]] * absmax[(i / BLOCK) | 0]);
}

/** Codes and absmax of `values`, elements [lo, hi), which start on a block's first element. */
export function encodeBlocks(
  values: FloatArray,
  codes: Uint8Array,
  absmax: Float32Array,
  map: Float32Array,
  signed: boolean,
  lo = 0,
  hi = values.length,
): void {
  const zero = zeroCode(map);
  for (let start = lo; start < hi; start += BLOCK) {
    const end = Math.min(start + BLOCK, hi);
    let max = 0;
    for (let i = start; i < end; i++) {
      const a = Math.abs(values[i]);
      // NaN wins, as WebAssembly's max: a block with a NaN is a NaN block.
      if (!(a <= max)) max = a;
    }
    const scale = Math.fround(max);
    absmax[start / BLOCK] = scale;
    if (scale === 0 || !Number.isFinite(scale)) {
      codes.fill(zero, start, end);
      continue;
    }
    for (let i = start; i < end; i++) {
      const x = values[i];
      let code = nearestCode(map, Math.fround(x / scale));
      if (signed && signBit(map[code]) !== signBit(x)) code += x > 0 ? 1 : -1;
      codes[i] = code;
    }
  }
}

/** Whether the sign bit is set (−0 included), as C's signbit. */
function signBit(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}
