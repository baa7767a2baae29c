import '../../../../../test/tfjs-setup.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DescentOptimizer,
  type OptimizerClass,
  type TfOptimizerName,
  tfOptimizer,
} from '../../../src/adapters/tfjs/index.js';
import { type Param, param } from '../../../src/core/param.js';
import * as optim from '../../../src/optim/index.js';
import type { Optimizer, StateDict } from '../../../src/optim/optimizer.js';
import { worstError } from '../../optim/reference.js';
import { problem, tf } from './tf.js';

type Class = new (params: unknown, options?: unknown) => Optimizer<object>;

const classes = Object.entries(optim as Record<string, unknown>).filter(
  (entry): entry is [string, Class] =>
    typeof entry[1] === 'function' && entry[1].prototype instanceof optim.Optimizer,
);

/** Optimizers whose step needs a closure, which a tf.Optimizer never has. */
const needClosure = new Set(['LBFGS']);

/** Options an optimizer cannot do without. */
const required: Record<string, Record<string, unknown>> = {
  Newton: {
    hessian: (params: Param[]) => {
      const n = params.reduce((sum, p) => sum + p.data.length, 0);
      return Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 2 : 0));
    },
  },
};

const made: tf.Variable[] = [];
afterEach(() => {
  for (const v of made.splice(0)) v.dispose();
});

let serial = 0;
/** A tf Variable with a fresh name containing `tag`, and its initial values. */
function variable(tag: string, shape: number[], seed: number): tf.Variable {
  const v = tf.variable(tf.randomNormal(shape, 0, 1, 'float32', seed), true, `${tag}_${serial++}`);
  made.push(v);
  return v;
}

describe('applyGradients computes exactly what descent computes', () => {
  it('covers every optimizer descent exports', () => {
    expect(classes.map(([name]) => name)).toEqual(
      expect.arrayContaining(['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad', 'LBFGS']),
    );
  });

  for (const [name, cls] of classes) {
    if (needClosure.has(name)) {
      it(`refuses ${name}, whose step needs a closure`, () => {
        // A name the types refuse (TfOptimizerName): JavaScript callers get the error.
        expect(() => tfOptimizer(name as TfOptimizerName)).toThrow(
          /cannot step from gradients alone/,
        );
        expect(() => tfOptimizer(cls)).toThrow(TypeError);
      });
      continue;
    }
    it(name, () => {
      const options = required[name] ?? {};
      const kernel = variable('dense/kernel', [3, 4], 1);
      // Muon takes only matrices: its bias is a 1 × 4 one.
      const biasShape = name === 'Muon' ? [1, 4] : [4];
      const bias = variable('dense/bias', biasShape, 2);
      const base = new cls([{ params: [] }], options).defaults as { lr: number };
      const adapter = tfOptimizer(name as TfOptimizerName, {
        ...options,
        groups: [{ match: /bias/, lr: base.lr / 2 }],
      });
      // Named as the adapter names its mirrors, so the state dicts (which record names) agree.
      const k = param(kernel.dataSync(), { name: kernel.name, shape: kernel.shape });
      const b = param(bias.dataSync(), { name: bias.name, shape: bias.shape });
      const core = new cls([{ params: [k] }, { params: [b], lr: base.lr / 2 }], options);
      // Gradients are copied into the arrays param() made, as the adapter does: where they live
      // decides which kernels run (WebAssembly's for arena arrays), and so the last bits.
      const [kGrad, bGrad] = [k.grad, b.grad];
      for (let t = 0; t < 6; t++) {
        const gk = tf.randomNormal([3, 4], 0, 1, 'float32', 10 + t);
        const gb = tf.randomNormal(biasShape, 0, 1, 'float32', 20 + t);
        // Alternate the two forms tfjs passes gradients in; the bias misses a step.
        if (t % 2 === 0) adapter.applyGradients({ [kernel.name]: gk, [bias.name]: gb });
        else if (t === 3) adapter.applyGradients([{ name: kernel.name, tensor: gk }]);
        else
          adapter.applyGradients([
            { name: kernel.name, tensor: gk },
            { name: bias.name, tensor: gb },
          ]);
        kGrad.set(gk.dataSync());
        bGrad.set(gb.dataSync());
        (b as Param).grad = t === 3 ? null : bGrad;
        core.step();
        tf.dispose([gk, gb]);
        expect(kernel.dataSync(), `step ${t + 1}`).toEqual(k.data);
        expect(bias.dataSync(), `step ${t + 1}`).toEqual(b.data);
      }
      expect(adapter.iterations).toBe(6);
      // The mirrors keep the variables' shapes (Adafactor factors the kernel as a 3 × 4 matrix).
      expect(adapter.optimizer.paramGroups.flatMap((g) => g.params.map((p) => p.shape))).toEqual([
        [3, 4],
        biasShape,
      ]);
      expect(adapter.optimizer.stateDict()).toEqual(core.stateDict());
    });
  }
});

