import { timeMatmul } from '../matmul.js';
import { barChart } from '../plot.js';
import type { Section, TimingResult } from '../types.js';
import { airfoilExperiment, airfoilFigures, define } from './common.js';

const size = 256;

const runs = [
  { id: 'minibatch-gd', title: 'GD, lr 1, batch 1500', lr: 1, batchSize: 1500, epochs: 10 },
  { id: 'minibatch-sgd', title: 'SGD, lr 0.005, batch 1', lr: 0.005, batchSize: 1 },
  { id: 'minibatch-100', title: 'minibatch, lr 0.4, batch 100', lr: 0.4, batchSize: 100 },
  { id: 'minibatch-10', title: 'minibatch, lr 0.05, batch 10', lr: 0.05, batchSize: 10 },
];

export const minibatchSgd: Section = {
  number: '12.5',
  slug: 'minibatch-sgd',
  title: 'Minibatch stochastic gradient descent',
  summary:
    'Why minibatches: a kernel handed a bigger piece of a matrix product can reuse each number it loads (the whole-product kernel here runs four rows of A per element of B read), so the whole product and blocks of 64 columns run faster per flop than one dot product per element or one matrix–vector product per column; in the book’s Python each small call also pays the interpreter, which makes its gap far larger. Then linear regression on the airfoil data with descent’s SGD: full-batch gradient descent (10 epochs), single examples, and batches of 100 and 10 (2 epochs each). Per epoch, single examples make the most progress; per second, batches win.',
  experiments: [
    define<TimingResult>({
      id: 'vectorization',
      title: `a ${size} × ${size} matrix product in four granularities`,
      run: (context) => ({
        kind: 'timing',
        size,
        rows: timeMatmul(
          size,
          context.quick ? 0.01 : 0.25,
          context.random.normal,
          context.progress,
        ),
      }),
      figures: (result) => [
        {
          id: 'vectorization',
          title: 'Matrix product speed',
          spec: barChart({
            title: `vectorization: C = AB, ${result.size} × ${result.size}, in JavaScript (float64)`,
            subtitle: 'best of repeated runs; all four compute the same product',
            valueTitle: 'GFLOP/s',
            bars: result.rows.map((r) => ({ name: r.method, value: r.gflops })),
          }),
        },
      ],
    }),
    ...runs.map((run) =>
      airfoilExperiment({
        id: run.id,
        title: run.title,
        optimizer: 'sgd',
        options: { lr: run.lr },
        batchSize: run.batchSize,
        epochs: run.epochs,
      }),
    ),
  ],
  figures: (results) => airfoilFigures('minibatch', results, runs),
};
