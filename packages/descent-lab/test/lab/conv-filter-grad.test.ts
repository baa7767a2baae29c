import '../../../../test/tfjs-setup.js';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { worstError } from '../../../descent/test/optim/reference.js';
import { registerConvFilterGrad } from '../../src/lab/conv-filter-grad.js';

/** The filter gradient of sum(conv2d(x, w) * r) on `backend`: x, w and r from fixed seeds. */
interface Case {
  xShape: [number, number, number, number];
  wShape: [number, number, number, number];
  strides: [number, number];
  pad: 'same' | 'valid' | number;
}

async function filterGradient(
  backend: string,
  { xShape, wShape, strides, pad }: Case,
): Promise<number[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.randomNormal(xShape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal(wShape, 0, 1, 'float32', 2) as tf.Tensor4D;
    const out = tf.conv2d(x, w, strides, pad);
    const r = tf.randomNormal(out.shape, 0, 1, 'float32', 3);
    const grad = tf.grad((filter: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, strides, pad), r)),
    )(w);
    return Array.from(grad.dataSync());
  });
}

describe('Conv2DBackpropFilter for the wasm backend', () => {
  beforeAll(async () => {
    registerConvFilterGrad('wasm');
    await tf.setBackend('wasm');
  });

  const cases: [string, Case][] = [
    [
      'LeNet first layer (same)',
      { xShape: [4, 28, 28, 1], wShape: [5, 5, 1, 6], strides: [1, 1], pad: 'same' },
    ],
    [
      'LeNet second layer (valid)',
      { xShape: [4, 14, 14, 6], wShape: [5, 5, 6, 16], strides: [1, 1], pad: 'valid' },
    ],
    [
      'stride 2, same',
      { xShape: [2, 9, 11, 3], wShape: [3, 3, 3, 4], strides: [2, 2], pad: 'same' },
    ],
    [
      'stride 3, rows left unused',
      { xShape: [2, 10, 8, 2], wShape: [3, 2, 2, 3], strides: [3, 2], pad: 'valid' },
    ],
    ['explicit pad', { xShape: [3, 7, 9, 2], wShape: [3, 4, 2, 2], strides: [1, 2], pad: 1 }],
  ];

  it.each(cases)('agrees with the cpu backend: %s', async (_, c) => {
    const expected = await filterGradient('cpu', c);
    const actual = await filterGradient('wasm', c);
    expect(actual).toHaveLength(c.wShape.reduce((a, b) => a * b, 1));
    expect(worstError(actual, expected, 1e-5)).toBeLessThanOrEqual(1);
  });

  it('leaks no tensor', async () => {
    await filterGradient('wasm', cases[0][1]);
    const before = tf.memory().numTensors;
    await filterGradient('wasm', cases[0][1]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
