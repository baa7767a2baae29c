import '../../../../../test/tfjs-setup.js';
import { describe, expect, it } from 'vitest';
import {
  clipByGlobalNorm,
  type FitCallbacks,
  schedulerCallback,
  tfOptimizer,
} from '../../../src/adapters/tfjs/index.js';
import { param } from '../../../src/core/param.js';
import { clipGradNorm } from '../../../src/optim/clip-grad.js';
import { SGD } from '../../../src/optim/sgd.js';
import { cosineScheduler } from '../../../src/schedules/book.js';
import { ReduceLROnPlateau } from '../../../src/schedules/reduce-lr-on-plateau.js';
import { StepLR } from '../../../src/schedules/step-lr.js';
import { problem, tf } from './tf.js';

/**
 * Fits the seeded problem (32 examples, batches of 8: 4 per epoch) with `callbacks` and records
 * the learning rate each batch is trained with, one array per epoch.
 */
async function fitWith(
  optimizer: ReturnType<typeof tfOptimizer>,
  callbacks: FitCallbacks[],
  options: { epochs: number; validate?: boolean },
) {
  const { model, x, y } = problem(5);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const lrs: number[][] = [];
  const probe: FitCallbacks = {
    onEpochBegin: () => {
      lrs.push([]);
    },
    onBatchBegin: () => {
      lrs.at(-1)!.push(optimizer.paramGroups[0].lr as number);
    },
  };
  const history = await model.fit(x, y, {
    epochs: options.epochs,
    batchSize: 8,
    shuffle: false,
    verbose: 0,
    validationData: options.validate ? [x, y] : undefined,
    callbacks: [...callbacks, probe],
  });
  model.dispose();
  return { lrs, history: history.history };
}

describe('schedulerCallback', () => {
  it('steps a scheduler after every epoch', async () => {
    const optimizer = tfOptimizer('SGD', { lr: 0.4 });
    const scheduler = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
    const { lrs } = await fitWith(optimizer, [schedulerCallback(scheduler)], { epochs: 5 });
    expect(lrs).toEqual([0.4, 0.4, 0.2, 0.2, 0.1].map((lr) => [lr, lr, lr, lr]));
    expect(scheduler.lastEpoch).toBe(5);
  });

  it('steps a scheduler after every batch', async () => {
    const optimizer = tfOptimizer('Adam', { lr: 0.8 });
    const scheduler = new StepLR(optimizer.optimizer, { stepSize: 3, gamma: 0.5 });
    const { lrs } = await fitWith(optimizer, [schedulerCallback(scheduler, { every: 'batch' })], {
      epochs: 2,
    });
    expect(lrs).toEqual([
      [0.8, 0.8, 0.8, 0.4],
      [0.4, 0.4, 0.2, 0.2],
    ]);
  });

  it("sets a pure schedule's rate before each epoch, counting from 0", async () => {
    const optimizer = tfOptimizer('SGD', { lr: 1, groups: [{ match: /bias/, lr: 2 }] });
    const schedule = cosineScheduler({ maxUpdate: 4, baseLr: 0.3, finalLr: 0.01, warmupSteps: 1 });
    const callback = schedulerCallback(schedule, { optimizer });
    const { lrs } = await fitWith(optimizer, [callback], { epochs: 6 });
    expect(lrs.map((epoch) => epoch[0])).toEqual([0, 1, 2, 3, 4, 5].map(schedule));
    expect(optimizer.paramGroups.map((g) => g.lr)).toEqual([schedule(5), schedule(5)]);
  });

  it('sets a pure schedule per batch', async () => {
    const optimizer = tfOptimizer('SGD');
    const callback = schedulerCallback((t) => 1 / (t + 1), { optimizer, every: 'batch' });
    const { lrs } = await fitWith(optimizer, [callback], { epochs: 2 });
    expect(lrs.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => 1 / n));
  });

  it('passes the monitored log to step(metric)', async () => {
    const seen: (number | undefined)[] = [];
    const recorder = { step: (metric?: number) => seen.push(metric) };
    const optimizer = tfOptimizer('SGD', { lr: 0.5 });
    const callback = schedulerCallback(recorder, { monitor: 'val_loss' });
    const { history } = await fitWith(optimizer, [callback], { epochs: 3, validate: true });
    expect(seen).toEqual(history.val_loss);
    expect(new Set(seen).size).toBe(3);
  });

  it('drives ReduceLROnPlateau with val_loss', async () => {
    const optimizer = tfOptimizer('SGD', { lr: 6 });
    const options = { patience: 0, factor: 0.5 };
    const scheduler = new ReduceLROnPlateau(optimizer, options);
    const callback = schedulerCallback(scheduler, { monitor: 'val_loss' });
    const { lrs, history } = await fitWith(optimizer, [callback], { epochs: 8, validate: true });
    // The same scheduler fed the logged val_loss by hand sets the same rates.
    const replayed = new SGD([param(1)], { lr: 6 });
    const replay = new ReduceLROnPlateau(replayed, options);
    const expected = (history.val_loss as number[]).map((loss) => {
      const lr = replayed.paramGroups[0].lr;
      replay.step(loss);
      return lr;
    });
    expect(lrs.map((epoch) => epoch[0])).toEqual(expected);
    expect(new Set(expected).size).toBeGreaterThan(1);
    expect(scheduler.best).toBe(replay.best);
  });

  it('names a monitored log that is not there', async () => {
    const optimizer = tfOptimizer('SGD');
    const callback = schedulerCallback({ step: () => {} }, { monitor: 'val_loss' });
    await expect(fitWith(optimizer, [callback], { epochs: 1 })).rejects.toThrow(
      /"val_loss" is not among the logs at epoch end \(loss\)/,
    );
  });

  it.each([
    [
      () => schedulerCallback({ step() {} }, { every: 'step' as never }),
      RangeError,
      /every: "step"/,
    ],
    [() => schedulerCallback((t) => t), TypeError, /pure schedule needs the optimizer/],
    [() => schedulerCallback({} as never), TypeError, /Invalid scheduler/],
    [
      () => schedulerCallback({ step() {} }, { monitr: 'val_loss' } as never),
      TypeError,
      /^Unknown option monitr for schedulerCallback \(did you mean monitor\?\)$/,
    ],
  ])('refuses bad arguments (%#)', (make, type, message) => {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });
});

