import { array, at, gradient, lanes, ld, scalar, splat, st, terms } from './memory';
import { keyOf, ldm, stm } from './state';

/**
 * Yogi (src/kernels/yogi.ts).
 * Arrays: p, g, expAvg, expAvgSq. Scalars: beta1, 1 − beta1, 1 − beta2,
 * lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ), eps·√(1 − β₂ᵗ), weightDecay, paramDecay, gradSign.
 * The update, multiplied through by √(1 − β₂ᵗ), is one division and one square root.
 */
/**
 * sign(diff)·t for t ≥ +0 or NaN, in five instructions where memory.ts's signTimes takes seven:
 * t with a minus sign unless diff > 0, zero where diff is ±0. A NaN diff gives −t, not NaN, which
 * here makes the same v: diff = g² − v is NaN only when g² or v is (then t or v is NaN too) or
 * both are +∞, where v + (−∞) is NaN.
 */
@inline function signOfDiffTimes<T>(diff: v128, t: v128): v128 {
  const zero = v128.splat<T>(<T>0);
  const signed = v128.or(t, v128.andnot(v128.splat<T>(<T>-0.0), v128.gt<T>(diff, zero)));
  return v128.and(signed, v128.ne<T>(diff, zero));
}

@inline function body<T>(
  i: u32, p: usize, g: usize, m: usize, v: usize,
  beta1: v128, weight1: v128, weight2: v128, stepSize: v128, eps: v128, decay: v128,
  paramDecay: v128, maximizes: bool, decays: bool, shrinks: bool, one: bool,
  keyM: v128, keyV: v128, format: u32,
): void {
  const o = at<T>(i);
  let x = ld<T>(p + o, one);
  if (shrinks) x = v128.mul<T>(x, paramDecay);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const d2 = v128.mul<T>(d, d);
  const mt = stm<T>(m, o, v128.add<T>(v128.mul<T>(beta1, ldm<T>(m, o, one, format)), v128.mul<T>(weight1, d)), one, format, keyM, i);
  const vo = ldm<T>(v, o, one, format);
  const vt = stm<T>(v, o, v128.add<T>(vo, signOfDiffTimes<T>(v128.sub<T>(d2, vo), v128.mul<T>(weight2, d2))), one, format, keyV, i);
  const denom = v128.add<T>(v128.sqrt<T>(vt), eps);
  st<T>(p + o, v128.sub<T>(x, v128.div<T>(v128.mul<T>(stepSize, mt), denom)), one);
}

/** Where gradSign, weightDecay and paramDecay are among the scalars (see rareTerms). */
export const YOGI_TERMS: u32 = terms(7, 5, 6);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it, `format` the moments' storage. */
@inline export function yogi<T>(row: usize, lo: u32, hi: u32, rare: bool, format: u32): void {
  const p = array(row, 0), g = array(row, 1), m = array(row, 2), v = array(row, 3);
  const beta1 = splat<T>(row, 0), weight1 = splat<T>(row, 1), weight2 = splat<T>(row, 2);
  const stepSize = splat<T>(row, 3), eps = splat<T>(row, 4), decay = splat<T>(row, 5);
  const paramDecay = splat<T>(row, 6);
  const maximizes = rare && scalar(row, 7) < 0;
  const decays = rare && scalar(row, 5) != 0, shrinks = rare && scalar(row, 6) != 1;
  const keyM = keyOf(row, 2), keyV = keyOf(row, 3);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    body<T>(i, p, g, m, v, beta1, weight1, weight2, stepSize, eps, decay, paramDecay, maximizes, decays, shrinks, false, keyM, keyV, format);
    body<T>(i + L, p, g, m, v, beta1, weight1, weight2, stepSize, eps, decay, paramDecay, maximizes, decays, shrinks, false, keyM, keyV, format);
    body<T>(i + 2 * L, p, g, m, v, beta1, weight1, weight2, stepSize, eps, decay, paramDecay, maximizes, decays, shrinks, false, keyM, keyV, format);
    body<T>(i + 3 * L, p, g, m, v, beta1, weight1, weight2, stepSize, eps, decay, paramDecay, maximizes, decays, shrinks, false, keyM, keyV, format);
  }
  for (; i + L <= hi; i += L) {
    body<T>(i, p, g, m, v, beta1, weight1, weight2, stepSize, eps, decay, paramDecay, maximizes, decays, shrinks, false, keyM, keyV, format);
  }
  for (; i < hi; i++) {
    body<T>(i, p, g, m, v, beta1, weight1, weight2, stepSize, eps, decay, paramDecay, maximizes, decays, shrinks, true, keyM, keyV, format);
  }
}
