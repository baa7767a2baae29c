import { array, at, averageSquare, gradient, lanes, ld, NO_TERM, scalar, splat, st, terms } from './memory';
import { addDifferenceProducts, addMagnitudes, storeSum, SUM_BLOCK, SUMS, zero } from './reduce';

/**
 * Prodigy (src/kernels/prodigy.ts) in two passes, two kernels. PRODIGY updates the moments and
 * stores each block's ⟨g, θ₀ − θ⟩ and Σ|s| (reduce.ts), whose totals over every tensor give the
 * new d:
 *   g ← g + λθ (coupled decay);  m ← β₁ m + d(1 − β₁) g;  v ← β₂ v + d²(1 − β₂) g²;
 *   s ← β₃ s + w_s g.
 * Arrays: p, g, p0, s, expAvgSq, expAvg (absent when β₁ = 0), and the sums.
 * Scalars: λ (coupled), β₁, d(1 − β₁), β₂, d²(1 − β₂), β₃, w_s.
 *
 * PRODIGY_STEP steps θ with the new d:
 *   θ ← θ − λ·dlr·θ (decoupled);  θ ← θ + (−dlr·m) / (√v + dε), or without m (−dlr·d·g) / (√v + dε).
 * Arrays: p, g, expAvgSq, expAvg (absent when β₁ = 0).
 * Scalars: λ (coupled), −λ·dlr (decoupled), −dlr (with m) or −dlr·d (without), d·ε, and λ
 * whichever way it decays, for rareTerms.
 */

export const PRODIGY_TERMS: u32 = terms(NO_TERM, 0);
export const PRODIGY_STEP_TERMS: u32 = terms(NO_TERM, 4);

/** The moments of one vector (or, when `one`, element) at byte offset o; returns its g. */
@inline function moments<T>(
  o: usize, x: v128, g: usize, s: usize, v: usize, m: usize,
  decay: v128, beta1: v128, weight1: v128, beta2: v128, weight2: v128, beta3: v128, sWeight: v128,
  decays: bool, one: bool,
): v128 {
  const d = gradient<T>(ld<T>(g + o, one), x, decay, false, decays);
  if (m != 0) {
    st<T>(m + o, v128.add<T>(v128.mul<T>(beta1, ld<T>(m + o, one)), v128.mul<T>(weight1, d)), one);
  }
  st<T>(v + o, averageSquare<T>(ld<T>(v + o, one), d, beta2, weight2), one);
  st<T>(s + o, v128.add<T>(v128.mul<T>(beta3, ld<T>(s + o, one)), v128.mul<T>(sWeight, d)), one);
  return d;
}

/** Steps elements [lo, hi) of a row: the moments, and the sums of each block. */
@inline export function prodigy<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), g = array(row, 1), p0 = array(row, 2), s = array(row, 3);
  const v = array(row, 4), m = array(row, 5), sums = array(row, SUMS);
  const decay = splat<T>(row, 0), beta1 = splat<T>(row, 1), weight1 = splat<T>(row, 2);
  const beta2 = splat<T>(row, 3), weight2 = splat<T>(row, 4);
  const beta3 = splat<T>(row, 5), sWeight = splat<T>(row, 6);
  const decays = rare && scalar(row, 0) != 0;
  const L = lanes<T>();
  for (let start = lo; start < hi; start += SUM_BLOCK) {
    const end = min(hi, start + SUM_BLOCK);
    let dot = zero(), magnitudes = zero();
    let i = start;
    for (; i + L <= end; i += L) {
      const o = at<T>(i);
      const x = ld<T>(p + o, false);
      const d = moments<T>(o, x, g, s, v, m, decay, beta1, weight1, beta2, weight2, beta3, sWeight, decays, false);
      dot = addDifferenceProducts<T>(dot, d, ld<T>(p0 + o, false), x, false);
      magnitudes = addMagnitudes<T>(magnitudes, ld<T>(s + o, false), false);
    }
    for (; i < end; i++) {
      const o = at<T>(i);
      const x = ld<T>(p + o, true);
      const d = moments<T>(o, x, g, s, v, m, decay, beta1, weight1, beta2, weight2, beta3, sWeight, decays, true);
      dot = addDifferenceProducts<T>(dot, d, ld<T>(p0 + o, true), x, true);
      magnitudes = addMagnitudes<T>(magnitudes, ld<T>(s + o, true), true);
    }
    const block = start / SUM_BLOCK;
    storeSum(sums, block, 0, dot);
    storeSum(sums, block, 1, magnitudes);
  }
}

@inline function stepBody<T>(
  o: usize, p: usize, g: usize, v: usize, m: usize,
  decay: v128, paramDecay: v128, value: v128, dEps: v128,
  decays: bool, shrinks: bool, one: bool,
): void {
  const x = ld<T>(p + o, one);
  const denom = v128.add<T>(v128.sqrt<T>(ld<T>(v + o, one)), dEps);
  // The decoupled decay is its own rounded step, as the reference's add_ before its addcdiv_.
  const y = shrinks ? v128.add<T>(x, v128.mul<T>(x, paramDecay)) : x;
  const numerator = m != 0 ? ld<T>(m + o, one) : gradient<T>(ld<T>(g + o, one), x, decay, false, decays);
  st<T>(p + o, v128.add<T>(y, v128.div<T>(v128.mul<T>(value, numerator), denom)), one);
}

/** Steps elements [lo, hi) of a row: θ with the new d. */
@inline export function prodigyStep<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), g = array(row, 1), v = array(row, 2), m = array(row, 3);
  const decay = splat<T>(row, 0), paramDecay = splat<T>(row, 1);
  const value = splat<T>(row, 2), dEps = splat<T>(row, 3);
  const decays = rare && scalar(row, 0) != 0, shrinks = rare && scalar(row, 1) != 0;
  const L = lanes<T>();
  let i = lo;
  for (; i + L <= hi; i += L) {
    stepBody<T>(at<T>(i), p, g, v, m, decay, paramDecay, value, dEps, decays, shrinks, false);
  }
  for (; i < hi; i++) {
    stepBody<T>(at<T>(i), p, g, v, m, decay, paramDecay, value, dEps, decays, shrinks, true);
  }
}
