import { LERP_FROM_END, lerp } from './lerp';
import { array, at, flag, lanes, ld, NO_TERM, scalar, splat, st, terms } from './memory';
import { addSquares, high, low, storeSum, SUM_BLOCK, SUMS, zero } from './reduce';

/**
 * Adafactor (src/kernels/adafactor.ts) in WebAssembly. Its step needs two norms of the whole
 * tensor, RMS(θ) for α and RMS(U) for the clipping, so each tensor takes two or three passes,
 * one call into WebAssembly each, and the TypeScript side turns the block sums (reduce.ts) into
 * the step size between them.
 *
 * A vector (V̂ kept whole) takes two kernels:
 *   ADAFACTOR    V̂ ← lerp(V̂, g², w); U = g / √max(V̂, ε₁²); each block's Σθ² and ΣU².
 *                θ is read before this step's decay, as α wants it, so one pass does all three.
 *   ADAFACTOR_STEP  θ ← θ(1 − γλ) + s·g / √max(V̂, ε₁²), s = −(step size)·(±1 when maximizing).
 *   Arrays: p, g, variance (and ADAFACTOR's sums). Scalars of ADAFACTOR: w (1 − w with
 *   LERP_FROM_END), ε₁²; of ADAFACTOR_STEP: s, ε₁², 1 − γλ.
 *
 * A parameter whose trailing m × n matrices are factored takes four, its arrays p, g, rowVar
 * (R, one per row of each matrix), colVar (C, one per column), roots (1/√C, kept for the passes
 * after the means, which would otherwise take a root and a division per element) and, for
 * ADAFACTOR_FACTORED, the sums. Scalars: m, n, w (1 − w with LERP_FROM_END), 1/ε₁, ε₁, s, 1 − γλ.
 *   ADAFACTOR_ROWS   R ← lerp(R, mean_j g², w), each row by the thread whose range holds its first
 *                    element, so a row's sum is never split.
 *   ADAFACTOR_COLS   C ← lerp(C, mean_i g², w), and 1/√C: columns in tiles of COLUMN_TILE
 *                    vectors, each tile down all m rows in order, one float64 sum per column (the
 *                    TypeScript loop's order: the same bits). Tile t of matrix b counts as element
 *                    b·m·n + t·w·m of the row (w its width), and the thread whose range holds that
 *                    element sums it.
 *   ADAFACTOR_FACTORED  U = g / √max(R_i C_j / max(mean_i R, ε₁), ε₁²); each block's Σθ² and ΣU².
 *   ADAFACTOR_FACTORED_STEP  θ ← θ(1 − γλ) + s·U.
 * Both passes over the elements compute U as g·min(a_i (1/√C_j), 1/ε₁), with
 * a_i = 1/√(R_i / max(mean R, ε₁)) once per row (in float64, then in the element type): the
 * TypeScript loop's g / √max(R_i C_j / max(mean R, ε₁), ε₁²) to a few ulps (the same where a
 * factor is 0, infinite or NaN), with no product R_i C_j to underflow in float32, and no root or
 * division per element.
 * The sums of squares, the means and the lerps into R and C, and the mean of R, are in float64,
 * rounded once when stored, as the TypeScript loops do.
 */

export const ADAFACTOR_STEP_TERMS: u32 = terms(NO_TERM, NO_TERM, 2);
export const ADAFACTOR_FACTORED_STEP_TERMS: u32 = terms(NO_TERM, NO_TERM, 6);

/** Vectors per tile of columns: a float32 tile's part of a row, 16 numbers, is a 64-byte line. */
const COLUMN_TILE: u32 = 4;

/** g / √max(v, ε₁²). */
@inline function scaled<T>(g: v128, v: v128, floor: v128): v128 {
  return v128.div<T>(g, v128.sqrt<T>(v128.max<T>(v, floor)));
}

/** lerp(start, end, w) on one float64, as src/kernels/lerp.ts (weight 1 − w when fromEnd). */
@inline function lerp64(start: f64, end: f64, weight: f64, fromEnd: bool): f64 {
  return fromEnd ? end - (end - start) * weight : start + weight * (end - start);
}

