import { ROW_ARRAYS, ROW_BYTES, ROW_FORMAT, ROW_KEYS } from './memory';
import { FLOAT } from './state';

/**
 * Optimizer state in 8 bits, block-wise (src/kernels/blockwise.ts, Dettmers et al. 2022): each
 * moment is one code per element, an index into a dynamic map of 256 values, and one float32
 * absolute maximum per block of 256 elements.
 *
 * A row whose moments are int8 runs block by block on the calling thread's scratch (table.ts,
 * int8Row): its moments are decoded into float32 there (x = map[code] · absmax), the kernel's
 * float32 loop steps them, and they are encoded back with the block's new absmax, as the
 * TypeScript kernels do. The update itself is the float32 one, bit for bit.
 *
 * Encoding finds the code bitsandbytes' `quantize_2D` finds (src/kernels/dynamic-map.ts) for
 * y = x / absmax without its binary search, which would take seven dependent gathers a lane:
 *
 *     bucket  = the top 16 bits of y (its bfloat16 truncation), clamped to [2⁻²³, 1] in
 *               magnitude, one range per sign
 *     base    = buckets[bucket]: the code of the bucket's smallest y
 *     code    = base + (y > thresholds[base])
 *
 * A bucket is narrower than the map's spacing, so at most one code boundary falls in it; the
 * boundary between codes k and k + 1 is the float32 midpoint of their values, passed strictly
 * for even k and at the midpoint itself for odd k (quantize_2D keeps the even index at a tie),
 * which `thresholds[k]` folds into one strict comparison. src/kernels/wasm/int8.ts builds the
 * tables from the maps, and checks the one-boundary property, into an arena block of this
 * layout: per map (signed, then unsigned) its values, its thresholds, its zero's code and its
 * buckets.
 *
 * With the signed map a code then keeps the value's sign (blockwise.ts): a negative y, or −0,
 * that lands on the code of 0 takes the code below it. A block whose absmax is 0 or not finite
 * codes every element as 0 (it then decodes to 0 · absmax: NaN or ∞ propagate, never hide).
 */
export const INT8_BLOCK: u32 = 256;

/** Bucket indices of one sign: bfloat16 magnitudes from 2⁻²³ (0x3400) to 1 (0x3F80). */
const BUCKET_LOW: u32 = 0x3400;
const BUCKET_HIGH: u32 = 0x3f80;
export const INT8_BUCKETS: u32 = BUCKET_HIGH - BUCKET_LOW + 1;

/** Byte offsets within one map's tables. */
export const INT8_VALUES: usize = 0;
export const INT8_THRESHOLDS: usize = 1024;
export const INT8_ZERO: usize = 2048;
export const INT8_BUCKET_TABLE: usize = 2064;
/** One map's tables; the unsigned map's follow the signed map's. */
export const INT8_MAP_BYTES: usize = (INT8_BUCKET_TABLE + 2 * INT8_BUCKETS + 15) & ~15;

/**
 * An int8 row's fields (memory.ts): its format is INT8 with bit 8 + k − 2 set when moment array
 * k uses the signed map; its keys hold the absmax arrays of moments 2 to 4 and, last, the tables.
 */
export const INT8_SIGNED_SHIFT: u32 = 8;
const TABLES_KEY: usize = 3;

/** Moments an int8 row may have (arrays 2 to 4). */
const MOMENTS: usize = 3;

/**
 * This thread's scratch (the module's globals are per instance, so per thread): a float copy of
 * the row, then one block of floats per moment. The TypeScript side gives each thread its own.
 */
let scratch: usize = 0;
const ROW_COPY: usize = 256;
export const INT8_SCRATCH_BYTES: usize = ROW_COPY + MOMENTS * INT8_BLOCK * 4;

/** Sets this thread's scratch: INT8_SCRATCH_BYTES at `address`, 16-byte aligned. */
export function useScratch(address: usize): void {
  scratch = address;
}

