/**
 * TEMPORARY: the option descriptions the library is about to export (`optimizerSpecs`,
 * `scheduleSpecs`, `optimizerSpec`, `scheduleSpec` from 'descent'), rebuilt roughly here from the
 * optimizer classes' `defaults` and a table of ranges, until they land. The page imports them
 * through one line (src/playground/specs.ts); drop this file and point that line at 'descent'.
 */

import type { Optimizer, Param } from 'descent';
import * as descent from 'descent';

export type OptionValue = number | boolean | string | null | readonly number[];
export interface OptionSpec {
  name: string;
  summary: string;
  type: 'number' | 'integer' | 'boolean' | 'pair' | 'numbers' | 'choice' | 'function';
  default: OptionValue | undefined;
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  scale?: 'linear' | 'log';
  choices?: readonly (string | null)[];
  reference?: string;
}
export interface AlgorithmSpec {
  name: string;
  kind: 'optimizer' | 'schedule';
  summary: string;
  reference: string;
  options: readonly OptionSpec[];
}

type Range = Partial<OptionSpec>;
const unit: Range = { min: 0, max: 1, maxExclusive: true };
const ranges: Record<string, Range> = {
  lr: { min: 0, max: 10, scale: 'log' },
  momentum: unit,
  dampening: { min: 0, max: 1 },
  weightDecay: { min: 0, max: 1, scale: 'log' },
  eps: { min: 0, max: 1, scale: 'log' },
  betas: unit,
  alpha: { min: 0, max: 1 },
  rho: { min: 0, max: 1 },
  lrDecay: { min: 0, max: 1, scale: 'log' },
  initialAccumulatorValue: { min: 0, max: 1 },
  momentumDecay: { min: 0, max: 0.1 },
  etas: { min: 0, max: 2 },
  stepSizes: { min: 0, max: 50, scale: 'log' },
  lambd: { min: 0, max: 1, scale: 'log' },
  t0: { min: 0, max: 1e6, scale: 'log' },
  maxIter: { type: 'integer', min: 1, max: 100 },
  maxEval: { type: 'integer', min: 1, max: 200 },
  toleranceGrad: { min: 0, max: 1, scale: 'log' },
  toleranceChange: { min: 0, max: 1, scale: 'log' },
  historySize: { type: 'integer', min: 1, max: 100 },
  lineSearchFn: { type: 'choice', choices: [null, 'strong_wolfe'] },
  damping: { min: 0, max: 10, scale: 'log' },
};

function optionSpec(name: string, value: unknown): OptionSpec {
  const range = ranges[name] ?? {};
  const type: OptionSpec['type'] =
    range.type ??
    (typeof value === 'boolean'
      ? 'boolean'
      : Array.isArray(value)
        ? 'pair'
        : typeof value === 'number'
          ? 'number'
          : 'function');
  return {
    name,
    summary: name,
    default: type === 'function' ? undefined : (value as OptionValue),
    ...range,
    type,
  };
}

type OptimizerClass = new (params: Param[], options?: object) => Optimizer<object>;

/** Every optimizer class of descent, with options from its defaults. */
export const optimizerSpecs: readonly AlgorithmSpec[] = Object.entries(descent).flatMap(
  ([name, value]) => {
    if (typeof value !== 'function' || !(value.prototype instanceof descent.Optimizer)) return [];
    const optimizer = new (value as unknown as OptimizerClass)(
      [{ data: new Float64Array(1), grad: null }],
      name === 'Newton' ? { hessian: () => [1] } : {},
    );
    const defaults = optimizer.defaults as Record<string, unknown>;
    return [
      {
        name,
        kind: 'optimizer' as const,
        summary: name,
        reference: '',
        options: Object.entries(defaults).map(([option, v]) => optionSpec(option, v)),
      },
    ];
  },
);

const n = (name: string, def: number | undefined, range: Range = {}): OptionSpec => ({
  name,
  summary: name,
  type: 'number',
  default: def,
  ...range,
});
const int = (name: string, def: number | undefined, min = 0): OptionSpec => ({
  name,
  summary: name,
  type: 'integer',
  default: def,
  min,
  max: 5000,
});
const rate = (name: string, def?: number) => n(name, def, { min: 0, max: 10, scale: 'log' });
const fraction = (name: string, def?: number) => n(name, def, { min: 0, max: 1 });
const shape = (name: string): OptionSpec => ({
  name,
  summary: name,
  type: 'choice',
  default: 'linear',
  choices: ['linear', 'cosine', 'exponential', '1-sqrt'],
});
const schedule = (name: string, options: OptionSpec[]): AlgorithmSpec => ({
  name,
  kind: 'schedule',
  summary: name,
  reference: '',
  options,
});

