import { array, at, averageSquare, gradient, lanes, ld, scalar, splat, st, terms } from './memory';

/**
 * Adadelta (src/kernels/adadelta.ts).
 * Arrays: p, g, squareAvg, accDelta. Scalars: lr, rho, 1 − rho, eps, weightDecay, gradSign.
 * √(a + ε) / √(s + ε) is taken as √((a + ε) / (s + ε)): one square root fewer.
 */
@inline function body<T>(
  o: usize, p: usize, g: usize, sq: usize, acc: usize,
  lr: v128, rho: v128, weight: v128, eps: v128, decay: v128, maximizes: bool, decays: bool, one: bool,
): void {
  const x = ld<T>(p + o, one);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const s = averageSquare<T>(ld<T>(sq + o, one), d, rho, weight);
  st<T>(sq + o, s, one);
  const a = ld<T>(acc + o, one);
  const delta = v128.mul<T>(
    v128.sqrt<T>(v128.div<T>(v128.add<T>(a, eps), v128.add<T>(s, eps))),
    d,
  );
  st<T>(acc + o, averageSquare<T>(a, delta, rho, weight), one);
  st<T>(p + o, v128.sub<T>(x, v128.mul<T>(lr, delta)), one);
}

/** Where gradSign and weightDecay are among the scalars (see rareTerms). */
export const ADADELTA_TERMS: u32 = terms(5, 4);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it. */
@inline export function adadelta<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), g = array(row, 1), sq = array(row, 2), acc = array(row, 3);
  const lr = splat<T>(row, 0), rho = splat<T>(row, 1), weight = splat<T>(row, 2);
  const eps = splat<T>(row, 3), decay = splat<T>(row, 4);
  const maximizes = rare && scalar(row, 5) < 0;
  const decays = rare && scalar(row, 4) != 0;
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    const o = at<T>(i);
    body<T>(o, p, g, sq, acc, lr, rho, weight, eps, decay, maximizes, decays, false);
    body<T>(o + 16, p, g, sq, acc, lr, rho, weight, eps, decay, maximizes, decays, false);
    body<T>(o + 32, p, g, sq, acc, lr, rho, weight, eps, decay, maximizes, decays, false);
    body<T>(o + 48, p, g, sq, acc, lr, rho, weight, eps, decay, maximizes, decays, false);
  }
  for (; i + L <= hi; i += L) body<T>(at<T>(i), p, g, sq, acc, lr, rho, weight, eps, decay, maximizes, decays, false);
  for (; i < hi; i++) body<T>(at<T>(i), p, g, sq, acc, lr, rho, weight, eps, decay, maximizes, decays, true);
}
