/**
 * The runs whose exported programs are checked (code-export.test.ts runs the TypeScript ones;
 * scripts/reference/playground_code_export.py ran the Python ones and recorded their final
 * points, but for those in notRunByPython): every optimizer of descent, Newton and L-BFGS
 * included, with and without a schedule, with gradient noise, and every schedule the Python
 * program writes out.
 */
import type { OptionValue } from 'descent';
import type { RunSettings } from '../../src/playground/runs.js';
import type { PlaygroundState } from '../../src/playground/state.js';

const state = (fn: string, start: number[], steps: number, run: RunSettings): PlaygroundState => ({
  fn,
  start,
  steps,
  runs: [run],
  tol: 1e-6,
  logLoss: false,
  at: 0,
});

const rosenbrock = [-1.5, 2.5];
const quad = [-5, -2];

/** The optimizers, each on a function it gets somewhere on. */
const optimizerCases: Record<string, PlaygroundState> = {
  'sgd-nesterov': state('quad-0.1-2', quad, 100, {
    optimizer: 'SGD',
    options: { lr: 0.1, momentum: 0.9, nesterov: true },
  }),
  'sgd-noise-schedule': state('quad-1-2', quad, 50, {
    optimizer: 'SGD',
    options: { lr: 0.1 },
    schedule: { name: 'exponentialDecay', options: { initValue: 0.1, decayRate: 0.95 } },
    noise: { sd: 1, seed: 3, stream: 'sgd-noise' },
  }),
  adagrad: state('beale', [1, 1.5], 300, { optimizer: 'Adagrad', options: { lr: 0.3 } }),
  'rmsprop-centered': state('himmelblau', [0, 0], 300, {
    optimizer: 'RMSprop',
    options: { lr: 0.01, centered: true, momentum: 0.5 },
  }),
  adadelta: state('valley', [-4.5, -1.5], 300, { optimizer: 'Adadelta', options: { lr: 1 } }),
  adam: state('rosenbrock', rosenbrock, 1000, { optimizer: 'Adam', options: { lr: 0.05 } }),
  'adamw-cosine': state('rosenbrock', rosenbrock, 500, {
    optimizer: 'AdamW',
    options: { lr: 0.02, weightDecay: 0.01 },
    schedule: { name: 'cosineDecay', options: { initValue: 0.05, steps: 500 } },
  }),
  adamax: state('quad-1-2', quad, 200, { optimizer: 'Adamax', options: { lr: 0.1 } }),
  nadam: state('rosenbrock', rosenbrock, 400, { optimizer: 'NAdam', options: { lr: 0.02 } }),
  radam: state('himmelblau', [0, 0], 300, { optimizer: 'RAdam', options: { lr: 0.1 } }),
  rprop: state('rosenbrock', rosenbrock, 200, { optimizer: 'Rprop', options: { lr: 0.01 } }),
  asgd: state('quad-1-2', quad, 200, { optimizer: 'ASGD', options: { lr: 0.05, t0: 50 } }),
  'lbfgs-wolfe': state('rosenbrock', rosenbrock, 5, {
    optimizer: 'LBFGS',
    options: { lr: 1, lineSearchFn: 'strong_wolfe' },
  }),
  lbfgs: state('quad-0.1-2', quad, 3, { optimizer: 'LBFGS', options: { lr: 0.5, maxIter: 5 } }),
  'newton-1d': state('xcos-0.15pi', [10], 10, { optimizer: 'Newton', options: { lr: 1 } }),
  'newton-damped': state('himmelblau', [0.5, 0.5], 30, {
    optimizer: 'Newton',
    options: { lr: 0.5, damping: 1, absoluteEigenvalues: true },
  }),
  yogi: state('rosenbrock', rosenbrock, 500, { optimizer: 'Yogi', options: { lr: 0.05 } }),
  'yogi-schedule': state('beale', [1, 1.5], 300, {
    optimizer: 'Yogi',
    options: { lr: 0.1 },
    schedule: { name: 'inverseSqrtDecay', options: { initValue: 0.1, timescale: 20 } },
  }),
  'newton-schedule': state('valley', [-4.5, -1.5], 20, {
    optimizer: 'Newton',
    options: { lr: 1, damping: 0.5 },
    schedule: { name: 'linearSchedule', options: { initValue: 0.2, endValue: 1, steps: 10 } },
  }),
  lion: state('rosenbrock', rosenbrock, 400, {
    optimizer: 'Lion',
    options: { lr: 0.01, betas: [0.9, 0.95], weightDecay: 0.1 },
  }),
  'lion-schedule': state('beale', [1, 1.5], 200, {
    optimizer: 'Lion',
    options: { lr: 0.02 },
    schedule: { name: 'cosineDecay', options: { initValue: 0.02, endValue: 0.001, steps: 200 } },
  }),
  lamb: state('rosenbrock', rosenbrock, 300, {
    optimizer: 'LAMB',
    options: { lr: 0.02, eps: 1e-8, epsRoot: 1e-10, weightDecay: 0.01 },
  }),
  'lamb-maximize-noise': state('saddle', [0.5, 1], 50, {
    optimizer: 'LAMB',
    options: { lr: 0.05, maximize: true },
    noise: { sd: 0.5, seed: 11, stream: 'lamb-noise' },
  }),
  // A 1 × 2 matrix to Muon: its update is the momentum normalized (and scaled by the
  // polynomial's value at 1 after its iterations).
  muon: state('quad-1-2', quad, 200, {
    optimizer: 'Muon',
    options: {
      lr: 0.05,
      weightDecay: 0.01,
      momentum: 0.9,
      nsCoefficients: [3, -3.2, 1.2],
      nsSteps: 3,
      adjustLrFn: 'match_rms_adamw',
    },
  }),
  adafactor: state('quad-1-2', quad, 200, {
    optimizer: 'Adafactor',
    options: { lr: 0.05, beta2Decay: -0.5, weightDecay: 0.01 },
  }),
  'schedule-free-adamw': state('rosenbrock', rosenbrock, 500, {
    optimizer: 'ScheduleFreeAdamW',
    options: { lr: 0.02, betas: [0.9, 0.99], warmupSteps: 20, weightDecay: 0.01 },
  }),
  'schedule-free-sgd': state('quad-0.1-2', quad, 100, {
    optimizer: 'ScheduleFreeSGD',
    options: { lr: 0.1, momentum: 0.8, r: 0.5, weightLrPower: 1 },
  }),
  prodigy: state('rosenbrock', rosenbrock, 300, {
    optimizer: 'Prodigy',
    options: { lr: 1, d0: 1e-4, growthRate: 1.05, useBiasCorrection: true, weightDecay: 0.01 },
  }),
};