@inline function momentScratch(k: usize): usize {
  return scratch + ROW_COPY + (k - 2) * INT8_BLOCK * 4;
}

/**
 * This thread's float copy of an int8 row: FLOAT format, each moment array at its scratch block,
 * placed so that element i of the block starting at `start` is at the usual byte offset 4i.
 */
export function scratchRow(row: usize, start: u32): usize {
  const copy = scratch;
  memory.copy(copy, row, ROW_BYTES);
  store<u32>(copy + ROW_FORMAT, FLOAT);
  for (let k: usize = 2; k < 2 + MOMENTS; k++) {
    if (load<u32>(row + ROW_ARRAYS + (k << 2)) == 0) continue;
    // Wraps below 0 for a block far into the tensor: addresses are u32, so 4i brings it back.
    store<u32>(copy + ROW_ARRAYS + (k << 2), <u32>(momentScratch(k) - (<usize>start << 2)));
  }
  return copy;
}

@inline function absmaxOf(row: usize, k: usize): usize {
  return load<u32>(row + ROW_KEYS + ((k - 2) << 2));
}

@inline function isSigned(row: usize, k: usize): bool {
  return ((load<u32>(row + ROW_FORMAT) >> (INT8_SIGNED_SHIFT + <u32>(k - 2))) & 1) != 0;
}

@inline function tablesOf(row: usize, k: usize): usize {
  return <usize>load<u32>(row + ROW_KEYS + (TABLES_KEY << 2)) + (isSigned(row, k) ? 0 : INT8_MAP_BYTES);
}

/** Decodes the int8 moments of elements [start, end) (one block) into the thread's scratch. */
export function decodeBlock(row: usize, start: u32, end: u32): void {
  for (let k: usize = 2; k < 2 + MOMENTS; k++) {
    const codes = <usize>load<u32>(row + ROW_ARRAYS + (k << 2));
    if (codes == 0) continue;
    const values = tablesOf(row, k) + INT8_VALUES;
    const scale = load<f32>(absmaxOf(row, k) + ((<usize>start / INT8_BLOCK) << 2));
    const scales = f32x4.splat(scale);
    const at = codes + start, out = momentScratch(k);
    const n = end - start;
    let j: u32 = 0;
    for (; j + 4 <= n; j += 4) {
      let v = v128.load32_zero(values + (<usize>load<u8>(at + j) << 2));
      v = v128.load32_lane(values + (<usize>load<u8>(at + j + 1) << 2), v, 1);
      v = v128.load32_lane(values + (<usize>load<u8>(at + j + 2) << 2), v, 2);
      v = v128.load32_lane(values + (<usize>load<u8>(at + j + 3) << 2), v, 3);
      v128.store(out + (<usize>j << 2), f32x4.mul(v, scales));
    }
    for (; j < n; j++) {
      store<f32>(out + (<usize>j << 2), load<f32>(values + (<usize>load<u8>(at + j) << 2)) * scale);
    }
  }
}

/** max |x| over n floats, NaN when one is (f32.max propagates it, as Math.max does). */
@inline function absoluteMax(values: usize, n: u32): f32 {
  let acc = f32x4.splat(0);
  let j: u32 = 0;
  for (; j + 4 <= n; j += 4) acc = f32x4.max(acc, f32x4.abs(v128.load(values + (<usize>j << 2))));
  let largest = max<f32>(
    max<f32>(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)),
    max<f32>(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)),
  );
  for (; j < n; j++) largest = max<f32>(largest, abs<f32>(load<f32>(values + (<usize>j << 2))));
  return largest;
}