describe('the adapter', () => {
  it('leaves a variable without gradient alone, and its state too', () => {
    const x = variable('x', [5], 3);
    const y = variable('y', [2], 4);
    const before = y.dataSync().slice();
    const adapter = tfOptimizer('Adam', { lr: 0.1 });
    adapter.applyGradients({ [x.name]: tf.onesLike(x), [y.name]: tf.onesLike(y) });
    const state = adapter.optimizer.stateDict();
    const yValues = y.dataSync().slice();
    adapter.applyGradients({ [x.name]: tf.onesLike(x) });
    expect(y.dataSync()).toEqual(yValues);
    expect(y.dataSync()).not.toEqual(before);
    expect(adapter.optimizer.stateDict().state['1']).toEqual(state.state['1']);
  });

  it('reads a variable again after it is assigned elsewhere', () => {
    const x = variable('x', [4], 5);
    const adapter = tfOptimizer('SGD', { lr: 0.1, momentum: 0.9 });
    const p = param(x.dataSync());
    const core = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    const g = tf.tensor1d([1, -2, 3, -4]);
    adapter.applyGradients({ [x.name]: g });
    x.assign(tf.tensor1d([10, 20, 30, 40]));
    adapter.applyGradients({ [x.name]: g });
    p.grad.set(g.dataSync());
    core.step();
    p.data.set([10, 20, 30, 40]);
    core.step();
    expect(x.dataSync()).toEqual(p.data);
  });

  it('gives groups by name their own options: AdamW without decay on biases', () => {
    const kernel = variable('layer/kernel', [6], 6);
    const bias = variable('layer/bias', [3], 7);
    const k0 = kernel.dataSync().slice();
    const b0 = bias.dataSync().slice();
    const adapter = tfOptimizer(optim.AdamW, {
      lr: 0.1,
      weightDecay: 0.5,
      groups: [{ match: 'bias', weightDecay: 0 }],
    });
    // Zero gradients: Adam's step is 0, so only the decay moves a weight, by a factor 1 − lr·λ.
    adapter.applyGradients({
      [kernel.name]: tf.zerosLike(kernel),
      [bias.name]: tf.zerosLike(bias),
    });
    expect(bias.dataSync()).toEqual(b0);
    const decayed = Array.from(k0, (v) => v * (1 - 0.1 * 0.5));
    expect(worstError(kernel.dataSync(), decayed, 1e-6)).toBeLessThanOrEqual(1);
    expect(worstError(kernel.dataSync(), Array.from(k0), 1e-6)).toBeGreaterThan(1000);
    expect(adapter.optimizer.paramGroups.map((g) => g.params.length)).toEqual([1, 1]);
  });

  it('trains a model with compile and fit', async () => {
    const { model, x, y } = problem(1);
    const adapter = tfOptimizer('AdamW', { lr: 0.05 });
    model.compile({ optimizer: adapter, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 15, batchSize: 8, shuffle: false, verbose: 0 });
    const loss = history.history.loss as number[];
    expect(loss[14]).toBeLessThan(loss[0] * 0.7);
    expect(adapter.iterations).toBe(15 * 4);
    model.dispose();
  });

  it('minimizes a function of chosen variables', () => {
    const a = variable('a', [3], 8);
    const b = variable('b', [3], 9);
    const b0 = b.dataSync().slice();
    const adapter = tfOptimizer('RMSprop', { lr: 0.05 });
    const loss = () => tf.sum(tf.square(tf.add(a, b))) as tf.Scalar;
    const first = loss().dataSync()[0];
    for (let i = 0; i < 50; i++) adapter.minimize(loss, false, [a]);
    expect(loss().dataSync()[0]).toBeLessThan(first / 10);
    expect(b.dataSync()).toEqual(b0);
  });

  it.each([
    [
      'an unknown name',
      // @ts-expect-error: the types refuse it too; JavaScript callers get the error
      () => tfOptimizer('Adamw'),
      RangeError,
      /^Invalid optimizer: "Adamw" \(did you mean AdamW\?\); expected one of Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, ASGD, LAMB, LBFGS, Lion, Muon, NAdam, Newton, Prodigy, RAdam, RMSprop, Rprop, ScheduleFreeAdamW, ScheduleFreeSGD, SGD, Yogi$/,
    ],
    [
      'a name up the prototype chain',
      // @ts-expect-error: the types refuse it too; JavaScript callers get the error
      () => tfOptimizer('constructor'),
      RangeError,
      /^Invalid optimizer: "constructor"; expected one of /,
    ],
    [
      'a misspelled option',
      // @ts-expect-error: the types refuse it too; JavaScript callers get the error
      () => tfOptimizer('Adam', { betass: [0.9, 0.99] }),
      TypeError,
      /^Unknown option betass for Adam \(did you mean betas\?\)$/,
    ],
    [
      'a misspelled group option',
      // @ts-expect-error: the types refuse it too; JavaScript callers get the error
      () => tfOptimizer('SGD', { groups: [{ match: /bias/, weightDecy: 0 }] }),
      TypeError,
      /^Unknown option weightDecy for SGD's parameter group \(did you mean weightDecay\?\)$/,
    ],
    [
      'a non-optimizer',
      () => tfOptimizer(Map as unknown as OptimizerClass),
      TypeError,
      /expected a descent optimizer/,
    ],
    ['a bad option', () => tfOptimizer('Adam', { lr: -1 }), RangeError, /learning rate \(lr\): -1/],
    [
      'a bad group option',
      () => tfOptimizer('SGD', { groups: [{ match: /bias/, momentum: -1 }] }),
      RangeError,
      /momentum.*-1/,
    ],
    [
      'a rule without match',
      () => tfOptimizer('SGD', { groups: [{ lr: 1 } as never] }),
      TypeError,
      /groups\[0\]/,
    ],
  ])('refuses %s', (_, make, type, message) => {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });

  it('refuses a gradient it cannot apply, before changing anything', () => {
    const x = variable('x', [3], 10);
    const before = x.dataSync().slice();
    const adapter = tfOptimizer('SGD', { lr: 1 });
    const good = tf.onesLike(x);
    expect(() => adapter.applyGradients({ [x.name]: good, nowhere: good })).toThrow(
      /no variable named "nowhere"/,
    );
    expect(() => adapter.applyGradients({ [x.name]: tf.ones([4]) })).toThrow(/shape \[4\]/);
    expect(() => adapter.applyGradients({ [x.name]: tf.ones([3], 'int32') })).toThrow(TypeError);
    expect(x.dataSync()).toEqual(before);
    expect(adapter.optimizer.paramGroups[0].params).toHaveLength(0);
    expect(adapter.iterations).toBe(0);
  });
});

