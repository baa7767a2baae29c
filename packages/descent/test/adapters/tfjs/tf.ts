import * as tf from '@tensorflow/tfjs';

/**
 * tfjs for the adapter's tests, on the cpu backend: Node has no tfjs-node here (its install
 * downloads a binary), and the wasm backend lacks the gradient of conv2d's filter.
 */
await tf.setBackend('cpu');

export { tf };

/** A small classification problem: a seeded two-layer model, 32 examples, 3 classes. */
export function problem(seed: number) {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [4],
        units: 6,
        activation: 'tanh',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        biasInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: seed + 1 }),
      }),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
      }),
    ],
  });
  const x = tf.randomNormal([32, 4], 0, 1, 'float32', seed + 3);
  const labels = tf.argMax(tf.matMul(x, tf.randomNormal([4, 3], 0, 1, 'float32', seed + 4)), 1);
  const y = tf.oneHot(labels as tf.Tensor1D, 3);
  return { model, x, y };
}
