/**
 * `torch.lerp`'s formula, start + weight·(end − start). PyTorch 2.x updates running averages with
 * it (`exp_avg.lerp_(grad, 1 − β)`); for weights of size 0.5 or more it works from the end so that
 * weight 1 returns `end` exactly, and copying that keeps descent's rounding PyTorch's.
 */
export function lerp(start: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5
    ? start + weight * (end - start)
    : end - (end - start) * (1 - weight);
}
