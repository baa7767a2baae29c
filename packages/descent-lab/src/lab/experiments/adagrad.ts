import { quadratic } from '../functions.js';
import { resolveOptimizer } from '../optimizers.js';
import type { Section } from '../types.js';
import { airfoilExperiment, airfoilFigures, trace2dExperiment } from './common.js';

const airfoilRuns = [{ id: 'adagrad-airfoil', title: 'Adagrad, lr 0.1' }];

export const adagrad: Section = {
  number: '12.7',
  slug: 'adagrad',
  title: 'AdaGrad',
  summary:
    'AdaGrad divides each coordinate’s step by the root of its summed squared gradients, so the steep x₂ direction of 0.1x₁² + 2x₂² gets small steps and the shallow x₁ direction larger ones. The sum only grows, so the steps keep shrinking: with η = 0.4 the iterates stall well short of the optimum; η = 2 gets there. The book’s AdaGrad puts ε = 1e-6 inside the square root, descent’s (PyTorch’s) outside; with the same ε the two agree to under 1e-6 here.',
  experiments: [
    ...[0.4, 2].map((lr) => {
      const optimizer = resolveOptimizer('adagrad', { lr });
      return trace2dExperiment({
        id: `adagrad-2d-eta${lr}`,
        title: `AdaGrad on 0.1x₁² + 2x₂², η = ${lr}`,
        fn: quadratic(0.1, 2),
        optimizer: optimizer.make,
        settings: optimizer.settings,
      });
    }),
    airfoilExperiment({
      id: 'adagrad-airfoil',
      title: airfoilRuns[0].title,
      optimizer: 'adagrad',
      batchSize: 10,
    }),
  ],
  figures: (results) => airfoilFigures('adagrad', results, airfoilRuns),
};
