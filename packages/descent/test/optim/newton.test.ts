import { describe, expect, it } from 'vitest';
import { type Param, param } from '../../src/core/param.js';
import { type Hessian, Newton, type NewtonOptions } from '../../src/optim/newton.js';
import { loadCases, type ReferenceCase, replay } from './reference.js';

/** The problems of scripts/reference/optim_newton.py; each group holds one copy. */
type Problem =
  | { name: 'cosh'; scale: number }
  | { name: 'xcos'; c: number }
  | { name: 'quadratic'; matrix: number[][]; vector: number[] }
  | { name: 'rosenbrock' };

const flat = (params: Param[]) => params.flatMap((p) => [...p.data]);

/** The closed-form Hessian, with the generator's formulas. */
function hessianOf(problem: Problem): Hessian {
  return (params) => {
    const x = flat(params);
    const n = x.length;
    const h = new Float64Array(n * n);
    switch (problem.name) {
      case 'cosh': {
        const s = problem.scale;
        for (let i = 0; i < n; i++) h[i * n + i] = s * s * Math.cosh(s * x[i]);
        return h;
      }
      case 'xcos': {
        const c = problem.c;
        for (let i = 0; i < n; i++) {
          h[i * n + i] = -2 * c * Math.sin(c * x[i]) - c * c * x[i] * Math.cos(c * x[i]);
        }
        return h;
      }
      case 'quadratic':
        return problem.matrix.flat();
      case 'rosenbrock':
        for (let i = 0; i < n - 1; i++) {
          h[i * n + i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2;
          h[(i + 1) * n + i + 1] += 200;
          h[i * n + i + 1] = h[(i + 1) * n + i] = -400 * x[i];
        }
        return h;
    }
  };
}

describe('Newton against the book formulas', () => {
  for (const c of loadCases('newton.json') as (ReferenceCase & { problem: Problem })[]) {
    it(c.name, () => replay(c, { hessian: hessianOf(c.problem) }));
  }
});

describe("Newton on the book's one-dimensional examples", () => {
  const c = 0.15 * Math.PI;
  const xcos = {
    f: (x: number) => x * Math.cos(c * x),
    grad: (x: number) => Math.cos(c * x) - c * x * Math.sin(c * x),
    hessian: hessianOf({ name: 'xcos', c }),
  };

  /** Runs Newton from x0 with the gradient in closed form; returns the iterates. */
  function run(
    grad: (x: number) => number,
    hessian: Hessian,
    options: Partial<NewtonOptions>,
    steps: number,
    x0 = 10,
  ): number[] {
    const x = param([x0], { dtype: 'float64' });
    const opt = new Newton([x], { hessian, ...options });
    const iterates = [];
    for (let t = 0; t < steps; t++) {
      x.grad = new Float64Array([grad(x.data[0])]);
      opt.step();
      iterates.push(x.data[0]);
    }
    return iterates;
  }

  it('converges on cosh(x / 2) from x = 10', () => {
    const iterates = run(
      (x) => 0.5 * Math.sinh(0.5 * x),
      hessianOf({ name: 'cosh', scale: 0.5 }),
      {},
      8,
    );
    expect(Math.abs(iterates[3])).toBeGreaterThan(1);
    expect(Math.abs(iterates[7])).toBeLessThan(1e-15);
  });

  it('goes uphill on x cos(cx) with lr 1, to a maximum', () => {
    const iterates = run(xcos.grad, xcos.hessian, {}, 10);
    const end = iterates.at(-1)!;
    expect(xcos.f(end)).toBeGreaterThan(xcos.f(10) + 20);
    expect(Math.abs(xcos.grad(end))).toBeLessThan(1e-12);
    expect(xcos.hessian([param([end], { dtype: 'float64' })])[0]).toBeLessThan(0);
  });

  it('descends on x cos(cx) with lr 0.5, to a minimum', () => {
    const iterates = run(xcos.grad, xcos.hessian, { lr: 0.5 }, 40);
    const fs = [10, ...iterates].map(xcos.f);
    // Non-increasing up to the rounding of f once converged.
    for (let t = 1; t < fs.length; t++) expect(fs[t]).toBeLessThanOrEqual(fs[t - 1] + 1e-12);
    const end = iterates.at(-1)!;
    expect(Math.abs(xcos.grad(end))).toBeLessThan(1e-9);
    expect(xcos.hessian([param([end], { dtype: 'float64' })])[0]).toBeGreaterThan(0);
  });

  it('takes the same plain step whether it maximizes or not', () => {
    const min = run(xcos.grad, xcos.hessian, {}, 4);
    // Equal up to rounding: H > 0 is solved by Cholesky, −H < 0 by LU.
    run(xcos.grad, xcos.hessian, { maximize: true }, 4).forEach((x, t) => {
      expect(Math.abs(x - min[t])).toBeLessThan(1e-12 * Math.abs(min[t]));
    });
  });

  it('with absolute eigenvalues, descends where H < 0 and, maximizing, ascends where H > 0', () => {
    const at = (x: number) => xcos.hessian([param([x], { dtype: 'float64' })])[0];
    const options = { lr: 0.5 };
    const abs = { ...options, absoluteEigenvalues: true };
    expect(at(27)).toBeLessThan(0);
    expect(xcos.f(run(xcos.grad, xcos.hessian, options, 1, 27)[0])).toBeGreaterThan(xcos.f(27));
    expect(xcos.f(run(xcos.grad, xcos.hessian, abs, 1, 27)[0])).toBeLessThan(xcos.f(27));
    expect(at(10)).toBeGreaterThan(0);
    const maximize = { maximize: true };
    expect(xcos.f(run(xcos.grad, xcos.hessian, { ...options, ...maximize }, 1)[0])).toBeLessThan(
      xcos.f(10),
    );
    expect(xcos.f(run(xcos.grad, xcos.hessian, { ...abs, ...maximize }, 1)[0])).toBeGreaterThan(
      xcos.f(10),
    );
  });
});

describe('Newton solves and checks', () => {
  const g = [1, -2, 0.5];
  /** Parameters a (length 2) and b (length 1) at [1, 2, 3] with gradient g. */
  const point = () => {
    const a = param([1, 2], { dtype: 'float64' });
    const b = param([3], { dtype: 'float64' });
    a.grad.set(g.slice(0, 2));
    b.grad.set(g.slice(2));
    return [a, b];
  };
  const constant =
    (h: number[][]): Hessian =>
    () =>
      h.flat();
  /** The direction d of one step from `point()`, recovered from x ← x − lr d. */
  const direction = (h: number[][], options: Partial<NewtonOptions> = {}) => {
    const params = point();
    new Newton(params, { hessian: constant(h), ...options }).step();
    return flat(params).map((x, i) => (i + 1 - x) / (options.lr ?? 1));
  };
  const times = (h: number[][], d: number[]) =>
    h.map((row) => row.reduce((sum, hij, j) => sum + hij * d[j], 0));
  const residual = (h: number[][], d: number[]) =>
    Math.max(...times(h, d).map((hd, i) => Math.abs(hd - g[i])));
  // Q is orthogonal and symmetric, so Q diag(λ) Q has eigenvalues λ and eigenvectors Q's columns.
  const Q = [
    [1, 2, 2],
    [2, 1, -2],
    [2, -2, 1],
  ].map((row) => row.map((x) => x / 3));
  const spectral = (...lambda: number[]) =>
    Q.map((_, i) => Q.map((__, j) => lambda.reduce((sum, l, k) => sum + Q[i][k] * l * Q[k][j], 0)));
  const positive = spectral(2, 1, 4);
  const indefinite = spectral(2, -1, -4);

  it('solves positive definite and indefinite systems over the concatenated parameters', () => {
    expect(residual(positive, direction(positive))).toBeLessThan(1e-14);
    expect(residual(indefinite, direction(indefinite))).toBeLessThan(1e-14);
    // A zero leading entry needs a row exchange.
    const pivoting = [
      [0, 1, 2],
      [1, 0, 1],
      [2, 1, 0],
    ];
    expect(residual(pivoting, direction(pivoting))).toBeLessThan(1e-14);
  });

  it('adds damping to the diagonal and scales the step by lr', () => {
    const damped = indefinite.map((row, i) => row.map((x, j) => x + (i === j ? 5 : 0)));
    expect(residual(damped, direction(indefinite, { damping: 5, lr: 0.25 }))).toBeLessThan(1e-14);
  });

  it('replaces the eigenvalues by their absolute values, before damping', () => {
    const d = direction(indefinite, { absoluteEigenvalues: true });
    expect(residual(spectral(2, 1, 4), d)).toBeLessThan(1e-14);
    const damped = direction(indefinite, { absoluteEigenvalues: true, damping: 0.5 });
    expect(residual(spectral(2.5, 1.5, 4.5), damped)).toBeLessThan(1e-14);
  });

  it('with maximize, minimizes −f: gradient and Hessian change sign', () => {
    const d = direction(indefinite, { maximize: true, damping: 5 });
    const damped = indefinite.map((row, i) => row.map((x, j) => -x + (i === j ? 5 : 0)));
    expect(
      residual(
        damped,
        d.map((x) => -x),
      ),
    ).toBeLessThan(1e-14);
  });

  it.each([
    ['a singular Hessian', spectral(2, 0, -1), {}],
    ['a singular damped Hessian', spectral(2, -0.5, 1), { damping: 0.5 }],
    [
      'a singular Hessian with absolute eigenvalues',
      spectral(2, 0, -1),
      { absoluteEigenvalues: true },
    ],
    ['a zero Hessian', spectral(0, 0, 0), { absoluteEigenvalues: true }],
  ])('throws on %s before any parameter changes', (_, h, options) => {
    const first = param([5], { dtype: 'float64' });
    first.grad.set([1]);
    const params = point();
    const opt = new Newton(
      [
        { params: [first], hessian: constant([[2]]) },
        { params, hessian: constant(h), ...options },
      ],
      { hessian: constant([[1]]) },
    );
    expect(() => opt.step()).toThrow(RangeError);
    expect(() => opt.step()).toThrow(/^Singular Hessian for parameter group 1 \(damping/);
    expect([...first.data, ...flat(params)]).toEqual([5, 1, 2, 3]);
    expect(opt.state.size).toBe(0);
  });

  it('solves a singular Hessian once damped', () => {
    const h = spectral(2, 0, -1);
    expect(() => direction(h)).toThrow(RangeError);
    const damped = h.map((row, i) => row.map((x, j) => x + (i === j ? 3 : 0)));
    expect(residual(damped, direction(h, { damping: 3 }))).toBeLessThan(1e-14);
  });

  it.each([
    [
      5,
      TypeError,
      /^Invalid hessian for parameter group 0: it returned 5 \(expected 9 numbers: 3 x 3, row-major\)$/,
    ],
    [null, TypeError, /^Invalid hessian for parameter group 0: it returned null/],
    [
      [1, 0, 0, 1],
      RangeError,
      /^Invalid hessian for parameter group 0: it returned 4 numbers \(expected 9/,
    ],
    [
      [1, 0, 0, 0, 1, 0, 0, 0, Number.NaN],
      RangeError,
      /entry \(2, 2\) is NaN \(expected a finite number\)$/,
    ],
    [[1, 0, 0, 0, 1, Number.POSITIVE_INFINITY, 0, 0, 1], RangeError, /entry \(1, 2\) is Infinity/],
    [[1, 0, 0, 0, '1', 0, 0, 0, 1], TypeError, /entry \(1, 1\) is "1" \(expected a number\)$/],
    [
      [1, 1, 0, 2, 1, 0, 0, 0, 1],
      RangeError,
      /not symmetric, entry \(0, 1\) is 1 but \(1, 0\) is 2$/,
    ],
  ])('rejects a hessian returning %o, before any parameter changes', (value, type, message) => {
    const params = point();
    const opt = new Newton(params, { hessian: () => value as never });
    expect(() => opt.step()).toThrow(type);
    expect(() => opt.step()).toThrow(message);
    expect(flat(params)).toEqual([1, 2, 3]);
    expect(opt.state.size).toBe(0);
  });

  it('accepts a Hessian symmetric up to rounding, as its symmetric part', () => {
    const skewed = positive.map((row, i) => row.map((x, j) => x + (i < j ? 1e-14 : 0)));
    const symmetric = positive.map((row, i) => row.map((x, j) => x + (i !== j ? 5e-15 : 0)));
    const d = direction(skewed);
    expect(d).toEqual(direction(symmetric));
    expect(residual(symmetric, d)).toBeLessThan(1e-14);
  });

  it('takes every Hessian at the point before the step', () => {
    const first = param([1, 2], { dtype: 'float64' });
    const second = param([3], { dtype: 'float64' });
    first.grad.set([1, 1]);
    second.grad.set([1]);
    const seen: number[][] = [];
    const record = (h: number[]) => () => {
      seen.push([...first.data, ...second.data]);
      return h;
    };
    new Newton([{ params: [first], hessian: record([1, 0, 0, 1]) }, { params: [second] }], {
      hessian: record([2]),
    }).step();
    expect(seen).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect([...first.data, ...second.data]).toEqual([0, 1, 2.5]);
  });

  it('counts a null gradient as zero and leaves a group without gradients alone', () => {
    const params: Param[] = point();
    params[1].grad = null;
    const idle: Param = param([7]);
    idle.grad = null;
    let idleCalls = 0;
    const opt = new Newton(
      [
        { params, hessian: constant(positive) },
        {
          params: [idle],
          hessian: () => {
            idleCalls++;
            return [1];
          },
        },
      ],
      { hessian: constant(positive) },
    );
    opt.step();
    const d = flat(params).map((x, i) => i + 1 - x);
    expect(
      Math.max(...times(positive, d).map((hd, i) => Math.abs(hd - [1, -2, 0][i]))),
    ).toBeLessThan(1e-14);
    expect(d[2]).not.toBe(0);
    expect(idleCalls).toBe(0);
    expect(idle.data[0]).toBe(7);
    expect(opt.state.get(params[1])?.step).toBe(1);
    expect(opt.state.has(idle)).toBe(false);
  });

  it('keeps a step count per parameter, through a state dict', () => {
    const params = point();
    const opt = new Newton(params, { hessian: constant(positive), lr: 0.5 });
    opt.step();
    opt.step();
    expect(Object.keys(opt.state.get(params[0])!)).toEqual(['step']);
    const restored = new Newton(point(), { hessian: constant(positive) });
    restored.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
    expect(restored.paramGroups[0].lr).toBe(0.5);
    expect(restored.paramGroups[0].hessian).toBeTypeOf('function');
    expect([...restored.state.values()].map((s) => s.step)).toEqual([2, 2]);
  });
});

describe('Newton options', () => {
  const p = () => [param([1, 2, 3])];
  const hessian: Hessian = () => [1, 0, 0, 0, 1, 0, 0, 0, 1];
  it.each([
    [{ lr: -1 }, RangeError, /^Invalid learning rate \(lr\): -1$/],
    [{ damping: -0.5 }, RangeError, /^Invalid damping value \(damping\): -0.5$/],
    [{ damping: Number.NaN }, TypeError, /^Invalid damping value \(damping\): NaN/],
    [{ hessian: 'H' }, TypeError, /^Invalid hessian: "H" \(expected a function\)$/],
    [{ hessian: [1] }, TypeError, /^Invalid hessian: \[1\] \(expected a function\)$/],
    [{ absoluteEigenvalues: 1 }, TypeError, /^Invalid absoluteEigenvalues: 1/],
    [{ maximize: 'yes' }, TypeError, /^Invalid maximize: "yes"/],
    [{ lr: 'fast' }, TypeError, /^Invalid learning rate \(lr\): "fast"/],
  ])('rejects %o, as an option or in a group', (options, type, message) => {
    const asOption = () => new Newton(p(), { hessian, ...options } as never);
    const inGroup = () => new Newton([{ params: p(), ...options } as never], { hessian });
    for (const make of [asOption, inGroup]) {
      expect(make).toThrow(type);
      expect(make).toThrow(message);
    }
  });

  it('requires a hessian', () => {
    expect(() => new Newton(p(), {} as never)).toThrow(/^Invalid hessian: undefined/);
  });

  it('uses the defaults of plain Newton', () => {
    expect(new Newton(p(), { hessian }).defaults).toEqual({
      lr: 1,
      damping: 0,
      absoluteEigenvalues: false,
      maximize: false,
      hessian,
    });
  });
});
