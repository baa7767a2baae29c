import { array, at, lanes, ld, NO_TERM, scalar, signTimes, splat, st, terms } from './memory';
import { keyOf, ldm, stm } from './state';

/**
 * Lion (src/kernels/lion.ts).
 * Arrays: p, g, expAvg. Scalars: lr, beta1, 1 − beta1, beta2, 1 − beta2, paramDecay (1 − lr·λ),
 * gradSign. lr·sign(c) is memory.ts's signTimes: 0 where c is ±0, NaN where c is.
 */
@inline function body<T>(
  i: u32, p: usize, g: usize, m: usize,
  lr: v128, beta1: v128, weight1: v128, beta2: v128, weight2: v128, paramDecay: v128,
  maximizes: bool, shrinks: bool, one: bool,
  keyM: v128, format: u32,
): void {
  const o = at<T>(i);
  let x = ld<T>(p + o, one);
  if (shrinks) x = v128.mul<T>(x, paramDecay);
  const gi = ld<T>(g + o, one);
  const d = maximizes ? v128.neg<T>(gi) : gi;
  const mo = ldm<T>(m, o, one, format);
  const c = v128.add<T>(v128.mul<T>(beta1, mo), v128.mul<T>(weight1, d));
  st<T>(p + o, v128.sub<T>(x, signTimes<T>(c, lr)), one);
  stm<T>(m, o, v128.add<T>(v128.mul<T>(beta2, mo), v128.mul<T>(weight2, d)), one, format, keyM, i);
}

/** Where gradSign and paramDecay are among the scalars (no L2 term; see rareTerms). */
export const LION_TERMS: u32 = terms(6, NO_TERM, 5);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it, `format` the moments' storage. */
@inline export function lion<T>(row: usize, lo: u32, hi: u32, rare: bool, format: u32): void {
  const p = array(row, 0), g = array(row, 1), m = array(row, 2);
  const lr = splat<T>(row, 0), beta1 = splat<T>(row, 1), weight1 = splat<T>(row, 2);
  const beta2 = splat<T>(row, 3), weight2 = splat<T>(row, 4), paramDecay = splat<T>(row, 5);
  const maximizes = rare && scalar(row, 6) < 0, shrinks = rare && scalar(row, 5) != 1;
  const keyM = keyOf(row, 2);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    body<T>(i, p, g, m, lr, beta1, weight1, beta2, weight2, paramDecay, maximizes, shrinks, false, keyM, format);
    body<T>(i + L, p, g, m, lr, beta1, weight1, beta2, weight2, paramDecay, maximizes, shrinks, false, keyM, format);
    body<T>(i + 2 * L, p, g, m, lr, beta1, weight1, beta2, weight2, paramDecay, maximizes, shrinks, false, keyM, format);
    body<T>(i + 3 * L, p, g, m, lr, beta1, weight1, beta2, weight2, paramDecay, maximizes, shrinks, false, keyM, format);
  }
  for (; i + L <= hi; i += L) {
    body<T>(i, p, g, m, lr, beta1, weight1, beta2, weight2, paramDecay, maximizes, shrinks, false, keyM, format);
  }
  for (; i < hi; i++) {
    body<T>(i, p, g, m, lr, beta1, weight1, beta2, weight2, paramDecay, maximizes, shrinks, true, keyM, format);
  }
}
