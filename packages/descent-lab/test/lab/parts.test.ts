import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Adam } from 'descent';
import { afterAll, describe, expect, it } from 'vitest';
import {
  leastSquares,
  loadAirfoil,
  squaredLoss,
  trainLinearRegression,
} from '../../src/lab/airfoil.js';
import { contours, niceLevels, sampleGrid } from '../../src/lab/contour.js';
import { resolveOptimizer } from '../../src/lab/optimizers.js';
import { createRandom } from '../../src/lab/random.js';
import { textWidth } from '../../src/lab/text-width.js';

/** The error `run` throws (failing the test when it throws nothing), to check its type and message. */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, and nothing was thrown');
}

describe('airfoil data', () => {
  const data = loadAirfoil();

  it('is the first 1500 rows, 5 features, standardized over all 1503', () => {
    expect([data.rows, data.columns]).toEqual([1500, 5]);
    const raw = readFileSync(new URL('../../data/airfoil_self_noise.tsv', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t').map(Number));
    expect(raw.length).toBe(1503);
    const target = raw.map((r) => r[5]);
    const mean = target.reduce((a, b) => a + b) / target.length;
    const std = Math.sqrt(target.reduce((a, b) => a + (b - mean) ** 2, 0) / target.length);
    expect(data.targets[0]).toBeCloseTo((raw[0][5] - mean) / std, 12);
    expect(data.targets[1499]).toBeCloseTo((raw[1499][5] - mean) / std, 12);
  });

  it('trains with a descent optimizer: same seed, same run', () => {
    const train = (seed: number) =>
      trainLinearRegression(data, {
        optimizer: (params) => new Adam(params, { lr: 0.01 }),
        batchSize: 10,
        epochs: 1,
        random: createRandom(seed, 'test'),
      });
    const a = train(1);
    const b = train(1);
    expect(a.weights).toEqual(b.weights);
    expect(train(2).weights).not.toEqual(a.weights);
    expect(a.curve.length).toBe(7);
    expect(squaredLoss(data, a.weights, a.bias)).toBe(a.finalLoss);
    expect(a.finalLoss).toBeLessThan(squaredLoss(data, [0, 0, 0, 0, 0], 0));
  });
});

describe('airfoil errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airfoil-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the row and the cell that is not a number', () => {
    const file = join(dir, 'bad.tsv');
    writeFileSync(file, 'a\tb\ty\n1\t2\t3\n4\tx\t6\n');
    const error = thrown(() => loadAirfoil(file));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`Invalid number in ${file}, row 3: "x"`);
  });

  it('refuses the normal equations of linearly dependent features', () => {
    const data = loadAirfoil();
    const twice = new Float64Array(data.rows * 2);
    for (let i = 0; i < data.rows; i++)
      twice.fill(data.features[i * data.columns], 2 * i, 2 * i + 2);
    const error = thrown(() => leastSquares({ ...data, features: twice, columns: 2 }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('leastSquares: the features are linearly dependent');
  });
});

describe('contours', () => {
  it('traces the circle x² + y² = 1 as one closed line', () => {
    const grid = sampleGrid((x, y) => x * x + y * y, [-2, 2], [-2, 2], 60);
    const lines = contours(grid, [1]);
    expect(lines.length).toBe(1);
    const { points } = lines[0];
    expect(points[0]).toEqual(points[points.length - 1]);
    for (const [x, y] of points) expect(Math.abs(Math.hypot(x, y) - 1)).toBeLessThan(0.01);
    expect(points.length).toBeGreaterThan(40);
  });

  it('splits a saddle’s level 0 into crossing lines and picks round levels', () => {
    const grid = sampleGrid((x, y) => x * x - y * y, [-1, 1], [-1, 1], 41);
    const levels = niceLevels(grid);
    expect(levels.every((l) => l > -1 && l < 1)).toBe(true);
    expect(levels).toContain(0.4);
    for (const line of contours(grid, [0.5])) {
      for (const [x, y] of line.points) expect(Math.abs(x * x - y * y - 0.5)).toBeLessThan(0.02);
    }
  });
});

describe('optimizers by name', () => {
  it('builds the book’s settings, with overrides, and checks them at once', () => {
    expect(resolveOptimizer('adam').settings).toEqual({ lr: 0.01, eps: 1e-6 });
    expect(resolveOptimizer('RMSprop', { lr: 0.4 }).settings).toEqual({
      lr: 0.4,
      alpha: 0.9,
      eps: 1e-6,
    });
    expect(resolveOptimizer('nadam').className).toBe('NAdam');
  });

  it('refuses bad options, unknown names and optimizers a training loop cannot drive', () => {
    const lr = thrown(() => resolveOptimizer('adam', { lr: -1 }));
    expect(lr).toBeInstanceOf(RangeError);
    expect(lr.message).toMatch(/^Invalid learning rate \(lr\): -1\b/);
    const unknown = thrown(() => resolveOptimizer('nope'));
    expect(unknown).toBeInstanceOf(RangeError);
    expect(unknown.message).toMatch(
      /^Unknown optimizer: "nope" (\(did you mean \w+\?\) )?\((did you mean \w+\? )?expected one of sgd, momentum, adagrad, rmsprop, adadelta, adam, yogi, .*nadam.*\)$/,
    );
    const lbfgs = thrown(() => resolveOptimizer('LBFGS'));
    expect(lbfgs).toBeInstanceOf(RangeError);
    expect(lbfgs.message).toBe(
      'Unsupported optimizer: "LBFGS" (LBFGS needs a closure that re-evaluates the loss)',
    );
    const newton = thrown(() => resolveOptimizer('newton'));
    expect(newton).toBeInstanceOf(RangeError);
    expect(newton.message).toMatch(
      /^Unsupported optimizer: "newton" \(Newton needs hessian, a function no command line gives/,
    );
  });
});

describe('text widths for Vega', () => {
  it('measures DejaVu Sans advances, bold wider', () => {
    expect(textWidth('0', 10)).toBeCloseTo(6.36, 6);
    expect(textWidth('mi', 11)).toBeCloseTo(((974 + 278) * 11) / 1000, 6);
    expect(textWidth('loss', 12, true)).toBeGreaterThan(textWidth('loss', 12));
  });
});
