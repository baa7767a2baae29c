import * as tf from '@tensorflow/tfjs';
import { tfOptimizer } from 'descent/tfjs';
import type { FashionMnist } from '../data/fashion-mnist.js';
import {
  type ClassifierOptions,
  type ClassifierProgress,
  type ClassifierState,
  type EpochRecord,
  initLikePyTorch,
  trainClassifier,
  useWasmBackend,
} from './classifier.js';
import type { Random } from './random.js';

/**
 * The chapter's scheduling runs: LeNet on Fashion-MNIST, trained with TensorFlow.js and descent's
 * SGD through the tfjs adapter (the loop: classifier.ts).
 */

export type { EpochRecord };
export type LeNetProgress = ClassifierProgress;
export type LeNetState = ClassifierState;

export interface LeNetOptions
  extends Pick<ClassifierOptions, 'epochs' | 'onProgress' | 'resume' | 'onEpoch'> {
  /** The learning rate of epoch t = 0, 1, 2, ... */
  schedule: (epoch: number) => number;
  /** Default 256, the book's. */
  batchSize?: number;
  /** Initial weights and the order of the examples in each epoch. */
  random: Random;
}

/**
 * The modernized LeNet of the book's learning-rate-scheduling section: ReLU activations and max
 * pooling (the original LeNet of its convolutional chapter has sigmoids and average pooling).
 *
 *     conv 5×5, 6 channels, padding 2 → ReLU → max pool 2×2
 *     conv 5×5, 16 channels → ReLU → max pool 2×2 → flatten
 *     dense 120 → ReLU → dense 84 → ReLU → dense 10
 *
 * Weights and biases start as PyTorch's defaults do: uniform on ±1/√fan_in.
 */
export function leNet(random: Random): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 120, activation: 'relu' }),
      tf.layers.dense({ units: 84, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  return initLikePyTorch(model, random);
}

/**
 * Trains a fresh LeNet with minibatch SGD (no momentum) at the schedule's rate, batch 256 by
 * default, the examples shuffled each epoch; the book's `train` of its scheduling section.
 */
export async function trainLeNet(
  data: FashionMnist,
  options: LeNetOptions,
): Promise<EpochRecord[]> {
  const { schedule, batchSize = 256, random } = options;
  if (data.train.rows !== 28 || data.train.cols !== 28) {
    throw new RangeError(
      `LeNet takes 28 × 28 images; ${data.dir} has ${data.train.rows} × ${data.train.cols}`,
    );
  }
  await useWasmBackend();
  return trainClassifier(data, {
    ...options,
    model: leNet(random),
    optimizer: tfOptimizer('SGD', { lr: schedule(0) }),
    batchSize,
  });
}
