import { array, at, averageSquare, gradient, lanes, ld, NO_TERM, scalar, splat, st, terms } from './memory';
import { addSquares, storeSum, SUM_BLOCK, SUMS, zero } from './reduce';

/**
 * LAMB (src/kernels/lamb.ts) in two passes, two kernels: LAMB updates the moments and stores each
 * block's Σθ² and Σu² (reduce.ts), whose totals give the trust ratio; LAMB_STEP computes u again
 * from the new moments and steps θ ← θ − γ·ratio·u.
 *   u = (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ) + ε_root) + ε) + λθ
 * LAMB's arrays: p, g, expAvg, expAvgSq, and the sums (reduce.ts). Scalars: β₁, 1 − β₁, β₂,
 * 1 − β₂, 1/(1 − β₁ᵗ), 1/(1 − β₂ᵗ), ε_root, ε, weightDecay, gradSign.
 * LAMB_STEP's arrays: p, expAvg, expAvgSq. Scalars: γ·ratio, 1/(1 − β₁ᵗ), 1/(1 − β₂ᵗ), ε_root, ε,
 * weightDecay.
 */
@inline function update<T>(
  m: v128, v: v128, x: v128,
  correction1: v128, correction2: v128, epsRoot: v128, eps: v128, decay: v128, decays: bool,
): v128 {
  const root = v128.add<T>(v128.sqrt<T>(v128.add<T>(v128.mul<T>(v, correction2), epsRoot)), eps);
  const u = v128.div<T>(v128.mul<T>(m, correction1), root);
  return decays ? v128.add<T>(u, v128.mul<T>(decay, x)) : u;
}

export const LAMB_TERMS: u32 = terms(9, 8);
export const LAMB_STEP_TERMS: u32 = terms(NO_TERM, 5);

/** The moments of one vector (or, when `one`, element) at byte offset o; returns u. */
@inline function moments<T>(
  o: usize, x: v128, g: usize, m: usize, v: usize,
  beta1: v128, weight1: v128, beta2: v128, weight2: v128,
  correction1: v128, correction2: v128, epsRoot: v128, eps: v128, decay: v128,
  maximizes: bool, decays: bool, one: bool,
): v128 {
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, false);
  const mt = v128.add<T>(v128.mul<T>(beta1, ld<T>(m + o, one)), v128.mul<T>(weight1, d));
  const vt = averageSquare<T>(ld<T>(v + o, one), d, beta2, weight2);
  st<T>(m + o, mt, one);
  st<T>(v + o, vt, one);
  return update<T>(mt, vt, x, correction1, correction2, epsRoot, eps, decay, decays);
}

/** Steps elements [lo, hi) of a row: the moments, and the sums of each block. */
@inline export function lamb<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), g = array(row, 1), m = array(row, 2), v = array(row, 3);
  const sums = array(row, SUMS);
  const beta1 = splat<T>(row, 0), weight1 = splat<T>(row, 1);
  const beta2 = splat<T>(row, 2), weight2 = splat<T>(row, 3);
  const correction1 = splat<T>(row, 4), correction2 = splat<T>(row, 5);
  const epsRoot = splat<T>(row, 6), eps = splat<T>(row, 7), decay = splat<T>(row, 8);
  const maximizes = rare && scalar(row, 9) < 0, decays = rare && scalar(row, 8) != 0;
  const L = lanes<T>();
  for (let start = lo; start < hi; start += SUM_BLOCK) {
    const end = min(hi, start + SUM_BLOCK);
    let params = zero(), updates = zero();
    let i = start;
    for (; i + L <= end; i += L) {
      const o = at<T>(i);
      const x = ld<T>(p + o, false);
      const u = moments<T>(o, x, g, m, v, beta1, weight1, beta2, weight2, correction1, correction2, epsRoot, eps, decay, maximizes, decays, false);
      params = addSquares<T>(params, x, false);
      updates = addSquares<T>(updates, u, false);
    }
    for (; i < end; i++) {
      const o = at<T>(i);
      const x = ld<T>(p + o, true);
      const u = moments<T>(o, x, g, m, v, beta1, weight1, beta2, weight2, correction1, correction2, epsRoot, eps, decay, maximizes, decays, true);
      params = addSquares<T>(params, x, true);
      updates = addSquares<T>(updates, u, true);
    }
    const block = start / SUM_BLOCK;
    storeSum(sums, block, 0, params);
    storeSum(sums, block, 1, updates);
  }
}

/** Steps elements [lo, hi) of a row: θ along the update, scaled by the tensor's trust ratio. */
@inline export function lambStep<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), m = array(row, 1), v = array(row, 2);
  const stepSize = splat<T>(row, 0), correction1 = splat<T>(row, 1), correction2 = splat<T>(row, 2);
  const epsRoot = splat<T>(row, 3), eps = splat<T>(row, 4), decay = splat<T>(row, 5);
  const decays = rare && scalar(row, 5) != 0;
  const L = lanes<T>();
  let i = lo;
  for (; i + L <= hi; i += L) {
    const o = at<T>(i);
    const x = ld<T>(p + o, false);
    const u = update<T>(ld<T>(m + o, false), ld<T>(v + o, false), x, correction1, correction2, epsRoot, eps, decay, decays);
    st<T>(p + o, v128.sub<T>(x, v128.mul<T>(stepSize, u)), false);
  }
  for (; i < hi; i++) {
    const o = at<T>(i);
    const x = ld<T>(p + o, true);
    const u = update<T>(ld<T>(m + o, true), ld<T>(v + o, true), x, correction1, correction2, epsRoot, eps, decay, decays);
    st<T>(p + o, v128.sub<T>(x, v128.mul<T>(stepSize, u)), true);
  }
}
