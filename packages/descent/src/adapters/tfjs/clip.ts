import * as tf from '@tensorflow/tfjs-core';
import { checkPositive } from '../../core/validate.js';

/**
 * Scales gradients so that their global L2 norm (over all of them, as one vector) is at most
 * `maxNorm`, with PyTorch's `clip_grad_norm_` formula, for custom loops:
 *
 *     ‖g‖ = √(Σᵢ ‖gᵢ‖²),   gᵢ ← gᵢ · min(1, maxNorm / (‖g‖ + 1e-6))
 *
 * (TensorFlow's `clip_by_global_norm` multiplies by maxNorm / max(‖g‖, maxNorm) instead, without
 * the 1e-6.) Returns new gradients in the same form, a map or an array, and the norm before
 * clipping; the inputs are left as they are.
 *
 *     const { grads } = tf.variableGrads(loss);
 *     optimizer.applyGradients(clipByGlobalNorm(grads, 1).grads);
 */
export function clipByGlobalNorm<G extends tf.NamedTensorMap | tf.Tensor[]>(
  grads: G,
  maxNorm: number,
): {
  /** The clipped gradients, new tensors, in the form given. */
  grads: G;
  /** The global norm before clipping. */
  norm: tf.Scalar;
} {
  checkPositive('maxNorm', maxNorm, 'maximal norm');
  const tensors: tf.Tensor[] = Object.values(grads);
  if (tensors.length === 0) throw new RangeError('clipByGlobalNorm got no gradients');
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(tensors.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    const clipped = tensors.map((g) => tf.mul(g, scale));
    const out = Array.isArray(grads)
      ? clipped
      : Object.fromEntries(Object.keys(grads).map((name, i) => [name, clipped[i]]));
    return { grads: out as G, norm: norm as tf.Scalar };
  });
}
