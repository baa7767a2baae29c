import { array, at, gradient, lanes, ld, scalar, splat, st, terms } from './memory';
import { keyOf, ldm, stm } from './state';

/**
 * Adagrad (src/kernels/adagrad.ts).
 * Arrays: p, g, sum. Scalars: the decayed learning rate lr / (1 + (t − 1)·lrDecay), eps,
 * weightDecay, gradSign.
 */
@inline function body<T>(
  i: u32, p: usize, g: usize, sum: usize,
  clr: v128, eps: v128, decay: v128, maximizes: bool, decays: bool, one: bool,
  keySum: v128, format: u32,
): void {
  const o = at<T>(i);
  const x = ld<T>(p + o, one);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const s = stm<T>(sum, o, v128.add<T>(ldm<T>(sum, o, one, format), v128.mul<T>(d, d)), one, format, keySum, i);
  st<T>(p + o, v128.sub<T>(x, v128.div<T>(v128.mul<T>(clr, d), v128.add<T>(v128.sqrt<T>(s), eps))), one);
}

/** Where gradSign and weightDecay are among the scalars (see rareTerms). */
export const ADAGRAD_TERMS: u32 = terms(3, 2);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it, `format` the moments' storage. */
@inline export function adagrad<T>(row: usize, lo: u32, hi: u32, rare: bool, format: u32): void {
  const p = array(row, 0), g = array(row, 1), sum = array(row, 2);
  const clr = splat<T>(row, 0), eps = splat<T>(row, 1), decay = splat<T>(row, 2);
  const maximizes = rare && scalar(row, 3) < 0;
  const decays = rare && scalar(row, 2) != 0;
  const keySum = keyOf(row, 2);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    body<T>(i, p, g, sum, clr, eps, decay, maximizes, decays, false, keySum, format);
    body<T>(i + L, p, g, sum, clr, eps, decay, maximizes, decays, false, keySum, format);
    body<T>(i + 2 * L, p, g, sum, clr, eps, decay, maximizes, decays, false, keySum, format);
    body<T>(i + 3 * L, p, g, sum, clr, eps, decay, maximizes, decays, false, keySum, format);
  }
  for (; i + L <= hi; i += L) body<T>(i, p, g, sum, clr, eps, decay, maximizes, decays, false, keySum, format);
  for (; i < hi; i++) body<T>(i, p, g, sum, clr, eps, decay, maximizes, decays, true, keySum, format);
}
