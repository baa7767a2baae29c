import '../../../../../test/tfjs-setup.js';
import { describe, expect, it } from 'vitest';
import { tfOptimizer } from '../../../src/adapters/tfjs/index.js';
import { worstError } from '../../optim/reference.js';
import { problem, tf } from './tf.js';

/**
 * descent through the adapter against tfjs's own optimizers, on the same model, data and seed,
 * wherever the two define the same update. SGD, with or without momentum, gives the very same
 * weights. The others differ in rounding only: tfjs computes in float32 tensor ops, descent in
 * double precision rounded to float32 once per update, so after 40 steps they agree to 2e-6
 * (Adam) and 4e-7 (RMSprop, Adagrad) of the weights' size; the tests allow 1e-5.
 *
 * Where tfjs's definitions differ from PyTorch's (descent's):
 * - Adam: the same update; tfjs's default epsilon is 1e-7 (the backend's), PyTorch's 1e-8. But
 *   tfjs keeps β₁ᵗ and β₂ᵗ as float32 running products of the float32 β, so its bias correction
 *   1 − β₂ᵗ starts from 1 − fl32(0.999) = 0.000999987, 1.3e-5 off: with the default betas the
 *   two agree to about 1e-5, and to rounding with betas exact in float32 (0.875, 1 − 2⁻¹⁰).
 * - SGD with momentum: tfjs's MomentumOptimizer is PyTorch's SGD with dampening 0 (its buffer
 *   starts at 0, so its first value is the gradient, as PyTorch's is), Nesterov included.
 * - RMSprop: tfjs adds epsilon inside the square root, √(v + ε), PyTorch outside, √v + ε; and
 *   tfjs folds the learning rate into the momentum buffer, which is the same while it is constant.
 *   With ε = 0 both are √v, so the comparison sets eps 0 (the model's gradients are never exactly
 *   zero: tanh and softmax).
 * - Adagrad: tfjs starts the accumulator at 0.1 (PyTorch at 0: set initialAccumulatorValue 0.1)
 *   and divides by √(s + 1e-7) with the backend's fixed epsilon inside the root; PyTorch by
 *   √s + ε. With s ≥ 0.1 the two denominators differ by at most 1.6e-7, 5e-7 of their size.
 */

const tolerance = 1e-5;

/** Weights before and after 10 epochs of 4 batches on the seeded problem. */
async function train(optimizer: tf.Optimizer) {
  const { model, x, y } = problem(11);
  const read = () => model.getWeights().map((w) => Array.from(w.dataSync()));
  const initial = read();
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 10, batchSize: 8, shuffle: false, verbose: 0 });
  const final = read();
  model.dispose();
  tf.dispose([x, y]);
  return { initial, final };
}

/** The largest error over all weight tensors, in units of the tolerance (<= 1 passes). */
function worst(actual: number[][], expected: number[][]): number {
  return Math.max(...expected.map((w, i) => worstError(actual[i], w, tolerance)));
}

describe('the adapter agrees with tfjs where their definitions agree', () => {
  const cases: [string, () => tf.Optimizer, () => tf.Optimizer, ('exact' | 'close')?][] = [
    [
      'Adam (betas exact in float32)',
      () => tf.train.adam(0.01, 0.875, 0.9990234375, 1e-8),
      () => tfOptimizer('Adam', { lr: 0.01, betas: [0.875, 0.9990234375] }),
    ],
    [
      'SGD with momentum',
      () => tf.train.momentum(0.1, 0.9),
      () => tfOptimizer('SGD', { lr: 0.1, momentum: 0.9 }),
      'exact',
    ],
    [
      'SGD with Nesterov momentum',
      () => tf.train.momentum(0.1, 0.8, true),
      () => tfOptimizer('SGD', { lr: 0.1, momentum: 0.8, nesterov: true }),
      'exact',
    ],
    ['SGD', () => tf.train.sgd(0.3), () => tfOptimizer('SGD', { lr: 0.3 }), 'exact'],
    [
      'RMSprop (eps 0)',
      () => tf.train.rmsprop(0.01, 0.9, 0, 0),
      () => tfOptimizer('RMSprop', { lr: 0.01, alpha: 0.9, eps: 0 }),
    ],
    [
      'RMSprop, centered with momentum (eps 0)',
      () => tf.train.rmsprop(0.01, 0.9, 0.5, 0, true),
      () => tfOptimizer('RMSprop', { lr: 0.01, alpha: 0.9, eps: 0, momentum: 0.5, centered: true }),
    ],
    [
      'Adagrad (accumulator from 0.1)',
      () => tf.train.adagrad(0.1),
      () => tfOptimizer('Adagrad', { lr: 0.1, initialAccumulatorValue: 0.1, eps: 0 }),
    ],
  ];

  for (const [name, theirs, ours, agreement = 'close'] of cases) {
    it(`${name}: ${agreement}`, async () => {
      const expected = await train(theirs());
      const actual = await train(ours());
      // The comparison means something only if training moved the weights well past it.
      expect(worst(expected.initial, expected.final)).toBeGreaterThan(100);
      if (agreement === 'exact') expect(actual.final).toEqual(expected.final);
      else expect(worst(actual.final, expected.final)).toBeLessThanOrEqual(1);
    });
  }

  it('Adam with betas [0.9, 0.999] agrees to 1e-4 only: tfjs corrects bias with float32 betas', async () => {
    const expected = await train(tf.train.adam(0.01, 0.9, 0.999, 1e-7));
    const actual = await train(tfOptimizer('Adam', { lr: 0.01, eps: 1e-7 }));
    expect(worst(actual.final, expected.final)).toBeGreaterThan(1);
    expect(worst(actual.final, expected.final)).toBeLessThan(10);
  });

  it('RMSprop with eps 1e-2 differs from tfjs, whose eps sits inside the root', async () => {
    const expected = await train(tf.train.rmsprop(0.01, 0.9, 0, 1e-2));
    const actual = await train(tfOptimizer('RMSprop', { lr: 0.01, alpha: 0.9, eps: 1e-2 }));
    expect(worst(actual.final, expected.final)).toBeGreaterThan(10);
  });
});
