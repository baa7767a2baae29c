export * from './adadelta.js';
export * from './adafactor.js';
export * from './adagrad.js';
export * from './adam.js';
export * from './adamax.js';
export * from './adamw.js';
export * from './asgd.js';
export * from './averaged-params.js';
export {
  type ClipGradNormOptions,
  type ClipParams,
  clipGradNorm,
  clipGradValue,
} from './clip-grad.js';
export * from './lamb.js';
export * from './lbfgs.js';
export * from './lion.js';
export * from './lookahead.js';
export * from './muon.js';
export * from './nadam.js';
export * from './newton.js';
export * from './optimizer.js';
export * from './prodigy.js';
export * from './radam.js';
export * from './rmsprop.js';
export * from './rprop.js';
export * from './schedule-free-adamw.js';
export * from './schedule-free-sgd.js';
export * from './sgd.js';
export * from './skip-non-finite.js';
export type { MomentSigns, StateDtype, StateDtypeOptions } from './state-dtype.js';
export type { WrappableOptimizer } from './wrapped-optimizer.js';
export * from './yogi.js';
