import { array, flag, lanes, scalar } from './memory';

/**
 * The matrix product of Muon's Newton–Schulz iteration (src/kernels/matmul.ts, its reference):
 *
 *     C = α (A B) + β E        A m × k, B k × n (or given as Bᵀ, n × k), E and C m × n
 *
 * every matrix row-major, E optional. It runs in three passes, each a table row of its own
 * (src/kernels/wasm/matmul.ts writes them), so that threads share the product by output rows:
 *   MATMUL_PACK    copies B into panels of NR = 2 vectors of columns, each panel k × NR and
 *                  contiguous (zeros past column n), its elements [lo, hi) being panels. One
 *                  copy serves every row of C, and the product then reads B in order, whatever
 *                  B's stride (a 1024-float row is 4 KiB, which would alias in the cache) and
 *                  whether it was given transposed.
 *   (no pass flag) the product: rows [lo, hi) of C, in blocks of MC rows (A's block stays in
 *                  the L2 cache while every panel passes), each block in tiles of 4 rows × NR
 *                  columns held in 8 vector registers over the whole of k (one row at a time
 *                  for the last rows). With MATMUL_SYMMETRIC (C known to be symmetric: X Xᵀ,
 *                  A²) tiles wholly below the diagonal are skipped, half the work.
 *   MATMUL_MIRROR  copies the upper triangle of a symmetric C to its lower one, rows [lo, hi).
 *
 * Each element's sum runs over l = 0 … k−1 in order in one accumulator of T (a multiply, then an
 * add: WebAssembly SIMD has no fused multiply-add), whichever tile, pass or thread computes it,
 * so C does not depend on how rows are shared out. float32 sums accumulate in float32, as
 * PyTorch's and XNNPACK's do; the TypeScript reference's in float64.
 *
 * Arrays: C, A, B, packed B, E (0 when absent). Scalars: m, n, k, α, β.
 */
export const MATMUL_PACK: u32 = 1;
export const MATMUL_MIRROR: u32 = 2;
/** B is given transposed (n × k): the product is A Bᵀ. */
export const MATMUL_TRANSPOSED: u32 = 4;
export const MATMUL_SYMMETRIC: u32 = 8;
/** Rows of C per block of the product pass. */
const MC: u32 = 32;

/** Loads one element and splats it across the lanes. */
@inline function broadcast<T>(ptr: usize): v128 {
  if (sizeof<T>() == 4) return v128.load32_splat(ptr);
  return v128.load64_splat(ptr);
}

/** Loads the first `count` (< lanes) elements at `ptr` into a vector, zeros elsewhere. */
@inline function loadPart<T>(ptr: usize, count: u32): v128 {
  let v = v128.splat<T>(<T>0);
  if (sizeof<T>() == 4) {
    if (count > 0) v = v128.load32_lane(ptr, v, 0);
    if (count > 1) v = v128.load32_lane(ptr + 4, v, 1);
    if (count > 2) v = v128.load32_lane(ptr + 8, v, 2);
  } else if (count > 0) {
    v = v128.load64_lane(ptr, v, 0);
  }
  return v;
}

/** Stores the first `count` (< lanes) lanes of `v` at `ptr`. */
@inline function storePart<T>(ptr: usize, v: v128, count: u32): void {
  if (sizeof<T>() == 4) {
    if (count > 0) v128.store32_lane(ptr, v, 0);
    if (count > 1) v128.store32_lane(ptr + 4, v, 1);
    if (count > 2) v128.store32_lane(ptr + 8, v, 2);
  } else if (count > 0) {
    v128.store64_lane(ptr, v, 0);
  }
}

/**
 * α s + β E for the `cols` (<= NR) columns of one row of a tile, stored at `c`: the two vectors
 * of sums s0, s1, and E's row at `e` when `adds`.
 */
@inline function finish<T>(
  c: usize, e: usize, s0: v128, s1: v128, alpha: v128, beta: v128, adds: bool, cols: u32,
): void {
  const L = lanes<T>();
  let r0 = v128.mul<T>(alpha, s0);
  let r1 = v128.mul<T>(alpha, s1);
  if (cols == 2 * L) {
    if (adds) {
      r0 = v128.add<T>(r0, v128.mul<T>(beta, v128.load(e)));
      r1 = v128.add<T>(r1, v128.mul<T>(beta, v128.load(e + 16)));
    }
    v128.store(c, r0);
    v128.store(c + 16, r1);
  } else if (cols >= L) {
    if (adds) {
      r0 = v128.add<T>(r0, v128.mul<T>(beta, v128.load(e)));
      r1 = v128.add<T>(r1, v128.mul<T>(beta, loadPart<T>(e + 16, cols - L)));
    }
    v128.store(c, r0);
    storePart<T>(c + 16, r1, cols - L);
  } else {
    if (adds) r0 = v128.add<T>(r0, v128.mul<T>(beta, loadPart<T>(e, cols)));
    storePart<T>(c, r0, cols);
  }
}

/**
 * One tile: `rows` (4 or 1, a constant once inlined) rows of C from column j, `cols` of them,
 * from A's rows at `a` (stride `ka` bytes) and the panel at `bp`, over all k.
 */
