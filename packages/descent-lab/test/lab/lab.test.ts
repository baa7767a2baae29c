import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosh, xCos } from '../../src/lab/functions.js';
import { createRandom } from '../../src/lab/random.js';
import { type LabRun, runLab } from '../../src/lab/run.js';
import type { Result, TraceResult, TrainingResult } from '../../src/lab/types.js';
import {
  type AirfoilRule,
  airfoilData,
  airfoilLoss,
  airfoilRules,
  type EpsPlacement,
  iterate2d,
  rules,
  trainAirfoilReference,
} from './reference.js';

/** The committed output of scripts/reference/lab_book_values.py (the book's own code, run). */
const book = JSON.parse(
  readFileSync(new URL('../../data/book-values.json', import.meta.url), 'utf8'),
) as {
  experiments: Record<
    string,
    { printed: string; final: number | number[]; path: (number | number[])[] }
  >;
  schedules: Record<string, number[]>;
};

/**
 * The least-squares optimum of the chapter's airfoil model, computed here from the raw file and
 * independently of the lab: solve the normal equations by Gaussian elimination, and evaluate the
 * mean of (ŷ − y)²/2.
 */
function leastSquaresLoss(): number {
  const data = airfoilData();
  const design = data.x.map((r) => [...r, 1]);
  const y = data.y;
  const n = design[0].length;
  const a = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n + 1 }, (_, j) =>
      design.reduce((s, x, k) => s + x[i] * (j < n ? x[j] : y[k]), 0),
    ),
  );
  for (let k = 0; k < n; k++) {
    for (let i = k + 1; i < n; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j <= n; j++) a[i][j] -= f * a[k][j];
    }
  }
  const theta = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    theta[i] =
      (a[i][n] - a[i].slice(i + 1, n).reduce((s, v, j) => s + v * theta[i + 1 + j], 0)) / a[i][i];
  }
  return airfoilLoss(data, theta);
}

/**
 * The numbers a printed line shows ("x1: -0.057646", "tensor(26.8341)"), and half a unit of the
 * last digit printed: torch prints an exact integer as "0.", which bounds nothing but itself.
 */
