import { describe, expect, it } from 'vitest';
import {
  choleskyFactor,
  choleskySolve,
  jacobiEigen,
  luFactor,
  luSolve,
  singularTolerance,
  solveAbsoluteShifted,
  solveShifted,
} from '../../src/kernels/linalg.js';

/** A small deterministic generator (mulberry32), uniform in [-1, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  };
}

const sizes = [1, 2, 3, 5, 8];

function randomMatrix(n: number, next: () => number): Float64Array {
  return Float64Array.from({ length: n * n }, next);
}

function symmetric(n: number, next: () => number): Float64Array {
  const a = randomMatrix(n, next);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i];
  return a;
}

/** Mᵀ M + I: positive definite. */
function positiveDefinite(n: number, next: () => number): Float64Array {
  const m = randomMatrix(n, next);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) a[i * n + j] += m[k * n + i] * m[k * n + j];
    }
    a[i * n + i] += 1;
  }
  return a;
}

function times(a: Float64Array, n: number, x: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[i] += a[i * n + j] * x[j];
  return y;
}

function maxDifference(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  return worst;
}

/** Solves with `solve` (in place) and checks the residual of A x = b. */
function expectSolves(a: Float64Array, n: number, solve: (b: Float64Array) => void): void {
  const b = Float64Array.from({ length: n }, (_, i) => i - n / 2 + 0.25);
  const x = b.slice();
  solve(x);
  expect(maxDifference(times(a, n, x), b)).toBeLessThan(1e-12);
}

describe('Cholesky', () => {
  it.each(sizes)('solves positive definite systems of size %i', (n) => {
    const next = random(n);
    for (let trial = 0; trial < 5; trial++) {
      const a = positiveDefinite(n, next);
      const l = a.slice();
      expect(choleskyFactor(l, n, singularTolerance(a, n))).toBe(true);
      expectSolves(a, n, (b) => choleskySolve(l, n, b));
    }
  });

  it('refuses indefinite, negative and singular matrices', () => {
    for (const a of [
      [1, 2, 2, 1],
      [-1, 0, 0, -2],
      [1, 1, 1, 1],
      [0, 0, 0, 0],
    ]) {
      const m = Float64Array.from(a);
      expect(choleskyFactor(m, 2, singularTolerance(m, 2))).toBe(false);
    }
  });
});

describe('LU with partial pivoting', () => {
  it.each(sizes)('solves general systems of size %i', (n) => {
    const next = random(100 + n);
    for (let trial = 0; trial < 5; trial++) {
      const a = randomMatrix(n, next);
      const lu = a.slice();
      const pivots = new Int32Array(n);
      expect(luFactor(lu, n, pivots, singularTolerance(a, n))).toBe(true);
      expectSolves(a, n, (b) => luSolve(lu, n, pivots, b));
    }
  });

  it('exchanges rows for a zero leading entry', () => {
    const a = Float64Array.from([0, 1, 1, 0]);
    const lu = a.slice();
    const pivots = new Int32Array(2);
    expect(luFactor(lu, 2, pivots, singularTolerance(a, 2))).toBe(true);
    expect([...pivots]).toEqual([1, 1]);
    expectSolves(a, 2, (b) => luSolve(lu, 2, pivots, b));
  });

  it('refuses singular matrices, also up to rounding', () => {
    const rankOne = Float64Array.from([1, 2, 3, 2, 4, 6, 3, 6, 9]);
    const thirds = Float64Array.from([0.1, 0.2, 0.3, 0.3, 0.1, 0.4, 0.4, 0.3, 0.7]); // row 3 = row 1 + row 2, up to rounding
    for (const a of [rankOne, thirds, new Float64Array(9)]) {
      expect(luFactor(a.slice(), 3, new Int32Array(3), singularTolerance(a, 3))).toBe(false);
    }
  });
});

describe('Jacobi eigendecomposition', () => {
  it.each(sizes)('diagonalizes symmetric matrices of size %i', (n) => {
    const next = random(200 + n);
    for (let trial = 0; trial < 5; trial++) {
      const a = symmetric(n, next);
      const lambda = a.slice();
      const v = new Float64Array(n * n);
      jacobiEigen(lambda, n, v);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let vtv = 0;
          let vlvt = 0;
          for (let k = 0; k < n; k++) {
            vtv += v[k * n + i] * v[k * n + j];
            vlvt += v[i * n + k] * lambda[k * n + k] * v[j * n + k];
          }
          expect(Math.abs(vtv - (i === j ? 1 : 0))).toBeLessThan(1e-14);
          expect(Math.abs(vlvt - a[i * n + j])).toBeLessThan(1e-14);
          // What is left off the diagonal is negligible next to the diagonal entries.
          const scale = Math.sqrt(Math.abs(lambda[i * n + i] * lambda[j * n + j]));
          if (i !== j)
            expect(Math.abs(lambda[i * n + j])).toBeLessThanOrEqual(Number.EPSILON * scale);
        }
      }
    }
  });
});

describe('Newton system solvers', () => {
  it('use Cholesky for a positive definite matrix and LU otherwise', () => {
    const n = 3;
    const next = random(300);
    const pd = positiveDefinite(n, next);
    const indefinite = symmetric(n, next);
    for (const [a, positive] of [
      [pd, true],
      [indefinite, false],
    ] as const) {
      const work = a.slice();
      const scratch = new Float64Array(n * n);
      const pivots = new Int32Array(n);
      expectSolves(a, n, (b) => {
        expect(solveShifted(work, n, b, 0, scratch, pivots)).toBe(true);
      });
      // LU factors in place; Cholesky leaves the matrix for the factor in scratch.
      expect(maxDifference(work, a) === 0).toBe(positive);
    }
  });

  it('shift the diagonal', () => {
    const n = 3;
    const a = symmetric(n, random(400));
    const shifted = a.slice();
    for (let i = 0; i < n; i++) shifted[i * n + i] += 4;
    expectSolves(shifted, n, (b) => {
      solveShifted(a.slice(), n, b, 4, new Float64Array(n * n), new Int32Array(n));
    });
  });

  it('solve with absolute eigenvalues, shifted', () => {
    const n = 4;
    const a = symmetric(n, random(500));
    const lambda = a.slice();
    const v = new Float64Array(n * n);
    jacobiEigen(lambda, n, v);
    // |A| + δI = V (|Λ| + δ) Vᵀ, assembled from the decomposition.
    const absolute = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < n; k++) {
          absolute[i * n + j] += v[i * n + k] * (Math.abs(lambda[k * n + k]) + 0.5) * v[j * n + k];
        }
      }
    }
    expectSolves(absolute, n, (b) => {
      const ok = solveAbsoluteShifted(
        a.slice(),
        n,
        b,
        0.5,
        new Float64Array(n * n),
        new Float64Array(n),
      );
      expect(ok).toBe(true);
    });
  });

  it('report singular systems', () => {
    const singular = Float64Array.from([1, 1, 1, 1]);
    const scratch = new Float64Array(4);
    const b = Float64Array.from([1, 2]);
    expect(solveShifted(singular.slice(), 2, b, 0, scratch, new Int32Array(2))).toBe(false);
    expect(solveAbsoluteShifted(singular.slice(), 2, b, 0, scratch, new Float64Array(2))).toBe(
      false,
    );
    expect(solveShifted(singular.slice(), 2, b, 1e-3, scratch, new Int32Array(2))).toBe(true);
  });
});
