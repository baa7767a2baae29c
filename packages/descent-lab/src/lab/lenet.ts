import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Param } from 'descent';
import { type DescentOptimizer, tfOptimizer } from 'descent/tfjs';
import type { FashionMnist, ImageSet } from '../data/fashion-mnist.js';
import { registerConvFilterGrad } from './conv-filter-grad.js';
import type { Random } from './random.js';

/**
 * The chapter's scheduling runs: LeNet on Fashion-MNIST, trained with TensorFlow.js and descent's
 * SGD through the tfjs adapter, on tfjs's WebAssembly backend (tfjs-node cannot be installed
 * here, and the wasm backend is several times faster than the cpu one once it has the filter
 * gradient of conv2d, see conv-filter-grad.ts).
 */

export interface EpochRecord {
  /** The learning rate of this epoch. */
  lr: number;
  /** Mean loss and accuracy of the epoch's minibatches, each taken before its update (as the book). */
  trainLoss: number;
  trainAcc: number;
  /** Accuracy on the test set after the epoch. */
  testAcc: number;
  /** Wall-clock seconds of the epoch's training, and of its test evaluation. */
  trainSeconds: number;
  testSeconds: number;
}

export interface LeNetOptions {
  /** The learning rate of epoch t = 0, 1, 2, ... */
  schedule: (epoch: number) => number;
  epochs: number;
  batchSize?: number;
  /** Initial weights and the order of the examples in each epoch. */
  random: Random;
  /** Called after each minibatch with the examples seen so far and the total. */
  onProgress?(examples: number, total: number): void;
  /**
   * Restores a run saved by `onEpoch` into `model` (its weights and the optimizer's state) and
   * says where it stopped; null to start afresh. The shuffles of the epochs done are replayed,
   * so the run goes on exactly as it would have.
   */
  resume?(model: LeNetState): LeNetProgress | null;
  /** Called after each epoch, with the records so far: where a run saves itself. */
  onEpoch?(progress: LeNetProgress, model: LeNetState): void;
}

/** How far a run has gone: the epochs done and their records. */
export interface LeNetProgress {
  epoch: number;
  records: EpochRecord[];
}

/** What a checkpoint of a run holds: the model's weights and the optimizer. */
export interface LeNetState {
  /**
   * A copy of the model's weights, named by layer as PyTorch names a Sequential's ("0.kernel",
   * "0.bias", "2.kernel", ...): tfjs's own names change with every model a process builds.
   */
  params: Param[];
  optimizer: DescentOptimizer;
}

let ready: Promise<void> | undefined;

/** Selects the wasm backend, with the conv2d filter gradient it lacks, once per process. */
export function useWasmBackend(): Promise<void> {
  ready ??= (async () => {
    registerConvFilterGrad('wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start its wasm backend');
  })();
  return ready;
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
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const [kernel] = weights;
    const fanIn = kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(fanIn);
    layer.setWeights(
      weights.map((w) => {
        const values = new Float32Array(w.size);
        for (let i = 0; i < values.length; i++) values[i] = (2 * random.uniform() - 1) * bound;
        return tf.tensor(values, w.shape);
      }),
    );
  }
  return model;
}

/**
 * The model's trainable variables in order, each named by its layer's position and its own name
 * ("0.kernel" for the kernel of the first layer).
 */
function namedWeights(model: tf.Sequential): { name: string; variable: tf.Variable }[] {
  return model.layers.flatMap((layer, i) =>
    layer.trainableWeights.map((weight) => ({
      name: `${i}.${weight.originalName.split('/').at(-1)}`,
      variable: weight.read() as tf.Variable,
    })),
  );
}

/** Images `indices` of a set as a [n, 28, 28, 1] tensor scaled to [0, 1], and their labels. */
function batch(set: ImageSet, indices: ArrayLike<number>): { x: tf.Tensor4D; labels: Int32Array } {
  const size = set.rows * set.cols;
  const pixels = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    const image = set.images.subarray(i * size, (i + 1) * size);
    for (let j = 0; j < size; j++) pixels[k * size + j] = image[j] / 255;
    labels[k] = set.labels[i];
  }
  return { x: tf.tensor4d(pixels, [indices.length, set.rows, set.cols, 1]), labels };
}

