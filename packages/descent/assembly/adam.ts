import { LERP_FROM_END, lerp } from './lerp';
import { array, at, averageSquare, flag, gradient, lanes, ld, scalar, splat, st, terms } from './memory';

/**
 * Adam and AdamW, with AMSGrad (src/kernels/adam.ts).
 * Arrays: p, g, expAvg, expAvgSq, maxExpAvgSq (absent without amsgrad).
 * Scalars: beta2, eps·√(1 − β₂ᵗ), stepSize·√(1 − β₂ᵗ), weightDecay, paramDecay, gradSign,
 * the lerp factor of expAvg (weight 1 − beta1; see lerp.ts), 1 − beta2.
 *
 * The update m / (√v / √(1 − β₂ᵗ) + ε), multiplied through by √(1 − β₂ᵗ), is one division
 * instead of two: dividers are the slowest units a step uses, and this keeps it memory-bound.
 */

@inline function body<T>(
  o: usize, p: usize, g: usize, m: usize, v: usize, vmax: usize,
  beta2: v128, eps: v128, stepSize: v128, decay: v128, paramDecay: v128,
  weight1: v128, weight2: v128,
  maximizes: bool, decays: bool, shrinks: bool, high: bool, one: bool,
): void {
  let x = ld<T>(p + o, one);
  if (shrinks) x = v128.mul<T>(x, paramDecay);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const mt = lerp<T>(ld<T>(m + o, one), d, weight1, high);
  st<T>(m + o, mt, one);
  let vt = averageSquare<T>(ld<T>(v + o, one), d, beta2, weight2);
  st<T>(v + o, vt, one);
  if (vmax != 0) {
    // pmax (a < b ? b : a) is one instruction where max is eight; it returns vt when vt is NaN,
    // and the running maximum is NaN only after vt has been, which it then stays.
    vt = v128.pmax<T>(vt, ld<T>(vmax + o, one));
    st<T>(vmax + o, vt, one);
  }
  const denom = v128.add<T>(v128.sqrt<T>(vt), eps);
  st<T>(p + o, v128.sub<T>(x, v128.div<T>(v128.mul<T>(stepSize, mt), denom)), one);
}

/** Where gradSign, weightDecay and paramDecay are among the scalars (see rareTerms). */
export const ADAM_TERMS: u32 = terms(5, 3, 4);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it. */
@inline export function adam<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), g = array(row, 1), m = array(row, 2), v = array(row, 3);
  const vmax = array(row, 4);
  const beta2 = splat<T>(row, 0), eps = splat<T>(row, 1), stepSize = splat<T>(row, 2);
  const decay = splat<T>(row, 3), paramDecay = splat<T>(row, 4);
  const weight1 = splat<T>(row, 6), weight2 = splat<T>(row, 7);
  const maximizes = rare && scalar(row, 5) < 0;
  const decays = rare && scalar(row, 3) != 0, shrinks = rare && scalar(row, 4) != 1;
  const high = flag(row, LERP_FROM_END);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    const o = at<T>(i);
    body<T>(o, p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, maximizes, decays, shrinks, high, false);
    body<T>(o + 16, p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, maximizes, decays, shrinks, high, false);
    body<T>(o + 32, p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, maximizes, decays, shrinks, high, false);
    body<T>(o + 48, p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, maximizes, decays, shrinks, high, false);
  }
  for (; i + L <= hi; i += L) {
    body<T>(at<T>(i), p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, maximizes, decays, shrinks, high, false);
  }
  for (; i < hi; i++) {
    body<T>(at<T>(i), p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, maximizes, decays, shrinks, high, true);
  }
}
