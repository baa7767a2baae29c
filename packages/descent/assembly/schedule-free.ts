import { LERP_FROM_END, lerp } from './lerp';
import { array, at, averageSquare, flag, lanes, ld, NO_TERM, scalar, splat, st, terms } from './memory';

/**
 * Schedule-Free SGD and AdamW (src/kernels/schedule-free.ts): the step of y (the parameter) and
 * of z from the direction u, the gradient (SGD) or the gradient over AdamW's root (AdamW):
 *   u ← u + λy;  y ← lerp(y, z, c) + γ(β(1 − c) − 1)·u;  z ← z − γu.
 * Arrays: p, g, z, expAvgSq (absent for SGD).
 * Scalars: the lerp factor of c (see lerp.ts), γ(β(1 − c) − 1), γ, weightDecay, and for AdamW
 * β₂, 1 − β₂, ε·√(1 − β₂ᵗ), √(1 − β₂ᵗ): u = g·√(1 − β₂ᵗ) / (√v + ε·√(1 − β₂ᵗ)), one division
 * instead of two, as adam.ts.
 */
@inline function body<T>(
  o: usize, p: usize, g: usize, z: usize, v: usize,
  ckp1: v128, coef: v128, lr: v128, decay: v128,
  beta2: v128, weight2: v128, eps: v128, correction: v128,
  decays: bool, fromEnd: bool, one: bool,
): void {
  const y = ld<T>(p + o, one);
  const gi = ld<T>(g + o, one);
  let u = gi;
  if (v != 0) {
    const vt = averageSquare<T>(ld<T>(v + o, one), gi, beta2, weight2);
    st<T>(v + o, vt, one);
    u = v128.div<T>(v128.mul<T>(gi, correction), v128.add<T>(v128.sqrt<T>(vt), eps));
  }
  if (decays) u = v128.add<T>(u, v128.mul<T>(decay, y));
  const zi = ld<T>(z + o, one);
  st<T>(p + o, v128.add<T>(lerp<T>(y, zi, ckp1, fromEnd), v128.mul<T>(u, coef)), one);
  st<T>(z + o, v128.sub<T>(zi, v128.mul<T>(lr, u)), one);
}

/** Where weightDecay is among the scalars (see rareTerms). */
export const SCHEDULE_FREE_TERMS: u32 = terms(NO_TERM, 3);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it. */
@inline export function scheduleFree<T>(row: usize, lo: u32, hi: u32, rare: bool): void {
  const p = array(row, 0), g = array(row, 1), z = array(row, 2), v = array(row, 3);
  const ckp1 = splat<T>(row, 0), coef = splat<T>(row, 1), lr = splat<T>(row, 2);
  const decay = splat<T>(row, 3), beta2 = splat<T>(row, 4), weight2 = splat<T>(row, 5);
  const eps = splat<T>(row, 6), correction = splat<T>(row, 7);
  const decays = rare && scalar(row, 3) != 0;
  const fromEnd = flag(row, LERP_FROM_END);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    const o = at<T>(i);
    body<T>(o, p, g, z, v, ckp1, coef, lr, decay, beta2, weight2, eps, correction, decays, fromEnd, false);
    body<T>(o + 16, p, g, z, v, ckp1, coef, lr, decay, beta2, weight2, eps, correction, decays, fromEnd, false);
    body<T>(o + 32, p, g, z, v, ckp1, coef, lr, decay, beta2, weight2, eps, correction, decays, fromEnd, false);
    body<T>(o + 48, p, g, z, v, ckp1, coef, lr, decay, beta2, weight2, eps, correction, decays, fromEnd, false);
  }
  for (; i + L <= hi; i += L) {
    body<T>(at<T>(i), p, g, z, v, ckp1, coef, lr, decay, beta2, weight2, eps, correction, decays, fromEnd, false);
  }
  for (; i < hi; i++) {
    body<T>(at<T>(i), p, g, z, v, ckp1, coef, lr, decay, beta2, weight2, eps, correction, decays, fromEnd, true);
  }
}

/**
 * Schedule-Free's move between y and x (train and eval): p ← lerp(p, z, w).
 * Arrays: p, z. Scalars: the lerp factor of w (see lerp.ts).
 */
export function scheduleFreeMove<T>(row: usize, lo: u32, hi: u32): void {
  const p = array(row, 0), z = array(row, 1);
  const weight = splat<T>(row, 0);
  const fromEnd = flag(row, LERP_FROM_END);
  const L = lanes<T>();
  let i = lo;
  for (; i + L <= hi; i += L) {
    const o = at<T>(i);
    st<T>(p + o, lerp<T>(ld<T>(p + o, false), ld<T>(z + o, false), weight, fromEnd), false);
  }
  for (; i < hi; i++) {
    const o = at<T>(i);
    st<T>(p + o, lerp<T>(ld<T>(p + o, true), ld<T>(z + o, true), weight, fromEnd), true);
  }
}