function countCorrect(logits: tf.Tensor, labels: Int32Array): number {
  const predicted = tf.tidy(() => tf.argMax(logits, 1)).dataSync();
  let correct = 0;
  for (let k = 0; k < labels.length; k++) if (predicted[k] === labels[k]) correct += 1;
  return correct;
}

function testAccuracy(model: tf.Sequential, set: ImageSet): number {
  const chunk = 1000;
  let correct = 0;
  for (let start = 0; start < set.count; start += chunk) {
    const indices = Array.from({ length: Math.min(chunk, set.count - start) }, (_, k) => start + k);
    const { x, labels } = batch(set, indices);
    const logits = model.predict(x) as tf.Tensor;
    correct += countCorrect(logits, labels);
    tf.dispose([x, logits]);
  }
  return correct / set.count;
}

/**
 * Trains a fresh LeNet with minibatch SGD (no momentum) at the schedule's rate, batch 256 by
 * default, the examples shuffled each epoch; the book's `train` of its scheduling section.
 */
export async function trainLeNet(
  data: FashionMnist,
  options: LeNetOptions,
): Promise<EpochRecord[]> {
  const { schedule, epochs, batchSize = 256, random } = options;
  if (data.train.rows !== 28 || data.train.cols !== 28) {
    throw new RangeError(
      `LeNet takes 28 × 28 images; ${data.dir} has ${data.train.rows} × ${data.train.cols}`,
    );
  }
  await useWasmBackend();
  const model = leNet(random);
  const optimizer = tfOptimizer('SGD', { lr: schedule(0) });
  const weights = namedWeights(model);
  // Mirrored before the first step, so that a saved state can be loaded into the optimizer.
  optimizer.track(weights.map((w) => w.variable));
  const state = (values: (w: (typeof weights)[number]) => Float32Array): LeNetState => ({
    params: weights.map((w) => ({ data: values(w), grad: null, name: w.name })),
    optimizer,
  });
  const n = data.train.count;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const records: EpochRecord[] = [];
  let done = 0;
  const restored = state((w) => new Float32Array(w.variable.size));
  const resumed = options.resume?.(restored) ?? null;
  if (resumed !== null) {
    tf.tidy(() => {
      weights.forEach((w, i) => {
        w.variable.assign(tf.tensor(restored.params[i].data, w.variable.shape, 'float32'));
      });
    });
    records.push(...resumed.records);
    done = resumed.epoch;
    for (let epoch = 0; epoch < done; epoch++) random.shuffle(order);
    options.onProgress?.(done * n, epochs * n);
  }
  for (let epoch = done; epoch < epochs; epoch++) {
    const lr = schedule(epoch);
    optimizer.paramGroups[0].lr = lr;
    random.shuffle(order);
    let lossSum = 0;
    let correct = 0;
    const began = performance.now();
    for (let start = 0; start < n; start += batchSize) {
      const { x, labels } = batch(
        data.train,
        order.subarray(start, Math.min(start + batchSize, n)),
      );
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));
      let logits: tf.Tensor | undefined;
      const loss = optimizer.minimize(() => {
        const out = model.apply(x, { training: true }) as tf.Tensor;
        logits = tf.keep(out);
        return tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar;
      }, true)!;
      lossSum += loss.dataSync()[0] * labels.length;
      correct += countCorrect(logits!, labels);
      tf.dispose([x, y, loss, logits!]);
      options.onProgress?.(epoch * n + Math.min(start + batchSize, n), epochs * n);
    }
    const trained = performance.now();
    const testAcc = testAccuracy(model, data.test);
    const record = {
      lr,
      trainLoss: lossSum / n,
      trainAcc: correct / n,
      testAcc,
      trainSeconds: (trained - began) / 1000,
      testSeconds: (performance.now() - trained) / 1000,
    };
    records.push(record);
    options.onEpoch?.(
      { epoch: epoch + 1, records },
      state((w) => w.variable.dataSync() as Float32Array),
    );
  }
  model.dispose();
  optimizer.dispose();
  return records;
}