/** A vector's first pass over elements [lo, hi): the second moment, and each block's sums. */
export function adafactor<T>(row: usize, lo: u32, hi: u32): void {
  const p = array(row, 0), g = array(row, 1), v = array(row, 2), sums = array(row, SUMS);
  const weight = splat<T>(row, 0), floor = splat<T>(row, 1);
  const fromEnd = flag(row, LERP_FROM_END);
  const L = lanes<T>();
  for (let start = lo; start < hi; start += SUM_BLOCK) {
    const end = min(hi, start + SUM_BLOCK);
    let params = zero(), updates = zero();
    let i = start;
    for (; i + L <= end; i += L) {
      const o = at<T>(i);
      const d = ld<T>(g + o, false);
      const vt = lerp<T>(ld<T>(v + o, false), v128.mul<T>(d, d), weight, fromEnd);
      st<T>(v + o, vt, false);
      params = addSquares<T>(params, ld<T>(p + o, false), false);
      updates = addSquares<T>(updates, scaled<T>(d, vt, floor), false);
    }
    for (; i < end; i++) {
      const o = at<T>(i);
      const d = ld<T>(g + o, true);
      const vt = lerp<T>(ld<T>(v + o, true), v128.mul<T>(d, d), weight, fromEnd);
      st<T>(v + o, vt, true);
      params = addSquares<T>(params, ld<T>(p + o, true), true);
      updates = addSquares<T>(updates, scaled<T>(d, vt, floor), true);
    }
    const block = start / SUM_BLOCK;
    storeSum(sums, block, 0, params);
    storeSum(sums, block, 1, updates);
  }
}

/** θ(1 − γλ) + s·u, the decay its own rounded product as in the TypeScript loop's order. */
@inline function stepped<T>(x: v128, u: v128, stepSize: v128, paramDecay: v128, shrinks: bool): v128 {
  const y = shrinks ? v128.mul<T>(x, paramDecay) : x;
  return v128.add<T>(y, v128.mul<T>(stepSize, u));
}

/** A vector's step over elements [lo, hi). */
@inline export function adafactorStep<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), g = array(row, 1), v = array(row, 2);
  const stepSize = splat<T>(row, 0), floor = splat<T>(row, 1), paramDecay = splat<T>(row, 2);
  const shrinks = rare && scalar(row, 2) != 1;
  const L = lanes<T>();
  let i = lo;
  for (; i + L <= hi; i += L) {
    const o = at<T>(i);
    const u = scaled<T>(ld<T>(g + o, false), ld<T>(v + o, false), floor);
    st<T>(p + o, stepped<T>(ld<T>(p + o, false), u, stepSize, paramDecay, shrinks), false);
  }
  for (; i < hi; i++) {
    const o = at<T>(i);
    const u = scaled<T>(ld<T>(g + o, true), ld<T>(v + o, true), floor);
    st<T>(p + o, stepped<T>(ld<T>(p + o, true), u, stepSize, paramDecay, shrinks), true);
  }
}

/** Row factors: every row of the parameter's matrices whose first element is in [lo, hi). */
export function adafactorRows<T>(row: usize, lo: u32, hi: u32): void {
  const g = array(row, 1), r = array(row, 2);
  const n = <u32>scalar(row, 1), weight = scalar(row, 2), fromEnd = flag(row, LERP_FROM_END);
  const L = lanes<T>();
  // The first row starting at or after lo (n >= 1: an empty matrix has no row).
  for (let q = lo / n + (lo % n != 0 ? 1 : 0); q * n < hi; q++) {
    const base = g + at<T>(q * n);
    // Four sums, of every fourth vector, so that four chains of additions run at once.
    let s0 = zero(), s1 = zero(), s2 = zero(), s3 = zero();
    let j: u32 = 0;
    for (; j + 4 * L <= n; j += 4 * L) {
      s0 = addSquares<T>(s0, ld<T>(base + at<T>(j), false), false);
      s1 = addSquares<T>(s1, ld<T>(base + at<T>(j + L), false), false);
      s2 = addSquares<T>(s2, ld<T>(base + at<T>(j + 2 * L), false), false);
      s3 = addSquares<T>(s3, ld<T>(base + at<T>(j + 3 * L), false), false);
    }
    for (; j + L <= n; j += L) s0 = addSquares<T>(s0, ld<T>(base + at<T>(j), false), false);
    for (; j < n; j++) s1 = addSquares<T>(s1, ld<T>(base + at<T>(j), true), true);
    const sum = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
    const mean = (f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1)) / <f64>n;
    const o = r + at<T>(q);
    store<T>(o, <T>lerp64(<f64>load<T>(o), mean, weight, fromEnd));
  }
}

/** acc + x², lane by lane, for the float64 half `half` (0 low, 1 high) of a vector of T. */
@inline function addHalfSquares<T>(acc: v128, x: v128, half: u32): v128 {
  const y = half == 0 ? low<T>(x) : high(x);
  return f64x2.add(acc, f64x2.mul(y, y));
}

/** 1/√x of float64 lanes. */
@inline function inverseRoot(x: v128): v128 {
  return f64x2.div(f64x2.splat(1), f64x2.sqrt(x));
}

/**
 * C ← lerp(C, sum / m, w) for the float64 sums of one vector of columns (`one`: its first), and
 * 1/√C of the C stored, at the same offset `o` of colVar and roots.
 */
