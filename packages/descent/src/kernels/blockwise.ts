import type { FloatArray } from '../core/param.js';
import { quantize2D } from './dynamic-map.js';

/**
 * Block-wise 8-bit quantization (Dettmers et al. 2022, bitsandbytes' blockwise optimizers), for
 * optimizer state kept in one byte per element (`stateDtype: 'int8'`): the tensor is cut into
 * blocks of 256 elements, each with its absolute maximum in float32, and each element is the
 * code of its value divided by that maximum in a dynamic map (dynamic-map.ts).
 *
 *     absmax_b = max_{i ∈ b} |x_i|                     (NaN when a value of the block is)
 *     code_i   = quantize2D(map, x_i / absmax_b)         (float32 division)
 *     code_i  ← code_i ± 1 if signed and signbit(map[code_i]) ≠ signbit(x_i)   (toward x_i's side)
 *     code_i   = the code of 0 for the whole block when absmax_b is 0 or not finite
 *     x̃_i      = map[code_i] · absmax_b                (float32 product)
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
      // Math.max propagates NaN (as WebAssembly's f32.max): a block with a NaN is a NaN block.
      max = Math.max(max, Math.abs(values[i]));
    }
    const scale = Math.fround(max);
    absmax[start / BLOCK] = scale;
    if (scale === 0 || !Number.isFinite(scale)) {
      codes.fill(zero, start, end);
      continue;
    }
    for (let i = start; i < end; i++) codes[i] = codeOf(map, signed, values[i], scale);
  }
}

/**
 * The code of x in a block of finite, nonzero absmax `scale`: quantize2D of x / scale, and with
 * the signed map the sign fix (see above).
 */
export function codeOf(map: Float32Array, signed: boolean, x: number, scale: number): number {
  const code = quantize2D(map, signed, Math.fround(x / scale));
  if (signed && signBit(map[code]) !== signBit(x)) return code + (x > 0 ? 1 : -1);
  return code;
}

/** Whether the sign bit is set (−0 included), as C's signbit. */
function signBit(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}
