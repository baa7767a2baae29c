import * as tf from '@tensorflow/tfjs';
import { initLikePyTorch } from './classifier.js';
import type { Random } from './random.js';

/**
 * The classifier of `descent compare --task fashion-mnist` (and `synthetic`): a multilayer
 * perceptron on 28 × 28 images,
 *
 *     flatten → dense 512 → ReLU → dense 10
 *
 * Its two kernels, 784 × 512 = 401,408 and 512 × 10 = 5,120 elements, both hold at least
 * min8bitSize's default 4,096, so with int8 state every weight matrix goes to 8-bit blocks (only
 * the biases, 512 and 10, keep float32 state). Weights start as PyTorch's defaults do.
 */
export const mlpHidden = 512;

export function mlp(random: Random): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: mlpHidden, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  return initLikePyTorch(model, random);
}
