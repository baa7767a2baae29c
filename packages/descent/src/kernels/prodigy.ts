import type { FloatArray } from '../core/param.js';
import { SUM_BLOCK, total } from './partial-sums.js';
import { prodigyMomentsSimd, prodigyStepSimd } from './wasm/prodigy.js';

const same = (x: number): number => x;

/**
 * Rounds as the reference's tensor ops do, each result to the parameter's type: d's estimate
 * divides ⟨g, θ₀ − θ⟩, a difference of nearby values, so in float32 one rounding of θ more or
 * less changes it by far more than float32's precision.
 */
function rounding(p: FloatArray): (x: number) => number {
  return p instanceof Float32Array ? Math.fround : same;
}

/**
 * The kernels of Prodigy (Mishchenko and Defazio 2024): the pass that updates a tensor's moments
 * and adds its part to the sums that make the step size d, and the step itself.
 */

/** The scalars of Prodigy's first pass over a tensor. */
export interface ProdigyMomentScalars {
  /** λ of coupled weight decay (λ θ added to the gradient); 0 when decoupled. */
  coupledDecay: number;
  beta1: number;
  beta2: number;
  beta3: number;
  /** d, the current step size. */
  d: number;
  /** (d / d₀) · d·γ·bias correction: the weight of the gradient in the numerator's sum. */
  numeratorWeight: number;
  /** (d / d₀) · d (safeguardWarmup) or (d / d₀) · d·γ·bias correction: s's weight. */
  sWeight: number;
}

/**
 * Prodigy's first pass over a tensor with a learning rate above 0, in place: m ← β₁ m + d (1 − β₁)
 * g (when `expAvg`), v ← β₂ v + d² (1 − β₂) g², s ← β₃ s + sWeight · g; and into `sums`
 * (src/kernels/partial-sums.ts) each block's ⟨g, θ₀ − θ⟩ and Σ|s| after s's update, the parts
 * of d's estimate (see `prodigySums`). In WebAssembly when every array is in the arena
 * (src/kernels/wasm/); this loop is the reference and the fallback.
 */
export function prodigyMomentsKernel(
  p: FloatArray,
  g: FloatArray,
  p0: FloatArray,
  s: FloatArray,
  expAvg: FloatArray | null,
  expAvgSq: FloatArray,
  sums: Float64Array,
  k: ProdigyMomentScalars,
): void {
  if (prodigyMomentsSimd(p, g, p0, s, expAvg, expAvgSq, sums, k)) return;
  const { coupledDecay, beta1, beta2, beta3, d, sWeight } = k;
  const weight1 = d * (1 - beta1);
  const weight2 = d * d * (1 - beta2);
  const round = rounding(p);
  for (let start = 0, b = 0; start < p.length; start += SUM_BLOCK, b += 2) {
    let dot = 0;
    let sum = 0;
    for (let i = start; i < Math.min(p.length, start + SUM_BLOCK); i++) {
      const grad = coupledDecay !== 0 ? round(g[i] + coupledDecay * p[i]) : g[i];
      dot += grad * (p0[i] - p[i]);
      if (expAvg !== null) expAvg[i] = beta1 * expAvg[i] + weight1 * grad;
      expAvgSq[i] = beta2 * expAvgSq[i] + weight2 * grad * grad;
      s[i] = beta3 * s[i] + sWeight * grad;
      sum += Math.abs(s[i]);
    }
    sums[b] = dot;
    sums[b + 1] = sum;
  }
}

/** What a tensor's first pass adds to the sums of d's estimate. */
export interface ProdigySums {
  /** numeratorWeight · ⟨g, θ₀ − θ⟩. */
  numerator: number;
  /** Σ |s|, after s's update. */
  denominator: number;
}

/** A tensor's parts of d's estimate, from its first pass's block sums. */
export function prodigySums(sums: Float64Array, k: ProdigyMomentScalars): ProdigySums {
  return { numerator: k.numeratorWeight * total(sums, 0), denominator: total(sums, 1) };
}

/** The scalars of Prodigy's step of a tensor. */
export interface ProdigyStepScalars {
  /** λ of coupled weight decay; 0 when decoupled. */
  coupledDecay: number;
  /** λ of decoupled weight decay (θ ← θ − λ dlr θ); 0 when coupled. */
  decoupledDecay: number;
  /** d·γ·bias correction, with the d before this step's update. */
  dlr: number;
  /** The new d. */
  d: number;
  eps: number;
}

/**
 * Prodigy's step of a tensor, in place: θ ← θ − λ dlr θ (decoupled), then
 * θ ← θ − dlr · m / (√v + d ε), or, without a first moment (β₁ = 0), θ ← θ − dlr · d · g / (√v + d ε).
 */
export function prodigyStepKernel(
  p: FloatArray,
  g: FloatArray,
  expAvg: FloatArray | null,
  expAvgSq: FloatArray,
  k: ProdigyStepScalars,
): void {
  if (prodigyStepSimd(p, g, expAvg, expAvgSq, k)) return;
  const { coupledDecay, decoupledDecay, dlr, d } = k;
  const round = rounding(p);
  const dEps = d * k.eps;
  const decay = -decoupledDecay * dlr;
  const value = round(expAvg !== null ? -dlr : -dlr * d);
  for (let i = 0; i < p.length; i++) {
    // The gradient of the first pass: the parameter has not moved since.
    const grad = coupledDecay !== 0 ? round(g[i] + coupledDecay * p[i]) : g[i];
    const denom = round(round(Math.sqrt(expAvgSq[i])) + dEps);
    // The decay is its own rounded step, as the reference's add_ before its addcdiv_.
    const x = decoupledDecay !== 0 ? round(p[i] + p[i] * decay) : p[i];
    // addcdiv_: self + (value · t1) / t2, each operation rounded.
    p[i] =
      expAvg !== null
        ? x + round(round(value * expAvg[i]) / denom)
        : x + round(round(value * grad) / denom);
  }
}