/** descent's pure schedules and the book's, with their options. */
export const scheduleSpecs: readonly AlgorithmSpec[] = [
  schedule('constantSchedule', [rate('value')]),
  schedule('linearSchedule', [rate('initValue'), rate('endValue'), int('steps', undefined, 1)]),
  schedule('polynomialSchedule', [
    rate('initValue'),
    rate('endValue'),
    int('steps', undefined, 1),
    n('power', 1, { min: 0, max: 10, minExclusive: true }),
  ]),
  schedule('exponentialDecay', [
    rate('initValue'),
    fraction('decayRate'),
    n('transitionSteps', 1, { min: 0, max: 1000, minExclusive: true, scale: 'log' }),
    { name: 'staircase', summary: 'staircase', type: 'boolean', default: false },
    rate('endValue', 0),
  ]),
  schedule('cosineDecay', [rate('initValue'), rate('endValue', 0), int('steps', undefined, 1)]),
  schedule('inverseSqrtDecay', [
    rate('initValue'),
    n('timescale', 1, { min: 0, max: 1000, minExclusive: true, scale: 'log' }),
  ]),
  schedule('warmupCosineDecay', [
    rate('initValue', 0),
    rate('peakValue'),
    rate('endValue', 0),
    int('warmupSteps', undefined),
    int('totalSteps', undefined, 1),
  ]),
  schedule('warmupStableDecay', [
    rate('initValue', 0),
    rate('peakValue'),
    rate('endValue', 0),
    int('warmupSteps', undefined),
    int('decaySteps', undefined, 1),
    int('totalSteps', undefined, 1),
    shape('warmupShape'),
    shape('decayShape'),
  ]),
  schedule('sgdr', [
    rate('initValue'),
    rate('endValue', 0),
    n('periodSteps', undefined, { min: 0, max: 1000, minExclusive: true }),
    n('periodMultiplier', 1, { min: 1, max: 4 }),
    fraction('decay', 1),
  ]),
  schedule('oneCycle', [
    rate('peakValue'),
    int('totalSteps', undefined, 1),
    fraction('pctStart', 0.3),
    rate('initValue'),
    rate('endValue'),
    { name: 'threePhase', summary: 'threePhase', type: 'boolean', default: false },
    { ...shape('shape'), default: 'cosine' },
  ]),
  schedule('piecewiseConstant', [
    { name: 'values', summary: 'values', type: 'numbers', default: undefined },
    { name: 'boundaries', summary: 'boundaries', type: 'numbers', default: undefined },
  ]),
  schedule('squareRootScheduler', [rate('lr', 0.1)]),
  schedule('factorScheduler', [
    fraction('factor', 1),
    rate('stopFactorLr', 1e-7),
    rate('baseLr', 0.1),
  ]),
  schedule('multiFactorScheduler', [
    { name: 'step', summary: 'step', type: 'numbers', default: undefined },
    n('factor', undefined, { min: 0, max: 1 }),
    rate('baseLr'),
  ]),
  schedule('cosineScheduler', [
    int('maxUpdate', undefined, 1),
    rate('baseLr', 0.01),
    rate('finalLr', 0),
    int('warmupSteps', 0),
    rate('warmupBeginLr', 0),
  ]),
];

function byName(specs: readonly AlgorithmSpec[], kind: string, name: string): AlgorithmSpec {
  const found = specs.find((s) => s.name === name);
  if (found === undefined) throw new RangeError(`Unknown ${kind}: ${JSON.stringify(name)}`);
  return found;
}

/** The description of one optimizer by class name. */
export function optimizerSpec(name: string): AlgorithmSpec {
  return byName(optimizerSpecs, 'optimizer', name);
}

/** The description of one schedule by function name. */
export function scheduleSpec(name: string): AlgorithmSpec {
  return byName(scheduleSpecs, 'schedule', name);
}