describe('checkpoints: track, stateDict and loadStateDict', () => {
  const variablesOf = (model: tf.LayersModel) =>
    model.trainableWeights.map((w) => w.read() as tf.Variable);
  const train = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, epochs: number) =>
    model.fit(x, y, { epochs, batchSize: 8, shuffle: false, verbose: 0 });

  it('restore a state into a fresh model before its first step, by position', async () => {
    const { model, x, y } = problem(5);
    const adapter = tfOptimizer('Adam', { lr: 0.01, amsgrad: true });
    const mirrors = adapter.track(variablesOf(model));
    expect(mirrors.map((p) => p.name)).toEqual(variablesOf(model).map((v) => v.name));
    expect(adapter.optimizer.paramGroups[0].params).toEqual(mirrors);
    model.compile({ optimizer: adapter, loss: 'categoricalCrossentropy' });
    await train(model, x, y, 2);
    // As a checkpoint keeps it: JSON, and the weights apart.
    const saved = JSON.parse(JSON.stringify(adapter.stateDict()));
    expect(saved.paramGroups[0].paramNames).toBeUndefined();
    expect(Object.keys(saved.state)).toHaveLength(4);
    const weights = model.getWeights().map((w) => w.clone());

    // The same model built again: tfjs names its variables otherwise.
    const copy = problem(5).model;
    expect(variablesOf(copy).map((v) => v.name)).not.toEqual(variablesOf(model).map((v) => v.name));
    const restored = tfOptimizer('Adam', { lr: 0.01, amsgrad: true });
    restored.track(variablesOf(copy));
    restored.loadStateDict(saved);
    copy.setWeights(weights);
    copy.compile({ optimizer: restored, loss: 'categoricalCrossentropy' });
    await train(model, x, y, 1);
    await train(copy, x, y, 1);
    const original = model.getWeights().map((w) => w.dataSync());
    expect(copy.getWeights().map((w) => w.dataSync())).toEqual(original);
    expect(weights.map((w) => w.dataSync())).not.toEqual(original);
    model.dispose();
    copy.dispose();
  });

  it('refuse a state that does not fit the variables tracked, changing nothing', () => {
    const { model } = problem(6);
    const adapter = tfOptimizer('SGD', { lr: 0.1, momentum: 0.9 });
    const state = adapter.stateDict();
    adapter.track(variablesOf(model));
    const tracked = {
      state: {},
      paramGroups: [{ ...(state.paramGroups[0] as object), params: [0, 1, 2, 3] }],
    };
    // Before the variables are tracked, the optimizer has no parameters to load a state into.
    const fresh = tfOptimizer('SGD', { lr: 0.1, momentum: 0.9 });
    expect(() => fresh.loadStateDict(tracked)).toThrow(
      "Invalid state dict: paramGroups[0] has 4 parameters, the optimizer's group 0",
    );
    expect(fresh.stateDict()).toEqual(state);
    const before = adapter.stateDict();
    const three = { ...tracked, paramGroups: [{ ...tracked.paramGroups[0], params: [0, 1, 2] }] };
    expect(() => adapter.loadStateDict(three)).toThrow(/has 3 parameters, the optimizer's group 4/);
    expect(() => adapter.loadStateDict({ state: {} })).toThrow(TypeError);
    expect(adapter.stateDict()).toEqual(before);
    adapter.loadStateDict(tracked);
    expect(adapter.stateDict()).toEqual(before);
    model.dispose();
  });

  it('track refuses what is not a float32 variable, naming its place', () => {
    const adapter = tfOptimizer('SGD');
    const floats = variable('floats', [2], 1);
    const wrong = tf.variable(tf.tensor1d([1, 2], 'int32'), true, `int_${serial++}`);
    made.push(wrong);
    expect(() => adapter.track([floats, wrong])).toThrow(
      'Invalid variables[1]: a variable of dtype int32 (expected a float32 tf.Variable)',
    );
    const tensor = tf.tensor1d([1]);
    expect(() => adapter.track([tensor as tf.Variable])).toThrow(
      'Invalid variables[0]: a tensor of dtype float32 (expected a float32 tf.Variable)',
    );
    tensor.dispose();
    expect(adapter.optimizer.paramGroups[0].params).toHaveLength(0);
  });
});

