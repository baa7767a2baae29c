import type { Section } from '../types.js';
import { airfoilExperiment, airfoilFigures } from './common.js';

const airfoilRuns = [
  { id: 'adam-airfoil', title: 'Adam, lr 0.01', optimizer: 'adam' },
  { id: 'yogi-airfoil', title: 'Yogi, lr 0.01', optimizer: 'yogi' },
];

export const adam: Section = {
  number: '12.10',
  slug: 'adam',
  title: 'Adam',
  summary:
    'Adam combines momentum (a leaky average of gradients) with RMSProp’s per-coordinate scaling, both bias-corrected for their zero start. Yogi changes only how the second moment moves: by a fixed-size step towards g², so it cannot blow up when gradients are sparse or vary a lot. They use ε = 1e-6 and 1e-3, as the book does.',
  experiments: airfoilRuns.map((run) => airfoilExperiment({ ...run, batchSize: 10 })),
  figures: (results) => airfoilFigures('adam', results, airfoilRuns),
};
