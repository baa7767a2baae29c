/**
 * Sums for the kernels whose step needs a norm or a dot product of a whole tensor (LAMB's trust
 * ratio, Prodigy's estimate of d, Adafactor's root-mean-squares). A thread cannot finish such a
 * sum alone, and adding the threads' parts in the order they finish would make the result depend
 * on the number of threads and their timing. So a kernel sums each block of SUM_BLOCK elements of
 * its row on its own, in float64 and always in the same order, and stores the block's sums in the
 * row's sums array (`array(row, SUMS)`, SUMS_PER_BLOCK of them per block); the TypeScript side adds
 * the blocks in order (src/kernels/partial-sums.ts). Rows that reduce start at a multiple of
 * SUM_BLOCK in the table's numbering (or, when shorter, where they cross no chunk), so no block is
 * split between threads, and the bits are the same on one thread or eight.
 *
 * Within a block, lane j of the float64 accumulator takes the elements whose index is j modulo 2;
 * for float32, the two halves of a vector are added together first, so that the sum waits for
 * one addition per vector, not two (the chain of additions, not memory, bounded LAMB's first pass).
 */
export const SUM_BLOCK: u32 = 1024;
/** Sums a block holds: the most any kernel needs. */
export const SUMS_PER_BLOCK: u32 = 2;
/** The row's array that holds its block sums: the last of its seven (memory.ts). */
export const SUMS: usize = 6;

const NO_SUMS: v128 = f64x2(0, 0);

/** An accumulator at zero. */
@inline export function zero(): v128 {
  return NO_SUMS;
}

/** Lane 0 only (the tail of a loop loads one element; the other lanes must not count). */
@inline function kept<T>(x: v128, one: bool): v128 {
  if (!one) return x;
  return sizeof<T>() == 4 ? v128.and(x, i32x4(-1, 0, 0, 0)) : v128.and(x, i64x2(-1, 0));
}

/** The lower and upper halves of a float32 vector, as float64 pairs. */
@inline export function low<T>(x: v128): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(x) : x;
}

@inline export function high(x: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1));
}

/** acc + Σ a·b over the lanes, in float64 (each product of float32 values exact). */
@inline export function addProducts<T>(acc: v128, a: v128, b: v128, one: bool): v128 {
  const x = kept<T>(a, one), y = kept<T>(b, one);
  const products = f64x2.mul(low<T>(x), low<T>(y));
  return f64x2.add(acc, sizeof<T>() == 4 ? f64x2.add(products, f64x2.mul(high(x), high(y))) : products);
}

/** acc + Σ a² over the lanes, in float64. */
@inline export function addSquares<T>(acc: v128, a: v128, one: bool): v128 {
  return addProducts<T>(acc, a, a, one);
}

/** acc + Σ |a| over the lanes, in float64. */
@inline export function addMagnitudes<T>(acc: v128, a: v128, one: bool): v128 {
  const x = v128.abs<T>(kept<T>(a, one));
  return f64x2.add(acc, sizeof<T>() == 4 ? f64x2.add(low<T>(x), high(x)) : x);
}

/** Stores an accumulator's total as sum k of block b of a row's sums. */
@inline export function storeSum(sums: usize, b: u32, k: u32, acc: v128): void {
  store<f64>(sums + ((<usize>b * SUMS_PER_BLOCK + k) << 3), f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1));
}

/** acc + Σ a·(b − c) over the lanes, all in float64 (the difference of nearby values exact). */
@inline export function addDifferenceProducts<T>(acc: v128, a: v128, b: v128, c: v128, one: bool): v128 {
  const x = kept<T>(a, one), y = kept<T>(b, one), z = kept<T>(c, one);
  const products = f64x2.mul(low<T>(x), f64x2.sub(low<T>(y), low<T>(z)));
  if (sizeof<T>() == 8) return f64x2.add(acc, products);
  return f64x2.add(acc, f64x2.add(products, f64x2.mul(high(x), f64x2.sub(high(y), high(z)))));
}