@inline function tile<T>(
  c: usize, a: usize, bp: usize, e: usize, k: u32, ka: usize, kc: usize,
  alpha: v128, beta: v128, adds: bool, cols: u32, rows: u32,
): void {
  const zero = v128.splat<T>(<T>0);
  let s00 = zero, s01 = zero, s10 = zero, s11 = zero;
  let s20 = zero, s21 = zero, s30 = zero, s31 = zero;
  const end = a + <usize>k * sizeof<T>();
  let b = bp;
  for (let x = a; x < end; x += sizeof<T>()) {
    const b0 = v128.load(b);
    const b1 = v128.load(b + 16);
    const x0 = broadcast<T>(x);
    s00 = v128.add<T>(s00, v128.mul<T>(x0, b0));
    s01 = v128.add<T>(s01, v128.mul<T>(x0, b1));
    if (rows == 4) {
      const x1 = broadcast<T>(x + ka);
      s10 = v128.add<T>(s10, v128.mul<T>(x1, b0));
      s11 = v128.add<T>(s11, v128.mul<T>(x1, b1));
      const x2 = broadcast<T>(x + 2 * ka);
      s20 = v128.add<T>(s20, v128.mul<T>(x2, b0));
      s21 = v128.add<T>(s21, v128.mul<T>(x2, b1));
      const x3 = broadcast<T>(x + 3 * ka);
      s30 = v128.add<T>(s30, v128.mul<T>(x3, b0));
      s31 = v128.add<T>(s31, v128.mul<T>(x3, b1));
    }
    b += 32;
  }
  finish<T>(c, e, s00, s01, alpha, beta, adds, cols);
  if (rows == 4) {
    finish<T>(c + kc, e + kc, s10, s11, alpha, beta, adds, cols);
    finish<T>(c + 2 * kc, e + 2 * kc, s20, s21, alpha, beta, adds, cols);
    finish<T>(c + 3 * kc, e + 3 * kc, s30, s31, alpha, beta, adds, cols);
  }
}

/** Rows [lo, hi) of C; `adds` (E given) a constant once inlined. */
@inline function product<T>(row: usize, lo: u32, hi: u32, adds: bool): void {
  const c = array(row, 0), a = array(row, 1), packed = array(row, 3), e = array(row, 4);
  const n = <u32>scalar(row, 1), k = <u32>scalar(row, 2);
  const alpha = v128.splat<T>(<T>scalar(row, 3)), beta = v128.splat<T>(<T>scalar(row, 4));
  const symmetric = flag(row, MATMUL_SYMMETRIC);
  const NR: u32 = 2 * lanes<T>();
  const panels = (n + NR - 1) / NR;
  const ka = <usize>k * sizeof<T>(), kc = <usize>n * sizeof<T>();
  const panelBytes = <usize>k * 32;
  for (let i0 = lo; i0 < hi; i0 += MC) {
    const i1 = min(i0 + MC, hi);
    for (let p: u32 = 0; p < panels; p++) {
      const j = p * NR;
      const cols = min(NR, n - j);
      const bp = packed + <usize>p * panelBytes;
      const cj = c + <usize>j * sizeof<T>(), ej = e + <usize>j * sizeof<T>();
      let i = i0;
      for (; i + 4 <= i1; i += 4) {
        if (symmetric && j + NR <= i) continue;
        const ci = <usize>i * kc;
        tile<T>(cj + ci, a + <usize>i * ka, bp, ej + ci, k, ka, kc, alpha, beta, adds, cols, 4);
      }
      for (; i < i1; i++) {
        if (symmetric && j + NR <= i) continue;
        const ci = <usize>i * kc;
        tile<T>(cj + ci, a + <usize>i * ka, bp, ej + ci, k, ka, kc, alpha, beta, adds, cols, 1);
      }
    }
  }
}

/** Packs panels [lo, hi) of B. */
@inline function pack<T>(row: usize, lo: u32, hi: u32): void {
  const b = array(row, 2), packed = array(row, 3);
  const n = <u32>scalar(row, 1), k = <u32>scalar(row, 2);
  const transposed = flag(row, MATMUL_TRANSPOSED);
  const NR: u32 = 2 * lanes<T>();
  const size = sizeof<T>();
  for (let p = lo; p < hi; p++) {
    const j = p * NR;
    const cols = min(NR, n - j);
    let dst = packed + <usize>p * k * 32;
    for (let l: u32 = 0; l < k; l++) {
      if (!transposed && cols == NR) {
        const src = b + (<usize>l * n + j) * size;
        v128.store(dst, v128.load(src));
        v128.store(dst + 16, v128.load(src + 16));
      } else {
        for (let q: u32 = 0; q < NR; q++) {
          const at = transposed ? <usize>(j + q) * k + l : <usize>l * n + j + q;
          store<T>(dst + <usize>q * size, q < cols ? load<T>(b + at * size) : <T>0);
        }
      }
      dst += 32;
    }
  }
}

/** Copies the upper triangle of the n × n C to the lower one, rows [lo, hi). */
@inline function mirror<T>(row: usize, lo: u32, hi: u32): void {
  const c = array(row, 0);
  const n = <usize>scalar(row, 1);
  const size = sizeof<T>();
  for (let i = <usize>lo; i < <usize>hi; i++) {
    for (let j: usize = 0; j < i; j++) store<T>(c + (i * n + j) * size, load<T>(c + (j * n + i) * size));
  }
}

/** Runs a row's pass over its elements [lo, hi) (table.ts). */
export function matmul<T>(row: usize, lo: u32, hi: u32): void {
  if (flag(row, MATMUL_PACK)) pack<T>(row, lo, hi);
  else if (flag(row, MATMUL_MIRROR)) mirror<T>(row, lo, hi);
  else if (array(row, 4) != 0) product<T>(row, lo, hi, true);
  else product<T>(row, lo, hi, false);
}
