import { LERP_FROM_END, lerp } from './lerp';
import { array, at, averageSquare, flag, gradient, lanes, ld, scalar, splat, st, terms } from './memory';

/**
 * RAdam (src/kernels/radam.ts).
 * Arrays: p, g, expAvg, expAvgSq. Scalars: beta2, 1 − beta2, lr / (1 − β₁ᵗ), r_t·√(1 − β₂ᵗ),
 * eps, weightDecay, paramDecay, gradSign, the lerp factor of expAvg (weight 1 − beta1; see
 * lerp.ts). Flags: RADAM_RECTIFIED once ρ_t > 5 (before, the step is momentum SGD).
 */
export const RADAM_RECTIFIED: u32 = 1;

@inline function body<T>(
  o: usize, p: usize, g: usize, m: usize, v: usize,
  beta2: v128, weight2: v128, stepSize: v128, rect: v128, eps: v128, decay: v128,
  paramDecay: v128, weight1: v128,
  maximizes: bool, decays: bool, shrinks: bool, fromEnd: bool, rectified: bool, one: bool,
): void {
  let x = ld<T>(p + o, one);
  if (shrinks) x = v128.mul<T>(x, paramDecay);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const mt = lerp<T>(ld<T>(m + o, one), d, weight1, fromEnd);
  st<T>(m + o, mt, one);
  const vt = averageSquare<T>(ld<T>(v + o, one), d, beta2, weight2);
  st<T>(v + o, vt, one);
  let step = v128.mul<T>(stepSize, mt);
  if (rectified) step = v128.mul<T>(step, v128.div<T>(rect, v128.add<T>(v128.sqrt<T>(vt), eps)));
  st<T>(p + o, v128.sub<T>(x, step), one);
}

/** Where gradSign, weightDecay and paramDecay are among the scalars (see rareTerms). */
export const RADAM_TERMS: u32 = terms(7, 5, 6);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it. */
@inline export function radam<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), g = array(row, 1), m = array(row, 2), v = array(row, 3);
  const beta2 = splat<T>(row, 0), weight2 = splat<T>(row, 1), stepSize = splat<T>(row, 2);
  const rect = splat<T>(row, 3), eps = splat<T>(row, 4), decay = splat<T>(row, 5);
  const paramDecay = splat<T>(row, 6), weight1 = splat<T>(row, 8);
  const maximizes = rare && scalar(row, 7) < 0;
  const decays = rare && scalar(row, 5) != 0, shrinks = rare && scalar(row, 6) != 1;
  const fromEnd = flag(row, LERP_FROM_END), rectified = flag(row, RADAM_RECTIFIED);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    const o = at<T>(i);
    body<T>(o, p, g, m, v, beta2, weight2, stepSize, rect, eps, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, rectified, false);
    body<T>(o + 16, p, g, m, v, beta2, weight2, stepSize, rect, eps, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, rectified, false);
    body<T>(o + 32, p, g, m, v, beta2, weight2, stepSize, rect, eps, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, rectified, false);
    body<T>(o + 48, p, g, m, v, beta2, weight2, stepSize, rect, eps, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, rectified, false);
  }
  for (; i + L <= hi; i += L) {
    body<T>(at<T>(i), p, g, m, v, beta2, weight2, stepSize, rect, eps, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, rectified, false);
  }
  for (; i < hi; i++) {
    body<T>(at<T>(i), p, g, m, v, beta2, weight2, stepSize, rect, eps, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, rectified, true);
  }
}
