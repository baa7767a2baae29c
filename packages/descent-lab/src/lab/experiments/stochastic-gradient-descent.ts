import { constantSchedule, exponentialDecay, inverseSqrtDecay } from 'descent';
import { quadratic } from '../functions.js';
import type { Section } from '../types.js';
import { sgd, trace2dExperiment } from './common.js';

/**
 * The section's three learning rates, 0.1 times 1, exp(−0.1t) and (1 + 0.1t)^(−1/2), as descent's
 * schedules. They are evaluated at the step count t = 1, 2, ... as the chapter counts it.
 */
const schedules = [
  { name: 'constant', formula: '1', steps: 50, lr: constantSchedule({ value: 0.1 }) },
  {
    name: 'exponential',
    formula: 'exp(−0.1t)',
    steps: 1000,
    lr: exponentialDecay({ initValue: 0.1, decayRate: Math.exp(-1), transitionSteps: 10 }),
  },
  {
    name: 'polynomial',
    formula: '(1 + 0.1t)^−½',
    steps: 50,
    lr: inverseSqrtDecay({ initValue: 0.1, timescale: 10 }),
  },
];

export const stochasticGradientDescent: Section = {
  number: '12.4',
  slug: 'stochastic-gradient-descent',
  title: 'Stochastic gradient descent',
  summary:
    'The gradient of x₁² + 2x₂² with N(0, 1) noise added to each coordinate, as a stand-in for a minibatch gradient. With a constant learning rate the iterates never settle; an exponentially decaying rate stops them too early, far from the optimum, even after 1000 steps; a polynomial decay keeps moving and settles. The noise comes from a seeded generator: the seed is printed with each run, and the lab’s --seed option changes it.',
  experiments: schedules.map((s) =>
    trace2dExperiment({
      id: `sgd-2d-${s.name}`,
      title: `SGD with noisy gradients, η_t = 0.1 · ${s.formula}, ${s.steps} steps`,
      fn: quadratic(1, 2),
      optimizer: sgd(0.1),
      settings: { lr: `0.1 · ${s.formula}`, steps: s.steps },
      steps: s.steps,
      noisy: true,
      lr: s.lr,
    }),
  ),
};
