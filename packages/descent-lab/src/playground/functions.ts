/**
 * The playground's functions: every 1-D and 2-D function of the chapter (the lab's own
 * definitions, imported, not copied) and the classic test functions of optimization, each with
 * its gradient, its Hessian (for Newton's method), its minima and a window to draw it in.
 */
import {
  cosh,
  cosPi,
  cube,
  expHalf,
  type Function1D,
  type Function2D,
  halfSquare,
  quadratic,
  square,
  tanh,
  xCos,
} from '../lab/functions.js';

/** A function of one or two variables, in the form the page's runs and drawings take. */
export interface PlaygroundFunction {
  /** Its name in the address (`#…fn=rosenbrock`). */
  id: string;
  /** The menu's label. */
  label: string;
  formula: string;
  dim: 1 | 2;
  f(x: ArrayLike<number>): number;
  /** Writes ∇f(x) into `out`. */
  grad(x: ArrayLike<number>, out: Float64Array): void;
  /** The Hessian at x, row-major (dim² numbers). */
  hess(x: ArrayLike<number>): number[];
  /** Points marked as minima (2-D: the known ones; 1-D: found in the window by `localMinima`). */
  minima: number[][];
  /** The least value, where the function has one: "within a tolerance of the minimum" counts from it. */
  fmin?: number;
  /** The window: [[x₁ from, to], [x₂ from, to]] (1-D: one range). */
  view: [number, number][];
  /** Where a new run starts. */
  start: number[];
}

function oneD(
  id: string,
  label: string,
  fn: Function1D,
  view: [number, number],
  start: number,
  fmin?: number,
): PlaygroundFunction {
  return {
    id,
    label,
    formula: fn.formula,
    dim: 1,
    f: (x) => fn.f(x[0]),
    grad: (x, out) => {
      out[0] = fn.grad(x[0]);
    },
    hess: (x) => [fn.hess(x[0])],
    minima: localMinima(fn, view).map((x) => [x]),
    fmin,
    view: [view],
    start: [start],
  };
}

function twoD(
  id: string,
  label: string,
  fn: Function2D & { hess(x1: number, x2: number): [number, number, number, number] },
  o: { view: [number, number][]; start: number[]; minima: number[][]; fmin?: number },
): PlaygroundFunction {
  return {
    id,
    label,
    formula: fn.formula,
    dim: 2,
    f: (x) => fn.f(x[0], x[1]),
    grad: (x, out) => {
      const [g1, g2] = fn.grad(x[0], x[1]);
      out[0] = g1;
      out[1] = g2;
    },
    hess: (x) => fn.hess(x[0], x[1]),
    ...o,
  };
}

/** The local minima of a 1-D function inside a window, where f′ turns from negative to positive. */
export function localMinima(fn: Function1D, [low, high]: [number, number]): number[] {
  const found: number[] = [];
  const n = 2000;
  let previous = fn.grad(low);
  for (let i = 1; i <= n; i++) {
    const x = low + ((high - low) * i) / n;
    const g = fn.grad(x);
    if (previous < 0 && g >= 0) {
      // Bisection on f′ to full precision.
      let [a, b] = [x - (high - low) / n, x];
      for (let k = 0; k < 60; k++) {
        const m = (a + b) / 2;
        if (fn.grad(m) < 0) a = m;
        else b = m;
      }
      found.push((a + b) / 2);
    }
    previous = g;
  }
  return found;
}

/** (1 − x₁)² + 100(x₂ − x₁²)²: a long curved valley with its minimum at (1, 1). */
export const rosenbrock = {
  formula: 'f(x) = (1 − x₁)² + 100(x₂ − x₁²)²',
  f: (x1: number, x2: number) => (1 - x1) ** 2 + 100 * (x2 - x1 * x1) ** 2,
  grad: (x1: number, x2: number): [number, number] => [
    -2 * (1 - x1) - 400 * x1 * (x2 - x1 * x1),
    200 * (x2 - x1 * x1),
  ],
  hess: (x1: number, x2: number): [number, number, number, number] => [
    2 - 400 * (x2 - x1 * x1) + 800 * x1 * x1,
    -400 * x1,
    -400 * x1,
    200,
  ],
};

const bealeC = [1.5, 2.25, 2.625];

