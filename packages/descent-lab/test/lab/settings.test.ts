/**
 * Which of descent's optimizers each experiment runs, with which options, as observed while the
 * lab runs (every `step` of every optimizer is recorded), against the settings of the chapter
 * (/work/shared/chapter12.md, and the book's code where that file is silent, as said below).
 */

import { Adadelta, Adagrad, Adam, Newton, Optimizer, RMSprop, SGD, Yogi } from 'descent';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { airfoilOptimum } from '../../src/lab/experiments/common.js';
import { runLab, sections } from '../../src/lab/run.js';
import type { Result } from '../../src/lab/types.js';

type Options = Record<string, unknown>;

/** What one optimizer did during an experiment. */
interface Observed {
  Class: unknown;
  /** Its group's options at the first step (numbers, booleans and arrays: no functions). */
  options: Options;
  /** The group's learning rate at each step. */
  lrs: number[];
  /** The sizes of its parameters. */
  sizes: number[];
}

interface Expected {
  Class: unknown;
  /** Options the chapter fixes; each must equal the optimizer's. */
  options: Options;
  /** How many optimizers the experiment builds (momentum-scalar: one per λ). */
  count?: number;
  steps?: number;
  sizes?: number[];
  /** The learning rate of step t (t = 1, 2, ...), when scheduled; lr is then left out of options. */
  lr?: (t: number) => number;
}

/** Plain gradient descent as the book writes it, x ← x − η ∇f: PyTorch's SGD without extras. */
const gd = (lr: number): Options => ({
  lr,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
});
/** The book's momentum, v ← βv + g, x ← x − ηv: PyTorch's heavy ball (no dampening, not Nesterov). */
const heavyBall = (lr: number, momentum: number): Options => ({ ...gd(lr), momentum });

const trace1d = (Class: unknown, options: Options): Expected => ({
  Class,
  options,
  steps: 10,
  sizes: [1],
});
const trace2d = (Class: unknown, options: Options, steps = 20): Expected => ({
  Class,
  options,
  steps,
  sizes: [2],
});
/** Linear regression on the airfoil data: w (5) and b (1); one step per minibatch of 1500 rows. */
const airfoil = (Class: unknown, options: Options, batchSize: number, epochs = 2): Expected => ({
  Class,
  options,
  steps: epochs * Math.ceil(1500 / batchSize),
  sizes: [5, 1],
});
const newton = (lr: number): Expected =>
  trace1d(Newton, { lr, damping: 0, absoluteEigenvalues: false, maximize: false });
/** The book's AdaGrad: ε = 1e-6 (inside its root; descent's, PyTorch's, is outside), no decay. */
const adagrad = (lr: number): Options => ({
  lr,
  eps: 1e-6,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  maximize: false,
});
/** The book's RMSProp: γ (PyTorch's alpha) and ε = 1e-6, no momentum, not centered. */
const rmsprop = (lr: number, alpha: number): Options => ({
  lr,
  alpha,
  eps: 1e-6,
  momentum: 0,
  centered: false,
  weightDecay: 0,
  maximize: false,
});

