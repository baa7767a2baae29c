import { LERP_FROM_END, lerp } from './lerp';
import { array, at, averageSquare, flag, gradient, lanes, ld, scalar, splat, st, terms } from './memory';
import { keyOf, ldm, stm } from './state';

/**
 * RMSprop, centered or not, with or without momentum (src/kernels/rmsprop.ts).
 * Arrays: p, g, squareAvg, momentumBuffer (absent without momentum), gradAvg (absent unless
 * centered). Scalars: lr, alpha, 1 − alpha, eps, weightDecay, momentum, gradSign, the lerp factor
 * of gradAvg (weight 1 − alpha; see lerp.ts).
 */
@inline function body<T>(
  i: u32, p: usize, g: usize, sq: usize, buf: usize, ga: usize,
  lr: v128, alpha: v128, weight: v128, eps: v128, decay: v128, momentum: v128, gaWeight: v128, maximizes: bool, decays: bool, fromEnd: bool, one: bool,
  keySq: v128, keyBuf: v128, keyGa: v128, format: u32,
): void {
  const o = at<T>(i);
  const x = ld<T>(p + o, one);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const s = stm<T>(sq, o, averageSquare<T>(ldm<T>(sq, o, one, format), d, alpha, weight), one, format, keySq, i);
  let v = s;
  if (ga != 0) {
    const a = stm<T>(ga, o, lerp<T>(ldm<T>(ga, o, one, format), d, gaWeight, fromEnd), one, format, keyGa, i);
    v = v128.sub<T>(v, v128.mul<T>(a, a));
  }
  const denom = v128.add<T>(v128.sqrt<T>(v), eps);
  if (buf != 0) {
    const b = stm<T>(buf, o, v128.add<T>(v128.mul<T>(momentum, ldm<T>(buf, o, one, format)), v128.div<T>(d, denom)), one, format, keyBuf, i);
    st<T>(p + o, v128.sub<T>(x, v128.mul<T>(lr, b)), one);
  } else {
    st<T>(p + o, v128.sub<T>(x, v128.div<T>(v128.mul<T>(lr, d), denom)), one);
  }
}

/** Where gradSign and weightDecay are among the scalars (see rareTerms). */
export const RMSPROP_TERMS: u32 = terms(6, 4);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it, `format` the moments' storage. */
@inline export function rmsprop<T>(row: usize, lo: u32, hi: u32, rare: bool, format: u32): void {
  const p = array(row, 0), g = array(row, 1), sq = array(row, 2), buf = array(row, 3);
  const ga = array(row, 4);
  const lr = splat<T>(row, 0), alpha = splat<T>(row, 1), weight = splat<T>(row, 2);
  const eps = splat<T>(row, 3), decay = splat<T>(row, 4), momentum = splat<T>(row, 5);
  const gaWeight = splat<T>(row, 7);
  const maximizes = rare && scalar(row, 6) < 0;
  const decays = rare && scalar(row, 4) != 0, fromEnd = flag(row, LERP_FROM_END);
  const keySq = keyOf(row, 2), keyBuf = keyOf(row, 3), keyGa = keyOf(row, 4);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    body<T>(i, p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, false, keySq, keyBuf, keyGa, format);
    body<T>(i + L, p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, false, keySq, keyBuf, keyGa, format);
    body<T>(i + 2 * L, p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, false, keySq, keyBuf, keyGa, format);
    body<T>(i + 3 * L, p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, false, keySq, keyBuf, keyGa, format);
  }
  for (; i + L <= hi; i += L) {
    body<T>(i, p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, false, keySq, keyBuf, keyGa, format);
  }
  for (; i < hi; i++) {
    body<T>(i, p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, true, keySq, keyBuf, keyGa, format);
  }
}
