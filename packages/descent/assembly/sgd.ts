import { array, at, flag, gradient, lanes, ld, scalar, splat, st, terms } from './memory';
import { keyOf, ldm, stm } from './state';

/**
 * SGD with momentum, dampening, Nesterov, weight decay and maximize (src/kernels/sgd.ts).
 * Arrays: p, g, momentum buffer (absent without momentum).
 * Scalars: lr, momentum, 1 − dampening, weightDecay, gradSign (−1 when maximizing).
 * The buffer is stored as the row's format says (state.ts); the update uses what was stored.
 */
export const SGD_NESTEROV: u32 = 1;
/** The parameter's first step with momentum: the buffer starts as the gradient. */
export const SGD_FIRST: u32 = 2;

@inline function body<T>(
  i: u32, p: usize, g: usize, b: usize,
  lr: v128, momentum: v128, undamped: v128, decay: v128, key: v128,
  maximizes: bool, decays: bool, nesterov: bool, first: bool, one: bool, format: u32,
): void {
  const o = at<T>(i);
  const x = ld<T>(p + o, one);
  let d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  if (b != 0) {
    const buffer = stm<T>(b, o, first
      ? d
      : v128.add<T>(v128.mul<T>(momentum, ldm<T>(b, o, one, format)), v128.mul<T>(undamped, d)), one, format, key, i);
    d = nesterov ? v128.add<T>(d, v128.mul<T>(momentum, buffer)) : buffer;
  }
  st<T>(p + o, v128.sub<T>(x, v128.mul<T>(lr, d)), one);
}

/** Where gradSign and weightDecay are among the scalars (see rareTerms). */
export const SGD_TERMS: u32 = terms(4, 3);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it, `format` the buffer's storage. */
@inline export function sgd<T>(row: usize, lo: u32, hi: u32, rare: bool, format: u32): void {
  const p = array(row, 0), g = array(row, 1), b = array(row, 2);
  const lr = splat<T>(row, 0), momentum = splat<T>(row, 1), undamped = splat<T>(row, 2);
  const decay = splat<T>(row, 3), key = keyOf(row, 2);
  const maximizes = rare && scalar(row, 4) < 0;
  const decays = rare && scalar(row, 3) != 0;
  const nesterov = flag(row, SGD_NESTEROV), first = flag(row, SGD_FIRST);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    body<T>(i, p, g, b, lr, momentum, undamped, decay, key, maximizes, decays, nesterov, first, false, format);
    body<T>(i + L, p, g, b, lr, momentum, undamped, decay, key, maximizes, decays, nesterov, first, false, format);
    body<T>(i + 2 * L, p, g, b, lr, momentum, undamped, decay, key, maximizes, decays, nesterov, first, false, format);
    body<T>(i + 3 * L, p, g, b, lr, momentum, undamped, decay, key, maximizes, decays, nesterov, first, false, format);
  }
  for (; i + L <= hi; i += L) {
    body<T>(i, p, g, b, lr, momentum, undamped, decay, key, maximizes, decays, nesterov, first, false, format);
  }
  for (; i < hi; i++) {
    body<T>(i, p, g, b, lr, momentum, undamped, decay, key, maximizes, decays, nesterov, first, true, format);
  }
}
