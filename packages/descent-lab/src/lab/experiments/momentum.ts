import { quadratic } from '../functions.js';
import { runTrace } from '../trace.js';
import type { Section, SeriesResult } from '../types.js';
import {
  airfoilExperiment,
  airfoilFigures,
  define,
  seriesFigure,
  sgd,
  trace2dExperiment,
} from './common.js';

const illConditioned = quadratic(0.1, 2);

/** β^t for t = 0..39, one curve per β: how much a gradient t steps old still counts. */
export function decayWeights(symbol: string, bases: readonly number[]): SeriesResult {
  const t = Array.from({ length: 40 }, (_, i) => i);
  return {
    kind: 'series',
    xTitle: 'time t',
    yTitle: 'weight',
    series: bases.map((base) => ({
      name: `${symbol} = ${base}`,
      x: t,
      y: t.map((i) => base ** i),
    })),
    values: Object.fromEntries(
      bases.map((base) => [
        `${symbol} = ${base}: effective samples 1/(1 − ${symbol})`,
        1 / (1 - base),
      ]),
    ),
  };
}

const airfoilRuns = [
  { id: 'momentum-airfoil-0.02-0.5', lr: 0.02, momentum: 0.5 },
  { id: 'momentum-airfoil-0.01-0.9', lr: 0.01, momentum: 0.9 },
  { id: 'momentum-airfoil-0.005-0.9', lr: 0.005, momentum: 0.9 },
].map((run) => ({ ...run, title: `lr ${run.lr}, momentum ${run.momentum}` }));

const lambdas = [0.1, 1, 10, 19];
const scalarLr = 0.1;

export const momentum: Section = {
  number: '12.6',
  slug: 'momentum',
  title: 'Momentum',
  summary:
    'On the ill-conditioned 0.1x₁² + 2x₂², gradient descent must keep its learning rate small for the steep x₂ direction (0.6 diverges along it) and then crawls along x₁. Momentum averages past gradients: the oscillations along x₂ cancel and the steps along x₁ add up, so η = 0.6 converges. The effective weights βᵗ show how long a gradient is remembered; on the airfoil data momentum behaves like a larger learning rate. Finally gradient descent on λx²/2 for several λ: with η = 0.1 it converges for λ < 20 and oscillates for λ > 10.',
  experiments: [
    ...[0.4, 0.6].map((lr) =>
      trace2dExperiment({
        id: `momentum-gd-eta${lr}`,
        title: `gradient descent on 0.1x₁² + 2x₂², η = ${lr}`,
        fn: illConditioned,
        optimizer: sgd(lr),
        settings: { lr },
      }),
    ),
    ...[0.5, 0.25].map((beta) =>
      trace2dExperiment({
        id: `momentum-2d-beta${beta}`,
        title: `momentum on 0.1x₁² + 2x₂², η = 0.6, β = ${beta}`,
        fn: illConditioned,
        optimizer: sgd(0.6, beta),
        settings: { lr: 0.6, momentum: beta },
      }),
    ),
    define<SeriesResult>({
      id: 'momentum-weights',
      title: 'effective sample weights βᵗ',
      run: () => decayWeights('β', [0.95, 0.9, 0.6, 0]),
      figures: (result) => [
        seriesFigure('momentum-weights', 'weights βᵗ of past gradients', result),
      ],
    }),
    ...airfoilRuns.map((run) =>
      airfoilExperiment({
        id: run.id,
        title: run.title,
        optimizer: 'momentum',
        options: { lr: run.lr, momentum: run.momentum },
        batchSize: 10,
      }),
    ),
    define<SeriesResult>({
      id: 'momentum-scalar',
      title: 'gradient descent on λx²/2, η = 0.1: x_t = (1 − ηλ)ᵗ x₀',
      run: () => {
        const t = Array.from({ length: 20 }, (_, i) => i);
        const series = lambdas.map((lambda) => {
          const path = runTrace({
            gradient: (x, grad) => {
              grad[0] = lambda * x[0];
            },
            optimizer: sgd(scalarLr),
            start: [1],
            steps: t.length - 1,
          }).map(([x]) => x);
          return { name: `λ = ${lambda}`, x: t, y: path };
        });
        // descent's steps against the closed form the book plots.
        const deviation = Math.max(
          ...series.flatMap((s, k) =>
            s.y.map((x, i) => Math.abs(x - (1 - scalarLr * lambdas[k]) ** i)),
          ),
        );
        return {
          kind: 'series',
          xTitle: 'step t',
          yTitle: 'x_t',
          series,
          values: { 'largest |x_t − (1 − ηλ)ᵗ x₀|': deviation },
        };
      },
      figures: (result) => [
        seriesFigure('momentum-scalar', 'x_t = (1 − ηλ)ᵗ under gradient descent', result),
      ],
    }),
  ],
  figures: (results) => airfoilFigures('momentum', results, airfoilRuns),
};