/** Per experiment id: the optimizers it runs, none for figures, formulas and timings. */
const expected: Record<string, Expected[]> = {
  // 12.1: the lab finds the minima it labels by plain gradient descent (the book marks them by
  // hand): any learning rate and length, but no momentum or other extras.
  'challenges-local-minima': [{ Class: SGD, options: { ...gd(0), lr: undefined }, count: 2 }],
  'challenges-saddle': [],
  'challenges-vanishing': [],
  convexity: [],
  // 12.3
  'gd-1d-eta0.2': [trace1d(SGD, gd(0.2))],
  'gd-1d-eta0.05': [trace1d(SGD, gd(0.05))],
  'gd-1d-eta1.1': [trace1d(SGD, gd(1.1))],
  'gd-1d-local': [trace1d(SGD, gd(2))],
  'gd-2d': [trace2d(SGD, gd(0.1))],
  'newton-convex': [newton(1)],
  'newton-nonconvex-eta1': [newton(1)],
  'newton-nonconvex-eta0.5': [newton(0.5)],
  // 12.4: 0.1 times the schedule of t = 1, 2, ...
  'sgd-2d-constant': [{ ...trace2d(SGD, gd(0.1), 50), lr: () => 0.1 }],
  'sgd-2d-exponential': [{ ...trace2d(SGD, gd(0.1), 1000), lr: (t) => 0.1 * Math.exp(-0.1 * t) }],
  'sgd-2d-polynomial': [{ ...trace2d(SGD, gd(0.1), 50), lr: (t) => 0.1 * (1 + 0.1 * t) ** -0.5 }],
  // 12.5
  vectorization: [],
  'minibatch-gd': [airfoil(SGD, gd(1), 1500, 10)],
  'minibatch-sgd': [airfoil(SGD, gd(0.005), 1)],
  'minibatch-100': [airfoil(SGD, gd(0.4), 100)],
  'minibatch-10': [airfoil(SGD, gd(0.05), 10)],
  // 12.6
  'momentum-gd-eta0.4': [trace2d(SGD, gd(0.4))],
  'momentum-gd-eta0.6': [trace2d(SGD, gd(0.6))],
  'momentum-2d-beta0.5': [trace2d(SGD, heavyBall(0.6, 0.5))],
  'momentum-2d-beta0.25': [trace2d(SGD, heavyBall(0.6, 0.25))],
  'momentum-weights': [],
  'momentum-airfoil-0.02-0.5': [airfoil(SGD, heavyBall(0.02, 0.5), 10)],
  'momentum-airfoil-0.01-0.9': [airfoil(SGD, heavyBall(0.01, 0.9), 10)],
  'momentum-airfoil-0.005-0.9': [airfoil(SGD, heavyBall(0.005, 0.9), 10)],
  // x_t for t = 0..19: 19 steps of gradient descent with η = 0.1, once per λ.
  'momentum-scalar': [{ Class: SGD, options: gd(0.1), count: 4, steps: 19, sizes: [1] }],
  // 12.7
  'adagrad-2d-eta0.4': [trace2d(Adagrad, adagrad(0.4))],
  'adagrad-2d-eta2': [trace2d(Adagrad, adagrad(2))],
  'adagrad-airfoil': [airfoil(Adagrad, adagrad(0.1), 10)],
  // 12.8
  'rmsprop-weights': [],
  'rmsprop-2d': [trace2d(RMSprop, rmsprop(0.4, 0.9))],
  'rmsprop-airfoil': [airfoil(RMSprop, rmsprop(0.01, 0.9), 10)],
  // 12.9: ρ 0.9 and lr 1 from chapter12.md; ε = 1e-5 is the book's code (`eps = 1e-5`), inside
  // both roots as in PyTorch.
  'adadelta-airfoil': [
    airfoil(Adadelta, { lr: 1, rho: 0.9, eps: 1e-5, weightDecay: 0, maximize: false }, 10),
  ],
  // 12.10: the batch of 10 and Adam's β1 0.9, β2 0.999 and ε = 1e-6 are the book's code
  // (`beta1, beta2, eps = 0.9, 0.999, 1e-6`); Yogi's are in chapter12.md.
  'adam-airfoil': [
    airfoil(
      Adam,
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0, amsgrad: false, maximize: false },
      10,
    ),
  ],
  'yogi-airfoil': [
    airfoil(
      Yogi,
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-3, weightDecay: 0, maximize: false },
      10,
    ),
  ],
  // 12.11: the pure schedules are evaluated, not stepped. MultiStepLR drives an SGD with base
  // rate 0.5 for 30 epochs, halved after epochs 15 and 30: step t (from 1) plots epoch t − 1.
  // Only the learning rate is plotted, so only it is checked (the book's SGD has no momentum;
  // the lab's has 0.9, which changes no plotted number).
  'schedule-square-root': [],
  'schedule-factor': [],
  'schedule-multi-factor': [
    { Class: SGD, options: {}, steps: 30, sizes: [1], lr: (t) => (t - 1 < 15 ? 0.5 : 0.25) },
  ],
  'schedule-cosine': [],
  'schedule-cosine-warmup': [],
  // The Fashion-MNIST runs are not run by the quick lab (test/lab/schedule-train.test.ts
  // observes one on a tiny set).
  'schedule-train-constant': [],
  'schedule-train-square-root': [],
  'schedule-train-factor': [],
  'schedule-train-multi-factor': [],
  'schedule-train-cosine': [],
  'schedule-train-cosine-warmup': [],
};

const observed = new Map<string, Observed[]>();
const results = new Map<string, Result>();