/**
 * The cases whose Python program the fixture's Python (Debian's PyTorch 1.13, without PyPI to
 * install packages) cannot run, and why: the generator still parses them, and
 * code-export.test.ts checks what they import and the keywords they pass.
 */
export const notRunByPython: Record<string, string> = {
  muon: 'torch.optim.Muon came in PyTorch 2.9',
  adafactor: 'torch.optim.Adafactor came in PyTorch 2.5',
  'schedule-free-adamw': 'it imports schedulefree, not installed',
  'schedule-free-sgd': 'it imports schedulefree, not installed',
  prodigy: 'it imports prodigyopt, not installed',
};

/** Every schedule the Python program writes out, each driving SGD with momentum on 0.1x₁² + 2x₂². */
const schedules: Record<string, Record<string, OptionValue>> = {
  constantSchedule: { value: 0.2 },
  linearSchedule: { initValue: 0.3, endValue: 0.01, steps: 40 },
  polynomialSchedule: { initValue: 0.3, endValue: 0.01, steps: 40, power: 2.5 },
  exponentialDecay: {
    initValue: 0.3,
    decayRate: 0.5,
    transitionSteps: 7,
    staircase: true,
    endValue: 0.05,
  },
  cosineDecay: { initValue: 0.3, endValue: 0.02, steps: 45 },
  inverseSqrtDecay: { initValue: 0.3, timescale: 5 },
  piecewiseConstant: { values: [0.3, 0.1, 0.02], boundaries: [10, 30] },
  piecewiseInterpolated: { values: [0.05, 0.3, 0.01], boundaries: [0, 10, 50], shape: 'cosine' },
  warmupCosineDecay: {
    initValue: 0.01,
    peakValue: 0.3,
    endValue: 0.01,
    warmupSteps: 10,
    totalSteps: 50,
  },
  warmupStableDecay: {
    peakValue: 0.3,
    endValue: 0.01,
    warmupSteps: 8,
    decaySteps: 20,
    totalSteps: 50,
    warmupShape: 'exponential',
    initValue: 0.01,
    decayShape: '1-sqrt',
  },
  sgdr: { initValue: 0.3, endValue: 0.01, periodSteps: 7, periodMultiplier: 1.5, decay: 0.8 },
  oneCycle: { peakValue: 0.3, totalSteps: 50, threePhase: true },
  squareRootScheduler: { lr: 0.3 },
  factorScheduler: { factor: 0.95, stopFactorLr: 0.02, baseLr: 0.3 },
  multiFactorScheduler: { step: [10, 25], factor: 0.3, baseLr: 0.3 },
  cosineScheduler: {
    maxUpdate: 40,
    baseLr: 0.3,
    finalLr: 0.01,
    warmupSteps: 5,
    warmupBeginLr: 0.01,
  },
};

const scheduleCases = Object.fromEntries(
  Object.entries(schedules).map(([name, options]) => [
    `schedule-${name}`,
    state('quad-0.1-2', quad, 60, {
      optimizer: 'SGD',
      options: { lr: 0.1, momentum: 0.5 },
      schedule: { name, options },
    }),
  ]),
);

/** Every case by id. */
export const cases: Record<string, PlaygroundState> = { ...optimizerCases, ...scheduleCases };