describe('clipByGlobalNorm', () => {
  const values = [
    [3, -4, 1],
    [2, 0],
    [-5, 1, 2, 2],
  ];
  const norm = Math.sqrt(values.flat().reduce((s, v) => s + v * v, 0));

  it("scales by maxNorm / (norm + 1e-6), PyTorch's clip_grad_norm_", () => {
    const grads = values.map((v) => tf.tensor1d(v));
    const clipped = clipByGlobalNorm(grads, 2);
    expect(clipped.norm.dataSync()[0]).toBeCloseTo(norm, 5);
    const scale = 2 / (norm + 1e-6);
    clipped.grads.forEach((g, i) => {
      const expected = values[i].map((v) => Math.fround(v * Math.fround(scale)));
      expect(Array.from(g.dataSync())).toEqual(expected);
    });
    expect(Array.from(grads[0].dataSync())).toEqual(values[0]);
  });

  it('leaves gradients under the norm as they are, and keeps names', () => {
    const grads = { a: tf.tensor1d(values[0]), b: tf.tensor2d([values[1]]) };
    const clipped = clipByGlobalNorm(grads, 100);
    expect(Object.keys(clipped.grads)).toEqual(['a', 'b']);
    expect(clipped.grads.b.shape).toEqual([1, 2]);
    expect(Array.from(clipped.grads.a.dataSync())).toEqual(values[0]);
  });

  it('clips before a custom step', () => {
    const w = tf.variable(tf.tensor1d([1, 1]), true, 'clip_w');
    const optimizer = tfOptimizer('SGD', { lr: 1 });
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(w, tf.tensor1d([30, 40]))) as tf.Scalar,
      [w],
    );
    optimizer.applyGradients(clipByGlobalNorm(grads, 5).grads);
    const moved = Array.from(w.dataSync()).map((v) => 1 - v);
    expect(moved[0]).toBeCloseTo(3, 5);
    expect(moved[1]).toBeCloseTo(4, 5);
    w.dispose();
  });

  it.each([0, -1, Number.NaN])('refuses maxNorm %s', (maxNorm) => {
    expect(() => clipByGlobalNorm([tf.ones([2])], maxNorm)).toThrow(/maxNorm/);
  });

  it.each([2, 1, 0.5, Infinity])(
    'clips as clipGradNorm does, to the bit (normType %s)',
    (normType) => {
      const grads = values.map((v) => tf.tensor1d(v));
      const clipped = clipByGlobalNorm(grads, 1.5, { normType });
      const params = values.map((v) => {
        const p = param(v.length);
        p.grad.set(v);
        return p;
      });
      const norm = clipGradNorm(params, 1.5, { normType });
      expect(clipped.norm.dataSync()[0]).toBe(Math.fround(norm));
      clipped.grads.forEach((g, i) => {
        expect(Array.from(g.dataSync())).toEqual([...params[i].grad]);
      });
      expect(Array.from(grads[2].dataSync())).toEqual(values[2]);
    },
  );

  it('refuses a non-finite norm with errorIfNonfinite, naming the gradient', () => {
    const grads = { a: tf.tensor1d([1, 2]), b: tf.tensor1d([0, Number.NaN]) };
    expect(() => clipByGlobalNorm(grads, 1, { errorIfNonfinite: true })).toThrow(
      'cannot be clipped (gradient "b" is NaN at index 1)',
    );
    expect(() => clipByGlobalNorm([tf.tensor1d([1, 2], 'int32')], 1)).toThrow(
      'Invalid gradient 0: a int32 tensor (expected a float32 tensor)',
    );
    expect(() => clipByGlobalNorm(grads, 1, { normtype: 1 } as never)).toThrow(
      'Unknown option normtype for clipGradNorm (did you mean normType?)',
    );
  });
});
