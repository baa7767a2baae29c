import { array, at, lanes, ld, signTimes, splat, st } from './memory';

/**
 * Rprop (src/kernels/rprop.ts).
 * Arrays: p, g, prev, stepSize. Scalars: etaminus, etaplus, the smallest and largest step sizes,
 * gradSign.
 */
@inline function body<T>(
  o: usize, p: usize, g: usize, prev: usize, ss: usize,
  etaminus: v128, etaplus: v128, smallest: v128, largest: v128, gradSign: v128, one: bool,
): void {
  const d = v128.mul<T>(ld<T>(g + o, one), gradSign);
  const agreement = v128.mul<T>(d, ld<T>(prev + o, one));
  const zero = v128.splat<T>(<T>0);
  const agrees = v128.gt<T>(agreement, zero);
  const flips = v128.lt<T>(agreement, zero);
  const factor = v128.bitselect(etaplus, v128.bitselect(etaminus, v128.splat<T>(<T>1), flips), agrees);
  // After a sign change the element does not move, and the next step sees no previous sign.
  const step = v128.andnot(d, flips);
  // pmax and pmin (one instruction each, where max and min are eight) keep a NaN step size, as
  // Math.max and Math.min do; the bounds are never NaN. They differ only on max(−0, +0).
  const size = v128.pmin<T>(v128.pmax<T>(v128.mul<T>(ld<T>(ss + o, one), factor), smallest), largest);
  st<T>(ss + o, size, one);
  st<T>(p + o, v128.sub<T>(ld<T>(p + o, one), signTimes<T>(step, size)), one);
  st<T>(prev + o, step, one);
}

export function rprop<T>(row: usize, lo: u32, hi: u32): void {
  const p = array(row, 0), g = array(row, 1), prev = array(row, 2), ss = array(row, 3);
  const etaminus = splat<T>(row, 0), etaplus = splat<T>(row, 1), smallest = splat<T>(row, 2);
  const largest = splat<T>(row, 3), gradSign = splat<T>(row, 4);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    const o = at<T>(i);
    body<T>(o, p, g, prev, ss, etaminus, etaplus, smallest, largest, gradSign, false);
    body<T>(o + 16, p, g, prev, ss, etaminus, etaplus, smallest, largest, gradSign, false);
    body<T>(o + 32, p, g, prev, ss, etaminus, etaplus, smallest, largest, gradSign, false);
    body<T>(o + 48, p, g, prev, ss, etaminus, etaplus, smallest, largest, gradSign, false);
  }
  for (; i + L <= hi; i += L) body<T>(at<T>(i), p, g, prev, ss, etaminus, etaplus, smallest, largest, gradSign, false);
  for (; i < hi; i++) body<T>(at<T>(i), p, g, prev, ss, etaminus, etaplus, smallest, largest, gradSign, true);
}