/** Σᵢ (cᵢ − x₁ + x₁x₂ⁱ)², c = (1.5, 2.25, 2.625): flat plateaus and sharp ridges, minimum (3, 0.5). */
export const beale = {
  formula: 'f(x) = Σᵢ₌₁³ (cᵢ − x₁ + x₁x₂ⁱ)², c = 1.5, 2.25, 2.625',
  f: (x1: number, x2: number) =>
    bealeC.reduce((sum, c, k) => sum + (c - x1 + x1 * x2 ** (k + 1)) ** 2, 0),
  grad: (x1: number, x2: number): [number, number] => {
    let g1 = 0;
    let g2 = 0;
    bealeC.forEach((c, k) => {
      const i = k + 1;
      const a = c - x1 + x1 * x2 ** i;
      g1 += 2 * a * (x2 ** i - 1);
      g2 += 2 * a * x1 * i * x2 ** (i - 1);
    });
    return [g1, g2];
  },
  hess: (x1: number, x2: number): [number, number, number, number] => {
    let h11 = 0;
    let h12 = 0;
    let h22 = 0;
    bealeC.forEach((c, k) => {
      const i = k + 1;
      const a = c - x1 + x1 * x2 ** i;
      const ax = x2 ** i - 1; // ∂a/∂x₁
      const ay = x1 * i * x2 ** (i - 1); // ∂a/∂x₂
      h11 += 2 * ax * ax;
      h12 += 2 * (ay * ax + a * i * x2 ** (i - 1));
      h22 += 2 * (ay * ay + a * x1 * i * (i - 1) * x2 ** (i - 2));
    });
    return [h11, h12, h12, h22];
  },
};

/** (x₁² + x₂ − 11)² + (x₁ + x₂² − 7)²: four minima of value 0. */
export const himmelblau = {
  formula: 'f(x) = (x₁² + x₂ − 11)² + (x₁ + x₂² − 7)²',
  f: (x1: number, x2: number) => (x1 * x1 + x2 - 11) ** 2 + (x1 + x2 * x2 - 7) ** 2,
  grad: (x1: number, x2: number): [number, number] => [
    4 * x1 * (x1 * x1 + x2 - 11) + 2 * (x1 + x2 * x2 - 7),
    2 * (x1 * x1 + x2 - 11) + 4 * x2 * (x1 + x2 * x2 - 7),
  ],
  hess: (x1: number, x2: number): [number, number, number, number] => [
    12 * x1 * x1 + 4 * x2 - 42,
    4 * x1 + 4 * x2,
    4 * x1 + 4 * x2,
    4 * x1 + 12 * x2 * x2 - 26,
  ],
};

const twoPi = 2 * Math.PI;

/** 20 + Σᵢ (xᵢ² − 10 cos 2πxᵢ): a bowl covered in local minima, the global one at 0. */
export const rastrigin = {
  formula: 'f(x) = 20 + Σᵢ (xᵢ² − 10 cos 2πxᵢ)',
  f: (x1: number, x2: number) =>
    20 + x1 * x1 - 10 * Math.cos(twoPi * x1) + x2 * x2 - 10 * Math.cos(twoPi * x2),
  grad: (x1: number, x2: number): [number, number] => [
    2 * x1 + 10 * twoPi * Math.sin(twoPi * x1),
    2 * x2 + 10 * twoPi * Math.sin(twoPi * x2),
  ],
  hess: (x1: number, x2: number): [number, number, number, number] => [
    2 + 10 * twoPi * twoPi * Math.cos(twoPi * x1),
    0,
    0,
    2 + 10 * twoPi * twoPi * Math.cos(twoPi * x2),
  ],
};

/** 0.05x₁² + 5(x₂ − sin x₁)²: a narrow valley winding along x₂ = sin x₁ down to (0, 0). */
export const valley = {
  formula: 'f(x) = 0.05x₁² + 5(x₂ − sin x₁)²',
  f: (x1: number, x2: number) => 0.05 * x1 * x1 + 5 * (x2 - Math.sin(x1)) ** 2,
  grad: (x1: number, x2: number): [number, number] => {
    const r = x2 - Math.sin(x1);
    return [0.1 * x1 - 10 * r * Math.cos(x1), 10 * r];
  },
  hess: (x1: number, x2: number): [number, number, number, number] => {
    const r = x2 - Math.sin(x1);
    const c = Math.cos(x1);
    return [0.1 + 10 * c * c + 10 * r * Math.sin(x1), -10 * c, -10 * c, 10];
  },
};

