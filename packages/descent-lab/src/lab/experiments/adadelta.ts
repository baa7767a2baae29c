import type { Section } from '../types.js';
import { airfoilExperiment, airfoilFigures } from './common.js';

const airfoilRuns = [{ id: 'adadelta-airfoil', title: 'Adadelta, ρ 0.9' }];

export const adadelta: Section = {
  number: '12.9',
  slug: 'adadelta',
  title: 'Adadelta',
  summary:
    'Adadelta has no learning rate of its own: the step is the gradient rescaled by the ratio of two leaky averages, of past squared updates and of squared gradients. descent’s Adadelta is PyTorch’s, whose lr multiplies that step; lr = 1 is the book’s form, and ε = 1e-5 is the book’s (inside both roots, as in PyTorch).',
  experiments: [
    airfoilExperiment({
      id: 'adadelta-airfoil',
      title: airfoilRuns[0].title,
      optimizer: 'adadelta',
      batchSize: 10,
    }),
  ],
  figures: (results) => airfoilFigures('adadelta', results, airfoilRuns),
};