function printedNumbers(line: string): { values: number[]; halfUnit: number } {
  const matches = [...line.matchAll(/(?<=(?:: |\())-?\d+(?:\.(\d*))?/g)];
  const decimals = Math.min(...matches.map((m) => (m[1] ?? '').length));
  return {
    values: matches.map((m) => Number(m[0])),
    halfUnit: decimals === 0 ? 0 : 0.5 * 10 ** -decimals,
  };
}

/**
 * How far a path may stray from a float64 reference that computes the same rule: 1e-12 of the
 * larger of the reference's iterate and the one before it, per coordinate. A step x − Δ rounds
 * relative to x and Δ, and |Δ| ≤ |x_t| + |x_{t−1}|, so a step that cancels nearly all of its
 * predecessor keeps that predecessor's rounding: AdaGrad with η = 2 takes x₂ from −2 to −2.5e-7
 * in one step, ±4e-16 (a relative 2e-9 of the result). The lab and the references differ only in
 * the order of their float64 operations; the worst measured is 3.9e-15 of this scale (rmsprop-2d,
 * x₂ at step 20), and 10 of the 18 traces match bit for bit.
 */
const pathTolerance = 1e-12;

/** Asserts `ours` follows `reference` within `tolerance` · max(|ref_t|, |ref_{t−1}|). */
function expectPath(
  ours: readonly (number | readonly number[])[],
  reference: readonly (number | readonly number[])[],
  tolerance: number,
  label: string,
): void {
  const a = ours.map((p) => [p].flat());
  const b = reference.map((p) => [p].flat());
  expect(a.length, label).toBe(b.length);
  a.forEach((p, t) => {
    expect(p.length, label).toBe(b[t].length);
    p.forEach((x, i) => {
      const scale = Math.max(Math.abs(b[t][i]), t > 0 ? Math.abs(b[t - 1][i]) : 0);
      expect(Math.abs(x - b[t][i]), `${label}: step ${t}, x${i + 1}`).toBeLessThanOrEqual(
        tolerance * scale,
      );
    });
  });
}

/**
 * The traces whose book code puts ε = 1e-6 inside the square root (its adagrad_2d, rmsprop_2d),
 * with the book's rule and with ε where descent (PyTorch) puts it.
 */
const epsPlacement: Record<string, (placement: EpsPlacement) => [number, number][]> = {
  'adagrad-2d-eta0.4': (at) => iterate2d(0.1, 2, rules.adagrad(0.4, 1e-6, at)),
  'adagrad-2d-eta2': (at) => iterate2d(0.1, 2, rules.adagrad(2, 1e-6, at)),
  'rmsprop-2d': (at) => iterate2d(0.1, 2, rules.rmsprop(0.4, 0.9, 1e-6, at)),
};

/**
 * How far ε's placement alone moves those traces from the book's: each step, η g / (√s + ε)
 * against η g / √(s + ε), differs by about ε/√s of itself, most while s is small (RMSProp's first
 * steps, where s = (1 − γ)g²). chapter12.md says "about 1e-6"; the largest measured is 2.7e-6
 * (rmsprop-2d, x₁ at step 3).
 */
const placementTolerance = 5e-6;

let run: LabRun;
const results = new Map<string, Result>();
const trace = (id: string) => results.get(id) as TraceResult;

beforeAll(async () => {
  run = await runLab({ quick: true });
  for (const r of run.runs) results.set(r.id, r.result);
});

describe('the lab against the book', () => {
  const ids = Object.keys(book.experiments);
  const sameRule = ids.filter((id) => !(id in epsPlacement));

  it('covers every deterministic trace the book prints', () => {
    expect(ids.length).toBe(15);
    for (const id of ids) expect(trace(id)?.kind, id).toBe('trace');
    expect(Object.keys(epsPlacement).every((id) => ids.includes(id))).toBe(true);
  });

  it.each(ids)('%s: the book’s printed digits are its rule’s float64 value, rounded', (id) => {
    // The book computes some traces in float32 (a torch tensor in the update) and prints 6
    // decimals (4 for Newton's tensors); float32 moves none of them by half a unit.
    const { values, halfUnit } = printedNumbers(book.experiments[id].printed);
    const final = [book.experiments[id].final].flat();
    expect(values.length).toBe(final.length);
    final.forEach((x, i) => {
      expect(Math.abs(x - values[i]), `${id}[${i}]`).toBeLessThanOrEqual(halfUnit);
    });
  });

  it.each(sameRule)('%s follows the book’s rule in float64 to 1e-12', (id) => {
    // The generator's float64 path of the book's rule (scripts/reference/lab_book_values.py).
    expectPath(trace(id).path, book.experiments[id].path, pathTolerance, id);
    // Hence the lab prints what the book prints.
    const { values, halfUnit } = printedNumbers(book.experiments[id].printed);
    [trace(id).final].flat().forEach((x, i) => {
      expect(Math.abs(x - values[i]), `${id}[${i}]`).toBeLessThanOrEqual(
        halfUnit + pathTolerance * Math.abs(x),
      );
    });
  });

  it.each(Object.keys(epsPlacement))(
    '%s follows the book’s rule with ε outside the root, in float64 to 1e-12',
    (id) => {
      // This file's rule with the book's placement is the generator's path ...
      expectPath(epsPlacement[id]('inside'), book.experiments[id].path, pathTolerance, id);
      // ... and with PyTorch's the lab's.
      expectPath(trace(id).path, epsPlacement[id]('outside'), pathTolerance, id);
      // The placement alone moves it from the book's path, and its final point from the book's
      // printed digits, by less than placementTolerance.
      book.experiments[id].path.forEach((p, t) => {
        [p].flat().forEach((x, i) => {
          const ours = [trace(id).path[t]].flat()[i];
          expect(Math.abs(ours - x), `${id}: step ${t}`).toBeLessThanOrEqual(placementTolerance);
        });
      });
      const { values, halfUnit } = printedNumbers(book.experiments[id].printed);
      [trace(id).final].flat().forEach((x, i) => {
        expect(Math.abs(x - values[i]), `${id}[${i}]`).toBeLessThanOrEqual(
          halfUnit + placementTolerance,
        );
      });
    },
  );

  it.each([
    ['constant', 50, () => 1],
    ['exponential', 1000, (t: number) => Math.exp(-0.1 * t)],
    ['polynomial', 50, (t: number) => (1 + 0.1 * t) ** -0.5],
  ] as const)(
    'sgd-2d-%s follows gradient descent on the same noise to 1e-12',
    (name, steps, schedule) => {
      const id = `sgd-2d-${name}`;
      // The lab's noise stream for this id and seed, drawn as it draws it: g1's, then g2's.
      const noise = createRandom(run.seed, id);
      const reference = iterate2d(
        1,
        2,
        rules.scheduledGd((t) => 0.1 * schedule(t)),
        {
          steps,
          noise: noise.normal,
        },
      );
      expectPath(trace(id).path, reference, pathTolerance, id);
    },
  );

  it('reports the book’s printed line beside each deterministic result', () => {
    for (const id of ids) expect(trace(id).book?.printed).toBe(book.experiments[id].printed);
  });
});

describe("Newton's method", () => {
  it('converges on cosh(0.5x) from x = 10', () => {
    const { path } = trace('newton-convex') as { path: number[] };
    expect(Math.abs(path[path.length - 1])).toBeLessThan(1e-12);
    // Quadratic convergence near the minimum: the last steps shrink faster than geometrically.
    const errors = path.map(Math.abs).filter((e) => e > 0);
    expect(errors[errors.length - 1]).toBeLessThan(errors[errors.length - 2] ** 1.5);
    expect(cosh(0.5).f(path[path.length - 1])).toBeCloseTo(1, 12);
  });

  it('goes uphill on x cos(0.15πx) with step 1, to a local maximum', () => {
    const fn = xCos(0.15 * Math.PI, '0.15π');
    const { path, note } = trace('newton-nonconvex-eta1') as TraceResult & { path: number[] };
    const end = path[path.length - 1];
    expect(fn.f(end)).toBeGreaterThan(fn.f(path[0]) + 20);
    expect(fn.hess(end)).toBeLessThan(0);
    expect(Math.abs(fn.grad(end))).toBeLessThan(1e-6);
    expect(note).toMatch(/uphill/);
  });

  it('goes downhill with step 0.5', () => {
    const fn = xCos(0.15 * Math.PI, '0.15π');
    const { path } = trace('newton-nonconvex-eta0.5') as { path: number[] };
    expect(fn.f(path[path.length - 1])).toBeLessThan(fn.f(path[0]));
    expect(fn.hess(path[path.length - 1])).toBeGreaterThan(0);
  });
});

/**
 * The twelve airfoil runs as the book writes its optimizers (12.5–12.10), with the settings of
 * chapter12.md and the book's code. ε goes where descent (PyTorch) puts it: outside the root for
 * AdaGrad and RMSProp, where the book's is inside.
 */
const airfoilRuns: Record<string, { rule: AirfoilRule; batchSize: number; epochs: number }> = {
  'minibatch-gd': { rule: airfoilRules.sgd(1), batchSize: 1500, epochs: 10 },
  'minibatch-sgd': { rule: airfoilRules.sgd(0.005), batchSize: 1, epochs: 2 },
  'minibatch-100': { rule: airfoilRules.sgd(0.4), batchSize: 100, epochs: 2 },
  'minibatch-10': { rule: airfoilRules.sgd(0.05), batchSize: 10, epochs: 2 },
  'momentum-airfoil-0.02-0.5': { rule: airfoilRules.momentum(0.02, 0.5), batchSize: 10, epochs: 2 },
  'momentum-airfoil-0.01-0.9': { rule: airfoilRules.momentum(0.01, 0.9), batchSize: 10, epochs: 2 },
  'momentum-airfoil-0.005-0.9': {
    rule: airfoilRules.momentum(0.005, 0.9),
    batchSize: 10,
    epochs: 2,
  },
  'adagrad-airfoil': {
    rule: airfoilRules.adagrad(0.1, 1e-6, 'outside'),
    batchSize: 10,
    epochs: 2,
  },
  'rmsprop-airfoil': {
    rule: airfoilRules.rmsprop(0.01, 0.9, 1e-6, 'outside'),
    batchSize: 10,
    epochs: 2,
  },
  'adadelta-airfoil': { rule: airfoilRules.adadelta(1, 0.9, 1e-5), batchSize: 10, epochs: 2 },
  'adam-airfoil': {
    rule: airfoilRules.adamFamily('adam', 0.01, 0.9, 0.999, 1e-6),
    batchSize: 10,
    epochs: 2,
  },
  'yogi-airfoil': {
    rule: airfoilRules.adamFamily('yogi', 0.01, 0.9, 0.999, 1e-3),
    batchSize: 10,
    epochs: 2,
  },
};

/** Relative difference allowed between the lab's losses and the float64 re-run's. */
const airfoilTolerance = 1e-12;

let airfoil: ReturnType<typeof airfoilData> | undefined;

/** The book's training loop on the lab's draws for `id`: its seeded stream, so the same w_0 and order. */
function rerun(id: string, rule: AirfoilRule, batchSize: number, epochs: number) {
  airfoil ??= airfoilData();
  return trainAirfoilReference(airfoil, rule, {
    batchSize,
    epochs,
    random: createRandom(run.seed, id),
  });
}

describe('airfoil runs', () => {
  const optimum = leastSquaresLoss();
  const training = () =>
    run.runs.filter((r) => r.result.kind === 'training') as {
      id: string;
      result: TrainingResult;
    }[];

  it('are the chapter’s twelve', () => {
    expect(training().map((r) => r.id)).toEqual([
      'minibatch-gd',
      'minibatch-sgd',
      'minibatch-100',
      'minibatch-10',
      'momentum-airfoil-0.02-0.5',
      'momentum-airfoil-0.01-0.9',
      'momentum-airfoil-0.005-0.9',
      'adagrad-airfoil',
      'rmsprop-airfoil',
      'adadelta-airfoil',
      'adam-airfoil',
      'yogi-airfoil',
    ]);
  });

  it('end near the least-squares optimum', () => {
    // Where every run heads; the precise check is the re-run below.
    expect(optimum).toBeGreaterThan(0.2);
    expect(optimum).toBeLessThan(0.3);
    for (const { id, result } of training()) {
      expect(result.finalLoss, id).toBeGreaterThanOrEqual(optimum - 1e-12);
      expect(result.finalLoss - optimum, id).toBeLessThan(0.01);
    }
  });

  it.each(Object.keys(airfoilRuns))(
    '%s matches a float64 re-run of the book’s optimizer on the same draws and order, to 1e-12',
    (id) => {
      const { rule, batchSize, epochs } = airfoilRuns[id];
      const result = results.get(id) as TrainingResult;
      const reference = rerun(id, rule, batchSize, epochs);
      expect(result.curve.map((p) => p.epoch)).toEqual(reference.curve.map((p) => p.epoch));
      // The same float64 arithmetic but for the order of the gradient's and the loss's sums and
      // of each update's products and quotients: the worst measured is 1.5e-14 (adadelta).
      result.curve.forEach((p, k) => {
        const loss = reference.curve[k].loss;
        expect(Math.abs(p.loss - loss), `${id}: record ${k}`).toBeLessThanOrEqual(
          airfoilTolerance * loss,
        );
      });
      expect(Math.abs(result.finalLoss - reference.finalLoss), id).toBeLessThanOrEqual(
        airfoilTolerance * reference.finalLoss,
      );
    },
  );

  it('tell the audit’s mutations apart by far more than the tolerance', () => {
    // Each variant differs from the lab's run by at least 1e5 times the tolerance somewhere
    // along its curve, so the comparison above cannot miss it.
    const variants: [string, AirfoilRule][] = [
      ['adagrad-airfoil', airfoilRules.adagrad(0.1, 0, 'outside')],
      ['adagrad-airfoil', airfoilRules.adagrad(0.1, 1e-6, 'inside')],
      ['rmsprop-airfoil', airfoilRules.rmsprop(0.01, 0.9, 1e-6, 'inside')],
      ['yogi-airfoil', airfoilRules.adamFamily('adam', 0.01, 0.9, 0.999, 1e-3)],
      ['adam-airfoil', airfoilRules.adamFamily('adam', 0.01, 0.9, 0.99, 1e-6)],
      ['momentum-airfoil-0.01-0.9', airfoilRules.momentum(0.01, 0.8)],
    ];
    for (const [id, rule] of variants) {
      const { batchSize, epochs } = airfoilRuns[id];
      const curve = (results.get(id) as TrainingResult).curve;
      const variant = rerun(id, rule, batchSize, epochs).curve;
      const apart = Math.max(...curve.map((p, k) => Math.abs(p.loss / variant[k].loss - 1)));
      expect(apart, id).toBeGreaterThan(1e5 * airfoilTolerance);
    }
  });

  it('record the loss over all rows every 200 examples, with the training time', () => {
    for (const { id, result } of training()) {
      const { batchSize, epochs } = result.settings as { batchSize: number; epochs: number };
      expect(result.curve.length, id).toBe(Math.ceil((1500 * epochs) / Math.max(200, batchSize)));
      expect(result.curve[result.curve.length - 1].loss, id).toBeCloseTo(result.finalLoss, 12);
      expect(result.curve[result.curve.length - 1].epoch, id).toBe(epochs);
      const seconds = result.curve.map((p) => p.seconds);
      expect(
        seconds.every((s, i) => i === 0 || s >= seconds[i - 1]),
        id,
      ).toBe(true);
      expect(result.secondsPerEpoch, id).toBeGreaterThan(0);
      // The first record is well above the optimum: the runs start from w ≈ 0.
      expect(result.curve[0].loss, id).toBeGreaterThan(result.finalLoss);
    }
  });
});

describe('the other experiments', () => {
  it('random traces are reproducible from the seed, and change with it', async () => {
    const again = await runLab({ only: ['sgd-2d-constant'], quick: true });
    expect((again.runs[0].result as TraceResult).final).toEqual(trace('sgd-2d-constant').final);
    expect((again.runs[0].result as TraceResult).seed).toBe(0);
    const other = await runLab({ only: ['sgd-2d-constant'], seed: 7, quick: true });
    expect((other.runs[0].result as TraceResult).final).not.toEqual(trace('sgd-2d-constant').final);
  });

  it('the noisy SGD runs take the chapter’s step counts', () => {
    expect(trace('sgd-2d-constant').path.length).toBe(51);
    expect(trace('sgd-2d-exponential').path.length).toBe(1001);
    expect(trace('sgd-2d-polynomial').path.length).toBe(51);
  });

  it('the scalar case matches (1 − ηλ)ᵗ', () => {
    const result = results.get('momentum-scalar');
    expect(result?.kind).toBe('series');
    if (result?.kind !== 'series') return;
    expect(result.series.map((s) => s.name)).toEqual(['λ = 0.1', 'λ = 1', 'λ = 10', 'λ = 19']);
    result.series.forEach((s, k) => {
      const lambda = [0.1, 1, 10, 19][k];
      // x ← x − η(λx) against the closed form: both float64, rounded in different places. With
      // λ = 10, 1 − ηλ is 0 and each step cancels the whole of its predecessor (pathTolerance).
      expectPath(
        s.y,
        s.y.map((_, t) => (1 - 0.1 * lambda) ** t),
        pathTolerance,
        `λ = ${lambda}`,
      );
    });
    expect(result.values?.['largest |x_t − (1 − ηλ)ᵗ x₀|']).toBeLessThan(1e-15);
  });

  it('the schedules match the book’s scheduler classes', () => {
    for (const [id, values] of Object.entries(book.schedules)) {
      const result = results.get(id);
      expect(result?.kind, id).toBe('series');
      if (result?.kind !== 'series') continue;
      expect(result.series[0].y.length, id).toBe(values.length);
      for (const [t, y] of result.series[0].y.entries()) {
        expect(Math.abs(y - values[t]), `${id} t=${t}`).toBeLessThan(1e-12);
      }
    }
  });

  it('the MultiStepLR plot is the book’s MultiFactorScheduler (MXNet’s) one epoch earlier', () => {
    const result = results.get('schedule-multi-factor');
    expect(result?.kind).toBe('series');
    const values = result?.kind === 'series' ? (result.values ?? {}) : {};
    const twin = Object.keys(values).filter((k) => k.includes('multiFactorScheduler'));
    expect(twin).toEqual([
      'largest |descent − multiFactorScheduler({ step: [15, 30], factor: 0.5, baseLr: 0.5 }) 1 epoch later|',
    ]);
    expect(values[twin[0]]).toBe(0);
  });

  it('vectorization times four equal matrix products', () => {
    const result = results.get('vectorization');
    expect(result?.kind).toBe('timing');
    if (result?.kind !== 'timing') return;
    expect(result.rows.map((r) => r.method)).toEqual([
      'element by element',
      'column by column',
      'whole',
      'blocks of 64 columns',
    ]);
    for (const row of result.rows) {
      expect(row.gflops).toBeGreaterThan(0);
      expect(row.maxDifference).toBeLessThan(1e-9);
    }
  });

  it('lists the Fashion-MNIST runs as not run rather than failing', () => {
    for (const name of [
      'constant',
      'square-root',
      'factor',
      'multi-factor',
      'cosine',
      'cosine-warmup',
    ]) {
      expect(results.get(`schedule-train-${name}`)?.kind).toBe('not-run');
    }
  });

  it('refuses unknown ids, bad seeds and resuming without a checkpoint before running anything', async () => {
    const events: string[] = [];
    const unknown = runLab({ only: ['gd-2d', 'nope'], onEvent: (e) => events.push(e.type) });
    await expect(unknown).rejects.toBeInstanceOf(RangeError);
    await expect(unknown).rejects.toThrow(
      'Unknown experiment id: "nope" (list them with: descent lab --list)',
    );
    for (const seed of [-1, 1.5, 2 ** 32]) {
      const bad = runLab({ seed, onEvent: (e) => events.push(e.type) });
      await expect(bad).rejects.toBeInstanceOf(RangeError);
      await expect(bad).rejects.toThrow(
        `Invalid seed: ${seed} (expected an integer in [0, 4294967295])`,
      );
    }
    const resume = runLab({ resume: true, onEvent: (e) => events.push(e.type) });
    await expect(resume).rejects.toBeInstanceOf(RangeError);
    await expect(resume).rejects.toThrow(
      'Invalid resume: true (it continues from checkpoint, which is not given)',
    );
    expect(events).toEqual([]);
  });
});
