import { ROW_FORMAT, ROW_KEYS } from './memory';

/**
 * Optimizer state in bfloat16 (src/kernels/bfloat16.ts, src/optim/state-dtype.ts): a kernel
 * loads each moment as float32 (the bfloat16 bits are its top half), updates it in float32, and
 * stores it rounded, to nearest even or stochastically; the rest of the step uses the value it
 * stored, as it would read float32 state back. A row's format (memory.ts) says which: the
 * kernels take it as a constant argument, so each storage compiles its own loop.
 *
 * Addresses: a kernel passes the byte offset `o` of element i in a float32 array (4i); a
 * bfloat16 array holds element i at 2i.
 */
export const FLOAT: u32 = 0;
export const BFLOAT16: u32 = 1;
export const BFLOAT16_STOCHASTIC: u32 = 2;
/** Moments in 8 bits, block-wise: int8.ts, which also gives the format field's higher bits. */
export const INT8: u32 = 3;

// Constants of the rounding as globals, which V8 reads with one load; a constant written in the
// loop is built anew in every iteration (V8 hoists no constants), three instructions each.
let HALF_ULP: v128 = i32x4.splat(0x7fff);
let ONES: v128 = i32x4.splat(1);
let LOW_HALF: v128 = i32x4.splat(0xffff);
let QUIET_NAN: v128 = i32x4.splat(0x7fc00000);
let ZERO: v128 = i32x4.splat(0);
let LANE_INDEX: v128 = i32x4(0, 1, 2, 3);
let GOLDEN: v128 = i32x4.splat(0x9e3779b9);
let MIX1: v128 = i32x4.splat(0x7feb352d);
let MIX2: v128 = i32x4.splat(0x846ca68b);

/** The storage of a row's moments (the format field's low byte). */
@inline export function formatOf(row: usize): u32 {
  return load<u32>(row + ROW_FORMAT) & 0xff;
}

/** The stochastic rounding's key of the row's array k (2 to 5), splatted. */
@inline export function keyOf(row: usize, k: usize): v128 {
  return i32x4.splat(load<u32>(row + ROW_KEYS + ((k - 2) << 2)));
}

/** Loads moment values at float32 byte offset o (one element when `one`), as float32. */
@inline export function ldm<T>(base: usize, o: usize, one: bool, format: u32): v128 {
  if (format == FLOAT) {
    if (one) return sizeof<T>() == 4 ? v128.load32_zero(base + o) : v128.load64_zero(base + o);
    return v128.load(base + o);
  }
  const at = base + (o >> 1);
  const halves = one ? i32x4.extend_low_i16x8_u(v128.load16_lane(at, ZERO, 0)) : v128.load16x4_u(at);
  return i32x4.shl(halves, 16);
}

/** lowbias32 (bfloat16.ts, mix32) on each lane. */
@inline function mix(x: v128): v128 {
  let h = v128.xor(x, i32x4.shr_u(x, 16));
  h = i32x4.mul(h, MIX1);
  h = v128.xor(h, i32x4.shr_u(h, 15));
  h = i32x4.mul(h, MIX2);
  return v128.xor(h, i32x4.shr_u(h, 16));
}

/**
 * Float32 values rounded to bfloat16 (their low 16 bits zero): to nearest even, or with
 * `stochastic` up when the 16 random bits of element i (randomBits16: the top half of
 * mix(i·0x9E3779B9 ⊕ key)) are below the 16 bits rounded away. NaN becomes 0x7FC0 0000.
 */
@inline function roundToBfloat16(x: v128, stochastic: bool, key: v128, i: u32): v128 {
  let rounded: v128;
  if (stochastic) {
    const index = i32x4.add(i32x4.splat(i), LANE_INDEX);
    const random = i32x4.shr_u(mix(v128.xor(i32x4.mul(index, GOLDEN), key)), 16);
    const up = i32x4.lt_u(random, v128.and(x, LOW_HALF));
    rounded = v128.andnot(i32x4.sub(x, i32x4.shl(up, 16)), LOW_HALF);
  } else {
    const odd = v128.and(i32x4.shr_u(x, 16), ONES);
    rounded = v128.andnot(i32x4.add(i32x4.add(x, HALF_ULP), odd), LOW_HALF);
  }
  return v128.bitselect(QUIET_NAN, rounded, f32x4.ne(x, x));
}

/**
 * Stores moment values at float32 byte offset o of element i (one when `one`) and returns what
 * was stored, as float32: the values themselves for FLOAT, else their rounding to bfloat16.
 */
@inline export function stm<T>(
  base: usize, o: usize, value: v128, one: bool, format: u32, key: v128, i: u32,
): v128 {
  if (format == FLOAT) {
    if (one) {
      if (sizeof<T>() == 4) v128.store32_lane(base + o, value, 0);
      else v128.store64_lane(base + o, value, 0);
    } else {
      v128.store(base + o, value);
    }
    return value;
  }
  const rounded = roundToBfloat16(value, format == BFLOAT16_STOCHASTIC, key, i);
  // The top halves of the four lanes, side by side in the low 8 bytes.
  const packed = i8x16.shuffle(rounded, rounded, 2, 3, 6, 7, 10, 11, 14, 15, 2, 3, 6, 7, 10, 11, 14, 15);
  const at = base + (o >> 1);
  if (one) v128.store16_lane(at, packed, 0);
  else v128.store64_lane(at, packed, 0);
  return rounded;
}