@inline function storeColumns<T>(
  c: usize, roots: usize, o: usize, lowSum: v128, highSum: v128, m: u32, weight: f64,
  fromEnd: bool, one: bool,
): void {
  const rows = f64x2.splat(<f64>m), w = f64x2.splat(weight);
  const old = ld<T>(c + o, one);
  const lowMean = lerp<f64>(low<T>(old), f64x2.div(lowSum, rows), w, fromEnd);
  if (sizeof<T>() == 8) {
    st<T>(c + o, lowMean, one);
    st<T>(roots + o, inverseRoot(lowMean), one);
    return;
  }
  const highMean = lerp<f64>(high(old), f64x2.div(highSum, rows), w, fromEnd);
  const both = v128.shuffle<f32>(
    f32x4.demote_f64x2_zero(lowMean), f32x4.demote_f64x2_zero(highMean), 0, 1, 4, 5,
  );
  st<T>(c + o, both, one);
  // From C as stored, in float32.
  const root = v128.shuffle<f32>(
    f32x4.demote_f64x2_zero(inverseRoot(low<T>(both))),
    f32x4.demote_f64x2_zero(inverseRoot(high(both))),
    0, 1, 4, 5,
  );
  st<T>(roots + o, root, one);
}

/**
 * Column factors of one vector of columns starting at column j (or, when `one`, column j
 * alone): the squares summed down the m rows, their mean lerped into C.
 */
@inline function columnVector<T>(
  g: usize, c: usize, roots: usize, m: u32, n: u32, j: u32, weight: f64, fromEnd: bool, one: bool,
): void {
  let lowSum = zero(), highSum = zero();
  const stride = at<T>(n);
  let ptr = g + at<T>(j);
  for (let i: u32 = 0; i < m; i++, ptr += stride) {
    const x = ld<T>(ptr, one);
    lowSum = addHalfSquares<T>(lowSum, x, 0);
    if (sizeof<T>() == 4) highSum = addHalfSquares<T>(highSum, x, 1);
  }
  storeColumns<T>(c, roots, at<T>(j), lowSum, highSum, m, weight, fromEnd, one);
}

/**
 * Column factors of a whole tile, COLUMN_TILE vectors from column j, as columnVector's but all
 * together: each row's part of the tile (one cache line in float32) is read once, and the sums
 * make independent chains of additions.
 */
@inline function columnTile<T>(
  g: usize, c: usize, roots: usize, m: u32, n: u32, j: u32, weight: f64, fromEnd: bool,
): void {
  let l0 = zero(), h0 = zero(), l1 = zero(), h1 = zero();
  let l2 = zero(), h2 = zero(), l3 = zero(), h3 = zero();
  const stride = at<T>(n), L = lanes<T>();
  let ptr = g + at<T>(j);
  for (let i: u32 = 0; i < m; i++, ptr += stride) {
    const x0 = ld<T>(ptr, false), x1 = ld<T>(ptr + at<T>(L), false);
    const x2 = ld<T>(ptr + at<T>(2 * L), false), x3 = ld<T>(ptr + at<T>(3 * L), false);
    l0 = addHalfSquares<T>(l0, x0, 0);
    l1 = addHalfSquares<T>(l1, x1, 0);
    l2 = addHalfSquares<T>(l2, x2, 0);
    l3 = addHalfSquares<T>(l3, x3, 0);
    if (sizeof<T>() == 4) {
      h0 = addHalfSquares<T>(h0, x0, 1);
      h1 = addHalfSquares<T>(h1, x1, 1);
      h2 = addHalfSquares<T>(h2, x2, 1);
      h3 = addHalfSquares<T>(h3, x3, 1);
    }
  }
  storeColumns<T>(c, roots, at<T>(j), l0, h0, m, weight, fromEnd, false);
  storeColumns<T>(c, roots, at<T>(j + L), l1, h1, m, weight, fromEnd, false);
  storeColumns<T>(c, roots, at<T>(j + 2 * L), l2, h2, m, weight, fromEnd, false);
  storeColumns<T>(c, roots, at<T>(j + 3 * L), l3, h3, m, weight, fromEnd, false);
}

/** Column factors: the tiles of columns whose first element (in the order above) is in [lo, hi). */
export function adafactorCols<T>(row: usize, lo: u32, hi: u32): void {
  const g = array(row, 1), c = array(row, 3), roots = array(row, 4);
  const m = <u32>scalar(row, 0), n = <u32>scalar(row, 1), weight = scalar(row, 2);
  const fromEnd = flag(row, LERP_FROM_END);
  const L = lanes<T>();
  const width = COLUMN_TILE * L, size = m * n, tile = width * m;
  for (let b = lo / size; b * size < hi; b++) {
    const base = b * size;
    let t: u32 = lo > base ? (lo - base + tile - 1) / tile : 0;
    for (; t * width < n && base + t * tile < hi; t++) {
      const matrix = g + at<T>(base), factors = c + at<T>(b * n), inverse = roots + at<T>(b * n);
      const stop = min(n, (t + 1) * width);
      let j = t * width;
      if (j + width <= stop) {
        columnTile<T>(matrix, factors, inverse, m, n, j, weight, fromEnd);
        continue;
      }
      for (; j + L <= stop; j += L) {
        columnVector<T>(matrix, factors, inverse, m, n, j, weight, fromEnd, false);
      }
      for (; j < stop; j++) columnVector<T>(matrix, factors, inverse, m, n, j, weight, fromEnd, true);
    }
  }
}

