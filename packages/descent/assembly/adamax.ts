import { LERP_FROM_END, lerp } from './lerp';
import { array, at, flag, gradient, lanes, ld, scalar, splat, st, terms } from './memory';
import { keyOf, ldm, stm } from './state';

/**
 * Adamax (src/kernels/adamax.ts).
 * Arrays: p, g, expAvg, expInf. Scalars: lr / (1 − β₁ᵗ), eps, weightDecay, gradSign, beta2, the
 * lerp factor of expAvg (weight 1 − beta1; see lerp.ts).
 */
@inline function body<T>(
  i: u32, p: usize, g: usize, m: usize, u: usize,
  clr: v128, eps: v128, decay: v128, beta2: v128, weight1: v128,
  maximizes: bool, decays: bool, fromEnd: bool, one: bool,
  keyM: v128, keyU: v128, format: u32,
): void {
  const o = at<T>(i);
  const x = ld<T>(p + o, one);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const mt = stm<T>(m, o, lerp<T>(ldm<T>(m, o, one, format), d, weight1, fromEnd), one, format, keyM, i);
  // max propagates NaN, as Math.max does.
  const ut = stm<T>(u, o, v128.max<T>(v128.mul<T>(beta2, ldm<T>(u, o, one, format)), v128.add<T>(v128.abs<T>(d), eps)), one, format, keyU, i);
  st<T>(p + o, v128.sub<T>(x, v128.div<T>(v128.mul<T>(clr, mt), ut)), one);
}

/** Where gradSign and weightDecay are among the scalars (see rareTerms). */
export const ADAMAX_TERMS: u32 = terms(3, 2);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it, `format` the moments' storage. */
@inline export function adamax<T>(row: usize, lo: u32, hi: u32, rare: bool, format: u32): void {
  const p = array(row, 0), g = array(row, 1), m = array(row, 2), u = array(row, 3);
  const clr = splat<T>(row, 0), eps = splat<T>(row, 1), decay = splat<T>(row, 2);
  const beta2 = splat<T>(row, 4), weight1 = splat<T>(row, 5);
  const maximizes = rare && scalar(row, 3) < 0;
  const decays = rare && scalar(row, 2) != 0, fromEnd = flag(row, LERP_FROM_END);
  const keyM = keyOf(row, 2), keyU = keyOf(row, 3);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    body<T>(i, p, g, m, u, clr, eps, decay, beta2, weight1, maximizes, decays, fromEnd, false, keyM, keyU, format);
    body<T>(i + L, p, g, m, u, clr, eps, decay, beta2, weight1, maximizes, decays, fromEnd, false, keyM, keyU, format);
    body<T>(i + 2 * L, p, g, m, u, clr, eps, decay, beta2, weight1, maximizes, decays, fromEnd, false, keyM, keyU, format);
    body<T>(i + 3 * L, p, g, m, u, clr, eps, decay, beta2, weight1, maximizes, decays, fromEnd, false, keyM, keyU, format);
  }
  for (; i + L <= hi; i += L) body<T>(i, p, g, m, u, clr, eps, decay, beta2, weight1, maximizes, decays, fromEnd, false, keyM, keyU, format);
  for (; i < hi; i++) body<T>(i, p, g, m, u, clr, eps, decay, beta2, weight1, maximizes, decays, fromEnd, true, keyM, keyU, format);
}
