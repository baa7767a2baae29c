import { type FloatArray, isFloatArray, type Param } from '../core/param.js';
import { describeStored } from '../core/serialize.js';
import {
  checkBoolean,
  checkKnownOptions,
  checkNonNegative,
  checkPositive,
} from '../core/validate.js';
import { checkGradient } from './optimizer.js';
import { describeParam } from './param-arrays.js';

/** The options of {@link clipGradNorm}, PyTorch's in camelCase (`norm_type`, `error_if_nonfinite`). */
export interface ClipGradNormOptions {
  /**
   * p, the order of the norm: a number > 0 (2, the Euclidean norm; 1, the sum of magnitudes; 0.5,
   * ...) or Infinity (the largest magnitude). Default 2. (PyTorch also takes 0, the count of
   * nonzero entries, and negative orders: neither scales with the gradients, so clipping by them
   * is no clipping; both are refused.)
   */
  normType?: number;
  /**
   * Throw a RangeError, changing nothing, when the total norm is NaN or infinite, rather than
   * scale the gradients by it (which makes them NaN or zeros). Default false, as PyTorch's.
   */
  errorIfNonfinite?: boolean;
}

/** What one gradient is called in messages: `the gradient of parameter "w"`, `gradient 2`. */
export type GradientNames = (index: number) => string;

/**
 * The parameters a clipping function takes: one parameter or any iterable of them (an
 * optimizer's parameters: `optimizer.paramGroups.flatMap((g) => g.params)`).
 */
export type ClipParams = Param | Iterable<Param>;

function paramsOf(params: ClipParams): Param[] {
  if (params !== null && typeof params === 'object' && isFloatArray((params as Param).data)) {
    return [params as Param];
  }
  if (params === null || typeof (params as Iterable<Param>)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(
      `Invalid params: ${String(params)} (expected a parameter or an iterable of parameters)`,
    );
  }
  const list = [...(params as Iterable<Param>)];
  list.forEach((p, i) => {
    if (p === null || typeof p !== 'object' || !isFloatArray(p.data)) {
      throw new TypeError(
        `Invalid params[${i}]: ${describeStored(p)} (expected a parameter { data: Float32Array | Float64Array, grad })`,
      );
    }
  });
  return list;
}

/** The gradients of the parameters that have one, checked as an optimizer's step checks them. */
function gradientsOf(params: ClipParams): { grads: FloatArray[]; names: GradientNames } {
  const list = paramsOf(params);
  const withGrad: Param[] = [];
  for (const p of list) {
    checkGradient(p);
    if (p.grad !== null && p.grad !== undefined) withGrad.push(p);
  }
  return {
    grads: withGrad.map((p) => p.grad as FloatArray),
    names: (i) => {
      const p = withGrad[i];
      return `the gradient of ${describeParam(p, list.indexOf(p))}`;
    },
  };
}

/**
 * Checks the options of a norm clipping: maxNorm > 0 (Infinity measures the norm without
 * clipping), normType > 0 or Infinity, errorIfNonfinite a boolean.
 */