/** Records every optimizer's steps while `run` runs, under the id `current()` gives. */
async function observeSteps(current: () => string, run: () => Promise<void>): Promise<void> {
  const seen = new Map<object, Observed>();
  const record = (optimizer: Optimizer<object>) => {
    let entry = seen.get(optimizer);
    if (entry === undefined) {
      const { params, ...group } = optimizer.paramGroups[0];
      const options = Object.fromEntries(
        Object.entries(group).filter(([, value]) => typeof value !== 'function'),
      );
      entry = {
        Class: optimizer.constructor,
        options,
        lrs: [],
        sizes: optimizer.paramGroups.flatMap((g) => g.params.map((p) => p.data.length)),
      };
      seen.set(optimizer, entry);
      const id = current();
      observed.set(id, [...(observed.get(id) ?? []), entry]);
    }
    entry.lrs.push(optimizer.paramGroups[0].lr as number);
  };
  // Newton overrides step; every other optimizer the lab uses inherits Optimizer's.
  const spies = [Optimizer.prototype, Newton.prototype].map((prototype) => {
    const original = prototype.step;
    return vi.spyOn(prototype, 'step').mockImplementation(function (
      this: Optimizer<object>,
      ...args: Parameters<typeof original>
    ) {
      record(this);
      return original.apply(this, args);
    });
  });
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

beforeAll(async () => {
  // The airfoil figures' optimum is one Newton step (leastSquares), taken once per process and
  // not by any experiment: taken here, before the steps are observed.
  airfoilOptimum();
  let current = '';
  await observeSteps(
    () => current,
    async () => {
      const lab = await runLab({
        quick: true,
        onEvent: (event) => {
          if (event.type === 'start') current = event.id;
        },
      });
      for (const run of lab.runs) results.set(run.id, run.result);
    },
  );
});

afterAll(() => vi.restoreAllMocks());

const ids = sections.flatMap((section) => section.experiments.map((e) => e.id));

describe('each experiment’s optimizer and settings', () => {
  it('the table names every experiment of the lab, and only those', () => {
    expect(Object.keys(expected).sort()).toEqual([...ids].sort());
    expect([...results.keys()]).toEqual(ids);
  });

  it.each(ids)('%s runs the chapter’s optimizer with the chapter’s options', (id) => {
    const runs = observed.get(id) ?? [];
    const want = expected[id];
    const count = want.reduce((n, w) => n + (w.count ?? 1), 0);
    expect(runs.length, `${id}: optimizers stepped`).toBe(count);
    const wanted = want.flatMap((w) => Array.from({ length: w.count ?? 1 }, () => w));
    runs.forEach((ran, k) => {
      const w = wanted[k];
      const label = `${id} optimizer ${k}`;
      expect(ran.Class, label).toBe(w.Class);
      const options = Object.fromEntries(
        Object.entries(w.options).filter(([key]) => !(key === 'lr' && w.lr !== undefined)),
      );
      for (const [key, value] of Object.entries(options)) {
        if (value === undefined) continue;
        expect(ran.options[key], `${label}: ${key}`).toEqual(value);
      }
      if (w.steps !== undefined) expect(ran.lrs.length, `${label}: steps`).toBe(w.steps);
      if (w.sizes !== undefined) expect(ran.sizes, `${label}: parameter sizes`).toEqual(w.sizes);
      // Every step at the chapter's rate: the option's, or the schedule's at that step.
      ran.lrs.forEach((lr, i) => {
        const rate = w.lr?.(i + 1) ?? (w.options.lr as number | undefined);
        if (rate === undefined) return;
        // The lab's exponential schedule is 0.1 · (e^−1)^(t/10): pow rounds e^−1 and the power,
        // a relative 1e-14 by t = 1000.
        expect(Math.abs(lr - rate), `${label}: lr at step ${i + 1}`).toBeLessThanOrEqual(
          1e-12 * rate,
        );
      });
    });
  });

  it('reports the optimizer and options it ran', () => {
    for (const id of ids) {
      const result = results.get(id);
      const ran = observed.get(id)?.[0];
      if (result === undefined || ran === undefined) continue;
      if (result.kind === 'training') {
        expect(result.optimizer, id).toBe((ran.Class as { name: string }).name);
        const { batchSize, epochs, ...options } = result.settings;
        expect(Math.ceil(1500 / (batchSize as number)) * (epochs as number), id).toBe(
          ran.lrs.length,
        );
        for (const [key, value] of Object.entries(options))
          expect(ran.options[key], `${id}: ${key}`).toEqual(value);
      } else if (result.kind === 'trace') {
        for (const [key, value] of Object.entries(result.settings)) {
          // Scheduled rates are reported as formulas; steps are the path's length.
          if (typeof value === 'number' && key in ran.options)
            expect(ran.options[key], `${id}: ${key}`).toEqual(value);
        }
      }
    }
  });
});
