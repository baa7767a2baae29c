import { LERP_FROM_END, lerp } from './lerp';
import { array, at, averageSquare, flag, gradient, lanes, ld, scalar, splat, st, terms } from './memory';
import { keyOf, ldm, stm } from './state';

/**
 * Adam and AdamW, with AMSGrad (src/kernels/adam.ts).
 * Arrays: p, g, expAvg, expAvgSq, maxExpAvgSq (absent without amsgrad).
 * Scalars: beta2, eps·√(1 − β₂ᵗ), stepSize·√(1 − β₂ᵗ), weightDecay, paramDecay, gradSign,
 * the lerp factor of expAvg (weight 1 − beta1; see lerp.ts), 1 − beta2.
 *
 * The update m / (√v / √(1 − β₂ᵗ) + ε), multiplied through by √(1 − β₂ᵗ), is one division
 * instead of two: dividers are the slowest units a step uses, and this keeps it memory-bound.
 * The moments are stored as the row's format says (state.ts); the update uses what was stored.
 */

@inline function body<T>(
  i: u32, p: usize, g: usize, m: usize, v: usize, vmax: usize,
  beta2: v128, eps: v128, stepSize: v128, decay: v128, paramDecay: v128,
  weight1: v128, weight2: v128, keyM: v128, keyV: v128, keyMax: v128,
  maximizes: bool, decays: bool, shrinks: bool, high: bool, one: bool, format: u32,
): void {
  const o = at<T>(i);
  let x = ld<T>(p + o, one);
  if (shrinks) x = v128.mul<T>(x, paramDecay);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const mt = stm<T>(m, o, lerp<T>(ldm<T>(m, o, one, format), d, weight1, high), one, format, keyM, i);
  let vt = stm<T>(v, o, averageSquare<T>(ldm<T>(v, o, one, format), d, beta2, weight2), one, format, keyV, i);
  if (vmax != 0) {
    // pmax (a < b ? b : a) is one instruction where max is eight; it returns vt when vt is NaN,
    // and the running maximum is NaN only after vt has been, which it then stays.
    vt = stm<T>(vmax, o, v128.pmax<T>(vt, ldm<T>(vmax, o, one, format)), one, format, keyMax, i);
  }
  const denom = v128.add<T>(v128.sqrt<T>(vt), eps);
  st<T>(p + o, v128.sub<T>(x, v128.div<T>(v128.mul<T>(stepSize, mt), denom)), one);
}

/** Where gradSign, weightDecay and paramDecay are among the scalars (see rareTerms). */
export const ADAM_TERMS: u32 = terms(5, 3, 4);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it, `format` the moments' storage. */
@inline export function adam<T>(row: usize, lo: u32, hi: u32, rare: bool, format: u32): void {
  const p = array(row, 0), g = array(row, 1), m = array(row, 2), v = array(row, 3);
  const vmax = array(row, 4);
  const beta2 = splat<T>(row, 0), eps = splat<T>(row, 1), stepSize = splat<T>(row, 2);
  const decay = splat<T>(row, 3), paramDecay = splat<T>(row, 4);
  const weight1 = splat<T>(row, 6), weight2 = splat<T>(row, 7);
  const keyM = keyOf(row, 2), keyV = keyOf(row, 3), keyMax = keyOf(row, 4);
  const maximizes = rare && scalar(row, 5) < 0;
  const decays = rare && scalar(row, 3) != 0, shrinks = rare && scalar(row, 4) != 1;
  const high = flag(row, LERP_FROM_END);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    body<T>(i, p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, keyM, keyV, keyMax, maximizes, decays, shrinks, high, false, format);
    body<T>(i + L, p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, keyM, keyV, keyMax, maximizes, decays, shrinks, high, false, format);
    body<T>(i + 2 * L, p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, keyM, keyV, keyMax, maximizes, decays, shrinks, high, false, format);
    body<T>(i + 3 * L, p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, keyM, keyV, keyMax, maximizes, decays, shrinks, high, false, format);
  }
  for (; i + L <= hi; i += L) {
    body<T>(i, p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, keyM, keyV, keyMax, maximizes, decays, shrinks, high, false, format);
  }
  for (; i < hi; i++) {
    body<T>(i, p, g, m, v, vmax, beta2, eps, stepSize, decay, paramDecay, weight1, weight2, keyM, keyV, keyMax, maximizes, decays, shrinks, high, true, format);
  }
}