const withHessian = (fn: Function2D) =>
  fn as Function2D & { hess(x1: number, x2: number): [number, number, number, number] };

/** The chapter's window for its 2-D traces, as the lab draws them. */
export const chapterWindow: [number, number][] = [
  [-5.5, 1],
  [-3, 1],
];

/** Every function of the playground, the chapter's first. */
export const functions: readonly PlaygroundFunction[] = [
  oneD('x2', 'x² (12.3)', square, [-12, 12], 10, 0),
  oneD('half-x2', '0.5x² (12.2)', halfSquare, [-2, 2], 1.5, 0),
  oneD('xcos-0.15pi', 'x cos(0.15πx) (12.3)', xCos(0.15 * Math.PI, '0.15π'), [-13, 13], 10),
  oneD('xcos-pi', 'x cos(πx) (12.1)', xCos(Math.PI, 'π'), [-1, 2], -0.5),
  oneD('cosh-0.5', 'cosh(0.5x) (12.3)', cosh(0.5), [-12, 12], 10, 1),
  oneD('x3', 'x³ (12.1)', cube, [-2, 2], 1.5),
  oneD('tanh', 'tanh(x) (12.1)', tanh, [-4.5, 4.5], 4),
  oneD('exp-half', 'exp(0.5x) (12.2)', expHalf, [-2, 2], 1),
  oneD('cos-pi', 'cos(πx) (12.2)', cosPi, [-2, 2], 0.3),
  twoD('quad-1-2', 'x₁² + 2x₂² (12.3, 12.4)', withHessian(quadratic(1, 2)), {
    view: chapterWindow,
    start: [-5, -2],
    minima: [[0, 0]],
    fmin: 0,
  }),
  twoD('quad-0.1-2', '0.1x₁² + 2x₂² (12.6–12.8)', withHessian(quadratic(0.1, 2)), {
    view: chapterWindow,
    start: [-5, -2],
    minima: [[0, 0]],
    fmin: 0,
  }),
  twoD('saddle', 'x₁² − x₂² (12.1)', withHessian(quadratic(1, -1)), {
    view: [
      [-1, 1],
      [-1, 1],
    ],
    start: [-0.8, 0.01],
    minima: [],
  }),
  twoD('rosenbrock', 'Rosenbrock', rosenbrock, {
    view: [
      [-2, 2],
      [-1, 3],
    ],
    start: [-1.5, 2.5],
    minima: [[1, 1]],
    fmin: 0,
  }),
  twoD('beale', 'Beale', beale, {
    view: [
      [-4.5, 4.5],
      [-4.5, 4.5],
    ],
    start: [1, 1.5],
    minima: [[3, 0.5]],
    fmin: 0,
  }),
  twoD('himmelblau', 'Himmelblau', himmelblau, {
    view: [
      [-5, 5],
      [-5, 5],
    ],
    start: [0, 0],
    minima: [
      [3, 2],
      [-2.805118086952745, 3.131312518250573],
      [-3.779310253377747, -3.28318599128617],
      [3.584428340330492, -1.848126526964404],
    ],
    fmin: 0,
  }),
  twoD('rastrigin', 'Rastrigin', rastrigin, {
    view: [
      [-5.12, 5.12],
      [-5.12, 5.12],
    ],
    start: [2.2, 1.7],
    minima: [[0, 0]],
    fmin: 0,
  }),
  twoD('valley', 'curved valley', valley, {
    view: [
      [-5, 5],
      [-3, 3],
    ],
    start: [-4.5, -1.5],
    minima: [[0, 0]],
    fmin: 0,
  }),
];

/** A function by id; a RangeError naming the id and the valid ones otherwise. */
export function functionById(id: string): PlaygroundFunction {
  const found = functions.find((fn) => fn.id === id);
  if (found === undefined)
    throw new RangeError(
      `Unknown function: ${JSON.stringify(id)} (expected one of ${functions.map((fn) => fn.id).join(', ')})`,
    );
  return found;
}
