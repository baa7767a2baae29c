import { array, at, flag, gradient, lanes, ld, scalar, splat, st, terms } from './memory';

/**
 * ASGD (src/kernels/asgd.ts).
 * Arrays: p, g, ax. Scalars: 1 − lambd·eta, eta, mu, weightDecay, gradSign.
 * Flags: ASGD_COPY when mu is 1 (the average is then the parameter itself).
 */
export const ASGD_COPY: u32 = 1;

@inline function body<T>(
  o: usize, p: usize, g: usize, ax: usize,
  shrink: v128, eta: v128, mu: v128, decay: v128, maximizes: bool, decays: bool, copy: bool, one: bool,
): void {
  const x = ld<T>(p + o, one);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const xt = v128.sub<T>(v128.mul<T>(x, shrink), v128.mul<T>(eta, d));
  st<T>(p + o, xt, one);
  if (copy) {
    st<T>(ax + o, xt, one);
  } else {
    const a = ld<T>(ax + o, one);
    st<T>(ax + o, v128.add<T>(a, v128.mul<T>(v128.sub<T>(xt, a), mu)), one);
  }
}

/** Where gradSign and weightDecay are among the scalars (see rareTerms). */
export const ASGD_TERMS: u32 = terms(4, 3);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it. */
@inline export function asgd<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), g = array(row, 1), ax = array(row, 2);
  const shrink = splat<T>(row, 0), eta = splat<T>(row, 1), mu = splat<T>(row, 2);
  const decay = splat<T>(row, 3);
  const maximizes = rare && scalar(row, 4) < 0;
  const decays = rare && scalar(row, 3) != 0, copy = flag(row, ASGD_COPY);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    const o = at<T>(i);
    body<T>(o, p, g, ax, shrink, eta, mu, decay, maximizes, decays, copy, false);
    body<T>(o + 16, p, g, ax, shrink, eta, mu, decay, maximizes, decays, copy, false);
    body<T>(o + 32, p, g, ax, shrink, eta, mu, decay, maximizes, decays, copy, false);
    body<T>(o + 48, p, g, ax, shrink, eta, mu, decay, maximizes, decays, copy, false);
  }
  for (; i + L <= hi; i += L) body<T>(at<T>(i), p, g, ax, shrink, eta, mu, decay, maximizes, decays, copy, false);
  for (; i < hi; i++) body<T>(at<T>(i), p, g, ax, shrink, eta, mu, decay, maximizes, decays, copy, true);
}
