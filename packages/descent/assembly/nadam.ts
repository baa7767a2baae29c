import { LERP_FROM_END, lerp } from './lerp';
import { array, at, averageSquare, flag, gradient, lanes, ld, scalar, splat, st, terms } from './memory';
import { keyOf, ldm, stm } from './state';

/**
 * NAdam (src/kernels/nadam.ts).
 * Arrays: p, g, expAvg, expAvgSq. Scalars: beta2, 1 − beta2, eps·√(1 − β₂ᵗ), gradStep·√(1 − β₂ᵗ),
 * expAvgStep·√(1 − β₂ᵗ), weightDecay, paramDecay, gradSign, the lerp factor of expAvg (weight
 * 1 − beta1; see lerp.ts).
 *
 * (gradStep·d + expAvgStep·m) / (√(v / (1 − β₂ᵗ)) + ε), multiplied through by √(1 − β₂ᵗ), is one
 * division and one square root where the TypeScript kernel has three divisions.
 */
@inline function body<T>(
  i: u32, p: usize, g: usize, m: usize, v: usize,
  beta2: v128, weight2: v128, eps: v128, gradStep: v128, expAvgStep: v128, decay: v128,
  paramDecay: v128, weight1: v128,
  maximizes: bool, decays: bool, shrinks: bool, fromEnd: bool, one: bool,
  keyM: v128, keyV: v128, format: u32,
): void {
  const o = at<T>(i);
  let x = ld<T>(p + o, one);
  if (shrinks) x = v128.mul<T>(x, paramDecay);
  const d = gradient<T>(ld<T>(g + o, one), x, decay, maximizes, decays);
  const mt = stm<T>(m, o, lerp<T>(ldm<T>(m, o, one, format), d, weight1, fromEnd), one, format, keyM, i);
  const vt = stm<T>(v, o, averageSquare<T>(ldm<T>(v, o, one, format), d, beta2, weight2), one, format, keyV, i);
  const step = v128.add<T>(v128.mul<T>(gradStep, d), v128.mul<T>(expAvgStep, mt));
  st<T>(p + o, v128.sub<T>(x, v128.div<T>(step, v128.add<T>(v128.sqrt<T>(vt), eps))), one);
}

/** Where gradSign, weightDecay and paramDecay are among the scalars (see rareTerms). */
export const NADAM_TERMS: u32 = terms(7, 5, 6);

/** Steps elements [lo, hi) of a row; `rare` as table.ts sets it, `format` the moments' storage. */
@inline export function nadam<T>(row: usize, lo: u32, hi: u32, rare: bool, format: u32): void {
  const p = array(row, 0), g = array(row, 1), m = array(row, 2), v = array(row, 3);
  const beta2 = splat<T>(row, 0), weight2 = splat<T>(row, 1), eps = splat<T>(row, 2);
  const gradStep = splat<T>(row, 3), expAvgStep = splat<T>(row, 4), decay = splat<T>(row, 5);
  const paramDecay = splat<T>(row, 6), weight1 = splat<T>(row, 8);
  const maximizes = rare && scalar(row, 7) < 0;
  const decays = rare && scalar(row, 5) != 0, shrinks = rare && scalar(row, 6) != 1;
  const fromEnd = flag(row, LERP_FROM_END);
  const keyM = keyOf(row, 2), keyV = keyOf(row, 3);
  const L = lanes<T>();
  let i = lo;
  for (; i + 4 * L <= hi; i += 4 * L) {
    body<T>(i, p, g, m, v, beta2, weight2, eps, gradStep, expAvgStep, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, false, keyM, keyV, format);
    body<T>(i + L, p, g, m, v, beta2, weight2, eps, gradStep, expAvgStep, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, false, keyM, keyV, format);
    body<T>(i + 2 * L, p, g, m, v, beta2, weight2, eps, gradStep, expAvgStep, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, false, keyM, keyV, format);
    body<T>(i + 3 * L, p, g, m, v, beta2, weight2, eps, gradStep, expAvgStep, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, false, keyM, keyV, format);
  }
  for (; i + L <= hi; i += L) {
    body<T>(i, p, g, m, v, beta2, weight2, eps, gradStep, expAvgStep, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, false, keyM, keyV, format);
  }
  for (; i < hi; i++) {
    body<T>(i, p, g, m, v, beta2, weight2, eps, gradStep, expAvgStep, decay, paramDecay, weight1, maximizes, decays, shrinks, fromEnd, true, keyM, keyV, format);
  }
}