function clipNormOptions(
  maxNorm: unknown,
  options: ClipGradNormOptions,
): { normType: number; errorIfNonfinite: boolean } {
  checkPositive('maxNorm', maxNorm, 'maximal norm');
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Invalid options: ${String(options)} (expected an object)`);
  }
  checkKnownOptions(options, ['normType', 'errorIfNonfinite'], 'clipGradNorm');
  const { normType = 2, errorIfNonfinite = false } = options;
  checkPositive('normType', normType, 'norm type');
  checkBoolean('errorIfNonfinite', errorIfNonfinite);
  return { normType, errorIfNonfinite };
}

/**
 * The p-norm of all the gradients as one vector, (Σᵢ Σⱼ |gᵢⱼ|^p)^(1/p), or max |gᵢⱼ| for p = ∞,
 * accumulated in double precision. NaN anywhere gives NaN, as in PyTorch (whose ∞-norm takes the
 * maximum with NaN propagating).
 */
function totalNorm(grads: readonly FloatArray[], normType: number): number {
  if (normType === Infinity) {
    let max = 0;
    for (const g of grads) {
      for (let i = 0; i < g.length; i++) {
        const a = Math.abs(g[i]);
        if (!(a <= max)) {
          if (Number.isNaN(a)) return Number.NaN;
          max = a;
        }
      }
    }
    return max;
  }
  let sum = 0;
  for (const g of grads) {
    if (normType === 2) {
      for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
    } else if (normType === 1) {
      for (let i = 0; i < g.length; i++) sum += Math.abs(g[i]);
    } else {
      for (let i = 0; i < g.length; i++) sum += Math.abs(g[i]) ** normType;
    }
  }
  return normType === 1 ? sum : normType === 2 ? Math.sqrt(sum) : sum ** (1 / normType);
}

/** The first element of the gradients that is NaN or infinite, for messages; null if none. */
export function firstNonFinite(
  grads: readonly FloatArray[],
): { tensor: number; index: number; value: number } | null {
  for (let tensor = 0; tensor < grads.length; tensor++) {
    const g = grads[tensor];
    for (let index = 0; index < g.length; index++) {
      if (!Number.isFinite(g[index])) return { tensor, index, value: g[index] };
    }
  }
  return null;
}

/**
 * Clips gradient arrays in place to a total norm of at most `maxNorm` and returns their total
 * norm before clipping: the one implementation behind {@link clipGradNorm} and the tfjs adapter's
 * `clipByGlobalNorm`. Everything is checked before any gradient changes.
 */
export function clipGradArrays(
  grads: readonly FloatArray[],
  maxNorm: number,
  options: ClipGradNormOptions,
  names: GradientNames,
): number {
  const { normType, errorIfNonfinite } = clipNormOptions(maxNorm, options);
  if (grads.length === 0) return 0;
  const total = totalNorm(grads, normType);
  if (errorIfNonfinite && !Number.isFinite(total)) {
    const found = firstNonFinite(grads);
    const where =
      found === null
        ? 'every gradient is finite, but the norm overflows'
        : `${names(found.tensor)} is ${found.value} at index ${found.index}`;
    throw new RangeError(
      `Invalid gradients: their total norm of order ${normType} is ${total}, so they cannot be clipped (${where}); to scale them by it anyway, set errorIfNonfinite to false`,
    );
  }
  // PyTorch 2.x's clip_grad_norm_: the coefficient is clamped to 1 rather than tested, so a NaN
  // norm makes every gradient NaN and an infinite one makes them zeros (and NaN where infinite).
  const coefficient = Math.min(maxNorm / (total + 1e-6), 1);
  // Multiplying by 1 changes no value, NaN and -0 included.
  if (coefficient !== 1) {
    for (const g of grads) {
      for (let i = 0; i < g.length; i++) g[i] *= coefficient;
    }
  }
  return total;
}

/**
 * Scales the gradients of `params` in place so that their total norm, taken over all of them as
 * one vector, is at most `maxNorm`, and returns that norm before clipping: PyTorch's
 * `torch.nn.utils.clip_grad_norm_` (2.x), for a custom loop, between computing the gradients and
 * the optimizer's step.
 *
 *     ‖g‖_p = (Σᵢ ‖gᵢ‖_p^p)^(1/p)      (‖g‖_∞ = maxᵢ ‖gᵢ‖_∞; p = normType)
 *     gᵢ ← gᵢ · min(1, maxNorm / (‖g‖_p + 10⁻⁶))
 *
 * Parameters whose `grad` is null are skipped. The norm is accumulated in double precision (for
 * float32 gradients PyTorch's is float32, a difference of rounding) and each gradient keeps its
 * element type. A NaN or infinite norm scales the gradients to NaN or zeros, as PyTorch's does,
 * unless `errorIfNonfinite`: then a RangeError names the first non-finite gradient and nothing
 * changes. Bad arguments throw a TypeError or RangeError naming them, before any change.
 *
 *     optimizer.zeroGrad();
 *     computeGradients();
 *     clipGradNorm(params, 1);
 *     optimizer.step();
 */
export function clipGradNorm(
  params: ClipParams,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): number {
  const { grads, names } = gradientsOf(params);
  return clipGradArrays(grads, maxNorm, options, names);
}

/**
 * Clamps every gradient element of `params` in place to [−clipValue, clipValue]: PyTorch's
 * `torch.nn.utils.clip_grad_value_`. Parameters whose `grad` is null are skipped; NaN stays NaN,
 * as in PyTorch's `clamp`. `clipValue` is a number >= 0 (Infinity clips nothing); a bad argument
 * throws a TypeError or RangeError naming it, before any change.
 */
export function clipGradValue(params: ClipParams, clipValue: number): void {
  const c = checkNonNegative('clipValue', clipValue, 'clip value');
  const { grads } = gradientsOf(params);
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      const x = g[i];
      if (x > c) g[i] = c;
      else if (x < -c) g[i] = -c;
    }
  }
}
