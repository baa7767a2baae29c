/**
 * The memory map and table layout shared by the kernels, the thread pool and the TypeScript side
 * (src/kernels/wasm/), which reads these constants from the module's exports rather than
 * repeating them.
 *
 * Memory: bytes [0, 64) stay unused so that address 0 can mean "no array"; the thread pool's
 * control block sits at CONTROL; the arena, where parameters, gradients, optimizer state and step
 * tables live, starts at ARENA_BASE.
 *
 * A step table is an array of rows, one per tensor to update, each ROW_BYTES long:
 *   u32 kernel   which update (the Kernel enum of table.ts)
 *   u32 dtype    0 float32, 1 float64
 *   u32 length   elements in the tensor
 *   u32 offset   the tensor's first element in the table's element numbering, in which every
 *                tensor starts at a multiple of 16, so threads split work at whole cache lines
 *   u32 flags    kernel-specific switches
 *   u32 arrays[7]  byte addresses of the kernel's arrays (parameter first), 0 when absent; a
 *                kernel that sums blocks of its tensor finds its sums as array SUMS (reduce.ts)
 *   f64 scalars[10]  kernel-specific numbers, in the order each kernel's file lists
 *   u32 format   how the kernel's moments (arrays 2 to 5) are stored: FLOAT, BFLOAT16,
 *                BFLOAT16_STOCHASTIC or INT8 (state.ts; int8.ts gives INT8 rows' higher bits
 *                and their use of the keys)
 *   u32 keys[4]  the stochastic rounding's key of each of arrays 2 to 5 for this step
 */
export const CONTROL: usize = 64;
export const ARENA_BASE: usize = 4096;

export const ROW_BYTES: usize = 160;
export const ROW_KERNEL: usize = 0;
export const ROW_DTYPE: usize = 4;
export const ROW_LENGTH: usize = 8;
export const ROW_OFFSET: usize = 12;
export const ROW_FLAGS: usize = 16;
export const ROW_ARRAYS: usize = 20;
export const ROW_SCALARS: usize = 48;
export const ROW_FORMAT: usize = 128;
export const ROW_KEYS: usize = 132;

/** The address of array `k` of a row. */
@inline export function array(row: usize, k: usize): usize {
  return load<u32>(row + ROW_ARRAYS + (k << 2));
}

/** Scalar `k` of a row, splatted across the lanes of element type T. */
@inline export function splat<T>(row: usize, k: usize): v128 {
  return v128.splat<T>(<T>load<f64>(row + ROW_SCALARS + (k << 3)));
}

/** Scalar `k` of a row, as a double. */
@inline export function scalar(row: usize, k: usize): f64 {
  return load<f64>(row + ROW_SCALARS + (k << 3));
}

@inline export function flag(row: usize, bit: u32): bool {
  return (load<u32>(row + ROW_FLAGS) & bit) != 0;
}

/** Bytes from the start of an array to its element i. */
@inline export function at<T>(i: u32): usize {
  return <usize>i * sizeof<T>();
}

/**
 * Loads one vector from `ptr`, or when `one` (a constant once inlined) a single element into lane
 * 0 and zeros elsewhere: tails then run through the same vector code as the body of a loop.
 */
@inline export function ld<T>(ptr: usize, one: bool): v128 {
  if (one) {
    if (sizeof<T>() == 4) return v128.load32_zero(ptr);
    return v128.load64_zero(ptr);
  }
  return v128.load(ptr);
}

/** Stores a vector to `ptr`, or when `one` its lane 0 only. */
@inline export function st<T>(ptr: usize, value: v128, one: bool): void {
  if (one) {
    if (sizeof<T>() == 4) v128.store32_lane(ptr, value, 0);
    else v128.store64_lane(ptr, value, 0);
  } else {
    v128.store(ptr, value);
  }
}

/** Lanes per vector for element type T. */
@inline export function lanes<T>(): u32 {
  return <u32>(16 / sizeof<T>());
}

/**
 * sign(x)·t for t ≥ +0, as Math.sign(x) * t: t with the sign of x, 0 where x is ±0, NaN where x
 * is. Bit operations rather than a product with ±1, which would need three constants.
 */
@inline export function signTimes<T>(x: v128, t: v128): v128 {
  const signed = v128.or(t, v128.and(x, v128.splat<T>(<T>-0.0)));
  const nonzero = v128.ne<T>(x, v128.splat<T>(<T>0));
  return v128.or(v128.and(signed, nonzero), v128.and(v128.ne<T>(x, x), x));
}

/** No such scalar: the kernel has no paramDecay, or no L2 term (Lion), or no terms at all. */
export const NO_TERM: u32 = 0xff;

/**
 * Where a kernel keeps gradSign, weightDecay and paramDecay among its scalars, packed in a u32
 * (a byte each, NO_TERM where it has none) for table.ts to find them by kernel.
 */
@inline export function terms(gradSign: u32, weightDecay: u32, paramDecay: u32 = NO_TERM): u32 {
  return gradSign | (weightDecay << 8) | (paramDecay << 16);
}

/** For the kernels that take no `rare`: the reference and Rprop (whose maximize costs one product). */
export const NO_TERMS: u32 = terms(NO_TERM, NO_TERM);

/**
 * Whether a row uses any of the terms most steps do without: maximize (gradSign −1), L2 weight
 * decay (weightDecay ≠ 0), decoupled decay (paramDecay ≠ 1), found by `terms`. table.ts runs
 * each kernel's loop with `rare` true or false, and with false those terms are constants and
 * vanish, so the usual settings carry no branch or register for them (Yogi and Adadelta ran
 * 12–14% faster on one thread).
 */
@inline export function rareTerms(row: usize, packed: u32): bool {
  const sign = packed & 0xff, decay = (packed >> 8) & 0xff, paramDecay = packed >> 16;
  return (sign != NO_TERM && scalar(row, sign) != 1) ||
    (decay != NO_TERM && scalar(row, decay) != 0) ||
    (paramDecay != NO_TERM && scalar(row, paramDecay) != 1);
}

/**
 * The gradient as an update sees it: ±g (−g when maximizing), plus weightDecay·x for L2 weight
 * decay (`decays` false when it is 0, so an infinite x does not make NaN).
 */
@inline export function gradient<T>(g: v128, x: v128, decay: v128, maximizes: bool, decays: bool): v128 {
  const d = maximizes ? v128.neg<T>(g) : g;
  return decays ? v128.add<T>(d, v128.mul<T>(decay, x)) : d;
}

/** β·avg + ((1 − β)·d)·d, a running average of squares, in the TypeScript kernels' order. */
@inline export function averageSquare<T>(avg: v128, d: v128, beta: v128, weight: v128): v128 {
  return v128.add<T>(v128.mul<T>(beta, avg), v128.mul<T>(v128.mul<T>(weight, d), d));
}
