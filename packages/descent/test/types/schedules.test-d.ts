/**
 * The public types of schedulers and pure schedules, checked by `tsc` (`npm run check`): each
 * `@ts-expect-error` line must fail to compile, each `expectTypeOf` must hold. Vitest does not run
 * this file.
 */
import { expectTypeOf } from 'vitest';
import { param } from '../../src/core/param.js';
import { Adam, SGD } from '../../src/optim/index.js';
import {
  CosineAnnealingLR,
  HyperparameterScheduler,
  LambdaLR,
  OneCycleLR,
  ReduceLROnPlateau,
  type Schedule,
  SequentialLR,
  StepLR,
  warmupCosineDecay,
} from '../../src/schedules/index.js';

const sgd = new SGD([param(2)], { lr: 0.1, momentum: 0.9 });
const adam = new Adam([param(2)], { lr: 0.1 });

// Schedulers' options are typed: a misspelled, wrong-typed or missing one does not compile.
new StepLR(sgd, { stepSize: 3, gamma: 0.5 });
// @ts-expect-error: a number given as a string
new StepLR(sgd, { stepSize: '3' });
// @ts-expect-error: a misspelled option
new StepLR(sgd, { stepSze: 3 });
// @ts-expect-error: stepSize is required
new StepLR(sgd, { gamma: 0.5 });
// @ts-expect-error: a misspelled option
new CosineAnnealingLR(sgd, { TMaxx: 10 });
// @ts-expect-error: maxLr is required
new OneCycleLR(sgd, { totalSteps: 100 });
// @ts-expect-error: the anneal strategy is 'cos' or 'linear'
new OneCycleLR(sgd, { maxLr: 1, totalSteps: 100, annealStrategy: 'cosine' });
// @ts-expect-error: the mode is 'min' or 'max'
new ReduceLROnPlateau(sgd, { mode: 'maximum' });
// @ts-expect-error: a lambda maps the step to a factor
new LambdaLR(sgd, { lrLambda: (step: number) => `${step}` });
// @ts-expect-error: not an optimizer
new StepLR({}, { stepSize: 3 });
const warm = new LambdaLR(sgd, { lrLambda: (step) => Math.min(1, step / 10) });
new SequentialLR(sgd, { schedulers: [warm, new StepLR(sgd, { stepSize: 3 })], milestones: [10] });
// @ts-expect-error: milestones are numbers
new SequentialLR(sgd, { schedulers: [warm], milestones: ['10'] });
// ReduceLROnPlateau steps on a metric.
new ReduceLROnPlateau(sgd).step(0.5);
// @ts-expect-error: the metric is a number
new ReduceLROnPlateau(sgd).step('0.5');

// Pure schedules: typed options, and (step) => value.
const schedule = warmupCosineDecay({ peakValue: 0.1, warmupSteps: 20, totalSteps: 2000 });
expectTypeOf(schedule).toEqualTypeOf<Schedule>();
expectTypeOf(schedule).toEqualTypeOf<(step: number) => number>();
// @ts-expect-error: a misspelled option
warmupCosineDecay({ peakValu: 0.1, warmupSteps: 20, totalSteps: 2000 });
// @ts-expect-error: totalSteps is required
warmupCosineDecay({ peakValue: 0.1, warmupSteps: 20 });

// HyperparameterScheduler schedules the optimizer's numeric options, and beta1/beta2 of betas.
new HyperparameterScheduler(sgd, { lr: schedule, momentum: schedule, weightDecay: [schedule] });
new HyperparameterScheduler(adam, { lr: schedule, beta1: schedule, eps: schedule });
// @ts-expect-error: a misspelled hyperparameter
new HyperparameterScheduler(adam, { lrr: schedule });
// @ts-expect-error: Adam has no momentum (its betas[0], beta1, is scheduled instead)
new HyperparameterScheduler(adam, { momentum: schedule });
// @ts-expect-error: SGD has no betas
new HyperparameterScheduler(sgd, { beta1: schedule });
// @ts-expect-error: maximize is not a number
new HyperparameterScheduler(sgd, { maximize: schedule });
// @ts-expect-error: a schedule is a function of the step
new HyperparameterScheduler(sgd, { lr: 0.1 });
// An optimizer whose defaults say nothing (any SchedulableOptimizer) takes any name, checked at
// run time against its groups.
const plain = { paramGroups: [{ lr: 0.1, foo: 1 }], defaults: {} };
new HyperparameterScheduler(plain, { foo: schedule });
