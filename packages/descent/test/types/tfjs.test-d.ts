/**
 * The public types of descent/tfjs, checked by `tsc` (`npm run check`): each `@ts-expect-error`
 * line must fail to compile, each `expectTypeOf` must hold. Vitest does not run this file.
 */
import { expectTypeOf } from 'vitest';
import {
  DescentOptimizer,
  type OptimizerClass,
  schedulerCallback,
  type TfOptimizerName,
  tfOptimizer,
} from '../../src/adapters/tfjs/index.js';
import type { Param } from '../../src/core/param.js';
import { Adam, AdamW, type Optimizer, SGD } from '../../src/optim/index.js';
import { ReduceLROnPlateau, StepLR } from '../../src/schedules/index.js';

// The names: every optimizer class descent exports but L-BFGS, whose step needs a closure.
expectTypeOf<TfOptimizerName>().toEqualTypeOf<
  | 'Adadelta'
  | 'Adafactor'
  | 'Adagrad'
  | 'Adam'
  | 'Adamax'
  | 'AdamW'
  | 'ASGD'
  | 'LAMB'
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
// @ts-expect-error: an unknown name
tfOptimizer('Adamw');
// @ts-expect-error: L-BFGS cannot step from gradients alone
tfOptimizer('LBFGS');

// Options are the named optimizer's, and so are the groups' (with their `match`).
tfOptimizer('Adam');
tfOptimizer('AdamW', { lr: 1e-3, groups: [{ match: /bias/, weightDecay: 0 }] });
tfOptimizer('SGD', { momentum: 0.9, groups: [{ match: 'kernel', lr: 0.01 }] });
// @ts-expect-error: a misspelled option
tfOptimizer('Adam', { betass: [0.9, 0.99] });
// @ts-expect-error: a number given as a string
tfOptimizer('Adam', { lr: '0.1' });
// @ts-expect-error: an option of another optimizer (SGD's)
tfOptimizer('Adam', { momentum: 0.9 });
// @ts-expect-error: a misspelled option in a group
tfOptimizer('SGD', { groups: [{ match: /bias/, weightDecy: 0 }] });
// @ts-expect-error: a wrong-typed option in a group
tfOptimizer('SGD', { groups: [{ match: /bias/, nesterov: 1 }] });
// @ts-expect-error: a group rule needs its match
tfOptimizer('SGD', { groups: [{ lr: 1 }] });
// @ts-expect-error: a match is a RegExp or a string
tfOptimizer('SGD', { groups: [{ match: 3 }] });
// @ts-expect-error: AdamW has no decoupledWeightDecay option
tfOptimizer('AdamW', { groups: [{ match: /bias/, decoupledWeightDecay: false }] });

// Newton needs its Hessian here too; a group rule may leave it out.
const hessian = (ps: Param[]) => new Float64Array(ps.length);
tfOptimizer('Newton', { hessian, groups: [{ match: /bias/, damping: 1 }] });
// @ts-expect-error: hessian is required
tfOptimizer('Newton', { lr: 1 });
// @ts-expect-error: and so are the options
tfOptimizer('Newton');

// A class instead of a name: options from its constructor.
tfOptimizer(AdamW, { weightDecay: 0.1 });
// @ts-expect-error: a misspelled option of the class
tfOptimizer(Adam, { betass: [0.9, 0.99] });
// @ts-expect-error: a wrong-typed option of the class
tfOptimizer(SGD, { groups: [{ match: /bias/, lr: '1' }] });
// @ts-expect-error: not an optimizer class
tfOptimizer(Map);

// The descent optimizer taking the steps is the one named, to read or to schedule.
const adapter = tfOptimizer('AdamW', { lr: 1e-3 });
expectTypeOf(adapter).toEqualTypeOf<DescentOptimizer<'AdamW'>>();
expectTypeOf(adapter.optimizer).toEqualTypeOf<AdamW>();
expectTypeOf(tfOptimizer(SGD).optimizer).toEqualTypeOf<SGD>();
expectTypeOf(adapter.paramGroups[0].betas).toEqualTypeOf<[number, number]>();
const plateau = new ReduceLROnPlateau(adapter.optimizer, { patience: 2 });
new StepLR(adapter, { stepSize: 10 });
schedulerCallback(plateau, { monitor: 'val_loss' });
// @ts-expect-error: a misspelled callback option
schedulerCallback(plateau, { monitr: 'val_loss' });
// Any adapter is a DescentOptimizer, whose optimizer is then one of descent's (or any other
// optimizer class's).
const some: DescentOptimizer = adapter;
expectTypeOf(some.optimizer).toExtend<Optimizer<object>>();
expectTypeOf<AdamW>().toExtend<DescentOptimizer['optimizer']>();

// The class's own constructor takes the same arguments.
new DescentOptimizer('Adam', { lr: 0.1 });
// @ts-expect-error: a misspelled option
new DescentOptimizer('Adam', { lrr: 0.1 });
// A class typed only as a descent optimizer class takes options unchecked (JavaScript's case).
declare const someClass: OptimizerClass;
tfOptimizer(someClass, { anything: 1 });
