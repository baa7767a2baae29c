import type { FloatArray } from '../core/param.js';
import { lerp } from './lerp.js';
import { scheduleFreeMoveSimd, scheduleFreeSimd } from './wasm/schedule-free.js';

/**
 * The kernels of Schedule-Free (Defazio et al. 2024): the step of the point y where gradients are
 * taken, of the base sequence z, and the move between y and the averaged point x. Each runs in
 * WebAssembly when its arrays are in the arena (src/kernels/wasm/); these loops are the
 * reference and the fallback.
 */

/** The scalars of a Schedule-Free step, the same for every parameter of a group. */
export interface ScheduleFreeScalars {
  /** γ_t: the learning rate after warmup. */
  lr: number;
  /** c_{t+1} = w_t / Σ w: the weight of z in the new average. */
  ckp1: number;
  /** β: the interpolation y = (1 − β) z + β x (momentum, or AdamW's β₁). */
  beta: number;
  /** λ: weight decay, λ y added to the (normalized) gradient. */
  weightDecay: number;
}

/** The scalars of a Schedule-Free AdamW step. */
export interface ScheduleFreeAdamWScalars extends ScheduleFreeScalars {
  beta2: number;
  eps: number;
  /** 1 − β₂ᵗ. */
  biasCorrection2: number;
}

/**
 * One Schedule-Free step of y (the parameter) and z, in place, from the step direction u (the
 * gradient, or AdamW's normalized one), as the reference writes it:
 * y ← lerp(y, z, c) + γ (β (1 − c) − 1) u, z ← z − γ u, with u ← u + λ y first.
 */
function stepYZ(p: FloatArray, z: FloatArray, i: number, u: number, s: ScheduleFreeScalars): void {
  const y = p[i];
  const d = s.weightDecay !== 0 ? u + s.weightDecay * y : u;
  p[i] = lerp(y, z[i], s.ckp1) + d * (s.lr * (s.beta * (1 - s.ckp1) - 1));
  z[i] = z[i] - s.lr * d;
}

/** One Schedule-Free SGD step over a tensor: u is the gradient. */
export function scheduleFreeSgdKernel(
  p: FloatArray,
  g: FloatArray,
  z: FloatArray,
  s: ScheduleFreeScalars,
): void {
  if (scheduleFreeSimd(p, g, z, null, s)) return;
  for (let i = 0; i < p.length; i++) stepYZ(p, z, i, g[i], s);
}

/**
 * One Schedule-Free AdamW step over a tensor: v ← β₂ v + (1 − β₂) g², and u is the gradient over
 * √(v / (1 − β₂ᵗ)) + ε.
 */
export function scheduleFreeAdamWKernel(
  p: FloatArray,
  g: FloatArray,
  z: FloatArray,
  expAvgSq: FloatArray,
  s: ScheduleFreeAdamWScalars,
): void {
  if (scheduleFreeSimd(p, g, z, expAvgSq, s)) return;
  const weight2 = 1 - s.beta2;
  for (let i = 0; i < p.length; i++) {
    // Read back from the array so that float32 state rounds as the reference's does.
    expAvgSq[i] = s.beta2 * expAvgSq[i] + weight2 * g[i] * g[i];
    const denom = Math.sqrt(expAvgSq[i] / s.biasCorrection2) + s.eps;
    stepYZ(p, z, i, g[i] / denom, s);
  }
}

/**
 * Moves a parameter between y and x along z, in place: p ← lerp(p, z, weight), with weight
 * 1 − 1/β from y to x (eval) and 1 − β from x to y (train).
 */
export function scheduleFreeMoveKernel(p: FloatArray, z: FloatArray, weight: number): void {
  if (scheduleFreeMoveSimd(p, z, weight)) return;
  for (let i = 0; i < p.length; i++) p[i] = lerp(p[i], z[i], weight);
}
