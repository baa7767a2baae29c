import type { Param } from 'descent';
import { Newton } from 'descent';
import * as format from '../format.js';
import { cosh, type Function1D, quadratic, square, xCos } from '../functions.js';
import type { MakeOptimizer } from '../trace.js';
import type { Section } from '../types.js';
import { sgd, trace1dExperiment, trace2dExperiment } from './common.js';

/** descent's Newton with the exact second derivative: x ← x − η f′(x) / f″(x). */
function newton(fn: Function1D, lr: number): MakeOptimizer {
  return (params) => new Newton(params, { lr, hessian: ([p]: Param[]) => [fn.hess(p.data[0])] });
}

/** Says whether a path ended higher than it began, and where it stopped. */
function uphill(path: number[], fn: Function1D): string | undefined {
  const start = fn.f(path[0]);
  const end = fn.f(path[path.length - 1]);
  if (!(end > start)) return undefined;
  const where = fn.hess(path[path.length - 1]) < 0 ? ' (f″ < 0 there: a local maximum)' : '';
  const rounded = (value: number) => format.short(Number(value.toFixed(2)));
  return `uphill: f goes from ${rounded(start)} to ${rounded(end)}${where}`;
}

function diverging(path: number[]): string | undefined {
  const growth = Math.abs(path[path.length - 1] / path[path.length - 2]);
  return growth > 1 ? `diverges: |x| grows ${format.short(growth)}× per step` : undefined;
}

const nonConvex = xCos(0.15 * Math.PI, '0.15π');
const newtonConvex = cosh(0.5);

export const gradientDescent: Section = {
  number: '12.3',
  slug: 'gradient-descent',
  title: 'Gradient descent',
  summary:
    'Plain gradient descent (descent’s SGD on the exact gradient) from x = 10 on f(x) = x²: a small learning rate creeps, a large one overshoots and diverges. On a non-convex function a large step lands in a poor local minimum. Newton’s method divides by the curvature: it converges at once on cosh, but on x cos(cx) the negative second derivative turns the step uphill unless the step is shortened.',
  experiments: [
    ...[0.2, 0.05, 1.1].map((lr) =>
      trace1dExperiment({
        id: `gd-1d-eta${lr}`,
        title: `gradient descent on x², η = ${lr}`,
        fn: square,
        optimizer: sgd(lr),
        settings: { lr },
        note: diverging,
      }),
    ),
    trace1dExperiment({
      id: 'gd-1d-local',
      title: 'gradient descent on x cos(0.15πx), η = 2',
      fn: nonConvex,
      optimizer: sgd(2),
      settings: { lr: 2 },
    }),
    trace2dExperiment({
      id: 'gd-2d',
      title: 'gradient descent on x₁² + 2x₂², η = 0.1',
      fn: quadratic(1, 2),
      optimizer: sgd(0.1),
      settings: { lr: 0.1 },
    }),
    trace1dExperiment({
      id: 'newton-convex',
      title: 'Newton’s method on cosh(0.5x), η = 1',
      fn: newtonConvex,
      optimizer: newton(newtonConvex, 1),
      settings: { lr: 1 },
    }),
    ...[1, 0.5].map((lr) =>
      trace1dExperiment({
        id: `newton-nonconvex-eta${lr}`,
        title: `Newton’s method on x cos(0.15πx), η = ${lr}`,
        fn: nonConvex,
        optimizer: newton(nonConvex, lr),
        settings: { lr },
        note: uphill,
      }),
    ),
  ],
};
