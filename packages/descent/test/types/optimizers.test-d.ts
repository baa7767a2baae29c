/**
 * The public types of parameters and optimizers, checked by `tsc` (`npm run check`, which covers
 * test/): each `@ts-expect-error` line must fail to compile, or the check fails ("Unused
 * '@ts-expect-error' directive"); each `expectTypeOf` must hold. Vitest does not run this file.
 */
import { expectTypeOf } from 'vitest';
import { type FloatArray, type Param, param } from '../../src/core/param.js';
import type * as optim from '../../src/optim/index.js';
import { Adam, AdamW, LBFGS, Newton, RMSprop, SGD } from '../../src/optim/index.js';

const w = param(3, { name: 'w' });
const b = param([0], { dtype: 'float64' });
const params = [w, b];

// param() makes the gradient: no `!` is needed to write it.
expectTypeOf(w).toEqualTypeOf<Param<FloatArray>>();
expectTypeOf(w.grad).toEqualTypeOf<FloatArray>();
w.grad.set([1, 2, 3]);
// What optimizers take may have none, as in PyTorch; a Param<FloatArray> is one.
expectTypeOf<Param['grad']>().toEqualTypeOf<FloatArray | null>();
const loose: Param = w;
loose.grad = null;
// @ts-expect-error: a gradient param() made is typed as there
w.grad = null;
// @ts-expect-error: a dtype is 'float32' or 'float64'
param(3, { dtype: 'float16' });
// @ts-expect-error: a misspelled option of param()
param(3, { nmae: 'w' });

// Options, and groups of parameters with their own, are the optimizer's: a name it does not take
// or a value of the wrong type does not compile.
new Adam(params, { lr: 0.1, betas: [0.9, 0.99], amsgrad: true });
new Adam([{ params: [w] }, { params: [b], weightDecay: 0 }], { lr: 0.1 });
new SGD(new Set(params), { momentum: 0.9, nesterov: true });
// @ts-expect-error: a misspelled option
new Adam(params, { lrr: 1 });
// @ts-expect-error: a misspelled option
new Adam(params, { betass: [0.9, 0.99] });
// @ts-expect-error: a number given as a string
new Adam(params, { lr: '0.1' });
// @ts-expect-error: betas are a pair
new Adam(params, { betas: [0.9] });
// @ts-expect-error: an option of another optimizer (SGD's)
new Adam(params, { momentum: 0.9 });
// @ts-expect-error: a misspelled option in a group
new Adam([{ params, lrr: 1 }]);
// @ts-expect-error: a wrong-typed option in a group
new Adam([{ params, amsgrad: 1 }]);
// @ts-expect-error: a group is { params, ...options }
new Adam([{ param: [w] }]);
// @ts-expect-error: a group's params are parameters
new Adam([{ params: [new Float32Array(3)] }]);
// @ts-expect-error: parameters are { data, grad }
new SGD([new Float32Array(3)]);
// @ts-expect-error: LBFGS's line search is 'strong_wolfe' or null
new LBFGS(params, { lineSearchFn: 'wolfe' });
// @ts-expect-error: RMSprop's centered is a boolean
new RMSprop(params, { centered: 'yes' });

const adam = new Adam(params);
adam.addParamGroup({ params: [param(2)], lr: 0.01 });
// @ts-expect-error: a misspelled option in an added group
adam.addParamGroup({ params: [param(2)], lrr: 0.01 });
// @ts-expect-error: an added group is { params, ...options }
adam.addParamGroup({ param: [param(2)] });
// Groups' hyperparameters are typed, to change between steps.
expectTypeOf(adam.paramGroups[0].betas).toEqualTypeOf<[number, number]>();
expectTypeOf(adam.paramGroups[0].params).toEqualTypeOf<Param[]>();
// @ts-expect-error: lr is a number
adam.paramGroups[0].lr = '0.1';

// AdamW always decouples its weight decay: the option is not AdamW's.
new AdamW(params, { weightDecay: 0.1 });
// @ts-expect-error: AdamW has no decoupledWeightDecay option
new AdamW(params, { decoupledWeightDecay: false });
// @ts-expect-error: nor in a group
new AdamW([{ params, decoupledWeightDecay: false }]);

// Newton needs its Hessian; its groups may take their own.
const hessian = (ps: Param[]) => new Float64Array(ps.length);
new Newton(params, { hessian });
new Newton([{ params: [w], hessian }, { params: [b] }], { hessian, damping: 1 });
// @ts-expect-error: hessian is required
new Newton(params, { lr: 1 });
// @ts-expect-error: and is a function of the parameters
new Newton(params, { hessian: [1, 0, 0, 1] });

// step returns the closure's loss; L-BFGS's always has one.
expectTypeOf(adam.step()).toEqualTypeOf<number | undefined>();
expectTypeOf(new LBFGS(params).step(() => 1)).toEqualTypeOf<number>();
// @ts-expect-error: a closure returns the loss
adam.step(() => 'loss');

// No optimizer descent exports takes an option, in its options or in a group, that its type does
// not list: neither type has an index signature.
type Classes = typeof optim;
type OptimizerName = {
  [K in keyof Classes]: Classes[K] extends new (
    ...args: never
  ) => optim.Optimizer<object>
    ? K
    : never;
}[keyof Classes];
type GroupOf<C extends new (...args: never) => unknown> =
  Exclude<ConstructorParameters<C>[0], Iterable<Param>> extends Iterable<infer G> ? G : never;
type OpenOptions = {
  [K in OptimizerName]: string extends keyof NonNullable<ConstructorParameters<Classes[K]>[1]>
    ? K
    : never;
}[OptimizerName];
type OpenGroups = {
  [K in OptimizerName]: string extends keyof GroupOf<Classes[K]> ? K : never;
}[OptimizerName];
expectTypeOf<OpenOptions>().toBeNever();
expectTypeOf<OpenGroups>().toBeNever();
// The list those cover: every optimizer class, none missed.
expectTypeOf<OptimizerName>().toEqualTypeOf<
  | 'Adadelta'
  | 'Adafactor'
  | 'Adagrad'
  | 'Adam'
  | 'Adamax'
  | 'AdamW'
  | 'ASGD'
  | 'LAMB'
  | 'LBFGS'
  | 'Lion'
  | 'Muon'
  | 'NAdam'
  | 'Newton'
  | 'Prodigy'
  | 'RAdam'
  | 'RMSprop'
  | 'Rprop'
  | 'ScheduleFreeAdamW'
  | 'ScheduleFreeSGD'
  | 'SGD'
  | 'Yogi'
>();
