import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Param } from 'descent';
import type { DescentOptimizer } from 'descent/tfjs';
import type { FashionMnist, ImageSet } from '../data/fashion-mnist.js';
import { registerConvFilterGrad } from './conv-filter-grad.js';
import type { Random } from './random.js';

/**
 * The lab's image classifiers (the scheduling section's LeNet, compare's MLP) on 28 × 28 grey
 * images in ten classes, trained with TensorFlow.js and a descent optimizer through the tfjs
 * adapter, on tfjs's WebAssembly backend (tfjs-node cannot be installed here, and the wasm
 * backend is several times faster than the cpu one once it has the filter gradient of conv2d,
 * see conv-filter-grad.ts).
 */

/** The two splits a classifier trains and is tested on: Fashion-MNIST's, or a synthetic set's. */
export type ImageSplits = Pick<FashionMnist, 'train' | 'test'>;

export interface EpochRecord {
  /** The learning rate of this epoch. */
  lr: number;
  /** Mean loss and accuracy of the epoch's minibatches, each taken before its update (as the book). */
  trainLoss: number;
  trainAcc: number;
  /** Accuracy and mean cross-entropy on the test set after the epoch. */
  testAcc: number;
  testLoss: number;
  /** Wall-clock seconds of the epoch's training, and of its test evaluation. */
  trainSeconds: number;
  testSeconds: number;
}

/** How far a run has gone: the epochs done and their records. */
export interface ClassifierProgress {
  epoch: number;
  records: EpochRecord[];
}

/** What a checkpoint of a run holds: the model's weights and the optimizer. */
export interface ClassifierState {
  /**
   * A copy of the model's weights, named by layer as PyTorch names a Sequential's ("0.kernel",
   * "0.bias", "2.kernel", ...): tfjs's own names change with every model a process builds.
   */
  params: Param[];
  optimizer: DescentOptimizer;
}

export interface ClassifierOptions {
  /** A fresh model, its weights initialized (`initLikePyTorch`), taking [n, 28, 28, 1] images. */
  model: tf.Sequential;
  /** The optimizer that trains it; the loop disposes of both. */
  optimizer: DescentOptimizer;
  /** The learning rate of epoch t = 0, 1, 2, ...; default: the optimizer's own, unchanged. */
  schedule?: (epoch: number) => number;
  epochs: number;
  batchSize: number;
  /** The order of the examples in each epoch. */
  random: Random;
  /** Called after each minibatch with the examples seen so far and the total. */
  onProgress?(examples: number, total: number): void;
  /**
   * Restores a run saved by `onEpoch` into `model` (its weights and the optimizer's state) and
   * says where it stopped; null to start afresh. The shuffles of the epochs done are replayed,
   * so the run goes on exactly as it would have.
   */
  resume?(model: ClassifierState): ClassifierProgress | null;
  /** Called after each epoch, with the records so far: where a run saves itself. */
  onEpoch?(progress: ClassifierProgress, model: ClassifierState): void;
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
 * Sets every layer's weights and biases as PyTorch's defaults start them: uniform on ±1/√fan_in,
 * fan_in being the kernel's size but for its last (output) dimension. Drawn from `random` layer
 * by layer, so a seed gives the same model on every machine.
 */
export function initLikePyTorch(model: tf.Sequential, random: Random): tf.Sequential {
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

const oneHot = (labels: Int32Array): tf.Tensor =>
  tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));

/** Accuracy and mean cross-entropy of the model on a whole set, a thousand images at a time. */
function evaluate(model: tf.Sequential, set: ImageSet): { accuracy: number; loss: number } {
  const chunk = 1000;
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < set.count; start += chunk) {
    const indices = Array.from({ length: Math.min(chunk, set.count - start) }, (_, k) => start + k);
    const { x, labels } = batch(set, indices);
    const logits = model.predict(x) as tf.Tensor;
    const y = oneHot(labels);
    const loss = tf.losses.softmaxCrossEntropy(y, logits);
    correct += countCorrect(logits, labels);
    lossSum += loss.dataSync()[0] * labels.length;
    tf.dispose([x, y, logits, loss]);
  }
  return { accuracy: correct / set.count, loss: lossSum / set.count };
}

/**
 * Trains `model` with minibatch steps of `optimizer` on softmax cross-entropy, the examples
 * shuffled each epoch, evaluating on the test set after each epoch; the book's `train` of its
 * scheduling section.
 */
export async function trainClassifier(
  data: ImageSplits,
  options: ClassifierOptions,
): Promise<EpochRecord[]> {
  const { model, optimizer, schedule, epochs, batchSize, random } = options;
  const weights = namedWeights(model);
  // Mirrored before the first step, so that a saved state can be loaded into the optimizer.
  optimizer.track(weights.map((w) => w.variable));
  const state = (values: (w: (typeof weights)[number]) => Float32Array): ClassifierState => ({
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
    if (schedule !== undefined) optimizer.paramGroups[0].lr = schedule(epoch);
    const lr = Number(optimizer.paramGroups[0].lr);
    random.shuffle(order);
    let lossSum = 0;
    let correct = 0;
    const began = performance.now();
    for (let start = 0; start < n; start += batchSize) {
      const { x, labels } = batch(
        data.train,
        order.subarray(start, Math.min(start + batchSize, n)),
      );
      const y = oneHot(labels);
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
    const test = evaluate(model, data.test);
    const record = {
      lr,
      trainLoss: lossSum / n,
      trainAcc: correct / n,
      testAcc: test.accuracy,
      testLoss: test.loss,
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