/** The codes of four values y = x / absmax (see above). */
@inline function codes4(y: v128, tables: usize, signed: bool, zero: v128): v128 {
  const magnitude = v128.and(i32x4.shr_u(y, 16), i32x4.splat(0x7fff));
  let bucket = i32x4.sub(magnitude, i32x4.splat(BUCKET_LOW));
  bucket = i32x4.min_s(i32x4.max_s(bucket, i32x4.splat(0)), i32x4.splat(INT8_BUCKETS - 1));
  const negative = i32x4.shr_s(y, 31);
  bucket = i32x4.add(bucket, v128.and(negative, i32x4.splat(INT8_BUCKETS)));
  const buckets = tables + INT8_BUCKET_TABLE, thresholds = tables + INT8_THRESHOLDS;
  const b0 = <usize>load<u8>(buckets + <usize>i32x4.extract_lane(bucket, 0));
  const b1 = <usize>load<u8>(buckets + <usize>i32x4.extract_lane(bucket, 1));
  const b2 = <usize>load<u8>(buckets + <usize>i32x4.extract_lane(bucket, 2));
  const b3 = <usize>load<u8>(buckets + <usize>i32x4.extract_lane(bucket, 3));
  let base = i32x4.splat(<i32>b0);
  base = i32x4.replace_lane(base, 1, <i32>b1);
  base = i32x4.replace_lane(base, 2, <i32>b2);
  base = i32x4.replace_lane(base, 3, <i32>b3);
  let threshold = v128.load32_zero(thresholds + (b0 << 2));
  threshold = v128.load32_lane(thresholds + (b1 << 2), threshold, 1);
  threshold = v128.load32_lane(thresholds + (b2 << 2), threshold, 2);
  threshold = v128.load32_lane(thresholds + (b3 << 2), threshold, 3);
  // The comparison is -1 where y passes its bucket's boundary.
  let code = i32x4.sub(base, f32x4.gt(y, threshold));
  if (signed) {
    // Sign bit set below the zero's code: a code of the wrong sign moves one toward y's side.
    const below = i32x4.lt_s(code, zero);
    code = i32x4.add(i32x4.sub(code, v128.andnot(below, negative)), v128.andnot(negative, below));
  }
  return code;
}

/** Encodes moment k of elements [start, end) from the thread's scratch, with its new absmax. */
@inline function encodeMoment(row: usize, k: usize, start: u32, end: u32): void {
  const codes = <usize>load<u32>(row + ROW_ARRAYS + (k << 2)) + start;
  const tables = tablesOf(row, k);
  const values = momentScratch(k), n = end - start;
  const scale = absoluteMax(values, n);
  store<f32>(absmaxOf(row, k) + ((<usize>start / INT8_BLOCK) << 2), scale);
  const zeroCode = load<u32>(tables + INT8_ZERO);
  if (scale == 0 || !isFinite<f32>(scale)) {
    memory.fill(codes, <u8>zeroCode, <usize>n);
    return;
  }
  const scales = f32x4.splat(scale), zero = i32x4.splat(zeroCode);
  // Whole vectors, the last one partly past the block's end: its extra lanes are computed from
  // whatever the scratch holds (the bucket index is clamped, so any bits are safe) and not stored.
  for (let j: u32 = 0; j < n; j += 4) {
    const y = f32x4.div(v128.load(values + (<usize>j << 2)), scales);
    const code = isSigned(row, k) ? codes4(y, tables, true, zero) : codes4(y, tables, false, zero);
    const halves = i16x8.narrow_i32x4_u(code, code);
    const bytes = i8x16.narrow_i16x8_u(halves, halves);
    if (j + 4 <= n) {
      v128.store32_lane(codes + j, bytes, 0);
    } else {
      v128.store8_lane(codes + j, bytes, 0);
      if (j + 1 < n) v128.store8_lane(codes + j + 1, bytes, 1);
      if (j + 2 < n) v128.store8_lane(codes + j + 2, bytes, 2);
    }
  }
}

/** Encodes the int8 moments of elements [start, end) (one block) from the thread's scratch. */
export function encodeBlock(row: usize, start: u32, end: u32): void {
  for (let k: usize = 2; k < 2 + MOMENTS; k++) {
    if (load<u32>(row + ROW_ARRAYS + (k << 2)) != 0) encodeMoment(row, k, start, end);
  }
}
