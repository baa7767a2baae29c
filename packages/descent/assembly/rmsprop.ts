import { LERP_FROM_END, lerp } from './lerp';
import { array, at, averageSquare, flag, gradient, lanes, ld, scalar, splat, st, terms } from './memory';

/**
 * RMSprop, centered or not, with or without momentum (src/kernels/rmsprop.ts).
 * Arrays: p, g, squareAvg, momentumBuffer (absent without momentum), gradAvg (absent unless
 * centered). Scalars: lr, alpha, 1 − alpha, eps, weightDecay, momentum, gradSign, the lerp factor
 * of gradAvg (weight 1 − alpha; see lerp.ts).
 */
@inline function body<T>(
  o: usize, p: usize, g: usize, sq: usize, buf: usize, ga: usize,
  lr: v128, alpha: v128, weight: v128, eps: v128, decay: v128, momentum: v128, gaWeight: v128, maximizes: bool, decays: bool, fromEnd: bool, one: bool,
): void {
  const x = ld<T>(p + o, one);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const s = averageSquare<T>(ld<T>(sq + o, one), d, alpha, weight);
  st<T>(sq + o, s, one);
  let v = s;
  if (ga != 0) {
    const a = lerp<T>(ld<T>(ga + o, one), d, gaWeight, fromEnd);
    st<T>(ga + o, a, one);
    v = v128.sub<T>(v, v128.mul<T>(a, a));
  }
  const denom = v128.add<T>(v128.sqrt<T>(v), eps);
  if (buf != 0) {
    const b = v128.add<T>(v128.mul<T>(momentum, ld<T>(buf + o, one)), v128.div<T>(d, denom));
    st<T>(buf + o, b, one);
    st<T>(p + o, v128.sub<T>(x, v128.mul<T>(lr, b)), one);
  } else {
    st<T>(p + o, v128.sub<T>(x, v128.div<T>(v128.mul<T>(lr, d), denom)), one);
  }
}

/** Where gradSign and weightDecay are among the scalars (see rareTerms). */
export const RMSPROP_TERMS: u32 = terms(6, 4);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it. */
@inline export function rmsprop<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), g = array(row, 1), sq = array(row, 2), buf = array(row, 3);
  const ga = array(row, 4);
  const lr = splat<T>(row, 0), alpha = splat<T>(row, 1), weight = splat<T>(row, 2);
  const eps = splat<T>(row, 3), decay = splat<T>(row, 4), momentum = splat<T>(row, 5);
  const gaWeight = splat<T>(row, 7);
  const maximizes = rare && scalar(row, 6) < 0;
  const decays = rare && scalar(row, 4) != 0, fromEnd = flag(row, LERP_FROM_END);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    const o = at<T>(i);
    body<T>(o, p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, false);
    body<T>(o + 16, p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, false);
    body<T>(o + 32, p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, false);
    body<T>(o + 48, p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, false);
  }
  for (; i + L <= hi; i += L) {
    body<T>(at<T>(i), p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, false);
  }
  for (; i < hi; i++) {
    body<T>(at<T>(i), p, g, sq, buf, ga, lr, alpha, weight, eps, decay, momentum, gaWeight, maximizes, decays, fromEnd, true);
  }
}
