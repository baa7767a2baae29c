import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../src/lab/classifier.js';
import { registerExplicitTranspose } from '../../src/lab/matmul-transposed.js';
import { createRandom } from '../../src/lab/random.js';

const random = createRandom(0, 'matmul-transposed');
const values = (shape: number[]) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.normal()),
    shape,
  );

/** A · B by definition, in float64, from the operands' values as they are laid out. */
function reference(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean) {
  const x = transposeA ? tf.transpose(a, [0, 2, 1]) : a;
  const y = transposeB ? tf.transpose(b, [0, 2, 1]) : b;
  const [batch, n, k] = x.shape;
  const m = y.shape[2] as number;
  const [xs, ys] = [x.dataSync(), y.dataSync()];
  const out = new Float64Array(batch * n * m);
  for (let s = 0; s < batch; s++)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let sum = 0;
        for (let l = 0; l < k; l++) sum += xs[s * n * k + i * k + l] * ys[s * k * m + l * m + j];
        out[s * n * m + i * m + j] = sum;
      }
  return out;
}

describe('registerExplicitTranspose', () => {
  it('gives the products with transposed operands, batched too, after wrapping (twice)', async () => {
    await useWasmBackend();
    registerExplicitTranspose('wasm');
    registerExplicitTranspose('wasm'); // a second call leaves the wrapped kernel as it is
    const a = values([2, 5, 3]);
    const b = values([2, 5, 4]);
    const c = values([2, 4, 3]);
    const e = values([2, 4, 5]);
    for (const [x, y, ta, tb] of [
      [a, b, true, false],
      [b, c, false, false],
      [a, e, true, true],
      [values([2, 3, 5]), e, false, true],
    ] as const) {
      const product = tf.matMul(x, y, ta, tb);
      const expected = reference(x, y, ta, tb);
      expect(product.shape).toEqual([
        2,
        ta ? x.shape[2] : x.shape[1],
        tb ? y.shape[1] : y.shape[2],
      ]);
      const got = product.dataSync();
      for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i], 4);
    }
  });

  it('keeps gradients of a dense layer right (dW = xᵀ·dy, dx = dy·Wᵀ)', async () => {
    await useWasmBackend();
    registerExplicitTranspose('wasm');
    const x = values([6, 4]);
    const w = tf.variable(values([4, 3]), true, 'explicit-transpose-w');
    const { value, grads } = tf.variableGrads(
      () => tf.matMul(x, w).square().sum() as tf.Scalar,
      [w],
    );
    const dw = grads['explicit-transpose-w'];
    value.dispose();
    // d/dW Σ (xW)² = xᵀ · 2xW.
    const expected = tf.tidy(() => tf.matMul(tf.transpose(x), tf.mul(2, tf.matMul(x, w))));
    const [got, want] = [dw.dataSync(), expected.dataSync()];
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
    tf.dispose([dw, expected]);
  });

  it('leaves no tensor behind but the product, outside any tidy', async () => {
    await useWasmBackend();
    registerExplicitTranspose('wasm');
    const [a, b] = [values([5, 3]), values([4, 5])];
    const before = tf.memory().numTensors;
    const product = tf.matMul(a, b, true, true);
    expect(tf.memory().numTensors).toBe(before + 1);
    product.dispose();
  });
});
