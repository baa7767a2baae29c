import { array, at, lanes, ld, splat, st } from './memory';

/**
 * The bandwidth reference of the benchmark: b = b·s + c, which reads two arrays and rewrites one
 * as an optimizer step does. Arrays: b, c. Scalars: s.
 */
@inline function body<T>(b: usize, c: usize, s: v128, one: bool): void {
  st<T>(b, v128.add<T>(v128.mul<T>(ld<T>(b, one), s), ld<T>(c, one)), one);
}

export function rmw<T>(row: usize, lo: u32, hi: u32): void {
  const b = array(row, 0);
  const c = array(row, 1);
  const s = splat<T>(row, 0);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    body<T>(b + at<T>(i), c + at<T>(i), s, false);
    body<T>(b + at<T>(i + L), c + at<T>(i + L), s, false);
    body<T>(b + at<T>(i + 2 * L), c + at<T>(i + 2 * L), s, false);
    body<T>(b + at<T>(i + 3 * L), c + at<T>(i + 3 * L), s, false);
  }
  for (; i + L <= hi; i += L) body<T>(b + at<T>(i), c + at<T>(i), s, false);
  for (; i < hi; i++) body<T>(b + at<T>(i), c + at<T>(i), s, true);
}
