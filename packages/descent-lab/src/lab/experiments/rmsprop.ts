import { quadratic } from '../functions.js';
import { resolveOptimizer } from '../optimizers.js';
import type { Section, SeriesResult } from '../types.js';
import {
  airfoilExperiment,
  airfoilFigures,
  define,
  seriesFigure,
  trace2dExperiment,
} from './common.js';
import { decayWeights } from './momentum.js';

const airfoilRuns = [{ id: 'rmsprop-airfoil', title: 'RMSprop, lr 0.01, γ 0.9' }];
const rmsprop2d = resolveOptimizer('rmsprop', { lr: 0.4 });

export const rmsprop: Section = {
  number: '12.8',
  slug: 'rmsprop',
  title: 'RMSProp',
  summary:
    'RMSProp replaces AdaGrad’s growing sum by a leaky average (weight γ per step) of squared gradients, so the step size no longer decays to nothing: on 0.1x₁² + 2x₂² with η = 0.4 it reaches the optimum where AdaGrad stalled. descent’s RMSprop calls the book’s γ alpha, as PyTorch does, and puts ε outside the root.',
  experiments: [
    define<SeriesResult>({
      id: 'rmsprop-weights',
      title: 'weights γᵗ of past squared gradients',
      run: () => decayWeights('γ', [0.95, 0.9, 0.8, 0.7]),
      figures: (result) => [
        seriesFigure('rmsprop-weights', 'weights γᵗ of past squared gradients', result),
      ],
    }),
    trace2dExperiment({
      id: 'rmsprop-2d',
      title: 'RMSProp on 0.1x₁² + 2x₂², η = 0.4, γ = 0.9',
      fn: quadratic(0.1, 2),
      optimizer: rmsprop2d.make,
      settings: rmsprop2d.settings,
    }),
    airfoilExperiment({
      id: 'rmsprop-airfoil',
      title: airfoilRuns[0].title,
      optimizer: 'rmsprop',
      batchSize: 10,
    }),
  ],
  figures: (results) => airfoilFigures('rmsprop', results, airfoilRuns),
};
