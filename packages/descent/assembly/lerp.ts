/**
 * torch.lerp(start, end, w) for a constant weight, as src/kernels/lerp.ts: start + w·(end − start)
 * for |w| < 0.5, else end − (end − start)·(1 − w). A row whose weight is 0.5 or more sets
 * LERP_FROM_END and passes 1 − w as the weight.
 */
export const LERP_FROM_END: u32 = 1 << 16;

@inline export function lerp<T>(start: v128, end: v128, weight: v128, fromEnd: bool): v128 {
  const diff = v128.sub<T>(end, start);
  return fromEnd
    ? v128.sub<T>(end, v128.mul<T>(diff, weight))
    : v128.add<T>(start, v128.mul<T>(weight, diff));
}