describe('serialization', () => {
  it('round-trips its config, regular expressions and special numbers included', () => {
    const adapter = tfOptimizer('Rprop', {
      lr: 0.02,
      stepSizes: [0, Number.POSITIVE_INFINITY],
      groups: [{ match: /dense_Dense\d+\/bias/i, lr: 0.001 }],
    });
    const config = adapter.getConfig();
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    const copy = DescentOptimizer.fromConfig(DescentOptimizer, config) as DescentOptimizer;
    expect(copy.getConfig()).toEqual(config);
    expect(copy.optimizer.defaults).toEqual(adapter.optimizer.defaults);
    expect(copy.optimizer.paramGroups[1].lr).toBe(0.001);
  });

  it('saves with the model and resumes exactly', async () => {
    const { model, x, y } = problem(2);
    const adapter = tfOptimizer('Adam', {
      lr: 0.01,
      amsgrad: true,
      groups: [{ match: /dense_Dense\d+\/bias/, weightDecay: 0 }],
      weightDecay: 0.1,
    });
    model.compile({ optimizer: adapter, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.optimizer).toBeInstanceOf(DescentOptimizer);
    const restored = loaded.optimizer as DescentOptimizer;
    expect(restored.getConfig()).toEqual(adapter.getConfig());
    expect(restored.iterations).toBe(adapter.iterations);
    await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
    await loaded.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0 });
    const original = model.getWeights().map((w) => w.dataSync());
    const resumed = loaded.getWeights().map((w) => w.dataSync());
    expect(resumed).toEqual(original);
    // The loaded model's variables have new names, which its state dict records; all else agrees.
    const unnamed = ({ state, paramGroups }: StateDict) => ({
      state,
      paramGroups: paramGroups.map((group) => ({ ...(group as object), paramNames: undefined })),
    });
    expect(unnamed(restored.optimizer.stateDict())).toEqual(unnamed(adapter.optimizer.stateDict()));
    model.dispose();
    loaded.dispose();
  });

  it('refuses optimizer weights that are not its own', async () => {
    const adapter = tfOptimizer('SGD');
    const weights = [
      { name: 'iter', tensor: tf.scalar(3, 'int32') },
      { name: 'dense/m', tensor: tf.zeros([2]) },
    ];
    await expect(adapter.setWeights(weights)).rejects.toThrow(/one string tensor "descent\/state"/);
  });
});
