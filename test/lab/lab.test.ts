import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosh, xCos } from '../../src/lab/functions.js';
import { type LabRun, runLab } from '../../src/lab/run.js';
import type { Result, TraceResult, TrainingResult } from '../../src/lab/types.js';

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
 * independently of the lab: standardize over all 1503 rows, keep 1500, solve the normal equations
 * by Gaussian elimination, and evaluate the mean of (ŷ − y)²/2.
 */
function leastSquaresLoss(): number {
  const text = readFileSync(new URL('../../data/airfoil_self_noise.tsv', import.meta.url), 'utf8');
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t').map(Number));
  const columns = rows[0].length;
  for (let j = 0; j < columns; j++) {
    const mean = rows.reduce((s, r) => s + r[j], 0) / rows.length;
    const std = Math.sqrt(rows.reduce((s, r) => s + (r[j] - mean) ** 2, 0) / rows.length);
    for (const r of rows) r[j] = (r[j] - mean) / std;
  }
  const kept = rows.slice(0, 1500);
  const design = kept.map((r) => [...r.slice(0, columns - 1), 1]);
  const y = kept.map((r) => r[columns - 1]);
  const n = columns;
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
  return (
    design.reduce((s, x, k) => s + (x.reduce((t, v, j) => t + v * theta[j], 0) - y[k]) ** 2, 0) /
    (2 * y.length)
  );
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

let run: LabRun;
const results = new Map<string, Result>();
const trace = (id: string) => results.get(id) as TraceResult;

beforeAll(async () => {
  run = await runLab({ quick: true });
  for (const r of run.runs) results.set(r.id, r.result);
});

describe('the lab against the book', () => {
  const ids = Object.keys(book.experiments);

  it('covers every deterministic trace the book prints', () => {
    expect(ids.length).toBe(15);
    for (const id of ids) expect(trace(id)?.kind, id).toBe('trace');
  });

  it.each(ids)('%s reproduces the printed value to 1e-5', (id) => {
    const ours = [trace(id).final].flat();
    const { values, halfUnit } = printedNumbers(book.experiments[id].printed);
    expect(values.length).toBe(ours.length);
    // The book prints 6 decimals (4 for Newton's tensors): the printed digits bound us to within
    // their rounding, and the book's rule evaluated in float64 to 1e-5.
    ours.forEach((x, i) => {
      expect(Math.abs(x - values[i]), `${id}[${i}]`).toBeLessThanOrEqual(
        Math.max(1e-5, halfUnit) + 1e-12,
      );
    });
    [book.experiments[id].final].flat().forEach((x, i) => {
      expect(Math.abs(ours[i] - x), `${id}[${i}]`).toBeLessThanOrEqual(1e-5);
    });
  });

  it.each(ids)('%s follows the book’s whole path', (id) => {
    const ours = trace(id).path.map((p) => [p].flat());
    const theirs = book.experiments[id].path.map((p) => [p].flat());
    expect(ours.length).toBe(theirs.length);
    ours.forEach((p, t) => {
      p.forEach((x, i) => {
        expect(Math.abs(x - theirs[t][i]), `${id} step ${t}`).toBeLessThanOrEqual(
          1e-5 * Math.max(1, Math.abs(theirs[t][i])),
        );
      });
    });
  });

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
    expect(optimum).toBeGreaterThan(0.2);
    expect(optimum).toBeLessThan(0.3);
    for (const { id, result } of training()) {
      expect(result.finalLoss, id).toBeGreaterThanOrEqual(optimum - 1e-12);
      expect(result.finalLoss - optimum, id).toBeLessThan(0.01);
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
      for (const [t, x] of s.y.entries()) expect(x).toBeCloseTo((1 - 0.1 * lambda) ** t, 12);
    });
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

  it('refuses unknown ids and bad seeds before running anything', async () => {
    await expect(runLab({ only: ['gd-2d', 'nope'] })).rejects.toThrow(
      /Unknown experiment id: "nope"/,
    );
    await expect(runLab({ seed: -1 })).rejects.toThrow(RangeError);
  });
});
