/**
 * The lab's 1-D and 2-D experiments as playground states, by their ids: `#preset=momentum-2d-beta0.5`
 * opens the run the lab makes, with the settings it uses (the book's optimizers' settings as
 * src/lab/optimizers.ts gives them). test/playground/presets.test.ts runs each against the lab's own
 * experiment in Node, so the two cannot drift apart.
 */
import { chapterWindow } from './functions.js';
import type { RunSettings } from './runs.js';
import type { PlaygroundState } from './state.js';

interface Preset {
  title: string;
  fn: string;
  start: number[];
  steps: number;
  run: RunSettings;
  view?: [number, number][];
}

const sgd = (lr: number, momentum?: number): RunSettings => ({
  optimizer: 'SGD',
  options: momentum === undefined ? { lr } : { lr, momentum },
});
const newton = (lr: number): RunSettings => ({ optimizer: 'Newton', options: { lr } });
const trace1d = (title: string, fn: string, run: RunSettings): Preset => ({
  title,
  fn,
  start: [10],
  steps: 10,
  run,
});
const trace2d = (title: string, fn: string, run: RunSettings, steps = 20): Preset => ({
  title,
  fn,
  start: [-5, -2],
  steps,
  run,
  view: chapterWindow,
});
/** The section's noisy SGD: N(0, 1) noise from the lab's stream of that id and seed 0. */
const noisy = (id: string, schedule: NonNullable<RunSettings['schedule']>): RunSettings => ({
  ...sgd(0.1),
  schedule,
  noise: { sd: 1, seed: 0, stream: id },
});

const presets: Record<string, Preset> = {
  'challenges-local-minima': {
    title: 'gradient descent on x cos(πx) from −0.5: the local minimum',
    fn: 'xcos-pi',
    start: [-0.5],
    steps: 500,
    run: sgd(0.02),
  },
  'challenges-saddle': {
    title: 'gradient descent on x³ slows to a crawl at the saddle point',
    fn: 'x3',
    start: [1.5],
    steps: 100,
    run: sgd(0.05),
  },
  'challenges-saddle-2d': {
    title: 'gradient descent near the saddle of x₁² − x₂²',
    fn: 'saddle',
    start: [-0.8, 0.01],
    steps: 30,
    run: sgd(0.1),
  },
  'challenges-vanishing': {
    title: 'gradient descent on tanh from x = 4: the gradient vanishes',
    fn: 'tanh',
    start: [4],
    steps: 100,
    run: sgd(1),
  },
  'convexity-1': { title: '0.5x²', fn: 'half-x2', start: [1.5], steps: 20, run: sgd(0.5) },
  'convexity-2': { title: 'exp(0.5x)', fn: 'exp-half', start: [1], steps: 20, run: sgd(0.5) },
  'convexity-3': { title: 'cos(πx)', fn: 'cos-pi', start: [0.3], steps: 20, run: sgd(0.05) },
  'gd-1d-eta0.2': trace1d('gradient descent on x², η = 0.2', 'x2', sgd(0.2)),
  'gd-1d-eta0.05': trace1d('gradient descent on x², η = 0.05', 'x2', sgd(0.05)),
  'gd-1d-eta1.1': trace1d('gradient descent on x², η = 1.1', 'x2', sgd(1.1)),
  'gd-1d-local': trace1d('gradient descent on x cos(0.15πx), η = 2', 'xcos-0.15pi', sgd(2)),
  'gd-2d': trace2d('gradient descent on x₁² + 2x₂², η = 0.1', 'quad-1-2', sgd(0.1)),
  'newton-convex': trace1d('Newton’s method on cosh(0.5x), η = 1', 'cosh-0.5', newton(1)),
  'newton-nonconvex-eta1': trace1d(
    'Newton’s method on x cos(0.15πx), η = 1',
    'xcos-0.15pi',
    newton(1),
  ),
  'newton-nonconvex-eta0.5': trace1d(
    'Newton’s method on x cos(0.15πx), η = 0.5',
    'xcos-0.15pi',
    newton(0.5),
  ),
  'sgd-2d-constant': trace2d(
    'SGD with noisy gradients, η_t = 0.1',
    'quad-1-2',
    noisy('sgd-2d-constant', { name: 'constantSchedule', options: { value: 0.1 } }),
    50,
  ),
  'sgd-2d-exponential': trace2d(
    'SGD with noisy gradients, η_t = 0.1 · exp(−0.1t)',
    'quad-1-2',
    noisy('sgd-2d-exponential', {
      name: 'exponentialDecay',
      options: { initValue: 0.1, decayRate: Math.exp(-1), transitionSteps: 10 },
    }),
    1000,
  ),
  'sgd-2d-polynomial': trace2d(
    'SGD with noisy gradients, η_t = 0.1 · (1 + 0.1t)^−½',
    'quad-1-2',
    noisy('sgd-2d-polynomial', {
      name: 'inverseSqrtDecay',
      options: { initValue: 0.1, timescale: 10 },
    }),
    50,
  ),
  'momentum-gd-eta0.4': trace2d(
    'gradient descent on 0.1x₁² + 2x₂², η = 0.4',
    'quad-0.1-2',
    sgd(0.4),
  ),
  'momentum-gd-eta0.6': trace2d(
    'gradient descent on 0.1x₁² + 2x₂², η = 0.6',
    'quad-0.1-2',
    sgd(0.6),
  ),
  'momentum-2d-beta0.5': trace2d('momentum, η = 0.6, β = 0.5', 'quad-0.1-2', sgd(0.6, 0.5)),
  'momentum-2d-beta0.25': trace2d('momentum, η = 0.6, β = 0.25', 'quad-0.1-2', sgd(0.6, 0.25)),
  'adagrad-2d-eta0.4': trace2d('AdaGrad, η = 0.4', 'quad-0.1-2', {
    optimizer: 'Adagrad',
    options: { lr: 0.4, eps: 1e-6 },
  }),
  'adagrad-2d-eta2': trace2d('AdaGrad, η = 2', 'quad-0.1-2', {
    optimizer: 'Adagrad',
    options: { lr: 2, eps: 1e-6 },
  }),
  'rmsprop-2d': trace2d('RMSProp, η = 0.4, γ = 0.9', 'quad-0.1-2', {
    optimizer: 'RMSprop',
    options: { lr: 0.4, alpha: 0.9, eps: 1e-6 },
  }),
};

/** Every preset id, in the chapter's order. */
export const presetIds: readonly string[] = Object.keys(presets);

/** A preset's title. */
export function presetTitle(id: string): string {
  return presets[id]?.title ?? id;
}

/** The state a preset opens; a RangeError naming the id otherwise. */
export function presetState(id: string): PlaygroundState {
  const p = presets[id];
  if (p === undefined)
    throw new RangeError(
      `Unknown preset: ${JSON.stringify(id)} (expected one of ${presetIds.join(', ')})`,
    );
  return {
    fn: p.fn,
    start: [...p.start],
    steps: p.steps,
    runs: [structuredClone(p.run)],
    ...(p.view === undefined ? {} : { view: p.view.map((r) => [...r] as [number, number]) }),
    tol: 1e-3,
    logLoss: true,
    at: 0,
    preset: id,
  };
}
