import * as format from '../format.js';
import { cube, type Function1D, quadratic, tanh, xCos } from '../functions.js';
import { lineChart, sampleCurve, traceOnContour } from '../plot.js';
import { trace1d } from '../trace.js';
import type { IllustrationResult, Section } from '../types.js';
import { define, sgd } from './common.js';

const wavy = xCos(Math.PI, 'π');
const saddle = quadratic(1, -1);

/** A curve with labelled points on it. */
function curveWithPoints(
  id: string,
  fn: Function1D,
  [low, high]: readonly [number, number],
  points: readonly { name: string; x: number }[],
  subtitle?: string,
) {
  return lineChart({
    title: `${id}: ${fn.formula}`,
    subtitle,
    x: { title: 'x', domain: [low, high] },
    y: { title: 'f(x)' },
    series: [
      { name: fn.formula, points: sampleCurve(fn.f, low, high) },
      ...points.map((p) => ({
        name: p.name,
        points: [[p.x, fn.f(p.x)] as const],
        style: 'points' as const,
      })),
    ],
  });
}

/** Where descent's gradient descent settles from `start`: a minimum near it. */
function descendFrom(fn: Function1D, start: number): number {
  const path = trace1d(fn, sgd(0.02), start, 500);
  return path[path.length - 1];
}

export const optimizationAndDeepLearning: Section = {
  number: '12.1',
  slug: 'optimization-and-deep-learning',
  title: 'Optimization and deep learning',
  summary:
    'Why minimizing a training loss is hard: local minima that gradient descent cannot leave, saddle points where the gradient vanishes without a minimum, and vanishing gradients on flat stretches. The minima below are found by descent’s gradient descent from either side.',
  experiments: [
    define<IllustrationResult>({
      id: 'challenges-local-minima',
      title: 'a local and a global minimum of x cos(πx) on [−1, 2]',
      run: () => {
        const local = descendFrom(wavy, -0.5);
        const global = descendFrom(wavy, 1.5);
        return {
          kind: 'illustration',
          values: {
            'local minimum x': local,
            'local minimum f(x)': wavy.f(local),
            'global minimum x': global,
            'global minimum f(x)': wavy.f(global),
          },
        };
      },
      figures: (result) => {
        const { values } = result;
        return [
          {
            id: 'challenges-local-minima',
            title: 'Local and global minimum',
            spec: curveWithPoints(
              'challenges-local-minima',
              wavy,
              [-1, 2],
              [
                {
                  name: `local minimum, x = ${format.short(values['local minimum x'])}`,
                  x: values['local minimum x'],
                },
                {
                  name: `global minimum, x = ${format.short(values['global minimum x'])}`,
                  x: values['global minimum x'],
                },
              ],
            ),
          },
        ];
      },
    }),
    define<IllustrationResult>({
      id: 'challenges-saddle',
      title: 'saddle points: x³ at 0, and x² − y² at the origin',
      run: () => ({
        kind: 'illustration',
        values: {
          "x³: f'(0)": cube.grad(0),
          "x³: f''(0)": cube.hess(0),
          'x² − y²: Hessian eigenvalue along x': 2,
          'x² − y²: Hessian eigenvalue along y': -2,
        },
      }),
      figures: () => [
        {
          id: 'challenges-saddle',
          title: 'Saddle point in one dimension',
          spec: curveWithPoints(
            'challenges-saddle',
            cube,
            [-2, 2],
            [{ name: 'saddle point', x: 0 }],
          ),
        },
        {
          id: 'challenges-saddle-2d',
          title: 'Saddle point in two dimensions',
          spec: traceOnContour(saddle, [{ name: 'saddle point', points: [[0, 0]] }], {
            title: `challenges-saddle: ${saddle.formula.replace('x₁', 'x').replace('x₂', 'y')}`,
            subtitle: 'a minimum along x₁, a maximum along x₂',
            x1: [-1, 1],
            x2: [-1, 1],
          }),
        },
      ],
    }),
    define<IllustrationResult>({
      id: 'challenges-vanishing',
      title: 'vanishing gradient of tanh at x = 4',
      run: () => ({ kind: 'illustration', values: { "f'(4) = 1 − tanh²(4)": tanh.grad(4) } }),
      figures: (result) => [
        {
          id: 'challenges-vanishing',
          title: 'Vanishing gradient',
          spec: curveWithPoints(
            'challenges-vanishing',
            tanh,
            // A little beyond the book's [−4, 4], so the marked point at 4 is not cut in half.
            [-4.5, 4.5],
            [{ name: 'x = 4', x: 4 }],
            `f′(4) = ${format.short(result.values["f'(4) = 1 − tanh²(4)"])}: gradient descent barely moves`,
          ),
        },
      ],
    }),
  ],
};
