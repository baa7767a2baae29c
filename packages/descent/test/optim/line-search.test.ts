import { describe, expect, it } from 'vitest';
import { strongWolfe } from '../../src/optim/line-search.js';

/** f(x) = 3 (x0 − 1)² + sin(x1) + x1² / 4 + x0⁴ / 8 and its gradient. */
function objective(x: Float64Array) {
  const loss = 3 * (x[0] - 1) ** 2 + Math.sin(x[1]) + x[1] ** 2 / 4 + x[0] ** 4 / 8;
  const grad = new Float64Array([6 * (x[0] - 1) + x[0] ** 3 / 2, Math.cos(x[1]) + x[1] / 2]);
  return { loss, grad };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => a[0] * b[0] + a[1] * b[1];

describe('strongWolfe', () => {
  const x = new Float64Array([-0.5, 1]);
  const { loss: f, grad: g } = objective(x);
  const d = g.map((v) => -v);
  const gtd = dot(g, d);
  const along = (t: number) => objective(x.map((v, i) => v + t * d[i]));

  it.each([1e-4, 0.01, 0.1, 1, 10, 1000])('finds a strong Wolfe step from t = %s', (t0) => {
    let calls = 0;
    const counted = (t: number) => {
      calls++;
      return along(t);
    };
    const { t, loss, grad, evals } = strongWolfe(counted, t0, d, f, g, gtd);
    expect(evals).toBe(calls);
    expect(evals).toBeLessThanOrEqual(26);
    expect(t).toBeGreaterThan(0);
    const at = along(t);
    expect(loss).toBe(at.loss);
    expect([...grad]).toEqual([...at.grad]);
    expect(loss).toBeLessThanOrEqual(f + 1e-4 * t * gtd);
    expect(Math.abs(dot(grad, d))).toBeLessThanOrEqual(-0.9 * gtd);
  });

  it('returns the lower end of its bracket when out of evaluations', () => {
    const trials: number[] = [];
    const recorded = (t: number) => {
      trials.push(t);
      return along(t);
    };
    const { t, loss, evals } = strongWolfe(recorded, 1000, d, f, g, gtd, { maxLs: 1 });
    expect(evals).toBe(2);
    const losses = [0, ...trials].map((s) => along(s).loss);
    expect(loss).toBe(Math.min(...losses));
    expect(along(t).loss).toBe(loss);
  });
});
