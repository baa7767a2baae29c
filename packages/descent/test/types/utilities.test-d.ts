/**
 * The public types of the training utilities (clipping, weight averaging, Lookahead,
 * skipNonFinite), checked by `tsc` (`npm run check`): each `@ts-expect-error` line must fail to
 * compile, each `expectTypeOf` must hold. Vitest does not run this file.
 */
import { expectTypeOf } from 'vitest';
import { param } from '../../src/core/param.js';
import {
  Adam,
  type AdamOptions,
  AveragedParams,
  clipGradNorm,
  clipGradValue,
  Lookahead,
  type ParamGroup,
  SGD,
  type SkipNonFinite,
  skipNonFinite,
} from '../../src/optim/index.js';
import { CosineAnnealingLR, HyperparameterScheduler, SWALR } from '../../src/schedules/index.js';

const params = [param(3, { name: 'w' }), param(1)];
const adam = new Adam(params, { lr: 1e-3 });

expectTypeOf(clipGradNorm(params, 1, { normType: Infinity, errorIfNonfinite: true })).toBeNumber();
clipGradNorm(params[0], 1);
clipGradValue(new Set(params), 0.5);
// @ts-expect-error: a misspelled option
clipGradNorm(params, 1, { normtype: 2 });
// @ts-expect-error: errorIfNonfinite is a boolean
clipGradNorm(params, 1, { errorIfNonfinite: 1 });

new AveragedParams(params, { decay: 0.999 });
new AveragedParams(params, { decay: null });
// @ts-expect-error: a misspelled option
new AveragedParams(params, { decai: 0.9 });
new SWALR(adam, { swaLr: 0.05, annealEpochs: 5, annealStrategy: 'linear' });
// @ts-expect-error: swaLr is required
new SWALR(adam, { annealEpochs: 5 });
// @ts-expect-error: the strategy is 'cos' or 'linear'
new SWALR(adam, { swaLr: 0.05, annealStrategy: 'cosine' });

// The wrappers keep the inner optimizer's type, and schedulers take them as optimizers.
const lookahead = new Lookahead(adam, { k: 5, alpha: 0.5 });
expectTypeOf(lookahead.optimizer).toEqualTypeOf<Adam>();
expectTypeOf(lookahead.paramGroups).toEqualTypeOf<ParamGroup<AdamOptions>[]>();
new CosineAnnealingLR(lookahead, { TMax: 10 });
new HyperparameterScheduler(lookahead, { lr: (t) => 0.1 / (1 + t), beta1: () => 0.9 });
// @ts-expect-error: a misspelled option
new Lookahead(adam, { alfa: 0.5 });
// @ts-expect-error: not an optimizer
new Lookahead(params);

const guarded = skipNonFinite(new Lookahead(new SGD(params)), { maxConsecutive: 3 });
expectTypeOf(guarded).toEqualTypeOf<SkipNonFinite<Lookahead<SGD>>>();
expectTypeOf(guarded.optimizer.optimizer).toEqualTypeOf<SGD>();
new SWALR(guarded, { swaLr: 0.01 });
// @ts-expect-error: maxConsecutive is required, as Optax's max_consecutive_errors
skipNonFinite(adam, {});
