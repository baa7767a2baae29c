import * as tf from '@tensorflow/tfjs-core';
import { type ClipGradNormOptions, clipGradArrays } from '../../optim/clip-grad.js';

/**
 * Scales gradients so that their global norm (over all of them, as one vector) is at most
 * `maxNorm`, for custom loops: {@link descent!clipGradNorm | descent's clipGradNorm} (PyTorch's
 * `clip_grad_norm_`; the same code, with its options `normType` and `errorIfNonfinite`), on
 * tensors:
 *
 *     ‖g‖ = √(Σᵢ ‖gᵢ‖²),   gᵢ ← gᵢ · min(1, maxNorm / (‖g‖ + 1e-6))      (normType 2)
 *
 * (TensorFlow's `clip_by_global_norm` multiplies by maxNorm / max(‖g‖, maxNorm) instead, without
 * the 1e-6.) The gradients are read from the backend (`dataSync`, as the adapter's optimizer
 * reads them), clipped there in double precision, and returned as new float32 tensors in the
 * same form, a map or an array, with the norm before clipping; the inputs are left as they are.
 *
 *     const { grads } = tf.variableGrads(loss);
 *     optimizer.applyGradients(clipByGlobalNorm(grads, 1).grads);
 */
export function clipByGlobalNorm<G extends tf.NamedTensorMap | tf.Tensor[]>(
  grads: G,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): {
  /** The clipped gradients, new tensors, in the form given. */
  grads: G;
  /** The global norm before clipping. */
  norm: tf.Scalar;
} {
  const names = Array.isArray(grads) ? null : Object.keys(grads);
  const tensors: tf.Tensor[] = Object.values(grads);
  if (tensors.length === 0) throw new RangeError('clipByGlobalNorm got no gradients');
  const nameOf = (i: number) =>
    names === null ? `gradient ${i}` : `gradient ${JSON.stringify(names[i])}`;
  tensors.forEach((g, i) => {
    if (!(g instanceof tf.Tensor) || g.dtype !== 'float32') {
      throw new TypeError(
        `Invalid ${nameOf(i)}: ${g instanceof tf.Tensor ? `a ${g.dtype} tensor` : String(g)} (expected a float32 tensor)`,
      );
    }
  });
  // Copies: the cpu backend's dataSync returns the tensor's own values.
  const arrays = tensors.map((g) => Float32Array.from(g.dataSync() as Float32Array));
  const norm = clipGradArrays(arrays, maxNorm, options, nameOf);
  const clipped = arrays.map((values, i) => tf.tensor(values, tensors[i].shape, 'float32'));
  const out =
    names === null ? clipped : Object.fromEntries(names.map((name, i) => [name, clipped[i]]));
  return { grads: out as G, norm: tf.scalar(norm, 'float32') };
}