/** g·min(a·b, cap): U from its row's and column's inverse roots, at most g/ε₁. */
@inline function factor<T>(g: v128, a: v128, b: v128, cap: v128): v128 {
  return v128.mul<T>(g, v128.min<T>(v128.mul<T>(a, b), cap));
}

/** max(mean of matrix b's row factors, ε₁), in float64 and in order, as the TypeScript loop. */
@inline function rowMean<T>(r: usize, b: u32, m: u32, eps1: f64): f64 {
  let sum: f64 = 0;
  for (let i: u32 = 0; i < m; i++) sum += <f64>load<T>(r + at<T>(b * m + i));
  return max(sum / <f64>m, eps1);
}

/**
 * Elements [lo, hi) of a factored parameter, by blocks of SUM_BLOCK and, within a block, by the
 * stretches of its matrix rows: either each block's Σθ² and ΣU² (`stepping` false) or the step.
 */
@inline function factored<T>(row: usize, lo: u32, hi: u32, rare: bool, stepping: bool): void {
  const p = array(row, 0), g = array(row, 1), r = array(row, 2), roots = array(row, 4);
  const sums = array(row, SUMS);
  const m = <u32>scalar(row, 0), n = <u32>scalar(row, 1);
  const cap = splat<T>(row, 3), eps1 = scalar(row, 4);
  const stepSize = splat<T>(row, 5), paramDecay = splat<T>(row, 6);
  const shrinks = rare && scalar(row, 6) != 1;
  const L = lanes<T>();
  let matrix: u32 = u32.MAX_VALUE, scale: f64 = 0;
  for (let start = lo; start < hi; start += SUM_BLOCK) {
    const end = min(hi, start + SUM_BLOCK);
    // Σθ² and ΣU², each in two sums (the vectors' low and high halves) so that the additions
    // make four independent chains; lane j still takes the elements j modulo 2.
    let params = zero(), updates = zero(), paramsHigh = zero(), updatesHigh = zero();
    let k = start;
    while (k < end) {
      const q = k / n, b = q / m;
      if (b != matrix) {
        matrix = b;
        scale = rowMean<T>(r, b, m, eps1);
      }
      const a = v128.splat<T>(<T>(1 / Math.sqrt(<f64>load<T>(r + at<T>(q)) / scale)));
      const stop = min(end, (q + 1) * n);
      // C_j for element k is column k − q·n of matrix b.
      const factors = roots + at<T>(b * n + (k - q * n));
      let i = k;
      for (; i + L <= stop; i += L) {
        const o = at<T>(i);
        const u = factor<T>(ld<T>(g + o, false), a, ld<T>(factors + at<T>(i - k), false), cap);
        const x = ld<T>(p + o, false);
        if (stepping) st<T>(p + o, stepped<T>(x, u, stepSize, paramDecay, shrinks), false);
        else {
          params = addHalfSquares<T>(params, x, 0);
          updates = addHalfSquares<T>(updates, u, 0);
          if (sizeof<T>() == 4) {
            paramsHigh = addHalfSquares<T>(paramsHigh, x, 1);
            updatesHigh = addHalfSquares<T>(updatesHigh, u, 1);
          }
        }
      }
      for (; i < stop; i++) {
        const o = at<T>(i);
        const u = factor<T>(ld<T>(g + o, true), a, ld<T>(factors + at<T>(i - k), true), cap);
        const x = ld<T>(p + o, true);
        if (stepping) st<T>(p + o, stepped<T>(x, u, stepSize, paramDecay, shrinks), true);
        else {
          params = addSquares<T>(params, x, true);
          updates = addSquares<T>(updates, u, true);
        }
      }
      k = stop;
    }
    if (!stepping) {
      const block = start / SUM_BLOCK;
      storeSum(sums, block, 0, f64x2.add(params, paramsHigh));
      storeSum(sums, block, 1, f64x2.add(updates, updatesHigh));
    }
  }
}

/** A factored parameter's sums over elements [lo, hi) (the row starts at a block). */
export function adafactorFactored<T>(row: usize, lo: u32, hi: u32): void {
  factored<T>(row, lo, hi, false, false);
}

/** A factored parameter's step over elements [lo, hi). */
@inline export function adafactorFactoredStep<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  factored<T>(row, lo, hi, rare, true);
}
